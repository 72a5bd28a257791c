//! A case's timing as shown: every clock that has run, against both its limits, with the
//! calendar it was counted on.

use serde::Serialize;
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use super::watch::PauseOverMaxShown;
use crate::core::calendar::WorkingCalendar;
use crate::core::case::{ClockTiming, Due, LimitKind, LimitTiming, Timing};
use crate::core::workflow::Workflow;
use crate::engine::PauseOverMax;

/// The calendar a timing was counted on, and the name of its data.
pub(crate) struct Counted<'a> {
    pub(crate) calendar: &'a WorkingCalendar,
    pub(crate) data_id: &'a str,
}

/// A clock against one of its limits.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LimitTiming)]
pub(crate) struct LimitShown {
    /// The limit after cuts and (for the statutory limit) extensions (`20 wd`).
    limit: String,
    /// What is left, in the clock's unit; negative when past the limit; null when the due date
    /// lies beyond the data and the unit is calendar days.
    remaining: Option<i64>,
    /// The due date; null when it lies beyond the calendar's data.
    due_date: Option<String>,
    /// Whether the due date rests on a projected year, not a notice.
    provisional: bool,
    /// Why a provisional or unknown due date is what it is.
    basis: Option<String>,
    /// The share of the limit used, in percent (two decimals).
    used_percent: f64,
    /// `ok`, `yellow` or `red`.
    level: &'static str,
}

impl LimitShown {
    fn of(limit: &LimitTiming, counted: &Counted<'_>) -> LimitShown {
        let beyond_year = match limit.due {
            Due::BeyondData { year } => Some(year),
            Due::On(_) => None,
        };
        let (provisional, basis) = counted.calendar.provisional_basis(limit.due.date(), beyond_year);
        LimitShown {
            limit: limit.limit.to_string(),
            remaining: limit.remaining,
            due_date: limit.due.date().map(|date| date.to_string()),
            provisional,
            basis,
            // basis points of at most a few million: exact in f64
            used_percent: f64::from(i32::try_from(limit.used_basis_points_rounded).unwrap_or(i32::MAX)) / 100.0,
            level: limit.level.name(),
        }
    }
}

/// A pause that ran past the `max` its clock allows, and the day it ended (or the as-of date).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PauseOverrun)]
pub(crate) struct PauseOverrunShown {
    #[serde(flatten)]
    pause: PauseOverMaxShown,
    /// The last day counted: the pause's end, or the as-of date while it lasts.
    to: String,
}

/// One clock's figures. The top-level `limit`, `remaining`, `used_percent` and `due_date` are the
/// statutory limit's; `level` is the worse of both limits.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ClockTiming)]
pub(crate) struct ClockShown {
    /// The clock's name.
    clock: String,
    title: Option<String>,
    /// `not_started`, `running`, `paused`, `met`, `breached` or `stopped`.
    status: &'static str,
    /// Time counted in the current run, in `unit`.
    elapsed: i64,
    /// The count unit: `wd` (working days) or `cd` (calendar days).
    unit: &'static str,
    /// The statutory limit (`20 wd`); null until the clock starts.
    limit: Option<String>,
    /// What is left of the statutory limit, in `unit`.
    remaining: Option<i64>,
    /// The statutory due date.
    due_date: Option<String>,
    /// Whether the due date or the elapsed time rests on a projected year.
    provisional: bool,
    /// Why a provisional answer is what it is.
    basis: Option<String>,
    /// The share of the statutory limit used, in percent.
    used_percent: Option<f64>,
    /// `ok`, `yellow` or `red`: the worse of both limits.
    level: &'static str,
    /// The promised limit (承诺时限), if the clock has one.
    promised_limit: Option<String>,
    /// Which limit set the level: `statutory` (also when both do) or `promised`; null at `ok`.
    level_set_by: Option<&'static str>,
    /// The clock against its statutory limit.
    statutory: Option<LimitShown>,
    /// The clock against its promised limit.
    promised: Option<LimitShown>,
    /// Pauses longer than their `max`, oldest first.
    pause_overruns: Vec<PauseOverrunShown>,
    /// The first day of the current run (not itself counted).
    started_on: Option<String>,
    stopped_on: Option<String>,
    /// Calendar days paused in the current run.
    paused_days: i64,
    /// How many times the clock has started.
    runs: u32,
}

impl ClockShown {
    /// One clock's figures; `provisional` says whether the statutory due date or the elapsed
    /// time rests on a projected year.
    pub(crate) fn of(workflow: &Workflow, timing: &Timing, clock: &ClockTiming, counted: &Counted<'_>) -> ClockShown {
        let declared = workflow.clock(clock.clock);
        let statutory = clock.statutory.as_ref().map(|limit| LimitShown::of(limit, counted));
        let due_provisional = statutory.as_ref().is_some_and(|limit| limit.provisional);
        // The elapsed time is provisional too when it was counted into a projected year.
        let (counted_provisional, counted_basis) = counted
            .calendar
            .provisional_basis(clock.started_on.map(|_| clock.stopped_on.unwrap_or(timing.as_of)), None);
        let basis = statutory.as_ref().and_then(|limit| limit.basis.clone()).or(counted_basis);
        ClockShown {
            clock: declared.name.clone(),
            title: declared.title.clone(),
            status: clock.status.name(),
            elapsed: clock.elapsed,
            unit: clock.count_unit.symbol(),
            limit: statutory.as_ref().map(|limit| limit.limit.clone()),
            remaining: statutory.as_ref().and_then(|limit| limit.remaining),
            due_date: statutory.as_ref().and_then(|limit| limit.due_date.clone()),
            provisional: due_provisional || counted_provisional,
            basis,
            used_percent: statutory.as_ref().map(|limit| limit.used_percent),
            level: clock.level().name(),
            promised_limit: clock.promised.as_ref().map(|limit| limit.limit.to_string()),
            level_set_by: clock.level_set_by().map(LimitKind::name),
            statutory,
            promised: clock.promised.as_ref().map(|limit| LimitShown::of(limit, counted)),
            pause_overruns: clock
                .pause_overruns
                .iter()
                .map(|overrun| PauseOverrunShown {
                    pause: PauseOverMaxShown::from(&PauseOverMax::of(workflow, overrun)),
                    to: overrun.to.to_string(),
                })
                .collect(),
            started_on: clock.started_on.map(|date| date.to_string()),
            stopped_on: clock.stopped_on.map(|date| date.to_string()),
            paused_days: clock.paused_days,
            runs: clock.runs,
        }
    }
}

/// The clocks that have run, each as [`ClockShown`].
pub(crate) fn clocks_json(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> Vec<Json> {
    clocks_shown(workflow, timing, counted).iter().map(|clock| json!(clock)).collect()
}

fn clocks_shown(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> Vec<ClockShown> {
    timing
        .clocks
        .iter()
        .filter(|clock| clock.runs > 0)
        .map(|clock| ClockShown::of(workflow, timing, clock, counted))
        .collect()
}

/// Whether the as-of date itself rests on a projected year, and why.
pub(crate) fn as_of_provisional(timing: &Timing, counted: &Counted<'_>) -> (bool, Option<String>) {
    counted.calendar.provisional_basis(Some(timing.as_of), None)
}

/// The calendar a timing was counted on.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CountedCalendar)]
pub(crate) struct CountedShown {
    /// The calendar's id (`cn-mainland`).
    calendar: String,
    /// The last date of its data.
    data_through: String,
    /// The policy for dates after the data: `refuse`, `weekends-only` or `statutory`.
    beyond_data: &'static str,
    /// The name of the store's calendar data the figures were computed with.
    data: String,
}

impl CountedShown {
    fn of(counted: &Counted<'_>) -> CountedShown {
        CountedShown {
            calendar: counted.calendar.id().to_owned(),
            data_through: counted.calendar.last_date().to_string(),
            beyond_data: counted.calendar.policy().name(),
            data: counted.data_id.to_owned(),
        }
    }
}

/// The whole timing document, as `case timing --format json` shows it (the service adds the
/// case's `id` and `number`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Timing)]
pub(crate) struct TimingShown {
    /// The date the timing is counted to.
    as_of: String,
    /// Whether the as-of date rests on a projected year.
    provisional: bool,
    /// Why it is provisional.
    basis: Option<String>,
    /// The calendar counted on.
    calendar: CountedShown,
    opened_on: Option<String>,
    finished_on: Option<String>,
    /// Working days from opening to the finish, or to `as_of`.
    elapsed_working_days: i64,
    /// Calendar days spent in states that pause a clock.
    paused_days: i64,
    /// Working days spent in states that pause a clock.
    paused_working_days: i64,
    /// The clocks that have run.
    clocks: Vec<ClockShown>,
}

impl TimingShown {
    pub(crate) fn of(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> TimingShown {
        let (provisional, basis) = as_of_provisional(timing, counted);
        TimingShown {
            as_of: timing.as_of.to_string(),
            provisional,
            basis,
            calendar: CountedShown::of(counted),
            opened_on: timing.opened_on.map(|date| date.to_string()),
            finished_on: timing.finished_on.map(|date| date.to_string()),
            elapsed_working_days: timing.elapsed_working_days,
            paused_days: timing.paused_days,
            paused_working_days: timing.paused_working_days,
            clocks: clocks_shown(workflow, timing, counted),
        }
    }
}

/// The whole timing document, as [`TimingShown`] shows it.
pub(crate) fn timing_json(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> Json {
    json!(TimingShown::of(workflow, timing, counted))
}
