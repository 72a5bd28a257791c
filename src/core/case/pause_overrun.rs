//! `PauseOverrun`: a pause that lasted past the `max` its clock allows (a 公示 kept open too
//! long, a hearing beyond its period). The time is still not counted on the clock; the overrun
//! is reported (by the audit, as `AUD008`).

use chrono::NaiveDate;

use super::clock_track::{ClockTrack, LedgerKind};
use crate::core::calendar::{CalendarError, Period, PeriodUnit, WorkingCalendar};
use crate::core::workflow::{Clock, StateId};

/// One pause of one clock that ran past its allowed end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PauseOverrun {
    /// The pause state.
    pub state: StateId,
    pub from: NaiveDate,
    /// The day the clock resumed or stopped, or `as_of` for a pause still open.
    pub to: NaiveDate,
    pub max: Period,
    /// The last day the pause could last.
    pub allowed_until: NaiveDate,
    /// Past `allowed_until`: working days for a `wd` maximum, calendar days otherwise.
    pub over: i64,
}

/// Every pause in `track`'s ledger longer than its `max` in `clock`, as of `as_of`.
///
/// # Errors
///
/// [`CalendarError`] when a pause's dates lie outside the calendar's data.
pub fn pause_overruns(
    calendar: &WorkingCalendar,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<Vec<PauseOverrun>, CalendarError> {
    // Most clocks allow their pauses any length: then the ledger need not be read.
    if clock.pauses.iter().all(|pause| pause.max.is_none()) {
        return Ok(Vec::new());
    }
    let ledger = track.ledger();
    let mut overruns = Vec::new();
    for (position, entry) in ledger.iter().enumerate() {
        let LedgerKind::Paused { state } = entry.kind else { continue };
        let Some(max) = clock.pauses.iter().find(|pause| pause.state == state).and_then(|pause| pause.max) else {
            continue;
        };
        // An extension granted during the pause neither ends nor resumes it.
        let to = ledger[position + 1..]
            .iter()
            .find(|next| !matches!(next.kind, LedgerKind::Extended { .. }))
            .map_or(as_of, |next| next.date);
        let allowed_until = calendar.period_end(entry.date, max)?.end;
        if to <= allowed_until {
            continue;
        }
        let over = match max.unit {
            PeriodUnit::WorkingDays => calendar.working_days_between(allowed_until, to)?,
            _ => (to - allowed_until).num_days(),
        };
        overruns.push(PauseOverrun { state, from: entry.date, to, max, allowed_until, over });
    }
    Ok(overruns)
}

/// The pause `track` is in now, if its state allows it at most `max`: the state, the day it
/// began, the `max`, and the last day it may last (an overrun from the day after).
///
/// # Errors
///
/// [`CalendarError`] when the pause's end lies outside the calendar's data.
pub fn open_pause_limit(
    calendar: &WorkingCalendar,
    clock: &Clock,
    track: &ClockTrack,
) -> Result<Option<(StateId, NaiveDate, Period, NaiveDate)>, CalendarError> {
    if track.phase() != super::clock_track::Phase::Paused {
        return Ok(None);
    }
    let Some((state, from)) = track.ledger().iter().rev().find_map(|entry| match entry.kind {
        LedgerKind::Paused { state } => Some((state, entry.date)),
        _ => None,
    }) else {
        return Ok(None);
    };
    let Some(max) = clock.pauses.iter().find(|pause| pause.state == state).and_then(|pause| pause.max) else {
        return Ok(None);
    };
    Ok(Some((state, from, max, calendar.period_end(from, max)?.end)))
}
