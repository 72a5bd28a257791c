//! `Replay`: a case's history folded: its configuration, every clock's track and the whole-case
//! figures. Applying events one by one and folding a prefix give the same result; the store keeps
//! the latest `Replay` of each case as derived data that `check` compares with the fold.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::clock_set::ClockSet;
use super::clock_track::{ClockTrack, Phase, stretches};
use super::configuration::{Configuration, Move};
use super::event::{Event, EventKind};
use crate::core::calendar::CalendarZone;
use crate::core::workflow::{ActionId, ClockSpan, StateId, StateKind, Workflow};

/// A history that does not fit the workflow: it was not written by the engine, or was edited.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("event {event} comes before the case was opened")]
    NotOpened { event: usize },
    #[error("event {event} opens a case that is already open")]
    OpenedTwice { event: usize },
    #[error("event {event} names {what} {index}, which the workflow does not have")]
    UnknownId { event: usize, what: &'static str, index: usize },
    #[error("event {event} takes transition {transition} from `{source_state}`, which is not active")]
    SourceNotActive { event: usize, transition: usize, source_state: String },
    #[error("event {event} takes the `done` of `{state}`, which is not due")]
    DoneNotDue { event: usize, state: String },
    #[error("event {event} comes after the case finished")]
    AfterFinish { event: usize },
    #[error("event {event} is dated before the event before it")]
    Backwards { event: usize },
}

/// The fold of a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    configuration: Configuration,
    clocks: Vec<ClockTrack>,
    events: usize,
    last_at: Option<DateTime<FixedOffset>>,
    opened_on: Option<NaiveDate>,
    finished_on: Option<NaiveDate>,
    /// The case is in a state that pauses some clock since this date.
    paused_since: Option<NaiveDate>,
    /// Closed stretches spent in pause states, as `(from, to]`.
    pauses: Vec<(NaiveDate, NaiveDate)>,
    /// The clocks running or paused: the tracks' phases, kept as a set so that a move looks
    /// only at the clocks it can change.
    open_clocks: ClockSet,
    /// The clocks paused, likewise (a subset of the open ones).
    paused_clocks: ClockSet,
    /// Buffers kept between events.
    scratch: Scratch,
}

/// Buffers a replay keeps between events so that the next event reuses them. Not part of the
/// fold: every replay's scratch equals every other's.
#[derive(Clone, Debug, Default)]
struct Scratch {
    /// The last move.
    moved: Move,
    /// The clocks the last move looked at.
    relevant: ClockSet,
    /// The compound states whose final child was active after the last move.
    done_compounds: Vec<StateId>,
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Scratch) -> bool {
        true
    }
}

impl Eq for Scratch {}

impl Replay {
    /// A case with no history.
    pub fn new(workflow: &Workflow) -> Replay {
        Replay::in_buffers(
            Configuration::empty(workflow),
            workflow.clocks().iter().map(ClockTrack::new).collect(),
            Vec::new(),
            ClockSet::empty(workflow.clocks().len()),
            ClockSet::empty(workflow.clocks().len()),
            Scratch::default(),
        )
    }

    /// A case with no history, in the given buffers (each already as a new case has it).
    fn in_buffers(
        configuration: Configuration,
        clocks: Vec<ClockTrack>,
        pauses: Vec<(NaiveDate, NaiveDate)>,
        open_clocks: ClockSet,
        paused_clocks: ClockSet,
        scratch: Scratch,
    ) -> Replay {
        Replay {
            configuration,
            clocks,
            events: 0,
            last_at: None,
            opened_on: None,
            finished_on: None,
            paused_since: None,
            pauses,
            open_clocks,
            paused_clocks,
            scratch,
        }
    }

    /// Back to a case with no history, as [`Replay::new`] makes it, keeping the buffers: a caller
    /// that replays many cases one after another (the simulator) reuses one replay.
    pub fn reset(&mut self, workflow: &Workflow) {
        let mut configuration = std::mem::take(&mut self.configuration);
        configuration.reset(workflow);
        let mut clocks = std::mem::take(&mut self.clocks);
        let fits = clocks.len() == workflow.clocks().len()
            && clocks
                .iter()
                .zip(workflow.clocks())
                .all(|(track, clock)| track.extensions_used.len() == clock.extensions.len());
        if fits {
            clocks.iter_mut().for_each(ClockTrack::reset);
        } else {
            clocks = workflow.clocks().iter().map(ClockTrack::new).collect();
        }
        let mut pauses = std::mem::take(&mut self.pauses);
        pauses.clear();
        let mut open_clocks = std::mem::take(&mut self.open_clocks);
        open_clocks.reset(workflow.clocks().len());
        let mut paused_clocks = std::mem::take(&mut self.paused_clocks);
        paused_clocks.reset(workflow.clocks().len());
        let scratch = std::mem::take(&mut self.scratch);
        *self = Replay::in_buffers(configuration, clocks, pauses, open_clocks, paused_clocks, scratch);
    }

    /// Folds a whole history.
    ///
    /// # Errors
    ///
    /// [`ReplayError`] at the first event that does not fit.
    pub fn fold(workflow: &Workflow, events: &[Event], zone: CalendarZone) -> Result<Replay, ReplayError> {
        let mut replay = Replay::new(workflow);
        for event in events {
            replay.apply(workflow, event, zone)?;
        }
        Ok(replay)
    }

    pub fn configuration(&self) -> &Configuration {
        &self.configuration
    }

    pub fn clocks(&self) -> &[ClockTrack] {
        &self.clocks
    }

    /// How many events have been applied: the case's version.
    pub fn events(&self) -> usize {
        self.events
    }

    pub fn last_at(&self) -> Option<DateTime<FixedOffset>> {
        self.last_at
    }

    pub fn opened_on(&self) -> Option<NaiveDate> {
        self.opened_on
    }

    pub fn finished_on(&self) -> Option<NaiveDate> {
        self.finished_on
    }

    pub fn is_opened(&self) -> bool {
        self.opened_on.is_some()
    }

    /// Stretches `(from, to]` spent in pause states as of `as_of`, the open one closed there.
    pub(crate) fn pauses_as_of(&self, as_of: NaiveDate) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
        stretches(&self.pauses, self.paused_since, as_of)
    }

    /// Applies one event, dated in `zone` (the calendar's).
    ///
    /// # Errors
    ///
    /// [`ReplayError`] when the event does not fit; the replay is then unchanged.
    pub fn apply(&mut self, workflow: &Workflow, event: &Event, zone: CalendarZone) -> Result<(), ReplayError> {
        self.apply_on(workflow, event, zone.civil_date(event.at))
    }

    /// As [`Replay::apply`], for a caller that has the event's date in the calendar's zone
    /// already (the transition function, which checked it against the calendar).
    pub(crate) fn apply_on(&mut self, workflow: &Workflow, event: &Event, date: NaiveDate) -> Result<(), ReplayError> {
        let index = self.events;
        if self.last_at.is_some_and(|last| event.at < last) {
            return Err(ReplayError::Backwards { event: index });
        }
        if self.finished_on.is_some() && !matches!(event.kind, EventKind::Noted { .. }) {
            return Err(ReplayError::AfterFinish { event: index });
        }
        let opened = self.opened_on.is_some();
        match (&event.kind, opened) {
            (EventKind::Opened { .. }, true) => return Err(ReplayError::OpenedTwice { event: index }),
            (EventKind::Opened { .. }, false) | (_, true) => {}
            (_, false) => return Err(ReplayError::NotOpened { event: index }),
        }
        // `apply_kind` checks everything before it changes anything, so a refused event leaves
        // the replay as it was without a copy of it.
        let mut scratch = std::mem::take(&mut self.scratch);
        let outcome = self.apply_kind(workflow, &event.kind, index, date, &mut scratch.moved);
        if let Ok(true) = outcome {
            let action = match &event.kind {
                EventKind::Acted { action, .. } => Some(*action),
                _ => None,
            };
            self.move_clocks(workflow, &mut scratch, action, date, index);
        }
        self.scratch = scratch;
        outcome?;
        if matches!(event.kind, EventKind::Opened { .. } | EventKind::AttributeSet { .. }) {
            // A clock may take each case's limit from an attribute that just changed.
            for (clock, track) in workflow.clocks().iter().zip(&mut self.clocks) {
                if !clock.has_written_limit() || clock.promised_from.is_some() {
                    track.read_own_limits(clock, self.configuration.values());
                }
            }
        }
        self.events += 1;
        self.last_at = Some(event.at);
        Ok(())
    }

    fn apply_kind(
        &mut self,
        workflow: &Workflow,
        kind: &EventKind,
        index: usize,
        date: NaiveDate,
        moved: &mut Move,
    ) -> Result<bool, ReplayError> {
        let unknown = |what, id: usize| ReplayError::UnknownId { event: index, what, index: id };
        match kind {
            EventKind::Opened { attributes } => {
                if let Some((attribute, _)) =
                    attributes.iter().find(|(attribute, _)| attribute.index() >= self.configuration.values().len())
                {
                    return Err(unknown("attribute", attribute.index()));
                }
                for (attribute, value) in attributes {
                    let slot = self.configuration.values_mut().get_mut(attribute.index());
                    *slot.ok_or_else(|| unknown("attribute", attribute.index()))? = Some(value.clone());
                }
                self.configuration.open(workflow, moved);
                Ok(true)
            }
            EventKind::AttributeSet { attribute, value } => {
                let slot = self.configuration.values_mut().get_mut(attribute.index());
                slot.ok_or_else(|| unknown("attribute", attribute.index()))?.clone_from(value);
                Ok(false)
            }
            EventKind::Acted { transition, source, .. } => {
                if transition.index() >= workflow.transitions().len() {
                    return Err(unknown("transition", transition.index()));
                }
                if source.index() >= workflow.states().len() {
                    return Err(unknown("state", source.index()));
                }
                let plan = workflow.transition_move(*transition, *source);
                let Some(plan) = plan.filter(|_| self.configuration.is_active(workflow, *source)) else {
                    return Err(ReplayError::SourceNotActive {
                        event: index,
                        transition: transition.index(),
                        source_state: workflow.state(*source).name.clone(),
                    });
                };
                self.configuration.step(workflow, plan, moved);
                Ok(true)
            }
            EventKind::Done { state } => {
                if state.index() >= workflow.states().len() {
                    return Err(unknown("state", state.index()));
                }
                if self.configuration.done_due(workflow) != Some(*state) {
                    return Err(ReplayError::DoneNotDue { event: index, state: workflow.state(*state).name.clone() });
                }
                let Some(plan) = workflow.done_move(*state) else {
                    return Err(ReplayError::DoneNotDue { event: index, state: workflow.state(*state).name.clone() });
                };
                self.configuration.step(workflow, plan, moved);
                Ok(true)
            }
            EventKind::Extended { clock, extension, .. } => {
                let Some(declared) = workflow.clocks().get(clock.index()) else {
                    return Err(unknown("clock", clock.index()));
                };
                let Some(granted) = declared.extensions.get(*extension) else {
                    return Err(unknown("extension", *extension));
                };
                self.clocks[clock.index()].extend(date, *extension, granted.by, index);
                Ok(false)
            }
            EventKind::Noted { .. } => Ok(false),
        }
    }

    /// Stops, restarts and starts clocks after a move, then sets every open clock's pause. Only
    /// the open clocks and those the entered states start can change; the others are not looked
    /// at.
    fn move_clocks(
        &mut self,
        workflow: &Workflow,
        scratch: &mut Scratch,
        action: Option<ActionId>,
        date: NaiveDate,
        index: usize,
    ) {
        let moved = &scratch.moved;
        let finished = self.configuration.finished_in(workflow).is_some();
        let leaves = self.configuration.leaves();
        // The compound states whose final child is active (few, and mostly none): a clock over
        // one of them stops.
        let done_compounds = &mut scratch.done_compounds;
        done_compounds.clear();
        done_compounds.extend(leaves.iter().filter(|leaf| workflow.is_final(**leaf)).filter_map(|leaf| {
            workflow
                .state(*leaf)
                .parent
                .filter(|parent| matches!(workflow.state(*parent).kind, StateKind::Compound { .. }))
        }));
        let relevant = &mut scratch.relevant;
        relevant.copy_from(&self.open_clocks);
        if !finished {
            for state in &moved.entered {
                for clock in workflow.clocks_started_by(*state) {
                    relevant.insert(*clock);
                }
            }
        }
        for id in relevant.iter() {
            let clock = workflow.clock(id);
            let track = &mut self.clocks[id.index()];
            // Whether the track is open, from the set: an open clock that this move leaves alone
            // (most) is decided without reading its track.
            let open = self.open_clocks.contains(id);
            // The clock's states as sets: each question below is a bit test per moved state.
            let states = workflow.clock_states(id);
            let stopped_now = open
                && (finished
                    || match &clock.span {
                        ClockSpan::Over(_) => {
                            moved.exited.iter().any(|s| states.start.contains(*s) && !moved.entered.contains(s))
                                || done_compounds.iter().any(|compound| states.start.contains(*compound))
                        }
                        ClockSpan::Between { .. } => states.until.contains_any(&moved.entered),
                    });
            if stopped_now {
                track.stop(date, index);
                self.open_clocks.remove(id);
                self.paused_clocks.remove(id);
                continue;
            }
            if open {
                let restarted = action.is_some_and(|action| clock.restart_on.contains(&action))
                    || states.restart_entering.contains_any(&moved.entered);
                if restarted {
                    track.restart(date, index);
                    self.paused_clocks.remove(id);
                }
                continue;
            }
            if finished || !states.start.contains_any(&moved.entered) {
                continue;
            }
            // The first start state in the clock's own order that was entered.
            let started_at = clock.span.start_states().iter().copied().find(|state| moved.entered.contains(state));
            if let Some(state) = started_at {
                track.start(date, index);
                self.open_clocks.insert(id);
                track.scope = match &clock.span {
                    ClockSpan::Between { .. } => workflow.region_of(state),
                    ClockSpan::Over(_) => None,
                };
            }
        }
        self.set_pauses(workflow, date, index);
        if finished {
            self.finished_on = Some(date);
        }
        if self.opened_on.is_none() {
            self.opened_on = Some(date);
        }
    }

    /// Pauses every open clock whose relevant active states all lie in its pause states, and
    /// resumes the rest. A clock over a state looks at the active states inside it (so a clock
    /// over a parallel state pauses only when every active region is in a pause state); a clock
    /// from … until looks at every active state.
    fn set_pauses(&mut self, workflow: &Workflow, date: NaiveDate, index: usize) {
        let leaves = self.configuration.leaves();
        let mut any_paused = false;
        // Mostly no leaf lies in any pause state: then no clock pauses, and only the paused ones
        // have anything to do (resume).
        let in_some_pause = leaves.iter().any(|leaf| workflow.within_set(*leaf).intersects(workflow.pause_states()));
        if in_some_pause {
            // A clock with no pause state is never paused: only the others are looked at.
            for id in workflow.clocks_with_pauses() {
                let (clock, track) = (workflow.clock(*id), &mut self.clocks[id.index()]);
                let states = workflow.clock_states(*id);
                // Set intersections first; the pauses are walked in order only for a leaf inside
                // one.
                let pause_of = |leaf: &StateId| {
                    if !workflow.within_set(*leaf).intersects(&states.pauses) {
                        return None;
                    }
                    clock.pauses.iter().map(|pause| pause.state).find(|state| workflow.is_within(*leaf, *state))
                };
                // A region that has reached its final state waits for the others; it neither runs
                // nor holds a clock running.
                let waiting = |leaf: &StateId| workflow.state(*leaf).kind == StateKind::Final;
                let relevant = |leaf: &&StateId| {
                    !waiting(leaf)
                        && match &clock.span {
                            ClockSpan::Over(_) => workflow.within_set(**leaf).intersects(&states.start),
                            ClockSpan::Between { .. } => {
                                track.scope.is_none_or(|scope| workflow.is_within(**leaf, scope))
                            }
                        }
                };
                // The clock pauses when every relevant leaf is in one of its pause states (the
                // first leaf's names the pause); no allocation, as this runs for every clock on
                // every move.
                let (mut relevant_count, mut all_paused, mut first_pause) = (0, true, None);
                for leaf in leaves.iter().filter(relevant) {
                    relevant_count += 1;
                    match pause_of(leaf) {
                        Some(state) => {
                            any_paused = true;
                            first_pause = first_pause.or(Some(state));
                        }
                        None => all_paused = false,
                    }
                }
                let pause_state =
                    if relevant_count == 0 || clock.pauses.is_empty() || !all_paused { None } else { first_pause };
                match (track.phase(), pause_state) {
                    (Phase::Running, Some(state)) => {
                        track.pause(date, state, index);
                        self.paused_clocks.insert(*id);
                    }
                    (Phase::Paused, None) => {
                        track.resume(date, index);
                        self.paused_clocks.remove(*id);
                    }
                    _ => {}
                }
            }
        } else {
            // Every paused clock resumes; the tracks of the others are not touched (a workflow
            // may have dozens of clocks, and most events leave most of them alone).
            for id in self.paused_clocks.iter() {
                self.clocks[id.index()].resume(date, index);
            }
            self.paused_clocks.clear();
        }
        debug_assert!(
            self.clocks.iter().enumerate().all(|(index, track)| {
                let id = crate::core::workflow::ClockId(index as u16);
                self.open_clocks.contains(id) == track.is_open()
                    && self.paused_clocks.contains(id) == (track.phase() == Phase::Paused)
            }),
            "the clock sets follow the tracks"
        );
        let finished = self.configuration.finished_in(workflow).is_some();
        match (self.paused_since, any_paused && !finished) {
            (None, true) => self.paused_since = Some(date),
            (Some(since), false) => {
                self.pauses.push((since, date));
                self.paused_since = None;
            }
            _ => {}
        }
    }
}
