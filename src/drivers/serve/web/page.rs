//! How a page is answered: the parts every page shares (`Chrome`: the words, the navigation, who
//! is signed in, the form token), the HTML response with the headers every page carries, and the
//! page shown for an error. The security headers themselves are added to every web answer by
//! [`security_headers`].

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::labels::{Labels, Lang};
use super::visitor::{Visitor, encode_query_value};

/// The Content-Security-Policy of every web answer: nothing but this site's own files, no
/// inline script or style, no frames, forms posted only here.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Which item of the navigation a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Watch,
    Work,
    Case,
    Calendar,
    Statistics,
    Workflows,
}

/// What the layout of every page needs.
pub(crate) struct Chrome {
    pub(crate) t: &'static Labels,
    pub(crate) lang: &'static str,
    pub(crate) title: String,
    /// Who is signed in, and in which organ; `None` on the sign-in page.
    pub(crate) who: Option<String>,
    /// The session's form token, for the sign-out form.
    pub(crate) csrf: String,
    /// The link that switches the language and comes back here.
    pub(crate) switch_language: String,
    /// The navigation, this page's item marked.
    pub(crate) nav: Vec<NavItem>,
}

/// An item of the navigation.
pub(crate) struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

fn nav(t: &'static Labels, section: Section) -> Vec<NavItem> {
    vec![
        NavItem { href: "/watch", label: t.watch, current: matches!(section, Section::Watch | Section::Case) },
        NavItem { href: "/work", label: t.my_work, current: section == Section::Work },
        NavItem { href: "/statistics", label: t.statistics, current: section == Section::Statistics },
        NavItem { href: "/workflows", label: t.workflows, current: section == Section::Workflows },
        NavItem { href: "/calendar", label: t.calendar, current: section == Section::Calendar },
    ]
}

impl Chrome {
    pub(crate) fn for_visitor(visitor: &Visitor, title: String, section: Section) -> Chrome {
        let who = match &visitor.principal.organ {
            Some(organ) => format!("{} ({organ})", visitor.principal.name),
            None => visitor.principal.name.clone(),
        };
        Chrome {
            t: visitor.labels(),
            lang: visitor.lang.code(),
            title,
            who: Some(who),
            csrf: visitor.session.csrf.clone(),
            switch_language: switch_link(visitor.lang, &visitor.here),
            nav: nav(visitor.labels(), section),
        }
    }

    pub(crate) fn for_guest(lang: Lang, title: String, here: &str) -> Chrome {
        Chrome {
            t: lang.labels(),
            lang: lang.code(),
            title,
            who: None,
            csrf: String::new(),
            switch_language: switch_link(lang, here),
            nav: Vec::new(),
        }
    }
}

fn switch_link(lang: Lang, here: &str) -> String {
    format!("/language/{}?back={}", lang.other_cookie_value(), encode_query_value(here))
}

/// A page rendered, as a 200 answer.
pub(crate) fn html(page: &impl Template) -> Response {
    html_with_status(StatusCode::OK, page)
}

/// A page rendered, with `status`.
pub(crate) fn html_with_status(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    detail: String,
}

/// A page that says what went wrong, with `status`.
pub(crate) fn error_page(lang: Lang, status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    let page = ErrorPage { chrome: Chrome::for_guest(lang, title, "/watch"), detail: detail.to_owned() };
    html_with_status(status, &page)
}

/// Adds the headers every web answer carries: the Content-Security-Policy, no sniffing, no
/// framing, no referrer beyond this site, and (for pages, not assets) no caching.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
