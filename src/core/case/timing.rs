//! `Timing`: a case's clocks as of a date: status, elapsed and remaining time, the limit after
//! cuts and extensions, the due date, the share used and the warning level, against the statutory
//! and the promised limit, with the ledger behind each figure.

use chrono::{Days, Months, NaiveDate};

use super::clock_track::{ClockTrack, LedgerEntry, Phase, count_unit};
use super::event::Event;
use super::pause_overrun::{PauseOverrun, pause_overruns};
use super::replay::{Replay, ReplayError};
use crate::core::calendar::{CalendarError, Period, PeriodUnit, WorkingCalendar};
use crate::core::workflow::{Clock, ClockId, Percent, Workflow};

/// A clock's status as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockStatus {
    NotStarted,
    Running,
    Paused,
    /// Stopped within its limit.
    Met,
    /// Past its limit: still open, or stopped late.
    Breached,
    /// Stopped, with no limit to judge it by: it takes its limit from an attribute the case
    /// did not set.
    Stopped,
}

impl ClockStatus {
    pub fn name(self) -> &'static str {
        match self {
            ClockStatus::NotStarted => "not_started",
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::Met => "met",
            ClockStatus::Breached => "breached",
            ClockStatus::Stopped => "stopped",
        }
    }
}

/// The warning level, as 电子监察 systems show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Ok,
    /// Past a warning threshold (`warn_at`, `warn_before`).
    Yellow,
    /// Past the limit.
    Red,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Yellow => "yellow",
            Level::Red => "red",
        }
    }
}

/// Which of a clock's two limits a figure belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// The law's limit (after cuts and extensions).
    Statutory,
    /// The limit the office promised (承诺时限), shorter than the law's.
    Promised,
}

impl LimitKind {
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Statutory => "statutory",
            LimitKind::Promised => "promised",
        }
    }
}

/// A due date, or the year beyond the calendar's data that it falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    On(NaiveDate),
    /// The due date lies beyond the calendar's data; `year` is the first year missing.
    BeyondData {
        year: i32,
    },
}

impl Due {
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Due::On(date) => Some(date),
            Due::BeyondData { .. } => None,
        }
    }
}

/// One limit (statutory or promised) of a clock, as of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitTiming {
    /// The limit after cuts and (for the statutory limit) extensions.
    pub limit: Period,
    /// What is left, in the count unit; negative when past the limit. `None` when the due date
    /// lies beyond the data and the unit is counted in calendar days.
    pub remaining: Option<i64>,
    pub due: Due,
    /// The share of the limit used, in basis points (10 000 = 100 %), rounded down, so a warning
    /// threshold compares exactly.
    pub used_basis_points: i64,
    /// The same share rounded to the nearest basis point, for display.
    pub used_basis_points_rounded: i64,
    pub level: Level,
}

/// One clock of a case as of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockTiming {
    pub clock: ClockId,
    pub status: ClockStatus,
    /// How many times the clock has started.
    pub runs: u32,
    /// The first day of the current run (not itself counted).
    pub started_on: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    /// Working days for `wd` clocks, calendar days for the rest.
    pub count_unit: PeriodUnit,
    /// Time counted in the current run, in `count_unit`.
    pub elapsed: i64,
    /// Calendar days paused in the current run.
    pub paused_days: i64,
    /// The amount extensions added, in the limit's unit.
    pub extended_by: i64,
    /// `None` until the clock starts.
    pub statutory: Option<LimitTiming>,
    pub promised: Option<LimitTiming>,
    pub ledger: Vec<LedgerEntry>,
    /// Pauses longer than the `max` the clock allows them (an open pause counted to the date),
    /// oldest first; empty in the figures-only forms ([`timing_figures`]).
    pub pause_overruns: Vec<PauseOverrun>,
}

impl ClockTiming {
    /// The worse of the statutory and the promised level.
    pub fn level(&self) -> Level {
        let statutory = self.statutory.as_ref().map_or(Level::Ok, |limit| limit.level);
        let promised = self.promised.as_ref().map_or(Level::Ok, |limit| limit.level);
        statutory.max(promised)
    }

    /// Which limit set [`ClockTiming::level`]: `None` while it is `ok`; the statutory limit when
    /// both limits give the level (the law's comes first).
    pub fn level_set_by(&self) -> Option<LimitKind> {
        let level = self.level();
        if level == Level::Ok {
            return None;
        }
        let statutory = self.statutory.as_ref().map_or(Level::Ok, |limit| limit.level);
        Some(if statutory == level { LimitKind::Statutory } else { LimitKind::Promised })
    }
}

/// A case's timing as of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    pub as_of: NaiveDate,
    pub opened_on: Option<NaiveDate>,
    pub finished_on: Option<NaiveDate>,
    /// Working days from opening to the finish, or to `as_of`.
    pub elapsed_working_days: i64,
    /// Days spent in states that pause a clock (公示, 补正 …), calendar and working.
    pub paused_days: i64,
    pub paused_working_days: i64,
    pub clocks: Vec<ClockTiming>,
}

/// The timing of a history as of `as_of`: the events dated up to `as_of` (in the calendar's zone)
/// are folded, the rest ignored.
///
/// # Errors
///
/// [`TimingError::Replay`] when the history does not fit the workflow, [`TimingError::Calendar`]
/// when `as_of` or an event date is outside the calendar's data. A due date beyond the data is not
/// an error: it is reported as [`Due::BeyondData`].
pub fn timing_as_of(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    events: &[Event],
    as_of: NaiveDate,
) -> Result<Timing, TimingError> {
    let zone = calendar.zone();
    let known: Vec<Event> = events.iter().take_while(|event| zone.civil_date(event.at) <= as_of).cloned().collect();
    let replay = Replay::fold(workflow, &known, zone)?;
    Ok(timing(workflow, calendar, &replay, as_of)?)
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimingError {
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The timing of a folded case as of `as_of`, which should not be before its last event.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the case ran on is outside the calendar's data.
pub fn timing(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    as_of: NaiveDate,
) -> Result<Timing, CalendarError> {
    let mut timing = timing_figures(workflow, calendar, replay, as_of)?;
    for ((clock, track), definition) in timing.clocks.iter_mut().zip(replay.clocks()).zip(workflow.clocks()) {
        clock.ledger = track.ledger().to_vec();
        clock.pause_overruns = pause_overruns(calendar, definition, track, as_of)?;
    }
    Ok(timing)
}

/// [`timing`] with every clock's ledger left empty: the figures alone, for callers that count
/// many cases (the simulator) and never show the events behind a clock.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the case ran on is outside the calendar's data.
pub fn timing_figures(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    as_of: NaiveDate,
) -> Result<Timing, CalendarError> {
    let mut figures = Timing {
        as_of,
        opened_on: replay.opened_on(),
        finished_on: replay.finished_on(),
        elapsed_working_days: 0,
        paused_days: 0,
        paused_working_days: 0,
        clocks: Vec::with_capacity(workflow.clocks().len()),
    };
    let days = case_days(calendar, replay, as_of)?;
    figures.elapsed_working_days = days.elapsed_working_days;
    figures.paused_days = days.paused_days;
    figures.paused_working_days = days.paused_working_days;
    for (index, (clock, track)) in workflow.clocks().iter().zip(replay.clocks()).enumerate() {
        figures.clocks.push(clock_figures(calendar, ClockId(index as u16), clock, track, as_of)?);
    }
    Ok(figures)
}

/// A case's whole-case figures as of a date (the part of [`Timing`] no clock decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseDays {
    pub elapsed_working_days: i64,
    pub paused_days: i64,
    pub paused_working_days: i64,
}

/// Working days from opening to the finish (or `as_of`), and days paused, as [`timing_figures`]
/// counts them: a caller that counts the clocks itself (with [`clock_breaches`]) meets the same
/// calendar errors here.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the case ran on is outside the calendar's data.
pub fn case_days(calendar: &WorkingCalendar, replay: &Replay, as_of: NaiveDate) -> Result<CaseDays, CalendarError> {
    let mut days = CaseDays { elapsed_working_days: 0, paused_days: 0, paused_working_days: 0 };
    calendar.is_working_day(as_of)?;
    let end = replay.finished_on().map_or(as_of, |finished| finished.min(as_of));
    if let Some(opened) = replay.opened_on()
        && opened <= end
    {
        days.elapsed_working_days = calendar.working_days_between(opened, end)?;
    }
    for (from, to) in replay.pauses_as_of(end) {
        days.paused_days += (to - from).num_days();
        days.paused_working_days += calendar.working_days_between(from, to)?;
    }
    Ok(days)
}

/// One clock's timing as of `as_of`, from its track.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the clock ran on is outside the calendar's data.
pub fn clock_timing_of(
    calendar: &WorkingCalendar,
    id: ClockId,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<ClockTiming, CalendarError> {
    let mut timing = clock_figures(calendar, id, clock, track, as_of)?;
    timing.ledger = track.ledger().to_vec();
    Ok(timing)
}

/// A clock's warning level as of `as_of`: [`clock_timing_of`] without the ledger, for searching
/// the date a level is reached.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the clock ran on is outside the calendar's data.
pub fn clock_level_on(
    calendar: &WorkingCalendar,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<Level, CalendarError> {
    Ok(clock_figures(calendar, ClockId(0), clock, track, as_of)?.level())
}

/// A clock's warning level against its statutory limit alone as of `as_of` (what
/// [`clock_level_on`] gives when the clock has no promised limit).
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the clock ran on is outside the calendar's data.
pub fn clock_statutory_level_on(
    calendar: &WorkingCalendar,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<Level, CalendarError> {
    let figures = clock_figures(calendar, ClockId(0), clock, track, as_of)?;
    Ok(figures.statutory.map_or(Level::Ok, |limit| limit.level))
}

/// A started clock's elapsed time (in its count unit) and whether it is past its statutory and
/// its promised limit as of `as_of`, by the rules of [`clock_timing_of`] but without due dates
/// and warning levels where the count alone decides: for callers that count many cases (the
/// simulator). `None` for a clock that has not started.
///
/// # Errors
///
/// [`CalendarError`] when `as_of` or a date the clock ran on is outside the calendar's data.
pub fn clock_breaches(
    calendar: &WorkingCalendar,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<Option<(i64, bool, bool)>, CalendarError> {
    let Some(start) = track.run_start else { return Ok(None) };
    let unit = count_unit(clock.limit.unit);
    let mut elapsed = 0;
    for (from, to) in track.intervals_until(as_of) {
        elapsed += count(calendar, unit, from, to)?;
    }
    // A limit the case's attributes do not give is unknown: nothing is over it.
    let (limit, promised) = (track.limit(calendar, clock)?, track.promised(clock));
    // Working-day limits need no due date, so no intervals either (most clocks, every case).
    let in_working_days = |limit: Option<Period>| limit.is_none_or(|limit| limit.unit == PeriodUnit::WorkingDays);
    if in_working_days(limit) && in_working_days(promised) {
        let over = |limit: Option<Period>| limit.is_some_and(|limit| elapsed > limit.amount);
        return Ok(Some((elapsed, over(limit), over(promised))));
    }
    let reference = track.stopped_on.unwrap_or(as_of);
    let measure = Measure { calendar, clock, track, start, elapsed, reference, as_of };
    let statutory = match limit {
        Some(limit) => measure.breached(limit)?,
        None => false,
    };
    let promised = match promised {
        Some(promised) => measure.breached(promised)?,
        None => false,
    };
    Ok(Some((elapsed, statutory, promised)))
}

/// [`clock_timing_of`] with an empty ledger (the auditor's findings need no ledger).
pub(crate) fn clock_figures(
    calendar: &WorkingCalendar,
    id: ClockId,
    clock: &Clock,
    track: &ClockTrack,
    as_of: NaiveDate,
) -> Result<ClockTiming, CalendarError> {
    let unit = count_unit(clock.limit.unit);
    let mut timing = ClockTiming {
        clock: id,
        status: ClockStatus::NotStarted,
        runs: track.runs,
        started_on: track.run_start,
        stopped_on: track.stopped_on,
        count_unit: unit,
        elapsed: 0,
        paused_days: 0,
        extended_by: track.extended_by,
        statutory: None,
        promised: None,
        ledger: Vec::new(),
        pause_overruns: Vec::new(),
    };
    let Some(start) = track.run_start else { return Ok(timing) };
    let mut elapsed = 0;
    for (from, to) in track.intervals_until(as_of) {
        elapsed += count(calendar, unit, from, to)?;
    }
    timing.elapsed = elapsed;
    timing.paused_days = track.paused_days_as_of(as_of);
    let reference = track.stopped_on.unwrap_or(as_of);
    let measure = Measure { calendar, clock, track, start, elapsed, reference, as_of };
    let statutory = track.limit(calendar, clock)?.map(|limit| measure.limit_timing(limit)).transpose()?;
    let promised = track.promised(clock).map(|promised| measure.limit_timing(promised)).transpose()?;
    let breached = statutory.as_ref().is_some_and(|statutory| statutory.level == Level::Red);
    timing.status = match (track.phase(), breached) {
        (Phase::NotStarted, _) => ClockStatus::NotStarted,
        (_, true) => ClockStatus::Breached,
        (Phase::Running, false) => ClockStatus::Running,
        (Phase::Paused, false) => ClockStatus::Paused,
        // Stopped with no limit known (an attribute the case never set): not judged met.
        (Phase::Stopped, false) if statutory.is_none() => ClockStatus::Stopped,
        (Phase::Stopped, false) => ClockStatus::Met,
    };
    timing.statutory = statutory;
    timing.promised = promised;
    Ok(timing)
}

/// Elapsed time `(from, to]` in a count unit.
fn count(calendar: &WorkingCalendar, unit: PeriodUnit, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
    match unit {
        PeriodUnit::WorkingDays => calendar.working_days_between(from, to),
        PeriodUnit::CalendarDays | PeriodUnit::Months | PeriodUnit::Years => Ok((to - from).num_days()),
    }
}

/// Everything one limit's figures are computed from.
struct Measure<'a> {
    calendar: &'a WorkingCalendar,
    clock: &'a Clock,
    track: &'a ClockTrack,
    start: NaiveDate,
    elapsed: i64,
    /// The stop date of a stopped clock, else `as_of`.
    reference: NaiveDate,
    as_of: NaiveDate,
}

impl Measure<'_> {
    /// The clock's running intervals as of `as_of` (walked, not collected: this runs for every
    /// clock of every case an audit settles).
    fn intervals(&self) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
        self.track.intervals_until(self.as_of)
    }

    fn limit_timing(&self, limit: Period) -> Result<LimitTiming, CalendarError> {
        let due = self.due(limit)?;
        let (remaining, span) = match limit.unit {
            PeriodUnit::WorkingDays | PeriodUnit::CalendarDays => (Some(limit.amount - self.elapsed), limit.amount),
            PeriodUnit::Months | PeriodUnit::Years => match due {
                Due::On(date) => {
                    let span = (date - self.start).num_days() - self.track.paused_days_as_of(self.as_of);
                    (Some((date - self.reference).num_days()), span.max(1))
                }
                Due::BeyondData { .. } => (None, 0),
            },
        };
        let used_basis_points = if span > 0 { self.elapsed * 10_000 / span } else { 0 };
        let used_basis_points_rounded = if span > 0 { (self.elapsed * 20_000 + span).div_euclid(2 * span) } else { 0 };
        let breached = self.breached_by(limit, due);
        let level = if breached {
            Level::Red
        } else if self.track.phase() != Phase::Stopped && self.warned(limit, due, used_basis_points)? {
            Level::Yellow
        } else {
            Level::Ok
        };
        Ok(LimitTiming { limit, remaining, due, used_basis_points, used_basis_points_rounded, level })
    }

    /// Whether the clock is past `limit`, whose due date is `due`: working days by count, other
    /// units by date.
    fn breached_by(&self, limit: Period, due: Due) -> bool {
        match (count_unit(limit.unit), due) {
            (PeriodUnit::WorkingDays, _) => self.elapsed > limit.amount,
            (_, Due::On(date)) => self.reference > date,
            (_, Due::BeyondData { .. }) => false,
        }
    }

    /// Whether the clock is past `limit`; a working-day limit needs no due date.
    fn breached(&self, limit: Period) -> Result<bool, CalendarError> {
        if limit.unit == PeriodUnit::WorkingDays {
            return Ok(self.elapsed > limit.amount);
        }
        Ok(self.breached_by(limit, self.due(limit)?))
    }

    /// Whether a warning threshold is reached: a share of the limit used, or a period before the
    /// due date.
    fn warned(&self, limit: Period, due: Due, used_basis_points: i64) -> Result<bool, CalendarError> {
        let share =
            self.clock.warn_at.iter().any(|percent: &Percent| used_basis_points >= i64::from(percent.basis_points()));
        if share {
            return Ok(true);
        }
        let Due::On(due) = due else { return Ok(false) };
        for before in &self.clock.warn_before {
            let reached = match before.unit {
                PeriodUnit::WorkingDays => {
                    if count_unit(limit.unit) == PeriodUnit::WorkingDays {
                        limit.amount - self.elapsed <= before.amount
                    } else {
                        self.calendar.working_days_between(self.as_of, due)? <= before.amount
                    }
                }
                PeriodUnit::CalendarDays => (due - self.as_of).num_days() <= before.amount,
                PeriodUnit::Months => {
                    due.checked_sub_months(Months::new(before.amount as u32)).is_none_or(|at| self.as_of >= at)
                }
                PeriodUnit::Years => {
                    due.checked_sub_months(Months::new((before.amount * 12) as u32)).is_none_or(|at| self.as_of >= at)
                }
            };
            if reached {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The due date of `limit` in the current run.
    fn due(&self, limit: Period) -> Result<Due, CalendarError> {
        let result = match limit.unit {
            PeriodUnit::WorkingDays | PeriodUnit::CalendarDays => self.due_by_count(limit),
            PeriodUnit::Months | PeriodUnit::Years => {
                // Pauses move the start: the period runs from the start shifted by the days paused.
                let shifted = self.start + Days::new(self.track.paused_days_as_of(self.as_of).max(0) as u64);
                self.calendar.period_end(shifted, limit).map(|end| end.end)
            }
        };
        match result {
            Ok(date) => Ok(Due::On(date)),
            Err(CalendarError::ResultOutsideData { year, .. } | CalendarError::BeyondProjection { year, .. }) => {
                Ok(Due::BeyondData { year })
            }
            Err(error) => Err(error),
        }
    }

    /// Walks the running intervals until the limit is used up; past the last one, counts on from
    /// where the clock is now (running: its open interval's start; paused: `as_of`, as if it
    /// resumed that day; stopped: its stop date).
    fn due_by_count(&self, limit: Period) -> Result<NaiveDate, CalendarError> {
        let unit = count_unit(limit.unit);
        let mut used = 0;
        for (from, to) in self.intervals() {
            let here = count(self.calendar, unit, from, to)?;
            if used + here >= limit.amount {
                return self.end_after(from, limit.amount - used, limit.unit);
            }
            used += here;
        }
        // A clock stopped while paused keeps the due date it had on the day it stopped.
        let stopped_paused = self.track.phase() == Phase::Stopped
            && self.intervals().last().is_none_or(|(_, to)| Some(to) != self.track.stopped_on);
        if stopped_paused {
            return self.end_after(self.reference, limit.amount - used, limit.unit);
        }
        match (self.track.phase(), self.intervals().last()) {
            // Count on from the start of the last interval, as if the clock had not stopped.
            (Phase::Running | Phase::Stopped | Phase::NotStarted, Some((from, to))) => {
                let before_last = used - count(self.calendar, unit, from, to)?;
                self.end_after(from, limit.amount - before_last, limit.unit)
            }
            (Phase::Running | Phase::Stopped | Phase::NotStarted, None) => {
                self.end_after(self.start, limit.amount - used, limit.unit)
            }
            // As if the clock resumed on `as_of`.
            (Phase::Paused, _) => self.end_after(self.as_of, limit.amount - used, limit.unit),
        }
    }

    fn end_after(&self, from: NaiveDate, amount: i64, unit: PeriodUnit) -> Result<NaiveDate, CalendarError> {
        if amount <= 0 {
            return Ok(from);
        }
        self.calendar.period_end(from, Period::new(amount, unit)).map(|end| end.end)
    }
}
