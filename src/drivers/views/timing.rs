//! A case's timing as shown: every clock that has run, against both its limits, with the
//! calendar it was counted on.

use serde_json::{Value as Json, json};

use crate::core::calendar::WorkingCalendar;
use crate::core::case::{ClockTiming, Due, LimitKind, LimitTiming, Timing};
use crate::core::workflow::Workflow;
use crate::engine::PauseOverMax;

/// The calendar a timing was counted on, and the name of its data.
pub(crate) struct Counted<'a> {
    pub(crate) calendar: &'a WorkingCalendar,
    pub(crate) data_id: &'a str,
}

fn limit_json(limit: Option<&LimitTiming>, counted: &Counted<'_>) -> Json {
    limit.map_or(Json::Null, |limit| {
        let beyond_year = match limit.due {
            Due::BeyondData { year } => Some(year),
            Due::On(_) => None,
        };
        let (provisional, basis) = counted.calendar.provisional_basis(limit.due.date(), beyond_year);
        json!({
            "limit": limit.limit.to_string(),
            "remaining": limit.remaining,
            "due_date": limit.due.date().map(|date| date.to_string()),
            "provisional": provisional,
            "basis": basis,
            // basis points of at most a few million: exact in f64
            "used_percent": f64::from(i32::try_from(limit.used_basis_points_rounded).unwrap_or(i32::MAX)) / 100.0,
            "level": limit.level.name(),
        })
    })
}

/// One clock's figures; `due_date` is the statutory due date, `provisional` says whether it or
/// the elapsed time rests on a projected year.
pub(crate) fn clock_json(workflow: &Workflow, timing: &Timing, clock: &ClockTiming, counted: &Counted<'_>) -> Json {
    let declared = workflow.clock(clock.clock);
    let statutory = limit_json(clock.statutory.as_ref(), counted);
    let due_date = clock.statutory.as_ref().and_then(|limit| limit.due.date());
    let due_provisional = statutory.get("provisional").and_then(Json::as_bool).unwrap_or(false);
    // The elapsed time is provisional too when it was counted into a projected year.
    let (counted_provisional, counted_basis) =
        counted.calendar.provisional_basis(clock.started_on.map(|_| clock.stopped_on.unwrap_or(timing.as_of)), None);
    let provisional = due_provisional || counted_provisional;
    let basis = statutory.get("basis").filter(|basis| !basis.is_null()).cloned().or(counted_basis.map(Json::from));
    json!({
        "clock": declared.name, "title": declared.title, "status": clock.status.name(),
        "elapsed": clock.elapsed, "unit": clock.count_unit.symbol(),
        "limit": statutory.get("limit"), "remaining": statutory.get("remaining"),
        "due_date": due_date.map(|date| date.to_string()),
        "provisional": provisional, "basis": basis,
        "used_percent": statutory.get("used_percent"), "level": clock.level().name(),
        "promised_limit": clock.promised.as_ref().map(|limit| limit.limit.to_string()),
        "level_set_by": clock.level_set_by().map(LimitKind::name),
        "statutory": statutory, "promised": limit_json(clock.promised.as_ref(), counted),
        "pause_overruns": clock.pause_overruns.iter().map(|overrun| {
            let mut shown = json!(PauseOverMax::of(workflow, overrun));
            shown["to"] = json!(overrun.to.to_string());
            shown
        }).collect::<Vec<Json>>(),
        "started_on": clock.started_on.map(|date| date.to_string()),
        "stopped_on": clock.stopped_on.map(|date| date.to_string()),
        "paused_days": clock.paused_days, "runs": clock.runs,
    })
}

/// The clocks that have run, each as [`clock_json`].
pub(crate) fn clocks_json(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> Vec<Json> {
    timing
        .clocks
        .iter()
        .filter(|clock| clock.runs > 0)
        .map(|clock| clock_json(workflow, timing, clock, counted))
        .collect()
}

/// Whether the as-of date itself rests on a projected year, and why.
pub(crate) fn as_of_provisional(timing: &Timing, counted: &Counted<'_>) -> (bool, Option<String>) {
    counted.calendar.provisional_basis(Some(timing.as_of), None)
}

/// The calendar a timing was counted on: its id, how far its data reaches, the policy past it
/// and the name of the store's calendar data.
pub(crate) fn calendar_json(counted: &Counted<'_>) -> Json {
    json!({
        "calendar": counted.calendar.id(),
        "data_through": counted.calendar.last_date().to_string(),
        "beyond_data": counted.calendar.policy().name(),
        "data": counted.data_id,
    })
}

/// The whole timing document, as `case timing --format json` and `GET /v1/cases/{case}/timing`
/// show it.
pub(crate) fn timing_json(workflow: &Workflow, timing: &Timing, counted: &Counted<'_>) -> Json {
    let (provisional, basis) = as_of_provisional(timing, counted);
    json!({
        "as_of": timing.as_of.to_string(),
        "provisional": provisional,
        "basis": basis,
        "calendar": calendar_json(counted),
        "opened_on": timing.opened_on.map(|date| date.to_string()),
        "finished_on": timing.finished_on.map(|date| date.to_string()),
        "elapsed_working_days": timing.elapsed_working_days,
        "paused_days": timing.paused_days,
        "paused_working_days": timing.paused_working_days,
        "clocks": clocks_json(workflow, timing, counted),
    })
}
