//! Writes to cases: open one, act on it, add a note, set attributes. Each write is checked
//! against the caller's grants, carries `Idempotency-Key` (and, on an existing case, `If-Match`),
//! runs on the writer, and is answered only after its commit. The actor recorded is the
//! principal, never a name from the body.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::answer::outcome_answer;
use super::caller::Caller;
use super::problem::Problem;
use super::request::{JsonBody, attribute_texts, attribute_values, idempotency_key, if_match, instant_or};
use super::service::Shared;
use crate::core::case::{Command, CommandKind};
use crate::engine::{CaseOpening, Outcome, Principal};

/// `POST /v1/cases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpenBody {
    workflow: String,
    version: Option<String>,
    number: Option<String>,
    at: Option<String>,
    attributes: Option<Map<String, Json>>,
}

/// `POST /v1/cases/{case}/actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActBody {
    action: String,
    role: String,
    at: Option<String>,
    attributes: Option<Map<String, Json>>,
    /// A note recorded right after the action, under the same key.
    note: Option<String>,
}

/// `POST /v1/cases/{case}/notes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    text: String,
    role: String,
    at: Option<String>,
}

/// `POST /v1/cases/{case}/attributes`: values to set, `null` to clear.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttributesBody {
    role: String,
    at: Option<String>,
    set: Map<String, Json>,
}

/// Keys are kept per principal, so one caller's key never answers (or reveals) another's.
fn scoped_key(caller: &Principal, key: &str) -> String {
    format!("{}/{key}", caller.key_id)
}

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
        at: instant_or(body.at.as_deref(), service.now())?,
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

pub(crate) async fn act(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ActBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), service.now())?;
    let kind = CommandKind::Act { action: body.action, attributes: attribute_values(body.attributes)? };
    let note = body.note.map(|text| CommandKind::Note { text });
    change(&service, caller.0, &headers, &case, Command { at, actor: String::new(), role: body.role, kind }, note).await
}

pub(crate) async fn note(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), service.now())?;
    let kind = CommandKind::Note { text: body.text };
    change(&service, caller.0, &headers, &case, Command { at, actor: String::new(), role: body.role, kind }, None).await
}

pub(crate) async fn set_attributes(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AttributesBody>,
) -> Result<Response, Problem> {
    let at = instant_or(body.at.as_deref(), service.now())?;
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
    mut command: Command,
    note: Option<CommandKind>,
) -> Result<Response, Problem> {
    let expected = if_match(headers)?;
    let key = scoped_key(&caller, &idempotency_key(headers)?);
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
    Ok(outcome_answer(StatusCode::OK, &outcome))
}
