//! What a request carries, read strictly: a JSON body (its own size limit, `line:column` of a
//! syntax error), query parameters, `If-Match` with the case version, and `Idempotency-Key`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};
use utoipa::IntoParams;

use super::limits::IDEMPOTENCY_KEY_CHARS_MAX;
use super::problem::Problem;

/// The body of a `POST` whose handler needs none, read to its end and dropped before the
/// handler answers. Left unread, hyper closes the connection as soon as the answer is written,
/// and a client still sending the body (or reusing the connection) gets a reset instead of the
/// answer.
pub(crate) struct Drained;

impl<S: Send + Sync> FromRequest<S> for Drained {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Drained, Problem> {
        Bytes::from_request(request, state).await.map(|_| Drained).map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new("body-too-large", rejection.body_text())
            } else {
                Problem::new("bad-request", rejection.body_text())
            }
        })
    }
}

/// A JSON request body of type `T`; unknown members are refused where `T` says so.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, Problem> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|media| {
                let media = media.trim();
                media.eq_ignore_ascii_case("application/json")
                    || (media.starts_with("application/") && media.ends_with("+json"))
            });
        if !is_json {
            return Err(Problem::new("unsupported-media-type", "send the body as `Content-Type: application/json`"));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new("body-too-large", rejection.body_text())
            } else {
                Problem::new("bad-request", rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|error| {
            Problem::new("bad-request", format!("the body is not the JSON expected: {error}"))
                .with("line", error.line())
                .with("column", error.column())
        })
    }
}

/// Query parameters of type `T`, refused with a problem that names the parameter.
pub(crate) struct QueryOf<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<QueryOf<T>, Problem> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryOf(value))
            .map_err(|rejection| Problem::new("bad-request", rejection.body_text()))
    }
}

/// The headers of a write to a case, as [`if_match`] and [`idempotency_key`] read them; this
/// type only describes them to the OpenAPI document.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code, reason = "describes headers read by `if_match` and `idempotency_key`")]
pub(crate) struct CaseWriteHeaders {
    /// The case version last read, quoted (`"3"`: its `ETag`). A case that moved on since is
    /// refused with 412 and its current version.
    #[param(rename = "If-Match")]
    if_match: String,
    /// A new unique value per write: printable ASCII (the schema gives the length), bare or
    /// quoted. A retry with the same key gets the first answer (`Idempotent-Replayed: true`) and
    /// writes nothing; the same key with another request is refused.
    #[param(rename = "Idempotency-Key")]
    idempotency_key: String,
}

/// The header of a write that opens a case, as [`idempotency_key`] reads it.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code, reason = "describes the header read by `idempotency_key`")]
pub(crate) struct OpenHeaders {
    /// A new unique value per write: printable ASCII (the schema gives the length), bare or
    /// quoted. A retry with the same key gets the first answer (`Idempotent-Replayed: true`) and
    /// writes nothing; the same key with another request is refused.
    #[param(rename = "Idempotency-Key")]
    idempotency_key: String,
}

/// The case version in `If-Match: "N"`: required on every write to a case.
///
/// # Errors
///
/// `if-match-required` when it is missing, `bad-request` when it is not one quoted version.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<u64, Problem> {
    let value = headers.get(header::IF_MATCH).ok_or_else(|| {
        Problem::new(
            "if-match-required",
            "send `If-Match: \"N\"` with the case version you last read (its `ETag`); a case that moved on since is refused with 412",
        )
    })?;
    let text = value.to_str().unwrap_or_default().trim();
    let version = text.strip_prefix('"').and_then(|text| text.strip_suffix('"')).and_then(|text| text.parse().ok());
    version.ok_or_else(|| {
        Problem::new("bad-request", format!("If-Match must be one case version in quotes, like `\"3\"`, not `{text}`"))
    })
}

/// The `Idempotency-Key` of a write: required, printable ASCII, at most
/// [`IDEMPOTENCY_KEY_CHARS_MAX`] characters; written bare or as a quoted string.
///
/// # Errors
///
/// `idempotency-key-required` when missing, `bad-request` when unusable.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, Problem> {
    let value = headers.get("idempotency-key").ok_or_else(|| {
        Problem::new(
            "idempotency-key-required",
            "send `Idempotency-Key: <a new unique value>` with every write; a retry with the same key gets the first answer",
        )
    })?;
    let text = value.to_str().unwrap_or_default().trim();
    let key = text.strip_prefix('"').and_then(|text| text.strip_suffix('"')).unwrap_or(text);
    let printable = key.chars().all(|character| character.is_ascii_graphic() || character == ' ');
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_CHARS_MAX || !printable {
        return Err(Problem::new(
            "bad-request",
            format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_CHARS_MAX} printable ASCII characters"),
        ));
    }
    Ok(key.to_owned())
}

/// An instant given in a body (RFC 3339), or now on the service's clock.
///
/// # Errors
///
/// `bad-request` for text that is not RFC 3339.
pub(crate) fn instant_or(
    text: Option<&str>,
    now: impl FnOnce() -> DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, Problem> {
    match text {
        None => Ok(now()),
        Some(text) => DateTime::parse_from_rfc3339(text).map_err(|_| {
            Problem::new("bad-request", format!("`{text}` is not an RFC 3339 instant like 2026-03-02T09:30:00+08:00"))
        }),
    }
}

/// A date given as `YYYY-MM-DD`, or `default`.
///
/// # Errors
///
/// `bad-request` naming the parameter.
pub(crate) fn date_or(
    name: &str,
    text: Option<&str>,
    default: impl FnOnce() -> NaiveDate,
) -> Result<NaiveDate, Problem> {
    match text {
        None => Ok(default()),
        Some(text) => date(name, text),
    }
}

/// A date given as `YYYY-MM-DD`.
///
/// # Errors
///
/// `bad-request` naming the parameter.
pub(crate) fn date(name: &str, text: &str) -> Result<NaiveDate, Problem> {
    crate::core::calendar::parse_iso_date(text)
        .ok_or_else(|| Problem::new("bad-request", format!("`{name}` must be a date like 2026-03-02, not `{text}`")))
}

/// Attribute values as JSON (strings, numbers, booleans) in the text the engine parses by the
/// attribute's declared type; `null` only where `nullable` (clearing an attribute).
///
/// # Errors
///
/// `bad-request` for an array, an object, or a `null` that cannot be meant.
pub(crate) fn attribute_texts(
    values: Option<Map<String, Json>>,
    nullable: bool,
) -> Result<Vec<(String, Option<String>)>, Problem> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                Json::String(text) => Some(text),
                Json::Bool(value) => Some(value.to_string()),
                Json::Number(number) => Some(number.to_string()),
                Json::Null if nullable => None,
                other => {
                    return Err(Problem::new(
                        "bad-request",
                        format!("attribute `{name}` must be a string, number or boolean, not {other}"),
                    )
                    .with("attribute", name));
                }
            };
            Ok((name, text))
        })
        .collect()
}

/// Attribute values where none may be `null`.
///
/// # Errors
///
/// As [`attribute_texts`].
pub(crate) fn attribute_values(values: Option<Map<String, Json>>) -> Result<Vec<(String, String)>, Problem> {
    Ok(attribute_texts(values, false)?.into_iter().filter_map(|(name, text)| text.map(|text| (name, text))).collect())
}
