//! A case's history as shown: each event with its hash and whether its link in the chain
//! verifies.

use serde_json::{Value as Json, json};

use crate::engine::{LinkStatus, VerifiedHistory};
use crate::store::EventRow;

/// One event as a record, with its link's status; the reason only on the first broken one.
pub(crate) fn event_json(history: &VerifiedHistory, index: usize, row: &EventRow) -> Json {
    // A record that does not parse (edited behind the engine) is shown as null, and is broken.
    let record: Json = serde_json::from_str(&row.record).unwrap_or(Json::Null);
    let status = history.status(index);
    let reason = match (status, &history.broken) {
        (LinkStatus::FirstBroken, Some(broken)) => Some(broken.reason.as_str()),
        _ => None,
    };
    json!({
        "sequence": row.sequence, "at": row.at, "kind": record.get("kind"),
        "actor": record.get("actor"), "role": record.get("role"),
        "what": what(&record), "status": status.name(), "reason": reason,
        "hash": row.hash, "record": record,
    })
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
