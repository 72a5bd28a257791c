//! A case's history as shown: each event with its hash and whether its link in the chain
//! verifies.

use serde::Serialize;
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use super::record::EventRecordShown;
use crate::engine::{LinkStatus, VerifiedHistory};
use crate::store::EventRow;

/// One event of a history, with its link in the hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HistoryEvent)]
pub(crate) struct EventShown {
    /// The event's place in the history, from 1.
    pub(crate) sequence: u64,
    /// When it happened (RFC 3339).
    pub(crate) at: String,
    /// The record's `kind`.
    #[schema(value_type = Option<String>)]
    pub(crate) kind: Option<Json>,
    /// Who acted.
    #[schema(value_type = Option<String>)]
    pub(crate) actor: Option<Json>,
    /// The role acted in.
    #[schema(value_type = Option<String>)]
    pub(crate) role: Option<Json>,
    /// What the event did, in a few words.
    pub(crate) what: String,
    /// `ok`, or `broken` from the first link that does not verify on.
    pub(crate) status: &'static str,
    /// Why the first broken link does not verify (on that event only).
    pub(crate) reason: Option<String>,
    /// The event's hash in the chain.
    pub(crate) hash: String,
    /// The record as stored; null when it does not parse (edited behind the engine).
    #[schema(value_type = Option<EventRecordShown>)]
    record: Json,
}

impl EventShown {
    /// Event `index` of `history`, with its link's status; the reason only on the first broken one.
    pub(crate) fn of(history: &VerifiedHistory, index: usize, row: &EventRow) -> EventShown {
        // A record that does not parse (edited behind the engine) is shown as null, and is broken.
        let record: Json = serde_json::from_str(&row.record).unwrap_or(Json::Null);
        let status = history.status(index);
        let reason = match (status, &history.broken) {
            (LinkStatus::FirstBroken, Some(broken)) => Some(broken.reason.clone()),
            _ => None,
        };
        EventShown {
            sequence: row.sequence,
            at: row.at.clone(),
            kind: record.get("kind").cloned(),
            actor: record.get("actor").cloned(),
            role: record.get("role").cloned(),
            what: what(&record),
            status: status.name(),
            reason,
            hash: row.hash.clone(),
            record,
        }
    }
}

/// One event as a record, as [`EventShown`] shows it.
pub(crate) fn event_json(history: &VerifiedHistory, index: usize, row: &EventRow) -> Json {
    json!(EventShown::of(history, index, row))
}

/// What an event record did, in a few words.
pub(crate) fn what(record: &Json) -> String {
    let field = |name: &str| record.get(name).and_then(Json::as_str).unwrap_or_default().to_owned();
    match record.get("kind").and_then(Json::as_str).unwrap_or_default() {
        "acted" => format!("{}: {} → {}", field("action"), field("from"), field("to")),
        "done" => format!("done of {}", field("state")),
        "attribute_set" => {
            format!("{} = {}", field("attribute"), record.get("value").map_or(String::new(), Json::to_string))
        }
        "extended" => format!("{} by {}", field("clock"), field("action")),
        "noted" => field("text"),
        "opened" => "opened".to_owned(),
        other => other.to_owned(),
    }
}
