//! API keys over HTTP, for administrators: list them, create one (its token answered once, only
//! its SHA-256 kept), revoke one (it stops working at once). Every creation and revocation is a
//! record in the store's hash-chained key log, as from the command line.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::documents::{GrantShown, KeyListShown, KeyShown};
use super::problem::Problem;
use super::request::{Drained, JsonBody, instant_or};
use super::service::Shared;
use crate::drivers::cli::key::new_token;
use crate::engine::{Grant, KeyRequest, token_sha256};

/// `POST /v1/keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyBody {
    /// Who holds it: the actor recorded in every event it writes; unique among keys not revoked.
    name: String,
    /// The organ (承办机关) the holder works for.
    organ: Option<String>,
    /// The workflows it may read, each with the roles it may act in.
    #[serde(default)]
    #[schema(value_type = Vec<GrantShown>)]
    grants: Vec<Grant>,
    /// A supervisor's key reads every case of its workflows and never writes (its grants take no roles).
    #[serde(default)]
    supervisor: bool,
    /// An administrator's key deploys, installs calendars, manages keys and webhooks.
    #[serde(default)]
    admin: bool,
    /// When it was created (RFC 3339); default now.
    at: Option<String>,
}

/// List API keys
///
/// Every key, revoked ones too; never a token or its hash (administrators).
#[utoipa::path(
    get, path = "/v1/keys", operation_id = "list_keys", tag = "keys",
    responses((status = 200, description = "The keys", body = KeyListShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required"]))),
)]
pub(crate) async fn list(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("listing API keys")?;
    let keys = service.readers.run(|engine| Ok(engine.keys()?)).await?;
    Ok(ok(&KeyListShown { keys: keys.into_iter().map(|key| KeyShown::of(key, None)).collect() }))
}

/// Create an API key
///
/// Makes a key with 256 random bits and answers its token once: renewflow keeps only its SHA-256
/// (administrators). The creation is a record of the store's hash-chained key log.
#[utoipa::path(
    post, path = "/v1/keys", operation_id = "create_key", tag = "keys",
    request_body = KeyBody,
    responses((status = 201, description = "The key, with its token (shown only now)", body = KeyShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "key-invalid", "key-name-taken", "busy", "shutting-down"]))),
)]
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
        at: instant_or(body.at.as_deref(), || service.now())?,
    };
    let key = service.writer.run_alone(move |engine| engine.create_key(&request)).await??;
    service.principals.forget();
    Ok(json_answer(StatusCode::CREATED, &KeyShown::of(key, Some(token))))
}

/// Revoke an API key
///
/// The key stops working at its next request (administrators); recorded in the key log.
#[utoipa::path(
    post, path = "/v1/keys/{key}/revoke", operation_id = "revoke_key", tag = "keys",
    params(("key" = String, Path, description = "The key's id or name")),
    responses((status = 200, description = "The key, revoked", body = KeyShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "unknown-key", "key-revoked", "busy", "shutting-down"]))),
)]
pub(crate) async fn revoke(
    State(service): State<Shared>,
    Path(key): Path<String>,
    caller: Caller,
    _body: Drained,
) -> Result<Response, Problem> {
    caller.check_admin("revoking an API key")?;
    let (by, at) = (caller.0.name, service.now());
    let revoked = service.writer.run_alone(move |engine| engine.revoke_key(&key, &by, at)).await??;
    service.principals.forget();
    Ok(ok(&KeyShown::of(revoked, None)))
}
