//! Answers about calendars: many counts at once, the calendars and installations a store has, and
//! what an installation did.

use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::{CalendarChange, MovedDue};
use crate::store::CalendarInstallRow;

/// One pair's count, or why it has none.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum BulkResult {
    Counted {
        /// The working days after the first date up to the second.
        working_days: i64,
        /// Whether the count reached beyond the data.
        provisional: bool,
    },
    Refused {
        /// Why the pair has no count (a date outside the calendar's data).
        error: String,
    },
}

/// Counts of many pairs, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BulkCounts)]
pub(crate) struct BulkShown {
    /// The calendar's id.
    pub(crate) calendar: String,
    pub(crate) results: Vec<BulkResult>,
}

/// A calendar a store counts on.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CalendarListed {
    /// The calendar's id (`cn-mainland`).
    pub(crate) calendar: String,
    /// The first date of its data.
    pub(crate) first_date: String,
    /// The last date of its data.
    pub(crate) data_through: String,
}

/// A calendar file installed into the store: one link of the installations' hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CalendarInstall)]
pub(crate) struct InstallShown {
    /// 0 for the first installation.
    sequence: u64,
    /// The file's name.
    name: String,
    /// The file's text.
    text: String,
    /// SHA-256 of `text`, hex.
    sha256: String,
    installed_by: String,
    /// When (RFC 3339).
    installed_at: String,
    /// Why covered days were changed, when they were.
    reason: Option<String>,
    previous_hash: String,
    hash: String,
}

impl From<CalendarInstallRow> for InstallShown {
    fn from(row: CalendarInstallRow) -> InstallShown {
        let CalendarInstallRow {
            sequence,
            name,
            text,
            sha256,
            installed_by,
            installed_at,
            reason,
            previous_hash,
            hash,
        } = row;
        InstallShown { sequence, name, text, sha256, installed_by, installed_at, reason, previous_hash, hash }
    }
}

/// The store's calendars, its policy past their data, and the files installed into it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CalendarList)]
pub(crate) struct CalendarListShown {
    /// The policy for dates after the data: `refuse`, `weekends-only` or `statutory`.
    beyond_data: &'static str,
    /// The name of the calendar data the store counts on.
    data: String,
    calendars: Vec<CalendarListed>,
    /// The installed files, oldest first.
    installs: Vec<InstallShown>,
}

impl CalendarListShown {
    pub(crate) fn of(
        beyond_data: &'static str,
        data: String,
        calendars: Vec<CalendarListed>,
        installs: Vec<CalendarInstallRow>,
    ) -> CalendarListShown {
        CalendarListShown { beyond_data, data, calendars, installs: installs.into_iter().map(Into::into).collect() }
    }
}

/// An open clock whose derived dates a new calendar changed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MovedDue)]
pub(crate) struct MovedDueShown {
    case_id: String,
    number: String,
    workflow: String,
    clock: String,
    /// Null: unknown (beyond the data under `refuse`) or not running.
    old_due: Option<String>,
    new_due: Option<String>,
    was_provisional: bool,
    now_provisional: bool,
}

impl From<MovedDue> for MovedDueShown {
    fn from(moved: MovedDue) -> MovedDueShown {
        let MovedDue { case_id, number, workflow, clock, old_due, new_due, was_provisional, now_provisional } = moved;
        MovedDueShown { case_id, number, workflow, clock, old_due, new_due, was_provisional, now_provisional }
    }
}

/// What an installation did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CalendarChange)]
pub(crate) struct CalendarChangeShown {
    /// The installation stored; null when the same file was installed before (nothing done).
    installed: Option<InstallShown>,
    /// Open cases whose derived data was recomputed.
    open_cases: usize,
    /// Every open clock whose due date (or whether it is provisional) moved.
    moved: Vec<MovedDueShown>,
    /// The calendar data the derived figures are now computed with.
    derived_calendar: String,
}

impl From<CalendarChange> for CalendarChangeShown {
    fn from(change: CalendarChange) -> CalendarChangeShown {
        let CalendarChange { installed, open_cases, moved, derived_calendar } = change;
        CalendarChangeShown {
            installed: installed.map(Into::into),
            open_cases,
            moved: moved.into_iter().map(Into::into).collect(),
            derived_calendar,
        }
    }
}
