//! API keys over HTTP, for administrators: list them, create one (its token answered once, only
//! its SHA-256 kept), revoke one (it stops working at once). Every creation and revocation is a
//! record in the store's hash-chained key log, as from the command line.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::problem::Problem;
use super::request::{JsonBody, instant_or};
use super::service::Shared;
use crate::drivers::cli::key::new_token;
use crate::engine::{Grant, KeyRequest, token_sha256};

/// `POST /v1/keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyBody {
    name: String,
    organ: Option<String>,
    #[serde(default)]
    grants: Vec<Grant>,
    #[serde(default)]
    supervisor: bool,
    #[serde(default)]
    admin: bool,
    at: Option<String>,
}

pub(crate) async fn list(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("listing API keys")?;
    let keys = service.readers.run(|engine| Ok(engine.keys()?)).await?;
    Ok(ok(&json!({"keys": keys})))
}

pub(crate) async fn create(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<KeyBody>,
) -> Result<Response, Problem> {
    caller.check_admin("creating an API key")?;
    let token = new_token().map_err(|error| Problem::new("internal", error.to_string()))?;
    let request = KeyRequest {
        name: body.name,
        organ: body.organ,
        grants: body.grants,
        supervisor: body.supervisor,
        admin: body.admin,
        token_sha256: token_sha256(&token),
        created_by: caller.0.name,
        at: instant_or(body.at.as_deref(), service.now())?,
    };
    let key = service.writer.run_alone(move |engine| engine.create_key(&request)).await??;
    let mut shown = json!(key);
    shown["token"] = json!(token);
    Ok(json_answer(StatusCode::CREATED, &shown))
}

pub(crate) async fn revoke(
    State(service): State<Shared>,
    Path(key): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    caller.check_admin("revoking an API key")?;
    let (by, at) = (caller.0.name, service.now());
    let revoked = service.writer.run_alone(move |engine| engine.revoke_key(&key, &by, at)).await??;
    Ok(ok(&json!(revoked)))
}
