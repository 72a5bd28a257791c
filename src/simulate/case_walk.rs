//! `CaseWalk`: one simulated case, moved by the engine's own transition function. For each active
//! leaf state it draws the way out (by the scenario's branch probabilities, among the transitions
//! whose guard holds) and how long the case stays (a duration in working days); the earliest step
//! due is then taken with `act_in_place` (the transition function by ids) at its date on the
//! working-day axis, so holidays and 调休 days count as they do in life. Parallel regions wait side
//! by side; a region's final state waits for the others. The walk owns no randomness: the caller
//! passes the generator, so streams stay per case (or per replication).

use rand::Rng;

use super::choice::{Choice, choose};
use super::model::Model;
use super::working_day_axis::{BeyondAxis, WorkingDayAxis};
use crate::core::calendar::WorkingCalendar;
use crate::core::case::{Act, Event, EventKind, Opening, Rejection, Replay, act_in_place, open_in_place};
use crate::core::workflow::{StateId, StateKind, Workflow};

/// Most steps one simulated case may take; more means loops too likely to end.
pub const STEPS_PER_CASE_MAX: u32 = 10_000;

/// Who the simulated events are recorded as taken by.
pub const SIMULATION_ACTOR: &str = "simulation";

/// Why a simulated case could not go on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum WalkError {
    #[error(transparent)]
    BeyondData(#[from] BeyondAxis),
    #[error(transparent)]
    Calendar(#[from] crate::core::calendar::CalendarError),
    #[error("in state `{state}` no action can be taken: every enabled way out has probability 0, or no guard holds")]
    Stuck { state: String },
    #[error("a case did not finish after {STEPS_PER_CASE_MAX} steps; the loop probabilities are too high to end")]
    TooManySteps,
    /// The core refused a step the simulator chose: a bug, or a workflow the simulator cannot
    /// drive; the rejection says which.
    #[error("the engine refused `{action}` in `{state}`: {rejection}")]
    Refused { state: String, action: String, rejection: Box<Rejection> },
}

/// A way out of an active leaf, drawn and waiting to be taken.
#[derive(Clone, Debug)]
pub struct Pending {
    pub leaf: StateId,
    /// Index into the model's choices of `leaf`.
    pub choice: usize,
    /// How long the case stays, in working days.
    pub duration: f64,
    /// Where on the axis the case entered `leaf`.
    pub entered: f64,
    /// Where the step is taken; `None` while it waits for a handler.
    pub due: Option<f64>,
    /// The caller's mark (the queueing run numbers each pending step).
    pub ticket: u64,
}

/// What a finished walk leaves for the next one on the same workflow: its replay, opening and
/// vectors, whose buffers are then reused rather than allocated again for every case.
#[derive(Default)]
pub struct WalkBuffers {
    replay: Option<Replay>,
    opening: Option<Opening>,
    pending: Vec<Pending>,
    stepped: Vec<Event>,
    action_counts: Vec<u32>,
}

/// One simulated case in progress.
pub struct CaseWalk<'m, 'w> {
    model: &'m Model<'w>,
    pub(crate) replay: Replay,
    pub(crate) pending: Vec<Pending>,
    /// The position of the last step.
    pub(crate) position: f64,
    steps: u32,
    /// Every event the core made, when kept (for `--emit-log`).
    pub(crate) events: Option<Vec<Event>>,
    /// The events of the last step, the buffer reused from step to step.
    stepped: Vec<Event>,
    /// The opening, kept for the next walk to reuse its strings.
    opening: Opening,
    /// How often each action (by id) was taken.
    action_counts: Vec<u32>,
}

impl<'m, 'w> CaseWalk<'m, 'w> {
    /// Opens a case at `arrival` with those of `attributes` (name, text) the workflow declares,
    /// in the buffers a finished walk gave back (or new ones, [`WalkBuffers::default`]).
    ///
    /// # Errors
    ///
    /// [`WalkError`] when the arrival is past the calendar's data or the core refuses the opening.
    pub fn open(
        model: &'m Model<'w>,
        calendar: &WorkingCalendar,
        axis: &WorkingDayAxis,
        arrival: f64,
        attributes: &[(&str, &str)],
        keep_events: bool,
        buffers: WalkBuffers,
    ) -> Result<CaseWalk<'m, 'w>, WalkError> {
        let workflow = model.workflow;
        let WalkBuffers { replay, opening, mut pending, mut stepped, mut action_counts } = buffers;
        let mut replay = replay.unwrap_or_else(|| Replay::new(workflow));
        pending.clear();
        stepped.clear();
        action_counts.clear();
        action_counts.resize(workflow.actions().len(), 0);
        let at = axis.instant(arrival)?;
        // The actor is left empty, as for every step: the emitted log names the simulation
        // (`SIMULATION_ACTOR`) as the resource.
        let mut opening = opening.unwrap_or_else(|| Opening { at, actor: String::new(), attributes: Vec::new() });
        opening.at = at;
        copy_known(&mut opening.attributes, workflow, attributes);
        let events =
            open_in_place(workflow, calendar, &mut replay, &opening).map_err(|rejection| WalkError::Refused {
                state: workflow.state(workflow.initial()).name.clone(),
                action: "open".to_owned(),
                rejection: Box::new(rejection),
            })?;
        Ok(CaseWalk {
            model,
            replay,
            pending,
            position: arrival,
            steps: 0,
            events: keep_events.then_some(events),
            stepped,
            opening,
            action_counts,
        })
    }

    /// The walk's buffers, for the next walk to reuse.
    pub fn into_buffers(self) -> WalkBuffers {
        WalkBuffers {
            replay: Some(self.replay),
            opening: Some(self.opening),
            pending: self.pending,
            stepped: self.stepped,
            action_counts: self.action_counts,
        }
    }

    /// (action id, times taken) of every action the walk took, by id.
    pub fn actions_taken(&self) -> Vec<(usize, u32)> {
        let taken = self.action_counts.iter().enumerate().filter(|(_, times)| **times > 0);
        // Sized first: collected from a filter, the vector would grow (and move) several times.
        let mut actions = Vec::with_capacity(taken.clone().count());
        actions.extend(taken.map(|(action, times)| (action, *times)));
        actions
    }

    pub fn is_finished(&self) -> bool {
        self.replay.finished_on().is_some()
    }

    /// Draws the way out and the duration of each active leaf that has none yet, in leaf order;
    /// returns how many it drew. Each new pending starts at the walk's position with no due
    /// position: the caller sets it (at once, or when a handler is free).
    ///
    /// # Errors
    ///
    /// [`WalkError::Stuck`] when a leaf has no way out.
    pub fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<usize, WalkError> {
        let workflow = self.model.workflow;
        let mut drawn = 0;
        for position in 0..self.replay.configuration().leaves().len() {
            let leaf = self.replay.configuration().leaves()[position];
            if self.pending.iter().any(|pending| pending.leaf == leaf) {
                continue;
            }
            if matches!(workflow.state(leaf).kind, StateKind::Final) {
                continue;
            }
            let choice = match &self.model.fixed_weights[leaf.index()] {
                Some(weights) => weights.draw(rng),
                None => choose(workflow, &self.model.choices[leaf.index()], self.replay.configuration().values(), rng),
            }
            .ok_or_else(|| WalkError::Stuck { state: workflow.state(leaf).name.clone() })?;
            let duration = self.model.durations[leaf.index()].as_ref().map_or(0.0, |(duration, unit)| {
                (duration.sample(rng) * unit).min(super::duration::DURATION_WORKING_DAYS_MAX)
            });
            self.pending.push(Pending { leaf, choice, duration, entered: self.position, due: None, ticket: 0 });
            drawn += 1;
        }
        Ok(drawn)
    }

    /// The pending step due first (ties: the leaf drawn first), if any has a due position.
    pub fn next_due(&self) -> Option<(usize, f64)> {
        self.pending
            .iter()
            .enumerate()
            .filter_map(|(index, pending)| pending.due.map(|due| (index, due)))
            .min_by(|left, right| left.1.total_cmp(&right.1).then(left.0.cmp(&right.0)))
    }

    /// Takes pending step `index` at its due position through the core, and forgets the pending
    /// steps of leaves the step left or entered again. Returns the taken pending and the ones
    /// forgotten.
    ///
    /// # Errors
    ///
    /// [`WalkError`] past the calendar's data, after too many steps, or when the core refuses.
    pub fn take(
        &mut self,
        calendar: &WorkingCalendar,
        axis: &WorkingDayAxis,
        index: usize,
    ) -> Result<(Pending, Vec<Pending>), WalkError> {
        self.steps += 1;
        if self.steps > STEPS_PER_CASE_MAX {
            return Err(WalkError::TooManySteps);
        }
        let workflow = self.model.workflow;
        let pending = self.pending.swap_remove(index);
        let position = pending.due.unwrap_or(self.position).max(self.position);
        let choice: &Choice = &self.model.choices[pending.leaf.index()][pending.choice];
        // The actor is left empty (copying it then allocates nothing); the emitted log names the
        // simulation as the resource.
        let action = workflow.transition(choice.transition).action;
        let act = Act { at: axis.instant(position)?, actor: "", role: choice.role, action };
        self.stepped.clear();
        act_in_place(workflow, calendar, &mut self.replay, &act, &mut self.stepped).map_err(|rejection| {
            WalkError::Refused {
                state: workflow.state(pending.leaf).name.clone(),
                action: choice.action.clone(),
                rejection: Box::new(rejection),
            }
        })?;
        if let Some(count) = self.action_counts.get_mut(action.index()) {
            *count += 1;
        }
        let events = &self.stepped;
        self.position = position;
        let leaves = self.replay.configuration().leaves();
        // A pending step is forgotten when its leaf is no longer active, or was entered afresh.
        let forgotten = |other: &Pending| {
            !leaves.contains(&other.leaf)
                || events
                    .iter()
                    .filter_map(|event| entered_state(workflow, event))
                    .any(|state| workflow.is_within(other.leaf, state))
        };
        let mut dropped = Vec::new();
        if self.pending.iter().any(forgotten) {
            let (kept, gone): (Vec<Pending>, Vec<Pending>) =
                std::mem::take(&mut self.pending).into_iter().partition(|other| !forgotten(other));
            self.pending = kept;
            dropped = gone;
        }
        // Keep the order leaves were drawn in, whatever `swap_remove` moved.
        self.pending.sort_by_key(|other| leaves.iter().position(|leaf| *leaf == other.leaf));
        if let Some(kept) = &mut self.events {
            kept.append(&mut self.stepped);
        }
        Ok((pending, dropped))
    }

    pub fn workflow(&self) -> &'w Workflow {
        self.model.workflow
    }
}

/// Those of `attributes` that `workflow` declares, in order, copied into `into` over what it
/// held (its strings are reused: a case's attributes are copied for every simulated case).
fn copy_known(into: &mut Vec<(String, String)>, workflow: &Workflow, attributes: &[(&str, &str)]) {
    let mut known = attributes.iter().filter(|(name, _)| workflow.attribute_named(name).is_some());
    let mut copied = 0;
    for ((name, value), (known_name, known_value)) in into.iter_mut().zip(known.by_ref()) {
        name.clear();
        name.push_str(known_name);
        value.clear();
        value.push_str(known_value);
        copied += 1;
    }
    into.truncate(copied);
    into.extend(known.map(|(name, value)| ((*name).to_owned(), (*value).to_owned())));
}

/// The state an event moves a case into (its leaves entered afresh), if it moves it.
fn entered_state(workflow: &Workflow, event: &Event) -> Option<StateId> {
    match &event.kind {
        EventKind::Acted { transition, .. } => Some(workflow.transition(*transition).to),
        EventKind::Done { state } => match &workflow.state(*state).kind {
            StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => Some(*done),
            _ => None,
        },
        _ => None,
    }
}
