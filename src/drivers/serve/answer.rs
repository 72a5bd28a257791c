//! How the service answers: JSON bodies, the case version as `ETag`, and a write's answer
//! marked when it replays a key's first answer.

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::documents::OutcomeShown;
use crate::engine::Outcome;

/// The header that marks an answer as the replay of an idempotency key's first answer.
pub(crate) const REPLAYED_HEADER: &str = "idempotent-replayed";

/// `value` as a JSON answer with `status`. It goes through `serde_json::Value` so its members come
/// sorted by name, as the command line's `--format json` shows them.
pub(crate) fn json_answer(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_value(value).and_then(|value| serde_json::to_vec(&value)).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A document whose members are declared in name order, in every struct it holds: serialized as
/// declared, it reads as [`json_answer`] would sort it, without building a `serde_json::Value`
/// first (which costs more than the rest of a read). Debug builds check the two agree on every
/// answer, so every test that reads one checks the declared order.
pub(crate) trait DeclaredSorted: Serialize {}

/// `value` serialized as declared, for [`ok_body`].
pub(crate) fn sorted_body(value: &impl DeclaredSorted) -> Vec<u8> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    #[cfg(debug_assertions)]
    {
        let sorted = serde_json::to_value(value).and_then(|value| serde_json::to_vec(&value)).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&sorted),
            "a `DeclaredSorted` document has a member out of name order"
        );
    }
    body
}

/// A JSON body made before (by [`sorted_body`]) as a 200 answer; the bytes are shared, not
/// copied.
pub(crate) fn ok_body(body: Bytes) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `value` as a 200 JSON answer.
pub(crate) fn ok(value: &impl Serialize) -> Response {
    json_answer(StatusCode::OK, value)
}

/// Adds the case version as a strong `ETag` (the value `If-Match` takes).
pub(crate) fn with_version(mut response: Response, version: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// The answer to an accepted write: the case, its version after the write and the events
/// appended. A retry with the same key gets the same bytes, with [`REPLAYED_HEADER`] set.
pub(crate) fn outcome_answer(status: StatusCode, outcome: &Outcome) -> Response {
    let mut response = with_version(json_answer(status, &OutcomeShown::from(outcome)), outcome.version);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/v1/cases/{}", outcome.case_id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if outcome.replayed {
        response.headers_mut().insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}
