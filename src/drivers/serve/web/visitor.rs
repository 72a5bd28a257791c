//! `Visitor` and `Guest`: who is looking at a page. A visitor is signed in: the principal of the
//! API key their session stands for, asked again on every page (a revoked key's sessions end
//! with it). A page asked for without a live session sends the browser to the sign-in page,
//! which brings it back afterwards. A guest is anyone, for the sign-in page itself.

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::labels::{LANG_COOKIE, Labels, Lang};
use super::page::error_page;
use super::sessions::{SESSION_COOKIE, Session};
use crate::drivers::serve::service::Shared;
use crate::engine::Principal;

/// A signed-in visitor.
pub(crate) struct Visitor {
    pub(crate) principal: Principal,
    pub(crate) session: Session,
    /// The session cookie's token, to end it on sign-out.
    pub(crate) token: String,
    pub(crate) lang: Lang,
    /// The path and query asked for, to come back to after switching the language.
    pub(crate) here: String,
    /// Whether the page was asked for over HTTPS (through a TLS proxy), so cookies are `Secure`.
    pub(crate) secure: bool,
}

impl Visitor {
    pub(crate) fn labels(&self) -> &'static Labels {
        self.lang.labels()
    }
}

impl FromRequestParts<Shared> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, service: &Shared) -> Result<Visitor, Response> {
        let lang = Lang::from_cookie(cookie(&parts.headers, LANG_COOKIE));
        let here = path_and_query(&parts.uri);
        let to_sign_in = || Redirect::to(&format!("/sign-in?back={}", encode_query_value(&here))).into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(to_sign_in());
        };
        let Some(session) = service.web_sessions.find(&token, Instant::now()) else {
            return Err(to_sign_in());
        };
        match service.principals.of_sha256(&service.readers, session.key_sha256.clone()).await {
            Ok(Some(principal)) => {
                Ok(Visitor { principal, session, token, lang, here, secure: behind_tls(&parts.headers) })
            }
            Ok(None) => {
                // The key was revoked: the session ends with it.
                service.web_sessions.end(&token);
                Err(to_sign_in())
            }
            Err(problem) => Err(error_page(lang, problem.status, &problem.detail)),
        }
    }
}

/// Anyone, signed in or not.
pub(crate) struct Guest {
    pub(crate) lang: Lang,
    /// Whether the page was asked for over HTTPS (through a TLS proxy), so cookies are `Secure`.
    pub(crate) secure: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Guest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Guest, Response> {
        Ok(Guest { lang: Lang::from_cookie(cookie(&parts.headers, LANG_COOKIE)), secure: behind_tls(&parts.headers) })
    }
}

/// Whether a TLS proxy in front says the browser used HTTPS (`X-Forwarded-Proto: https`, or
/// `Forwarded: proto=https`). A client that claims it falsely only gets `Secure` cookies.
pub(crate) fn behind_tls(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.trim() == "https");
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split([';', ',']).any(|part| part.trim().eq_ignore_ascii_case("proto=https")));
    forwarded_proto || forwarded
}

/// The value of cookie `name`, if the request sent it.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// `Set-Cookie` for `name=value` on every path, `HttpOnly` and `SameSite=Strict` (and `Secure`
/// when asked over HTTPS); `None` for the age ends with the browser, `Some(0)` deletes it.
pub(crate) fn set_cookie(name: &str, value: &str, secure: bool, max_age_seconds: Option<u64>) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age_seconds {
        cookie.push_str("; Max-Age=");
        cookie.push_str(&age.to_string());
    }
    cookie
}

/// A path to come back to after signing in: one of this site's (`/…`, never `//host`).
pub(crate) fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(back) if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') => back.to_owned(),
        _ => "/watch".to_owned(),
    }
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query().map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned())
}

/// `value` for a query string: unreserved characters as they are, every other byte `%XX`.
pub(crate) fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; renewflow_session=abc; renewflow_lang=en".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn only_a_path_of_this_site_is_come_back_to() {
        assert_eq!(safe_back(Some("/cases/XK-1?as_of=2026-12-31")), "/cases/XK-1?as_of=2026-12-31");
        for elsewhere in ["//evil.example/x", "https://evil.example/", "/\\evil.example", ""] {
            assert_eq!(safe_back(Some(elsewhere)), "/watch", "{elsewhere}");
        }
        assert_eq!(safe_back(None), "/watch");
    }

    #[test]
    fn cookies_are_http_only_and_strict_and_secure_behind_tls() {
        assert_eq!(set_cookie("s", "v", false, None), "s=v; Path=/; HttpOnly; SameSite=Strict");
        assert_eq!(set_cookie("s", "", true, Some(0)), "s=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0");
        let mut headers = HeaderMap::new();
        assert!(!behind_tls(&headers));
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(behind_tls(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(header::FORWARDED, "for=1.2.3.4;proto=https".parse().unwrap());
        assert!(behind_tls(&headers));
    }

    #[test]
    fn a_back_path_is_encoded_for_a_query() {
        assert_eq!(encode_query_value("/watch?level=red&offset=50"), "/watch%3Flevel%3Dred%26offset%3D50");
    }
}
