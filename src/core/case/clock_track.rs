//! `ClockTrack`: one clock of one case, folded event by event: when it started, the intervals it
//! ran, its pauses, extensions and stop. It holds dates only, so folding needs no calendar; the
//! calendar is read when a timing is reported.

use chrono::NaiveDate;

use crate::core::calendar::{CalendarError, Period, PeriodUnit, WorkingCalendar};
use crate::core::workflow::{AttributeId, Clock, LimitSource, StateId, Value};

/// Where a clock is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    NotStarted,
    Running,
    Paused,
    Stopped,
}

impl Phase {
    /// The phase as shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Phase::NotStarted => "not started",
            Phase::Running => "running",
            Phase::Paused => "paused",
            Phase::Stopped => "stopped",
        }
    }
}

/// One thing that happened to a clock, and the event that did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The event's position in the case's history, from 0.
    pub event: usize,
    pub date: NaiveDate,
    pub kind: LedgerKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerKind {
    Started,
    /// The count started again (补正: the 受理 date moves to the day complete materials arrive).
    Restarted,
    /// The case entered a pause state of the clock.
    Paused {
        state: StateId,
    },
    Resumed,
    /// The limit grew by this period, by the clock's extension number `extension`.
    Extended {
        extension: usize,
        by: Period,
    },
    Stopped,
}

/// The fold of one clock over a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockTrack {
    pub(crate) phase: Phase,
    /// How many times the clock started (a case that enters the span again starts a new run).
    pub(crate) runs: u32,
    /// The first day of the current run's count (the start day itself is not counted).
    pub(crate) run_start: Option<NaiveDate>,
    /// Closed running intervals `(from, to]` of the current run.
    pub(crate) intervals: Vec<(NaiveDate, NaiveDate)>,
    /// The start of the open running interval.
    pub(crate) running_since: Option<NaiveDate>,
    /// The start of the open pause.
    pub(crate) paused_since: Option<NaiveDate>,
    /// Closed pauses of the current run, in calendar days.
    pub(crate) paused_days: i64,
    /// Extensions granted, in the clock's unit, and how often each extension was used.
    pub(crate) extended_by: i64,
    pub(crate) extensions_used: Vec<u32>,
    pub(crate) stopped_on: Option<NaiveDate>,
    /// For a `from … until` clock that started inside a region of a parallel state: that
    /// region. Its pauses then look only at the states active in it.
    pub(crate) scope: Option<StateId>,
    pub(crate) ledger: Vec<LedgerEntry>,
    /// The case's own statutory limit, for a clock that takes it from an attribute
    /// (`LimitSource::Attribute` or `DueDate`); `None` while the attribute is unset.
    pub(crate) own_limit: Option<OwnLimit>,
    /// The case's own promised limit, in the limit's unit, for a clock with `promised_from`.
    pub(crate) own_promised: Option<i64>,
}

/// A case's own statutory limit of a clock, as its attribute gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnLimit {
    /// A number of the limit's units.
    Amount(i64),
    /// The limit runs from the clock's start to this date.
    DueOn(NaiveDate),
}

impl ClockTrack {
    pub(crate) fn new(clock: &Clock) -> ClockTrack {
        ClockTrack::in_buffers(Vec::new(), Vec::new(), vec![0; clock.extensions.len()])
    }

    /// A clock that never started, in the given (empty or zeroed) buffers.
    fn in_buffers(
        intervals: Vec<(NaiveDate, NaiveDate)>,
        ledger: Vec<LedgerEntry>,
        extensions_used: Vec<u32>,
    ) -> ClockTrack {
        ClockTrack {
            phase: Phase::NotStarted,
            runs: 0,
            run_start: None,
            intervals,
            running_since: None,
            paused_since: None,
            paused_days: 0,
            extended_by: 0,
            extensions_used,
            stopped_on: None,
            scope: None,
            ledger,
            own_limit: None,
            own_promised: None,
        }
    }

    /// Back to a clock that never started, keeping the buffers (for a replay used again).
    pub(crate) fn reset(&mut self) {
        let mut intervals = std::mem::take(&mut self.intervals);
        let mut ledger = std::mem::take(&mut self.ledger);
        let mut extensions_used = std::mem::take(&mut self.extensions_used);
        intervals.clear();
        ledger.clear();
        // Most clocks have no extension: skip the call to `memset` for them.
        if !extensions_used.is_empty() {
            extensions_used.fill(0);
        }
        *self = ClockTrack::in_buffers(intervals, ledger, extensions_used);
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn ledger(&self) -> &[LedgerEntry] {
        &self.ledger
    }

    /// How often extension number `extension` has been used.
    pub fn extensions_used(&self, extension: usize) -> u32 {
        self.extensions_used.get(extension).copied().unwrap_or(0)
    }

    /// Whether the clock is counting or paused: started and not stopped.
    pub fn is_open(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::Paused)
    }

    pub(crate) fn start(&mut self, date: NaiveDate, event: usize) {
        self.begin_run(date);
        self.runs += 1;
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Started });
    }

    pub(crate) fn restart(&mut self, date: NaiveDate, event: usize) {
        self.begin_run(date);
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Restarted });
    }

    fn begin_run(&mut self, date: NaiveDate) {
        self.phase = Phase::Running;
        self.run_start = Some(date);
        self.intervals.clear();
        self.running_since = Some(date);
        self.paused_since = None;
        self.paused_days = 0;
        self.stopped_on = None;
    }

    pub(crate) fn pause(&mut self, date: NaiveDate, state: StateId, event: usize) {
        if self.phase != Phase::Running {
            return;
        }
        if let Some(since) = self.running_since.take() {
            self.intervals.push((since, date));
        }
        self.paused_since = Some(date);
        self.phase = Phase::Paused;
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Paused { state } });
    }

    pub(crate) fn resume(&mut self, date: NaiveDate, event: usize) {
        if self.phase != Phase::Paused {
            return;
        }
        if let Some(since) = self.paused_since.take() {
            self.paused_days += (date - since).num_days();
        }
        self.running_since = Some(date);
        self.phase = Phase::Running;
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Resumed });
    }

    pub(crate) fn stop(&mut self, date: NaiveDate, event: usize) {
        match self.phase {
            Phase::Running => {
                if let Some(since) = self.running_since.take() {
                    self.intervals.push((since, date));
                }
            }
            Phase::Paused => {
                if let Some(since) = self.paused_since.take() {
                    self.paused_days += (date - since).num_days();
                }
            }
            Phase::NotStarted | Phase::Stopped => return,
        }
        self.phase = Phase::Stopped;
        self.stopped_on = Some(date);
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Stopped });
    }

    pub(crate) fn extend(&mut self, date: NaiveDate, extension: usize, by: Period, event: usize) {
        self.extended_by += by.amount;
        if let Some(used) = self.extensions_used.get_mut(extension) {
            *used += 1;
        }
        self.ledger.push(LedgerEntry { event, date, kind: LedgerKind::Extended { extension, by } });
    }

    /// The running intervals `(from, to]` of the current run as of `as_of`, the open one closed
    /// there; intervals after `as_of` are cut off.
    pub(crate) fn intervals_until(&self, as_of: NaiveDate) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
        stretches(&self.intervals, self.running_since, as_of)
    }

    /// Calendar days paused in the current run as of `as_of`, the open pause included.
    pub(crate) fn paused_days_as_of(&self, as_of: NaiveDate) -> i64 {
        let open = self.paused_since.map_or(0, |since| (as_of - since).num_days().max(0));
        self.paused_days + open
    }

    /// The case's statutory limit after cuts (already in the workflow) and extensions: the
    /// workflow's, or the case's own from its attribute (a due date counted from the clock's
    /// start in the limit's unit). `None` when the attribute is unset, or a due date's clock has
    /// not started: the limit is then unknown, never guessed.
    ///
    /// # Errors
    ///
    /// [`CalendarError`] when a due date's working days cannot be counted.
    pub(crate) fn limit(&self, calendar: &WorkingCalendar, clock: &Clock) -> Result<Option<Period>, CalendarError> {
        let base = match (clock.limit_from, self.own_limit) {
            (LimitSource::Written, _) => clock.limit.amount,
            (LimitSource::Attribute(_), Some(OwnLimit::Amount(amount))) => amount,
            (LimitSource::DueDate(_), Some(OwnLimit::DueOn(due))) => {
                let Some(start) = self.run_start else { return Ok(None) };
                match clock.limit.unit {
                    PeriodUnit::WorkingDays => calendar.working_days_between(start, due)?.max(0),
                    _ => (due - start).num_days().max(0),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(Period::new(base + self.extended_by, clock.limit.unit)))
    }

    /// The case's promised limit: the workflow's, or the case's own from its attribute (`None`
    /// while it is unset).
    pub(crate) fn promised(&self, clock: &Clock) -> Option<Period> {
        match clock.promised_from {
            None => clock.promised,
            Some(_) => self.own_promised.map(|amount| Period::new(amount, clock.limit.unit)),
        }
    }

    /// Reads the case's own limits of `clock` from its attribute `values` (after they changed).
    pub(crate) fn read_own_limits(&mut self, clock: &Clock, values: &[Option<Value>]) {
        let value = |attribute: AttributeId| values.get(attribute.index()).and_then(Option::as_ref);
        self.own_limit = match clock.limit_from {
            LimitSource::Written => None,
            LimitSource::Attribute(attribute) => match value(attribute) {
                Some(Value::Integer(amount)) if *amount >= 0 => Some(OwnLimit::Amount(*amount)),
                _ => None,
            },
            LimitSource::DueDate(attribute) => match value(attribute) {
                Some(Value::Date(due)) => Some(OwnLimit::DueOn(*due)),
                _ => None,
            },
        };
        self.own_promised = clock.promised_from.and_then(|attribute| match value(attribute) {
            Some(Value::Integer(amount)) if *amount >= 0 => Some(*amount),
            _ => None,
        });
    }
}

/// The unit a clock's elapsed time is counted in: working days for `wd` clocks, calendar days for
/// the rest.
pub fn count_unit(unit: PeriodUnit) -> PeriodUnit {
    match unit {
        PeriodUnit::WorkingDays => PeriodUnit::WorkingDays,
        PeriodUnit::CalendarDays | PeriodUnit::Months | PeriodUnit::Years => PeriodUnit::CalendarDays,
    }
}

/// Closed stretches `(from, to]` and an open one from `open_since`, as of `as_of`: the open one
/// closed there, anything after `as_of` cut off.
pub(crate) fn stretches(
    closed: &[(NaiveDate, NaiveDate)],
    open_since: Option<NaiveDate>,
    as_of: NaiveDate,
) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
    closed
        .iter()
        .copied()
        .chain(open_since.map(|since| (since, as_of)))
        .filter(move |(from, _)| *from <= as_of)
        .map(move |(from, to)| (from, to.min(as_of)))
}
