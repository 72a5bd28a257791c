//! The derived data the store keeps beside a case's history: its configuration, and for each open
//! clock the dates its level changes if nothing else happens, so the watch list is a range query.
//! `check` recomputes it from the history and compares.

use chrono::{Days, NaiveDate};
use serde_json::{Map, Value as Json, json};

use super::engine_error::EngineError;
use crate::core::calendar::WorkingCalendar;
use crate::core::case::{ClockTiming, ClockTrack, LedgerKind, Level, Phase, Replay};
use crate::core::workflow::{Clock, ClockId, Workflow};
use crate::store::{Derived, OpenClockRow};

/// The derived data of a replayed case. A clock whose dates the calendar cannot count (after the
/// data under `refuse`) is kept with its dates unknown.
pub(crate) fn derive(workflow: &Workflow, calendar: &WorkingCalendar, replay: &Replay) -> Derived {
    let configuration = replay.configuration();
    let mut attributes = Map::new();
    for (attribute, value) in workflow.attributes().iter().zip(configuration.values()) {
        if let Some(value) = value {
            attributes.insert(attribute.name.clone(), Json::String(value.render(&attribute.kind)));
        }
    }
    let active: Vec<&str> = configuration.leaves().iter().map(|leaf| workflow.state(*leaf).name.as_str()).collect();
    let configuration_json = json!({"active": active, "attributes": attributes}).to_string();
    let mut open_clocks = Vec::new();
    if let Some(last) = replay.last_at() {
        let from = calendar.zone().civil_date(last);
        for (index, (clock, track)) in workflow.clocks().iter().zip(replay.clocks()).enumerate() {
            if !track.is_open() {
                continue;
            }
            // A date the calendar cannot count (after the data under `refuse`) leaves the dates
            // unknown: the event is recorded all the same, and timing says why.
            let dates = clock_dates(calendar, ClockId(index as u16), clock, track, from).unwrap_or_default();
            let text = |date: Option<NaiveDate>| date.map(|date| date.to_string());
            open_clocks.push(OpenClockRow {
                clock: clock.name.clone(),
                phase: track.phase().name().to_owned(),
                due_date: text(dates.due_date),
                yellow_on: text(dates.yellow_on),
                red_on: text(dates.red_on),
                statutory_limit: track.limit(calendar, clock).ok().flatten().map(|limit| limit.to_string()),
                promised_limit: track.promised(clock).map(|promised| promised.to_string()),
                statutory_yellow_on: text(dates.statutory_yellow_on),
                statutory_red_on: text(dates.statutory_red_on),
                pause_overrun_on: text(dates.pause_overrun_on),
                prompt_on: text(dates.prompt_on),
                promised_due_date: text(dates.promised_due_date),
            });
        }
    }
    Derived {
        configuration: configuration_json,
        finished_on: replay.finished_on().map(|date| date.to_string()),
        open_clocks,
    }
}

/// An open clock's due dates and the first dates it turns yellow and red (by the worse of its
/// limits, and by the statutory limit alone), the first date its pause is past its `max`, and the
/// date of its prompt, if nothing else happens.
///
/// A level the clock has already reached on the date of the case's last event is dated back to
/// the day it was reached under the limits as they are now (searched from the run's start, or
/// from the last extension), not to that event: an event that changes no limit then leaves every
/// date as it was, so a warning is issued once per crossing, while an extension moves the dates
/// and makes new crossings.
#[derive(Clone, Copy, Debug, Default)]
struct ClockDates {
    due_date: Option<NaiveDate>,
    yellow_on: Option<NaiveDate>,
    red_on: Option<NaiveDate>,
    statutory_yellow_on: Option<NaiveDate>,
    statutory_red_on: Option<NaiveDate>,
    pause_overrun_on: Option<NaiveDate>,
    prompt_on: Option<NaiveDate>,
    promised_due_date: Option<NaiveDate>,
}

fn clock_dates(
    calendar: &WorkingCalendar,
    id: ClockId,
    clock: &Clock,
    track: &ClockTrack,
    from: NaiveDate,
) -> Result<ClockDates, EngineError> {
    let level_on = |date: NaiveDate| -> Result<Level, EngineError> {
        Ok(crate::core::case::clock_level_on(calendar, clock, track, date)?)
    };
    let statutory_level_on = |date: NaiveDate| -> Result<Level, EngineError> {
        Ok(crate::core::case::clock_statutory_level_on(calendar, clock, track, date)?)
    };
    let now: ClockTiming = crate::core::case::clock_timing_of(calendar, id, clock, track, from)?;
    // A level reached already is dated back no further than the run's start or the last
    // extension: an extension makes new crossings under the longer limit, dated from the day it
    // was granted at the earliest.
    let extended_on = track
        .ledger()
        .iter()
        .filter(|entry| matches!(entry.kind, LedgerKind::Extended { .. }) && entry.date <= from)
        .map(|entry| entry.date)
        .max();
    let origin = track.run_start.into_iter().chain(extended_on).max().map_or(from, |start| start.min(from));
    let (level, statutory) = (now.level(), now.statutory.as_ref().map_or(Level::Ok, |limit| limit.level));
    let (yellow_on, red_on, statutory_yellow_on, statutory_red_on) = if track.phase() == Phase::Paused {
        // A paused clock's level holds until the next event: only a level reached already has a date.
        let reached = |level: Level, wanted: Level, level_on: &dyn Fn(NaiveDate) -> Result<Level, EngineError>| {
            crossing(origin, from, from, wanted, level, level_on)
        };
        (
            reached(level, Level::Yellow, &level_on)?,
            reached(level, Level::Red, &level_on)?,
            reached(statutory, Level::Yellow, &statutory_level_on)?,
            reached(statutory, Level::Red, &statutory_level_on)?,
        )
    } else {
        // A running clock is red the day after its earliest due date at the latest, so the search
        // stops there when it can (the due dates are fixed while it runs).
        let earliest_due = [now.statutory.as_ref(), now.promised.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|limit| limit.due.date())
            .min();
        let bound = earliest_due
            .and_then(|due| calendar.add_working_days(due, 1).ok())
            .filter(|bound| *bound >= from && level_on(*bound).is_ok_and(|level| level == Level::Red))
            .unwrap_or_else(|| calendar.counted_last_date());
        let red_on = crossing(origin, from, bound, Level::Red, level, &level_on)?;
        let yellow_on = crossing(origin, from, red_on.unwrap_or(bound).max(from), Level::Yellow, level, &level_on)?;
        if track.promised(clock).is_none() {
            // Without a promised limit the statutory limit alone sets the level.
            (yellow_on, red_on, yellow_on, red_on)
        } else {
            // The statutory limit is the longer one: it turns red after the first due date.
            let statutory_bound = now
                .statutory
                .as_ref()
                .and_then(|limit| limit.due.date())
                .and_then(|due| calendar.add_working_days(due, 1).ok())
                .filter(|bound| *bound >= from && statutory_level_on(*bound).is_ok_and(|level| level == Level::Red))
                .unwrap_or_else(|| calendar.counted_last_date());
            let statutory_red_on = crossing(origin, from, statutory_bound, Level::Red, statutory, &statutory_level_on)?;
            let yellow_bound = statutory_red_on.unwrap_or(statutory_bound).max(from);
            let statutory_yellow_on =
                crossing(origin, from, yellow_bound, Level::Yellow, statutory, &statutory_level_on)?;
            (yellow_on, red_on, statutory_yellow_on, statutory_red_on)
        }
    };
    let pause_overrun_on = match crate::core::case::open_pause_limit(calendar, clock, track)? {
        Some((_, _, _, allowed_until)) => allowed_until.succ_opt(),
        None => None,
    };
    let (due_date, promised_due_date) = match track.phase() {
        Phase::Running => (
            now.statutory.as_ref().and_then(|limit| limit.due.date()),
            now.promised.as_ref().and_then(|limit| limit.due.date()),
        ),
        _ => (None, None),
    };
    let prompt_on = prompt_date(calendar, id, clock, track, &now);
    Ok(ClockDates {
        due_date,
        yellow_on,
        red_on,
        statutory_yellow_on,
        statutory_red_on,
        pause_overrun_on,
        prompt_on,
        promised_due_date,
    })
}

/// The date of a clock's prompt (提示): the working day one working day before its promised due
/// date. A running clock's promised due date is fixed while it runs; a paused clock has had its
/// prompt only if the date was reached before the pause began (and keeps that date), and gets
/// the next one when it runs again. `None` without a promised limit, or when the date cannot be
/// counted (beyond the data under `refuse`).
fn prompt_date(
    calendar: &WorkingCalendar,
    id: ClockId,
    clock: &Clock,
    track: &ClockTrack,
    now: &ClockTiming,
) -> Option<NaiveDate> {
    let before_due = |due: NaiveDate| calendar.add_working_days(due, -1).ok();
    match track.phase() {
        Phase::Running => now.promised.as_ref()?.due.date().and_then(before_due),
        Phase::Paused => {
            let since = track.paused_since?;
            let then = crate::core::case::clock_timing_of(calendar, id, clock, track, since).ok()?;
            let prompt = then.promised.as_ref()?.due.date().and_then(before_due)?;
            (prompt <= since).then_some(prompt)
        }
        Phase::NotStarted | Phase::Stopped => None,
    }
}

/// The first date the level is at least `wanted`: when it is so already on `from` (the date of
/// the case's last event), searched back to `origin` (the run's start); otherwise searched on
/// from `from` to `last`.
fn crossing(
    origin: NaiveDate,
    from: NaiveDate,
    last: NaiveDate,
    wanted: Level,
    level_on_from: Level,
    level_on: &dyn Fn(NaiveDate) -> Result<Level, EngineError>,
) -> Result<Option<NaiveDate>, EngineError> {
    if level_on_from >= wanted {
        first_date(origin, from, wanted, level_on)
    } else {
        first_date(from, last, wanted, level_on)
    }
}

/// The first date in `from..=last` on which the level is at least `wanted`, by bisection (a
/// running clock's level never falls as days pass).
fn first_date(
    from: NaiveDate,
    last: NaiveDate,
    wanted: Level,
    level_on: &dyn Fn(NaiveDate) -> Result<Level, EngineError>,
) -> Result<Option<NaiveDate>, EngineError> {
    if last < from || level_on(last)? < wanted {
        return Ok(None);
    }
    let (mut low, mut high) = (from, last);
    while low < high {
        let middle = low + Days::new(((high - low).num_days() / 2) as u64);
        if level_on(middle)? >= wanted {
            high = middle;
        } else {
            low = middle + Days::new(1);
        }
    }
    Ok(Some(low))
}
