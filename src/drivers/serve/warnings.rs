//! Warnings and webhooks over HTTP (电子监察): the warnings recorded, for the callers who may read
//! their cases; and, for administrators, the webhooks warnings are pushed to and every attempt
//! to deliver them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::case_reads::page_rows;
use super::documents::{
    DeliveryListShown, WarningPage, WarningShown, WebhookListShown, WebhookRemovalShown, WebhookShown,
};
use super::problem::Problem;
use super::request::{Drained, JsonBody, QueryOf, date};
use super::service::Shared;
use crate::engine::{DeliveryQuery, EngineError, WarningKind, WarningQuery, parse_warning_kinds};

/// `GET /v1/warnings` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct WarningParams {
    /// One case's warnings: its id or number.
    case: Option<String>,
    /// `prompt`, `yellow` or `red`.
    kind: Option<String>,
    /// Crossings on or after this date (`YYYY-MM-DD`).
    since: Option<String>,
    /// Only warnings after this id (the `next_after` of the previous page), oldest first.
    after: Option<i64>,
    /// Rows per page (the schema gives the default and the maximum).
    limit: Option<u64>,
}

/// The warnings issued
///
/// The prompts, yellow and red cards recorded for the cases the key reads, oldest first.
#[utoipa::path(
    get, path = "/v1/warnings", operation_id = "list_warnings", tag = "supervision",
    params(WarningParams),
    responses((status = 200, description = "A page of warnings", body = WarningPage)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "unknown-case"]))),
)]
pub(crate) async fn warnings(
    State(service): State<Shared>,
    caller: Caller,
    QueryOf(params): QueryOf<WarningParams>,
) -> Result<Response, Problem> {
    let limit = page_rows(params.limit)?;
    let kind = params
        .kind
        .as_deref()
        .map(|name| {
            WarningKind::parse(name).ok_or_else(|| {
                Problem::new("bad-request", format!("`kind` is `prompt`, `yellow` or `red`, not `{name}`"))
            })
        })
        .transpose()?;
    let since = params.since.as_deref().map(|text| date("since", text)).transpose()?;
    let (case, after) = (params.case, params.after);
    let shown = service
        .readers
        .run(move |engine| {
            // Pages are read until full of warnings the caller may read.
            let mut listed = Vec::new();
            let mut cursor = after;
            loop {
                let query =
                    WarningQuery { case: case.clone(), kind, since, after: cursor, offset: 0, limit: Some(limit) };
                let page = engine.warnings(&query)?;
                let read_all = (page.len() as u64) < limit;
                cursor = page.last().map(|warning| warning.id).or(cursor);
                listed.extend(page.into_iter().filter(|warning| caller.may_read(&warning.workflow)));
                if read_all || listed.len() as u64 >= limit {
                    break;
                }
            }
            listed.truncate(limit as usize);
            let next_after = (listed.len() as u64 == limit).then(|| listed.last().map(|warning| warning.id)).flatten();
            Ok(WarningPage { warnings: listed.into_iter().map(WarningShown::from).collect(), next_after })
        })
        .await?;
    Ok(ok(&shown))
}

/// `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookBody {
    /// `http://HOST:PORT/PATH`; TLS through a local relay.
    url: String,
    /// The HMAC-SHA256 key the bodies are signed with (at least 16 bytes).
    secret: String,
    /// `prompt`, `yellow`, `red`; every kind when left out.
    #[serde(default)]
    kinds: Vec<String>,
}

/// List webhooks
///
/// Every webhook, removed ones too; never a secret (administrators).
#[utoipa::path(
    get, path = "/v1/webhooks", operation_id = "list_webhooks", tag = "supervision",
    responses((status = 200, description = "The webhooks", body = WebhookListShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required"]))),
)]
pub(crate) async fn webhooks(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("listing webhooks")?;
    let webhooks = service.readers.run(|engine| Ok(engine.webhooks()?)).await?;
    Ok(ok(&WebhookListShown { webhooks: webhooks.into_iter().map(WebhookShown::from).collect() }))
}

/// Add a webhook
///
/// Warnings recorded from now on are POSTed to it, signed with HMAC-SHA256 in
/// `Renewflow-Signature`, and tried again with backoff until delivered (administrators).
#[utoipa::path(
    post, path = "/v1/webhooks", operation_id = "add_webhook", tag = "supervision",
    request_body = WebhookBody,
    responses((status = 201, description = "The webhook", body = WebhookShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "webhook-invalid", "busy", "shutting-down"]))),
)]
pub(crate) async fn add_webhook(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<WebhookBody>,
) -> Result<Response, Problem> {
    caller.check_admin("adding a webhook")?;
    let kinds =
        parse_warning_kinds(&body.kinds.join(",")).map_err(|problem| Problem::from(EngineError::Webhook(problem)))?;
    let (by, at) = (caller.0.name, service.now());
    let added =
        service.writer.run_alone(move |engine| engine.add_webhook(&body.url, &body.secret, &kinds, &by, at)).await??;
    Ok(json_answer(StatusCode::CREATED, &WebhookShown::from(added)))
}

/// Remove a webhook
///
/// It gets nothing more, and its pending deliveries are not tried again (administrators).
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/remove", operation_id = "remove_webhook", tag = "supervision",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses((status = 200, description = "The webhook, removed", body = WebhookRemovalShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "unknown-webhook", "busy", "shutting-down"]))),
)]
pub(crate) async fn remove_webhook(
    State(service): State<Shared>,
    Path(id): Path<i64>,
    caller: Caller,
    _body: Drained,
) -> Result<Response, Problem> {
    caller.check_admin("removing a webhook")?;
    let (by, at) = (caller.0.name, service.now());
    let (webhook, removed) = service.writer.run_alone(move |engine| engine.remove_webhook(id, &by, at)).await??;
    Ok(ok(&WebhookRemovalShown { webhook: webhook.into(), removed_now: removed }))
}

/// `GET /v1/webhooks/deliveries` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeliveryParams {
    /// One warning's deliveries.
    warning: Option<i64>,
    /// Only deliveries that failed for good.
    #[serde(default)]
    failed: bool,
    /// Rows to skip.
    offset: Option<u64>,
    /// Rows per page (the schema gives the default and the maximum).
    limit: Option<u64>,
}

/// Webhook deliveries
///
/// Each warning's delivery to each webhook, with every attempt (administrators).
#[utoipa::path(
    get, path = "/v1/webhooks/deliveries", operation_id = "list_deliveries", tag = "supervision",
    params(DeliveryParams),
    responses((status = 200, description = "A page of deliveries", body = DeliveryListShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "bad-request"]))),
)]
pub(crate) async fn deliveries(
    State(service): State<Shared>,
    caller: Caller,
    QueryOf(params): QueryOf<DeliveryParams>,
) -> Result<Response, Problem> {
    caller.check_admin("reading webhook deliveries")?;
    let query = DeliveryQuery {
        warning: params.warning,
        failed: params.failed,
        offset: params.offset.unwrap_or(0),
        limit: Some(page_rows(params.limit)?),
    };
    let deliveries = service.readers.run(move |engine| Ok(engine.deliveries(&query)?)).await?;
    Ok(ok(&DeliveryListShown { deliveries: deliveries.into_iter().map(Into::into).collect() }))
}
