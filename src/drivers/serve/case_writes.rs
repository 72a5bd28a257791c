//! Writes to cases: open one, act on it, add a note, set attributes. Each write is checked
//! against the caller's grants, carries `Idempotency-Key` (and, on an existing case, `If-Match`),
//! runs on the writer, and is answered only after its commit. The actor recorded is the
//! principal, never a name from the body.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use utoipa::ToSchema;

use super::answer::outcome_answer;
use super::caller::Caller;
use super::documents::OutcomeShown;
use super::problem::Problem;
use super::request::{
    CaseWriteHeaders, JsonBody, OpenHeaders, attribute_texts, attribute_values, idempotency_key, if_match, instant_or,
};
use super::service::Shared;
use crate::core::case::{Command, CommandKind};
use crate::engine::{CaseOpening, Outcome, Principal};

/// `POST /v1/cases`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpenBody {
    /// The workflow id.
    workflow: String,
    /// The deployed version to open under; default the newest.
    version: Option<String>,
    /// The case number, unique within the workflow; default `YYYY-NNNNN` by the opening year.
    number: Option<String>,
    /// When the case was opened (RFC 3339 with its offset); default now.
    at: Option<String>,
    /// Attribute values by name: strings, numbers or booleans, read by each attribute's type.
    attributes: Option<Map<String, Json>>,
}

/// `POST /v1/cases/{case}/actions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActBody {
    /// The action to take.
    action: String,
    /// The role it is taken in; the key must hold it.
    role: String,
    /// When it was taken (RFC 3339 with its offset); default now.
    at: Option<String>,
    /// Attribute values set with the action, by name.
    attributes: Option<Map<String, Json>>,
    /// A note recorded right after the action, under the same key.
    note: Option<String>,
}

/// `POST /v1/cases/{case}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    /// The note.
    text: String,
    /// The role it is written in; the key must hold it.
    role: String,
    /// When it was written (RFC 3339 with its offset); default now.
    at: Option<String>,
}

/// `POST /v1/cases/{case}/attributes`: values to set, `null` to clear.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttributesBody {
    /// The role they are set in; the key must hold it.
    role: String,
    /// When they were set (RFC 3339 with its offset); default now.
    at: Option<String>,
    /// Values by name (strings, numbers or booleans); `null` clears one.
    set: Map<String, Json>,
}

/// Keys are kept per principal, so one caller's key never answers (or reveals) another's.
fn scoped_key(caller: &Principal, key: &str) -> String {
    format!("{}/{key}", caller.key_id)
}

/// Open a case
///
/// Opens a case of a deployed workflow, as the key's holder. Answered once committed; a retry
/// with the same `Idempotency-Key` gets the first answer.
#[utoipa::path(
    post, path = "/v1/cases", operation_id = "open_case", tag = "cases",
    params(OpenHeaders),
    request_body = OpenBody,
    responses((
        status = 201, description = "The case opened", body = OutcomeShown,
        headers(
            ("Location" = String, description = "The case's path, `/v1/cases/{id}`"),
            ("ETag" = String, description = "The case version, quoted: the `If-Match` of the next write"),
            ("Idempotent-Replayed" = String, description = "`true` when this answer replays the first answer to the same `Idempotency-Key`"),
        ),
    )),
    security(("bearer" = [])),
    extensions(("x-problems" = json!([
        "grant-missing", "supervisor-writes", "idempotency-key-required", "idempotency-key-reused",
        "workflow-not-deployed", "number-taken", "bad-case-number", "unknown-attribute", "bad-value",
        "date-outside-calendar", "busy", "shutting-down"
    ]))),
)]
pub(crate) async fn open_case(
    State(service): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<OpenBody>,
) -> Result<Response, Problem> {
    caller.check_open(&body.workflow)?;
    let key = scoped_key(&caller, &idempotency_key(&headers)?);
    let opening = CaseOpening {
        workflow: body.workflow,
        version: body.version,
        number: body.number,
        at: instant_or(body.at.as_deref(), || service.now())?,
        actor: caller.0.name,
        attributes: attribute_values(body.attributes)?,
        idempotency_key: Some(key),
    };
    let workflow = opening.workflow.clone();
    let outcome = service.writer.run(move |engine| Ok(engine.open_case(&opening)?)).await?;
    if !outcome.replayed {
        service.events.case_changed(&workflow, &outcome);
    }
    Ok(outcome_answer(StatusCode::CREATED, &outcome))
}

/// Act on a case
///
/// Takes an action in a role at the case version in `If-Match`, with an optional note under the
/// same key. A refusal writes nothing and says why (the active states, the actions allowed, the
/// guard and the values it saw).
#[utoipa::path(
    post, path = "/v1/cases/{case}/actions", operation_id = "act", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case"), CaseWriteHeaders),
    request_body = ActBody,
    responses((status = 200, description = "The action taken", body = OutcomeShown, headers(
            ("ETag" = String, description = "The case version after the write, quoted: the next `If-Match`"),
            ("Idempotent-Replayed" = String, description = "`true` when this answer replays the first answer to the same `Idempotency-Key`"),
        ))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!([
        "grant-missing", "supervisor-writes", "unknown-case", "ambiguous-case", "if-match-required", "stale-version", "idempotency-key-required", "idempotency-key-reused", "finished", "backwards", "unknown-role", "date-outside-calendar", "busy", "shutting-down", "not-allowed-here", "role-not-permitted", "guard-false", "clock-not-running",
        "extension-cap", "clock-breached", "unknown-action", "unknown-attribute", "bad-value"
    ]))),
)]
pub(crate) async fn act(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ActBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), || service.now())?;
    let kind = CommandKind::Act { action: body.action, attributes: attribute_values(body.attributes)? };
    let note = body.note.map(|text| CommandKind::Note { text });
    change(&service, caller.0, &headers, &case, Command { at, actor: String::new(), role: body.role, kind }, note).await
}

/// Add a note
///
/// Records a note in a role at the case version in `If-Match`.
#[utoipa::path(
    post, path = "/v1/cases/{case}/notes", operation_id = "add_note", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case"), CaseWriteHeaders),
    request_body = NoteBody,
    responses((status = 200, description = "The note recorded", body = OutcomeShown, headers(
            ("ETag" = String, description = "The case version after the write, quoted: the next `If-Match`"),
            ("Idempotent-Replayed" = String, description = "`true` when this answer replays the first answer to the same `Idempotency-Key`"),
        ))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["grant-missing", "supervisor-writes", "unknown-case", "ambiguous-case", "if-match-required", "stale-version", "idempotency-key-required", "idempotency-key-reused", "finished", "backwards", "unknown-role", "date-outside-calendar", "busy", "shutting-down"]))),
)]
pub(crate) async fn note(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), || service.now())?;
    let kind = CommandKind::Note { text: body.text };
    change(&service, caller.0, &headers, &case, Command { at, actor: String::new(), role: body.role, kind }, None).await
}

/// Set attributes
///
/// Sets (or, with `null`, clears) attribute values in a role at the case version in `If-Match`.
#[utoipa::path(
    post, path = "/v1/cases/{case}/attributes", operation_id = "set_attributes", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case"), CaseWriteHeaders),
    request_body = AttributesBody,
    responses((status = 200, description = "The attributes set", body = OutcomeShown, headers(
            ("ETag" = String, description = "The case version after the write, quoted: the next `If-Match`"),
            ("Idempotent-Replayed" = String, description = "`true` when this answer replays the first answer to the same `Idempotency-Key`"),
        ))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["grant-missing", "supervisor-writes", "unknown-case", "ambiguous-case", "if-match-required", "stale-version", "idempotency-key-required", "idempotency-key-reused", "finished", "backwards", "unknown-role", "date-outside-calendar", "busy", "shutting-down", "unknown-attribute", "bad-value"]))),
)]
pub(crate) async fn set_attributes(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AttributesBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), || service.now())?;
    let attributes = attribute_texts(Some(body.set), true)?;
    if attributes.is_empty() {
        return Err(Problem::new(
            "bad-request",
            "`set` names no attribute; give `{\"name\": value}`, or null to clear",
        ));
    }
    let kind = CommandKind::SetAttributes { attributes };
    change(&service, caller.0, &headers, &case, Command { at, actor: String::new(), role: body.role, kind }, None).await
}

/// Runs a command on a case at the version in `If-Match`, as the caller, under its key; a note
/// that goes with an action follows it under the same key, marked `#note`.
async fn change(
    service: &Shared,
    caller: Principal,
    headers: &HeaderMap,
    case: &str,
    command: Command,
    note: Option<CommandKind>,
) -> Result<Response, Problem> {
    let expected = if_match(headers)?;
    let key = idempotency_key(headers)?;
    let outcome = change_at(service, caller, expected, &key, case, command, note).await?;
    Ok(outcome_answer(StatusCode::OK, &outcome))
}

/// Runs a command on a case at version `expected`, as the caller, under idempotency key `key`
/// (kept per API key); a note that goes with an action follows it under the same key, marked
/// `#note`. The API and the web pages' forms both write through here.
///
/// # Errors
///
/// The engine's refusal, the caller's missing grant, or the writer's problem.
pub(crate) async fn change_at(
    service: &Shared,
    caller: Principal,
    expected: u64,
    key: &str,
    case: &str,
    mut command: Command,
    note: Option<CommandKind>,
) -> Result<Outcome, Problem> {
    let key = scoped_key(&caller, key);
    let case = case.to_owned();
    command.actor.clone_from(&caller.name);
    let (workflow, outcome) = service
        .writer
        .run(move |engine| -> Result<(String, Outcome), Problem> {
            let row = engine.find_case(&case)?;
            caller.check_act(&row.workflow, &command.role)?;
            let mut outcome = engine.act(&row.id, &command, expected, Some(&key))?;
            if let Some(kind) = note {
                let note = Command { kind, ..command };
                let noted = engine.act(&row.id, &note, outcome.version, Some(&format!("{key}#note")))?;
                outcome.version = noted.version;
                outcome.replayed &= noted.replayed;
                outcome.events.extend(noted.events);
            }
            Ok((row.workflow, outcome))
        })
        .await?;
    if !outcome.replayed {
        service.events.case_changed(&workflow, &outcome);
    }
    Ok(outcome)
}
