//! Warnings and webhooks over HTTP (电子监察): the warnings recorded, for the callers who may read
//! their cases; and, for administrators, the webhooks warnings are pushed to and every attempt
//! to deliver them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::case_reads::page_rows;
use super::problem::Problem;
use super::request::{JsonBody, QueryOf, date};
use super::service::Shared;
use crate::engine::{DeliveryQuery, EngineError, WarningKind, WarningQuery, parse_warning_kinds};

/// `GET /v1/warnings` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarningParams {
    case: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    /// Only warnings after this id (the last one seen), oldest first.
    after: Option<i64>,
    limit: Option<u64>,
}

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
            let next = (listed.len() as u64 == limit).then(|| listed.last().map(|warning| warning.id)).flatten();
            Ok(json!({"warnings": listed, "next_after": next}))
        })
        .await?;
    Ok(ok(&shown))
}

/// `POST /v1/webhooks`.
#[derive(Debug, Deserialize)]
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

pub(crate) async fn webhooks(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("listing webhooks")?;
    let webhooks = service.readers.run(|engine| Ok(engine.webhooks()?)).await?;
    Ok(ok(&json!({"webhooks": webhooks})))
}

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
    Ok(json_answer(StatusCode::CREATED, &json!(added)))
}

pub(crate) async fn remove_webhook(
    State(service): State<Shared>,
    Path(id): Path<i64>,
    caller: Caller,
) -> Result<Response, Problem> {
    caller.check_admin("removing a webhook")?;
    let (by, at) = (caller.0.name, service.now());
    let (webhook, removed) = service.writer.run_alone(move |engine| engine.remove_webhook(id, &by, at)).await??;
    Ok(ok(&json!({"webhook": webhook, "removed_now": removed})))
}

/// `GET /v1/webhooks/deliveries` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeliveryParams {
    warning: Option<i64>,
    #[serde(default)]
    failed: bool,
    offset: Option<u64>,
    limit: Option<u64>,
}

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
    Ok(ok(&json!({"deliveries": deliveries})))
}
