//! Signing in and out of the web pages, and the language switch. The sign-in form is protected
//! against login CSRF by a random token both in a cookie and in the form (a page of another site
//! cannot read the cookie to copy it); once signed in, every form carries the session's token.

use std::time::Instant;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::labels::{LANG_COOKIE, Lang};
use super::page::{Chrome, error_page, html_with_status};
use super::sessions::{SESSION_COOKIE, SESSION_LIFETIME_MAX, same_secret};
use super::visitor::{Guest, Visitor, cookie, safe_back, set_cookie};
use crate::drivers::serve::service::Shared;
use crate::engine::token_sha256;

/// The cookie that carries the sign-in form's token.
const SIGN_IN_COOKIE: &str = "renewflow_sign_in";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf: String,
    back: String,
    refusal: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BackQuery {
    back: Option<String>,
}

/// `GET /sign-in`: the form, with a new form token in its cookie.
pub(crate) async fn sign_in_form(guest: Guest, Query(query): Query<BackQuery>) -> Response {
    let back = safe_back(query.back.as_deref());
    sign_in_page(&guest, back, None, StatusCode::OK)
}

fn sign_in_page(guest: &Guest, back: String, refusal: Option<String>, status: StatusCode) -> Response {
    let token = match random_token() {
        Ok(token) => token,
        Err(error) => return error_page(guest.lang, StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    };
    let here = format!("/sign-in?back={}", super::visitor::encode_query_value(&back));
    let page = SignInPage {
        chrome: Chrome::for_guest(guest.lang, guest.lang.labels().sign_in.to_owned(), &here),
        csrf: token.clone(),
        back,
        refusal,
    };
    let mut response = html_with_status(status, &page);
    append_cookie(response.headers_mut(), &set_cookie(SIGN_IN_COOKIE, &token, guest.secure, None));
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm {
    key: String,
    csrf: String,
    back: Option<String>,
}

/// `POST /sign-in`: the API key exchanged for a session, then back to where the visitor was
/// going.
pub(crate) async fn sign_in(
    State(service): State<Shared>,
    guest: Guest,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let t = guest.lang.labels();
    let back = safe_back(form.back.as_deref());
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(expected, &form.csrf) {
        return sign_in_page(&guest, back, Some(t.form_expired.to_owned()), StatusCode::FORBIDDEN);
    }
    let key = form.key.trim();
    let principal = match service.principals.of(&service.readers, key).await {
        Ok(principal) => principal,
        Err(problem) => return error_page(guest.lang, problem.status, &problem.detail),
    };
    if principal.is_none() {
        return sign_in_page(&guest, back, Some(t.sign_in_refused.to_owned()), StatusCode::UNAUTHORIZED);
    }
    let token = match service.web_sessions.begin(token_sha256(key), Instant::now()) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return error_page(
                guest.lang,
                StatusCode::SERVICE_UNAVAILABLE,
                "too many sessions are open; try again later",
            );
        }
        Err(error) => return error_page(guest.lang, StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    };
    let mut response = Redirect::to(&back).into_response();
    let headers = response.headers_mut();
    append_cookie(headers, &set_cookie(SESSION_COOKIE, &token, guest.secure, Some(SESSION_LIFETIME_MAX.as_secs())));
    append_cookie(headers, &set_cookie(SIGN_IN_COOKIE, "", guest.secure, Some(0)));
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /sign-out`: ends the session.
pub(crate) async fn sign_out(State(service): State<Shared>, visitor: Visitor, Form(form): Form<CsrfForm>) -> Response {
    if !same_secret(&visitor.session.csrf, &form.csrf) {
        return error_page(visitor.lang, StatusCode::FORBIDDEN, visitor.labels().form_expired);
    }
    service.web_sessions.end(&visitor.token);
    let mut response = Redirect::to("/sign-in").into_response();
    append_cookie(response.headers_mut(), &set_cookie(SESSION_COOKIE, "", visitor.secure, Some(0)));
    response
}

/// `GET /language/{lang}?back=…`: keeps the language chosen and goes back.
pub(crate) async fn switch_language(
    guest: Guest,
    Path(lang): Path<String>,
    Query(query): Query<BackQuery>,
) -> Response {
    let chosen = Lang::from_cookie(Some(&lang));
    let mut response = Redirect::to(&safe_back(query.back.as_deref())).into_response();
    let value = if chosen == Lang::En { "en" } else { "zh" };
    // A year: the choice outlives sessions.
    append_cookie(response.headers_mut(), &set_cookie(LANG_COOKIE, value, guest.secure, Some(365 * 24 * 60 * 60)));
    response
}

/// `GET /`: the watch list.
pub(crate) async fn home() -> Response {
    Redirect::to("/watch").into_response()
}

fn append_cookie(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.append(header::SET_COOKIE, value);
    }
}

fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(crate::core::workflow::hex(&bytes))
}
