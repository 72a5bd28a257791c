//! One clock of the watch list as shown.

use serde_json::{Value as Json, json};

use crate::engine::WatchRow;

/// A watch-list row, as `watch --format json` and `GET /v1/watch` show it.
pub(crate) fn watch_json(row: &WatchRow) -> Json {
    json!({
        "case_id": row.case_id, "number": row.number, "workflow": row.workflow, "clock": row.clock,
        "level": row.level, "level_set_by": row.level_set_by, "phase": row.phase,
        "statutory_limit": row.statutory_limit, "promised_limit": row.promised_limit,
        "due_date": row.due_date.map(|date| date.to_string()),
        "remaining_working_days": row.remaining_working_days,
        "provisional": row.provisional, "basis": row.basis,
        "pause_over_max": row.pause_over_max,
    })
}
