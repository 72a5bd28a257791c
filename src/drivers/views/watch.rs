//! One clock of the watch list as shown.

use serde::Serialize;
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use crate::engine::{PauseOverMax, WatchRow};

/// A watch-list row, as `watch --format json` and `GET /v1/watch` show it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WatchRow)]
pub(crate) struct WatchRowShown {
    /// Why a provisional or unknown due date is what it is.
    basis: Option<String>,
    /// The case id.
    case_id: String,
    /// The clock's name.
    clock: String,
    /// The statutory due date; null when it lies beyond the calendar's data.
    due_date: Option<String>,
    /// `red`, `yellow`, or `ok` for a clock listed only because its pause ran over.
    level: &'static str,
    /// Which limit set the level: `statutory` (also when both do) or `promised`; null at `ok`.
    level_set_by: Option<&'static str>,
    /// The case number.
    number: String,
    /// The pause the clock is in, when it has run past the `max` its clock allows.
    pause_over_max: Option<PauseOverMaxShown>,
    /// `running` or `paused`.
    phase: String,
    /// The promised limit (承诺时限), if the clock has one.
    promised_limit: Option<String>,
    /// Whether the due date (or the as-of date) rests on a projected year, not a notice.
    provisional: bool,
    /// Working days from the as-of date to the due date; negative once past it.
    remaining_working_days: Option<i64>,
    /// The statutory limit after cuts and extensions (`20 wd`).
    statutory_limit: Option<String>,
    /// The roles the case waits on: those with a step out of its active states that does not
    /// end the case (when every step ends it, those steps' roles).
    waiting_on: Vec<String>,
    workflow: String,
}

/// A pause still open past the `max` its clock allows.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PauseOverMax)]
pub(crate) struct PauseOverMaxShown {
    /// The last day the pause could last.
    allowed_until: String,
    /// The longest the pause may last (`10 wd`).
    max: String,
    /// Past `allowed_until`, in `over_unit`.
    over: i64,
    /// `wd` for a maximum in working days, `days` (calendar days) otherwise.
    over_unit: &'static str,
    /// The date the pause began.
    since: String,
    /// The pause state.
    state: String,
}

impl From<&PauseOverMax> for PauseOverMaxShown {
    fn from(pause: &PauseOverMax) -> PauseOverMaxShown {
        let PauseOverMax { state, since, max, allowed_until, over, over_unit } = pause;
        PauseOverMaxShown {
            state: state.clone(),
            since: since.to_string(),
            max: max.clone(),
            allowed_until: allowed_until.to_string(),
            over: *over,
            over_unit,
        }
    }
}

impl From<&WatchRow> for WatchRowShown {
    fn from(row: &WatchRow) -> WatchRowShown {
        WatchRowShown {
            case_id: row.case_id.clone(),
            number: row.number.clone(),
            workflow: row.workflow.clone(),
            clock: row.clock.clone(),
            level: row.level,
            level_set_by: row.level_set_by,
            phase: row.phase.clone(),
            statutory_limit: row.statutory_limit.clone(),
            promised_limit: row.promised_limit.clone(),
            due_date: row.due_date.map(|date| date.to_string()),
            remaining_working_days: row.remaining_working_days,
            provisional: row.provisional,
            basis: row.basis.clone(),
            pause_over_max: row.pause_over_max.as_ref().map(PauseOverMaxShown::from),
            waiting_on: row.waiting_on.clone(),
        }
    }
}

/// A watch-list row, as [`WatchRowShown`] shows it.
pub(crate) fn watch_json(row: &WatchRow) -> Json {
    json!(WatchRowShown::from(row))
}
