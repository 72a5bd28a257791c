//! The longest legal path (pure, deterministic): for each attribute profile that changes a
//! workflow's route, the costliest way a case can take from opening to a top-level final state,
//! as the steps the engine would take. The rules are in docs/workflow-language.md ("Statutory
//! comparison").
//!
//! The search walks the state tree one level at a time. Every state answers with its **ways**:
//! the costliest way through it for each way of leaving it (a transition from one of the states
//! inside it, its `done` step, resting in it, or ending in it when it is final). A level then
//! chains its states by the ways that lead to a sibling, so a path leaves a compound state only
//! from where the path inside it stands: never out of a final state, never by a step whose source
//! the path has not entered.

use std::collections::HashMap;

use super::attribute::Value;
use super::clock::Clock;
use super::exclusive::{for_each_assignment, value_classes};
use super::guard::Guard;
use super::ids::{AttributeId, StateId, TransitionId};
use super::workflow::{StateKind, Workflow};
use crate::core::calendar::{Period, PeriodUnit};

/// Most distinct profiles reported per workflow.
pub const PROFILES_MAX: usize = 64;

/// One step a case takes along a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    /// An action: `transition`, taken from `source` (one of its `from` states).
    Transition { transition: TransitionId, source: StateId },
    /// The `done` step of a compound or parallel state; the engine takes it in the same step as
    /// the action that made it due.
    Done { state: StateId },
}

/// The longest legal path of one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfilePath {
    /// `attribute = value` for each attribute that guards read; empty when none do.
    pub profile: Vec<(String, String)>,
    /// The states along the path as they are entered, inner states after the state they are in;
    /// a parallel state's regions one after the other.
    pub states: Vec<String>,
    /// The steps that take a case along the path, from its opening to its end: each is one the
    /// engine accepts from where the steps before it left the case.
    pub steps: Vec<PathStep>,
    pub working_days: i64,
    /// Clocks in calendar days, months or years that start on the path: reported, not added in.
    pub other_clocks: Vec<(String, Period)>,
}

/// A clock's limit in working days; `None` for other units.
pub(super) fn working_days(clock: &Clock) -> Option<i64> {
    (clock.limit.unit == PeriodUnit::WorkingDays && clock.has_written_limit()).then_some(clock.limit.amount)
}

/// The longest legal path for each profile that changes the route. A profile under which no
/// case can finish has no path.
pub fn critical_paths(workflow: &Workflow) -> Vec<ProfilePath> {
    let limit = |clock: &Clock| if clock.matter { working_days(clock) } else { None };
    let mut paths: Vec<ProfilePath> = Vec::new();
    for_each_profile(workflow, |read, values| {
        let mut search = PathSearch::new(workflow, values, &limit);
        let Some(way) = search.whole() else { return true };
        let names: Vec<String> = way.shown.iter().map(|id| workflow.state(*id).name.clone()).collect();
        if paths.iter().any(|path| path.states == names && path.working_days == way.cost) {
            return true;
        }
        let profile = read
            .iter()
            .map(|id| {
                let attribute = workflow.attribute(*id);
                let value =
                    values[id.index()].as_ref().map_or("unset".to_owned(), |value| value.render(&attribute.kind));
                (attribute.name.clone(), value)
            })
            .collect();
        let other_clocks = workflow
            .clocks()
            .iter()
            .filter(|clock| clock.limit.unit != PeriodUnit::WorkingDays && clock.has_written_limit())
            .filter(|clock| {
                let starts = clock.span.start_states();
                starts.iter().any(|start| way.shown.iter().any(|on| workflow.is_within(*start, *on)))
            })
            .map(|clock| (clock.name.clone(), clock.limit))
            .collect();
        paths.push(ProfilePath { profile, states: names, steps: way.steps, working_days: way.cost, other_clocks });
        paths.len() < PROFILES_MAX
    });
    paths
}

/// The most working days a single case can face on the clocks `limit` counts: the costliest
/// legal path over every profile (0 when no case can finish).
pub(super) fn longest_for_one_case(workflow: &Workflow, limit: &dyn Fn(&Clock) -> Option<i64>) -> i64 {
    let mut longest = 0;
    for_each_profile(workflow, |_, values| {
        if let Some(way) = PathSearch::new(workflow, values, limit).whole() {
            longest = longest.max(way.cost);
        }
        true
    });
    longest
}

/// Calls `visit` with the attributes guards read and each profile's values, until it returns
/// `false`; with every attribute unset when there are too many profiles to try.
fn for_each_profile(workflow: &Workflow, mut visit: impl FnMut(&[AttributeId], &[Option<Value>]) -> bool) {
    let guards: Vec<&Guard> = workflow.transitions().iter().filter_map(|t| t.guard.as_ref()).collect();
    let classes = value_classes(&guards, workflow.attributes(), false);
    let read: Vec<AttributeId> = classes.iter().map(|(id, _)| *id).collect();
    let count = workflow.attributes().len();
    if !for_each_assignment(&classes, count, |values| visit(&read, values)) {
        for_each_assignment(&[], count, |values| visit(&[], values));
    }
}

/// How a way leaves the state it goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// By this step (its source is the state or lies inside it; its move leaves the state).
    Step(PathStep),
    /// It does not: the case can stay where the way ends.
    Rest,
    /// It ends in a final state of the state's level.
    Finished,
}

/// One way through a state: what it costs, the steps it takes and the states it enters.
#[derive(Clone, Debug, Default)]
pub(super) struct Way {
    pub(super) cost: i64,
    steps: Vec<PathStep>,
    shown: Vec<StateId>,
}

impl Way {
    fn then(&self, rest: &Way) -> Way {
        let mut steps = self.steps.clone();
        steps.extend_from_slice(&rest.steps);
        let mut shown = self.shown.clone();
        shown.extend_from_slice(&rest.shown);
        Way { cost: self.cost + rest.cost, steps, shown }
    }

    fn with_step(&self, step: PathStep) -> Way {
        let mut way = self.clone();
        way.steps.push(step);
        way
    }
}

/// The costliest way for each exit.
type Ways = Vec<(Exit, Way)>;

fn keep(ways: &mut Ways, exit: Exit, way: Way) {
    match ways.iter_mut().find(|(known, _)| *known == exit) {
        Some((_, known)) if way.cost > known.cost => *known = way,
        Some(_) => {}
        None => ways.push((exit, way)),
    }
}

fn take(ways: Ways, wanted: Exit) -> Option<Way> {
    ways.into_iter().find(|(exit, _)| *exit == wanted).map(|(_, way)| way)
}

/// A depth-first search for the costliest ways through each level of the state tree, under one
/// profile. A step back to a state already on the path at its level is not followed.
pub(super) struct PathSearch<'a> {
    workflow: &'a Workflow,
    values: &'a [Option<Value>],
    /// For each state, the working days of the clocks entering it starts.
    weight: Vec<i64>,
    on_stack: Vec<bool>,
    /// The ways of a level from a state, entered at a state inside it, to the level's exits.
    memo: HashMap<(StateId, StateId), Ways>,
}

impl<'a> PathSearch<'a> {
    pub(super) fn new(
        workflow: &'a Workflow,
        values: &'a [Option<Value>],
        limit: &dyn Fn(&Clock) -> Option<i64>,
    ) -> PathSearch<'a> {
        let mut weight = vec![0; workflow.states().len()];
        for clock in workflow.clocks() {
            if let Some(days) = limit(clock) {
                for start in clock.span.start_states() {
                    weight[start.index()] += days;
                }
            }
        }
        let on_stack = vec![false; workflow.states().len()];
        PathSearch { workflow, values, weight, on_stack, memo: HashMap::new() }
    }

    /// The costliest way from opening a case to a top-level final state, if a case can finish.
    fn whole(&mut self) -> Option<Way> {
        let initial = self.workflow.initial();
        let top = self.workflow.ancestors(initial).last()?;
        take(self.longest(top, initial), Exit::Finished)
    }

    /// What a region of a parallel state costs from its start to its final state.
    pub(super) fn region_cost(&mut self, region: StateId) -> Option<i64> {
        take(self.through(region, region), Exit::Finished).map(|way| way.cost)
    }

    /// The ways through `state`, entered at `entry` (the state, or a state inside it that a step
    /// targets), by exit.
    fn through(&mut self, state: StateId, entry: StateId) -> Ways {
        let mut ways = match self.workflow.state(state).kind.clone() {
            StateKind::Atomic => vec![(Exit::Rest, Way::default())],
            StateKind::Final => vec![(Exit::Finished, Way::default())],
            StateKind::Compound { initial, children, done } => {
                let start = children.iter().copied().find(|child| self.workflow.is_within(entry, *child));
                let (start, start_entry) = start.map_or((initial, initial), |child| (child, entry));
                self.compound(state, start, start_entry, done.is_some())
            }
            StateKind::Parallel { regions, .. } => self.parallel(state, &regions),
        };
        // A transition from the state itself can be taken wherever the case rests inside it.
        if let Some(rest) = ways.iter().find(|(exit, _)| *exit == Exit::Rest).map(|(_, way)| way.clone()) {
            for transition in self.workflow.transitions_from(state) {
                if self.allowed(*transition) {
                    let step = PathStep::Transition { transition: *transition, source: state };
                    keep(&mut ways, Exit::Step(step), rest.with_step(step));
                }
            }
        }
        for (_, way) in &mut ways {
            way.cost += self.weight[state.index()];
            way.shown.insert(0, state);
        }
        ways
    }

    /// The ways through a compound state from its child `start`: reaching a final child takes
    /// its `done` step when it has one; a region (no `done`) waits there for the others.
    fn compound(&mut self, state: StateId, start: StateId, entry: StateId, has_done: bool) -> Ways {
        let mut ways = Vec::new();
        for (exit, way) in self.longest(start, entry) {
            match exit {
                Exit::Finished if has_done => {
                    let step = PathStep::Done { state };
                    keep(&mut ways, Exit::Step(step), way.with_step(step));
                }
                Exit::Finished => {
                    keep(&mut ways, Exit::Rest, way.clone());
                    keep(&mut ways, Exit::Finished, way);
                }
                other => keep(&mut ways, other, way),
            }
        }
        ways
    }

    /// The ways through a parallel state: every region to its end, region after region, costing
    /// the slowest, then the `done` step; or out of it from inside one region, the others
    /// resting where they started.
    fn parallel(&mut self, state: StateId, regions: &[StateId]) -> Ways {
        let mut ways = Vec::new();
        let mut all = Some(Way::default());
        for region in regions {
            let region_ways = self.through(*region, *region);
            let finished = region_ways.iter().find(|(exit, _)| *exit == Exit::Finished).map(|(_, way)| way);
            all = all.zip(finished).map(|(so_far, finished)| {
                let cost = so_far.cost.max(finished.cost);
                Way { cost, ..so_far.then(finished) }
            });
            for (exit, way) in region_ways {
                match exit {
                    Exit::Step(step) if self.leaves(step, state) => keep(&mut ways, exit, way),
                    Exit::Step(_) => {}
                    Exit::Rest | Exit::Finished => keep(&mut ways, Exit::Rest, way),
                }
            }
        }
        if let Some(all) = all {
            let step = PathStep::Done { state };
            keep(&mut ways, Exit::Step(step), all.with_step(step));
        }
        ways
    }

    /// The ways of `state`'s level from `state` (entered at `entry`) to each way out of the level.
    fn longest(&mut self, state: StateId, entry: StateId) -> Ways {
        if let Some(known) = self.memo.get(&(state, entry)) {
            return known.clone();
        }
        let level = self.workflow.state(state).parent;
        self.on_stack[state.index()] = true;
        let mut ways = Vec::new();
        for (exit, way) in self.through(state, entry) {
            let Exit::Step(step) = exit else {
                keep(&mut ways, exit, way);
                continue;
            };
            let Some((root, target)) = self.move_of(step) else { continue };
            if root != state {
                // The step leaves the level too.
                keep(&mut ways, exit, way);
                continue;
            }
            let workflow = self.workflow;
            let Some(next) = workflow.ancestors(target).find(|id| workflow.state(*id).parent == level) else {
                continue;
            };
            if next == state || self.on_stack[next.index()] {
                continue;
            }
            for (next_exit, rest) in self.longest(next, target) {
                keep(&mut ways, next_exit, way.then(&rest));
            }
        }
        self.on_stack[state.index()] = false;
        self.memo.insert((state, entry), ways.clone());
        ways
    }

    /// The state a step leaves as a whole, and the state it targets.
    fn move_of(&self, step: PathStep) -> Option<(StateId, StateId)> {
        let plan = match step {
            PathStep::Transition { transition, source } => self.workflow.transition_move(transition, source),
            PathStep::Done { state } => self.workflow.done_move(state),
        }?;
        Some((plan.root, plan.target))
    }

    /// Whether taking `step` leaves `state`.
    fn leaves(&self, step: PathStep, state: StateId) -> bool {
        self.move_of(step).is_some_and(|(root, _)| self.workflow.is_within(state, root))
    }

    fn allowed(&self, transition: TransitionId) -> bool {
        self.workflow.transition(transition).guard.as_ref().is_none_or(|guard| guard.holds(self.values))
    }
}
