//! `Caller`: the principal behind a request's `Authorization: Bearer TOKEN`, as
//! [`Principals`](super::principals::Principals) keeps it (a key revoked through the service stops working at once; on the command line,
//! within [`KEY_LOG_POLL`](super::limits::KEY_LOG_POLL)). A request without a valid key is
//! answered 401 before anything is read.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::problem::Problem;
use super::service::Shared;
use crate::engine::Principal;

/// The principal a request authenticated as.
pub(crate) struct Caller(pub(crate) Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, service: &Shared) -> Result<Caller, Problem> {
        let caller = async {
            let token = bearer_token(parts)?;
            let principal = service.principals.of(&service.readers, &token).await?;
            principal.map(Caller).ok_or_else(|| unauthorized("the API key is unknown or revoked"))
        }
        .await;
        // Refused before its body was read, the connection cannot carry another request: say
        // so, or a client that reuses it sends its next request into a closed socket.
        caller.map_err(|problem| if has_body(parts) { problem.header(header::CONNECTION, "close") } else { problem })
    }
}

/// Whether the request has a body (which is unread while its head is judged).
fn has_body(parts: &Parts) -> bool {
    parts.headers.contains_key(header::TRANSFER_ENCODING)
        || parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok())
            .is_some_and(|length| length.trim() != "0")
}

fn bearer_token(parts: &Parts) -> Result<String, Problem> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("send `Authorization: Bearer TOKEN` with an API key (`renewflow key create`)"))?;
    let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not ASCII"))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| unauthorized("write `Authorization: Bearer TOKEN`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthorized("write `Authorization: Bearer TOKEN`"));
    }
    Ok(token.trim().to_owned())
}

fn unauthorized(detail: &str) -> Problem {
    Problem::new("unauthorized", detail).header(header::WWW_AUTHENTICATE, "Bearer realm=\"renewflow\"")
}
