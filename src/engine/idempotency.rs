//! Idempotent writes: what a request was, so a key sent again with another request is refused,
//! and the answer to a retry, rebuilt from the events the key names (never stored as text), so a
//! changed row cannot make a client believe something was recorded that was not.

use serde::Serialize;
use serde_json::Value as Json;

use super::engine::Outcome;
use super::engine_error::EngineError;
use crate::core::case::{Command, CommandKind, EventRecord, Opening};
use crate::store::{CaseRow, EventRow, IdempotencyRow, StoreError};

/// A write as its idempotency key records it: everything that decides what it does.
#[derive(Debug, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Request<'a> {
    Open {
        workflow: &'a str,
        version: Option<&'a str>,
        number: Option<&'a str>,
        at: String,
        actor: &'a str,
        attributes: &'a [(String, String)],
    },
    Act {
        case: &'a str,
        at: String,
        actor: &'a str,
        role: &'a str,
        #[serde(flatten)]
        kind: KindRequest<'a>,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum KindRequest<'a> {
    Act { action: &'a str, attributes: &'a [(String, String)] },
    SetAttributes { attributes: &'a [(String, Option<String>)] },
    Note { text: &'a str },
}

impl<'a> Request<'a> {
    pub(crate) fn open(
        workflow: &'a str,
        version: Option<&'a str>,
        number: Option<&'a str>,
        opening: &'a Opening,
    ) -> Self {
        Request::Open {
            workflow,
            version,
            number,
            at: opening.at.to_rfc3339(),
            actor: &opening.actor,
            attributes: &opening.attributes,
        }
    }

    pub(crate) fn act(case_id: &'a str, command: &'a Command) -> Self {
        let kind = match &command.kind {
            CommandKind::Act { action, attributes } => KindRequest::Act { action, attributes },
            CommandKind::SetAttributes { attributes } => KindRequest::SetAttributes { attributes },
            CommandKind::Note { text } => KindRequest::Note { text },
        };
        Request::Act { case: case_id, at: command.at.to_rfc3339(), actor: &command.actor, role: &command.role, kind }
    }

    /// The canonical JSON stored with the key.
    pub(crate) fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn at_and_actor(&self) -> (&str, &str) {
        match self {
            Request::Open { at, actor, .. } | Request::Act { at, actor, .. } => (at, actor),
        }
    }
}

/// The answer to a key seen before, for `request`: refused when the key was first used for
/// another request, else rebuilt from the events the key names in `events` (the case's history),
/// which must be there and be this request's (the first at its instant, by its actor).
pub(crate) fn replayed_answer(
    stored: &IdempotencyRow,
    request: &Request<'_>,
    case: Option<&CaseRow>,
    events: &[EventRow],
) -> Result<Outcome, EngineError> {
    let canonical = request.canonical_json();
    // A key stored before requests were recorded (schema 5) is judged by its events alone.
    if !stored.request.is_empty() && stored.request != canonical {
        return Err(EngineError::KeyReused {
            key: stored.key.clone(),
            first: describe(&stored.request),
            now: describe(&canonical),
        });
    }
    let corrupt = |what: String| {
        EngineError::Store(StoreError::Corrupt(format!(
            "the answer kept for idempotency key `{}` {what}; nothing was written (run `renewflow verify`)",
            stored.key
        )))
    };
    let case = case.ok_or_else(|| corrupt(format!("names case `{}`, which is not in the store", stored.case_id)))?;
    let named = usize::try_from(stored.first_sequence)
        .ok()
        .zip(usize::try_from(stored.version).ok())
        .and_then(|(first, last)| events.get(first..last))
        .filter(|named| !named.is_empty())
        .ok_or_else(|| {
            corrupt(format!(
                "names events {}..{} of case `{}`, which has {}",
                stored.first_sequence,
                stored.version,
                case.number,
                events.len()
            ))
        })?;
    let mut records = Vec::with_capacity(named.len());
    for (offset, event) in named.iter().enumerate() {
        if event.sequence != stored.first_sequence + offset as u64 {
            return Err(corrupt(format!("names event {}, which is missing", stored.first_sequence + offset as u64)));
        }
        records
            .push(EventRecord::parse(&event.record).map_err(|error| corrupt(format!("names an event that {error}")))?);
    }
    let (at, actor) = request.at_and_actor();
    // A command's first event is its own (the `done` steps after it carry no actor).
    if records.first().is_none_or(|record| record.at != at || record.actor.as_deref() != Some(actor)) {
        return Err(corrupt(format!(
            "names events of case `{}` that are not this request's (another instant or actor)",
            case.number
        )));
    }
    Ok(Outcome {
        case_id: case.id.clone(),
        number: case.number.clone(),
        version: stored.version,
        events: records,
        replayed: true,
    })
}

/// A request as a person reads it in an error message.
fn describe(canonical: &str) -> String {
    let Ok(request) = serde_json::from_str::<Json>(canonical) else {
        return format!("`{canonical}`");
    };
    let text = |name: &str| request.get(name).and_then(Json::as_str).unwrap_or("?").to_owned();
    let attributes = |name: &str| {
        request.get(name).and_then(Json::as_array).filter(|pairs| !pairs.is_empty()).map_or(String::new(), |pairs| {
            let shown: Vec<String> = pairs
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([name, Json::Null]) => format!("{}=(cleared)", name.as_str().unwrap_or("?")),
                    Some([name, value]) => {
                        format!("{}={}", name.as_str().unwrap_or("?"), value.as_str().unwrap_or("?"))
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!(" with {}", shown.join(", "))
        })
    };
    match request.get("op").and_then(Json::as_str) {
        Some("open") => format!(
            "opening a case of `{}`{}{} at {} by `{}`{}",
            text("workflow"),
            request
                .get("version")
                .and_then(Json::as_str)
                .map(|version| format!(" version `{version}`"))
                .unwrap_or_default(),
            request
                .get("number")
                .and_then(Json::as_str)
                .map(|number| format!(" numbered `{number}`"))
                .unwrap_or_default(),
            text("at"),
            text("actor"),
            attributes("attributes"),
        ),
        Some("act") => {
            let what = match request.get("kind").and_then(Json::as_str) {
                Some("act") => format!("action `{}`", text("action")),
                Some("set_attributes") => "setting attributes".to_owned(),
                Some("note") => "a note".to_owned(),
                _ => "a command".to_owned(),
            };
            format!(
                "{what} on case `{}` as `{}` at {} by `{}`{}",
                text("case"),
                text("role"),
                text("at"),
                text("actor"),
                attributes("attributes")
            )
        }
        _ => format!("`{canonical}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(action: &str, role: &str) -> Command {
        Command {
            at: chrono::DateTime::parse_from_rfc3339("2026-09-22T10:00:00+08:00").unwrap(),
            actor: "承办人甲".to_owned(),
            role: role.to_owned(),
            kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
        }
    }

    #[test]
    fn a_request_differs_by_everything_that_decides_what_it_does() {
        let accept = command("accept", "officer");
        let base = Request::act("c1", &accept).canonical_json();
        assert_eq!(base, Request::act("c1", &accept).canonical_json());
        assert_ne!(base, Request::act("c2", &accept).canonical_json(), "another case");
        let refuse = command("refuse", "officer");
        assert_ne!(base, Request::act("c1", &refuse).canonical_json(), "another action");
        let head = command("accept", "head");
        assert_ne!(base, Request::act("c1", &head).canonical_json(), "another role");
        let described = describe(&base);
        assert_eq!(described, "action `accept` on case `c1` as `officer` at 2026-09-22T10:00:00+08:00 by `承办人甲`");
    }
}
