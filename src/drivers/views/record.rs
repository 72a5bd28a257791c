//! An event record as shown: the stored record's own JSON, with a schema. The core's
//! [`EventRecord`] is the hash chain's canonical encoding and stays free of the service's
//! concerns, so this mirror names each of its fields; the conversion destructures every field and
//! variant, so a field added to the record fails to compile here until it is shown, and a test
//! pins that both serialise alike.

use serde::Serialize;
use serde_json::Value as Json;
use utoipa::ToSchema;

use crate::core::case::{CaseIdentity, EventRecord, RecordKind};

/// One event as stored: when, who, in which role, and what happened (`kind` and its members).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EventRecord)]
pub(crate) struct EventRecordShown {
    /// When it happened (RFC 3339 with its offset).
    at: String,
    /// Who acted (the API key's holder, over the service).
    actor: Option<String>,
    /// The role acted in.
    role: Option<String>,
    #[serde(flatten)]
    kind: RecordKindShown,
}

/// What an event did, by `kind`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EventRecordKind)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum RecordKindShown {
    /// The case was opened with these attribute values.
    Opened {
        /// The case this history belongs to (on a stored case's first event).
        #[serde(skip_serializing_if = "Option::is_none")]
        case: Option<CaseIdentityShown>,
        /// Attribute values as `[name, value]` pairs, in declaration order.
        attributes: Vec<(String, Json)>,
    },
    /// An attribute was set (`null`: cleared).
    AttributeSet { attribute: String, value: Json },
    /// An action moved the case from one state to another.
    Acted { action: String, from: String, to: String },
    /// A state's work was done (a parallel branch finished).
    Done { state: String },
    /// A clock was extended by an action.
    Extended {
        clock: String,
        action: String,
        /// Which extension of the clock this is (1: the first).
        extension: usize,
    },
    /// A note was recorded.
    Noted { text: String },
}

/// What identifies a stored case, written into its opening record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseIdentity)]
pub(crate) struct CaseIdentityShown {
    workflow: String,
    version: String,
    /// The deployment's content hash (hex).
    content_hash: String,
    number: String,
}

impl From<&EventRecord> for EventRecordShown {
    fn from(record: &EventRecord) -> EventRecordShown {
        let EventRecord { at, actor, role, kind } = record;
        EventRecordShown { at: at.clone(), actor: actor.clone(), role: role.clone(), kind: kind.into() }
    }
}

impl From<&RecordKind> for RecordKindShown {
    fn from(kind: &RecordKind) -> RecordKindShown {
        match kind.clone() {
            RecordKind::Opened { case, attributes } => {
                RecordKindShown::Opened { case: case.as_ref().map(CaseIdentityShown::from), attributes }
            }
            RecordKind::AttributeSet { attribute, value } => RecordKindShown::AttributeSet { attribute, value },
            RecordKind::Acted { action, from, to } => RecordKindShown::Acted { action, from, to },
            RecordKind::Done { state } => RecordKindShown::Done { state },
            RecordKind::Extended { clock, action, extension } => RecordKindShown::Extended { clock, action, extension },
            RecordKind::Noted { text } => RecordKindShown::Noted { text },
        }
    }
}

impl From<&CaseIdentity> for CaseIdentityShown {
    fn from(identity: &CaseIdentity) -> CaseIdentityShown {
        let CaseIdentity { workflow, version, content_hash, number } = identity.clone();
        CaseIdentityShown { workflow, version, content_hash, number }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_record_is_shown_as_it_is_stored() {
        let identity = CaseIdentity {
            workflow: "licence".to_owned(),
            version: "1".to_owned(),
            content_hash: "ab".to_owned(),
            number: "XK-1".to_owned(),
        };
        let kinds = [
            RecordKind::Opened { case: Some(identity), attributes: vec![("fee".to_owned(), json!(3))] },
            RecordKind::Opened { case: None, attributes: Vec::new() },
            RecordKind::AttributeSet { attribute: "fee".to_owned(), value: json!(null) },
            RecordKind::Acted { action: "accept".to_owned(), from: "a".to_owned(), to: "b".to_owned() },
            RecordKind::Done { state: "b".to_owned() },
            RecordKind::Extended { clock: "c".to_owned(), action: "extend".to_owned(), extension: 1 },
            RecordKind::Noted { text: "说明".to_owned() },
        ];
        for kind in kinds {
            let record = EventRecord {
                at: "2026-09-21T09:30:00+08:00".to_owned(),
                actor: Some("dev".to_owned()),
                role: None,
                kind,
            };
            let shown = serde_json::to_string(&EventRecordShown::from(&record)).unwrap();
            assert_eq!(shown, record.canonical_json());
        }
    }
}
