//! The routes, versioned under `/v1`, with the layers every request passes: body size limits, a
//! time limit, problems for unknown paths and methods.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::answer::ok;
use std::time::Duration;

use super::documents::Health;
use super::limits::{BODY_BYTES_MAX, FILE_BODY_BYTES_MAX};
use super::problem::{PROBLEM_KINDS, Problem};
use super::service::Shared;
use super::{admin, calendars, case_reads, case_writes, events, keys, openapi, warnings, watch, workflows};

/// Every route of the service.
pub(crate) fn router(service: Shared, request_timeout: Duration) -> Router {
    let files = Router::new()
        .route("/v1/workflows", post(workflows::deploy))
        .route("/v1/calendars/installs", post(calendars::install))
        .layer(DefaultBodyLimit::max(FILE_BODY_BYTES_MAX));
    let v1 = Router::new()
        .route("/v1/workflows", get(workflows::list))
        .route("/v1/workflows/{workflow}", get(workflows::show_newest))
        .route("/v1/workflows/{workflow}/versions/{version}", get(workflows::show))
        .route("/v1/cases", get(case_reads::list).post(case_writes::open_case))
        .route("/v1/cases/{case}", get(case_reads::show))
        .route("/v1/cases/{case}/actions", get(case_reads::available).post(case_writes::act))
        .route("/v1/cases/{case}/notes", post(case_writes::note))
        .route("/v1/cases/{case}/attributes", post(case_writes::set_attributes))
        .route("/v1/cases/{case}/timing", get(case_reads::timing))
        .route("/v1/cases/{case}/history", get(case_reads::history))
        .route("/v1/watch", get(watch::watch))
        .route("/v1/events", get(events::events))
        .route("/v1/calendars", get(calendars::list))
        .route("/v1/calendars/{calendar}/days/{date}", get(calendars::check))
        .route("/v1/calendars/{calendar}/between", get(calendars::between).post(calendars::bulk_between))
        .route("/v1/calendars/{calendar}/add", get(calendars::add))
        .route("/v1/calendars/{calendar}/years/{year}", get(calendars::year))
        .route("/v1/warnings", get(warnings::warnings))
        .route("/v1/webhooks", get(warnings::webhooks).post(warnings::add_webhook))
        .route("/v1/webhooks/deliveries", get(warnings::deliveries))
        .route("/v1/webhooks/{id}/remove", post(warnings::remove_webhook))
        .route("/v1/keys", get(keys::list).post(keys::create))
        .route("/v1/keys/{key}/revoke", post(keys::revoke))
        .route("/v1/verify", get(admin::verify))
        .route("/v1/check", get(admin::check))
        .layer(DefaultBodyLimit::max(BODY_BYTES_MAX));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
        .route("/problems/{kind}", get(problem_page))
        .merge(files)
        .merge(v1)
        .merge(super::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(move |request: Request, next: Next| time_limit(request, next, request_timeout)))
        .with_state(service)
}

/// Health
///
/// Answers while the service runs; needs no key.
#[utoipa::path(
    get, path = "/healthz", operation_id = "health", tag = "service",
    responses((status = 200, description = "The service runs", body = Health)),
)]
pub(crate) async fn healthz() -> Response {
    ok(&Health { status: "ok" })
}

/// This document
///
/// The service's OpenAPI 3.1 document, generated from its code; needs no key.
#[utoipa::path(
    get, path = "/openapi.json", operation_id = "openapi", tag = "service",
    responses((status = 200, description = "The OpenAPI document", body = serde_json::Value)),
)]
pub(crate) async fn openapi_json() -> Response {
    let mut response = (StatusCode::OK, openapi::document_json()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A problem type
///
/// What a problem's `type` means, at the path the type names; needs no key.
#[utoipa::path(
    get, path = "/problems/{kind}", operation_id = "problem_type", tag = "service",
    params(("kind" = String, Path, description = "The problem type's slug (`stale-version`)")),
    responses((status = 200, description = "The kind, its status and title", body = String, content_type = "text/plain")),
    extensions(("x-problems" = json!(["not-found"]))),
)]
pub(crate) async fn problem_page(Path(kind): Path<String>) -> Response {
    match PROBLEM_KINDS.iter().find(|(slug, _, _)| *slug == kind) {
        Some((slug, status, title)) => {
            let body = format!("{slug}: {title} (HTTP {status}). See docs/service.md, \"Problems\".\n");
            let mut response = (StatusCode::OK, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            response
        }
        None => Problem::new("not-found", format!("no problem type `{kind}`")).into_response(),
    }
}

async fn not_found(request: Request) -> Problem {
    Problem::new("not-found", format!("no route {} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(request: Request) -> Problem {
    Problem::new("method-not-allowed", format!("{} is not allowed on {}", request.method(), request.uri().path()))
}

/// Answers 503 when a request takes longer than `limit` ([`REQUEST_TIMEOUT`](super::limits::REQUEST_TIMEOUT)
/// but in tests). A write queued by then still commits; a retry with its idempotency key gets its
/// answer.
async fn time_limit(request: Request, next: Next, limit: Duration) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            "request-timeout",
            format!("no answer within {limit:?}; retry with the same Idempotency-Key to learn whether a write landed"),
        )
        .into_response(),
    }
}
