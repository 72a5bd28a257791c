//! `Lookup`: what the core asks of a workflow on every step, worked out once when the workflow is
//! resolved: which states each state lies within, the leaves a transition into a state enters,
//! the transitions of each action, names to ids, and each clock's states as sets. It is derived
//! from the definition alone and holds nothing the definition does not.

use super::clock::{Clock, ClockSpan};
use super::ids::{ActionId, ClockId, StateId, TransitionId};
use super::state_set::StateSet;
use super::workflow::{Action, State, StateKind, Transition};

#[derive(Clone, Debug, Default)]
pub(crate) struct Lookup {
    /// For each state, itself and every state it lies inside.
    pub(crate) within: Vec<StateSet>,
    /// For each state, how many states it lies inside (0 at the top level).
    pub(crate) depth: Vec<u16>,
    /// For each state, the leaves a transition into it enters, in entry order.
    pub(crate) entered_leaves: Vec<Vec<StateId>>,
    /// For each action, the transitions that take it, in file order.
    pub(crate) transitions_of_action: Vec<Vec<TransitionId>>,
    /// Action names, sorted, with their ids.
    pub(crate) action_names: Vec<(String, ActionId)>,
    /// For each clock, its states as sets.
    pub(crate) clocks: Vec<ClockStates>,
    /// For each state, the clocks whose entry into it starts them (`over` or `from`).
    pub(crate) clocks_started_by: Vec<Vec<ClockId>>,
    /// The clocks that have pause states.
    pub(crate) clocks_with_pauses: Vec<ClockId>,
    /// Every clock's pause states together: a leaf outside all of them pauses no clock.
    pub(crate) pause_states: StateSet,
    /// For each transition, the move from each of its `from` states (in that order) to its `to`.
    pub(crate) transition_moves: Vec<Box<[MovePlan]>>,
    /// For each compound or parallel state with a `done` target, the move there.
    pub(crate) done_moves: Vec<Option<MovePlan>>,
    /// The states opening a case enters: the initial state's leaves and all their ancestors.
    pub(crate) opening_entered: Box<[StateId]>,
    /// The final states, and those of them at the top level (where a case ends).
    pub(crate) finals: StateSet,
    pub(crate) top_finals: StateSet,
    /// For each state, the region it lies in (the innermost ancestor, itself included, that is a
    /// child of a parallel state); `None` outside every parallel state.
    pub(crate) regions: Vec<Option<StateId>>,
}

/// A move from one state to another, worked out once: the state it leaves as a whole (with
/// every active state inside it), the state nothing above changes in, and the states it enters.
#[derive(Clone, Debug)]
pub(crate) struct MovePlan {
    /// The highest ancestor of the source (itself included) whose parent contains the target, or
    /// the source's top-level state.
    pub(crate) root: StateId,
    /// The root's parent: it and its ancestors stay active.
    pub(crate) stop: Option<StateId>,
    pub(crate) target: StateId,
    /// The states entered below `stop`: the target's leaves and their ancestors, each once,
    /// outermost first (states of one depth by id).
    pub(crate) entered: Box<[StateId]>,
}

/// A clock's states as sets.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClockStates {
    /// The states whose entry starts the clock (`over` or `from`).
    pub(crate) start: StateSet,
    /// The states whose entry stops it (`until`; empty for a clock over states).
    pub(crate) until: StateSet,
    /// The states whose entry restarts it.
    pub(crate) restart_entering: StateSet,
    /// Its pause states.
    pub(crate) pauses: StateSet,
}

impl Lookup {
    pub(crate) fn new(
        states: &[State],
        initial: StateId,
        transitions: &[Transition],
        actions: &[Action],
        clocks: &[Clock],
    ) -> Lookup {
        let count = states.len();
        // `take`: parents form a tree by construction; the bound only keeps a broken one finite.
        let ancestors = |state: StateId| std::iter::successors(Some(state), |id| states[id.index()].parent).take(count);
        let ids = (0..count).map(|index| StateId(index as u16));
        let within: Vec<StateSet> =
            ids.clone().map(|state| StateSet::of(count, &ancestors(state).collect::<Vec<_>>())).collect();
        let depth: Vec<u16> = ids.clone().map(|state| (ancestors(state).count() - 1) as u16).collect();
        let regions = ids
            .clone()
            .map(|state| {
                ancestors(state).find(|ancestor| {
                    states[ancestor.index()]
                        .parent
                        .is_some_and(|parent| matches!(states[parent.index()].kind, StateKind::Parallel { .. }))
                })
            })
            .collect();
        let entered_leaves: Vec<Vec<StateId>> = ids.clone().map(|state| entered_leaves(states, state)).collect();
        let plan =
            |source: StateId, target: StateId| move_plan(states, &within, &depth, &entered_leaves, source, target);
        let transition_moves = transitions
            .iter()
            .map(|transition| transition.from.iter().map(|source| plan(*source, transition.to)).collect())
            .collect();
        let done_moves = ids
            .clone()
            .map(|state| match &states[state.index()].kind {
                StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => {
                    Some(plan(state, *done))
                }
                StateKind::Compound { done: None, .. } | StateKind::Atomic | StateKind::Final => None,
            })
            .collect();
        let opening_entered = entered_below(states, &depth, &entered_leaves, initial, None);
        let mut transitions_of_action = vec![Vec::new(); actions.len()];
        for (index, transition) in transitions.iter().enumerate() {
            if let Some(list) = transitions_of_action.get_mut(transition.action.index()) {
                list.push(TransitionId(index as u16));
            }
        }
        let mut action_names: Vec<(String, ActionId)> =
            actions.iter().enumerate().map(|(index, action)| (action.name.clone(), ActionId(index as u16))).collect();
        action_names.sort();
        let mut clocks_started_by = vec![Vec::new(); count];
        for (index, clock) in clocks.iter().enumerate() {
            for state in clock.span.start_states() {
                if let Some(list) = clocks_started_by.get_mut(state.index())
                    && !list.contains(&ClockId(index as u16))
                {
                    list.push(ClockId(index as u16));
                }
            }
        }
        let pause_list: Vec<StateId> =
            clocks.iter().flat_map(|clock| clock.pauses.iter().map(|pause| pause.state)).collect();
        let pause_states = StateSet::of(count, &pause_list);
        let final_list: Vec<StateId> =
            ids.clone().filter(|state| states[state.index()].kind == StateKind::Final).collect();
        let finals = StateSet::of(count, &final_list);
        let top_list: Vec<StateId> =
            final_list.iter().copied().filter(|state| states[state.index()].parent.is_none()).collect();
        let top_finals = StateSet::of(count, &top_list);
        let clocks_with_pauses = (0..clocks.len())
            .filter(|index| !clocks[*index].pauses.is_empty())
            .map(|index| ClockId(index as u16))
            .collect();
        let clocks = clocks
            .iter()
            .map(|clock| ClockStates {
                start: StateSet::of(count, clock.span.start_states()),
                until: match &clock.span {
                    ClockSpan::Between { until, .. } => StateSet::of(count, until),
                    ClockSpan::Over(_) => StateSet::empty(count),
                },
                restart_entering: StateSet::of(count, &clock.restart_entering),
                pauses: StateSet::of(count, &clock.pauses.iter().map(|pause| pause.state).collect::<Vec<_>>()),
            })
            .collect();
        Lookup {
            within,
            depth,
            entered_leaves,
            transitions_of_action,
            action_names,
            clocks,
            clocks_started_by,
            clocks_with_pauses,
            pause_states,
            transition_moves,
            done_moves,
            opening_entered,
            finals,
            top_finals,
            regions,
        }
    }
}

/// The state, its initial children down to an atomic state, and every region of a parallel
/// state: the leaves entered, depth first.
fn entered_leaves(states: &[State], state: StateId) -> Vec<StateId> {
    let mut leaves = Vec::new();
    let mut pending = vec![state];
    // A sound workflow is a tree, so no state is visited twice; the bound only keeps a broken
    // one finite.
    let mut visits = 0;
    while let Some(id) = pending.pop() {
        visits += 1;
        if visits > states.len() {
            break;
        }
        match &states[id.index()].kind {
            StateKind::Atomic | StateKind::Final => leaves.push(id),
            StateKind::Compound { initial, .. } => pending.push(*initial),
            StateKind::Parallel { regions, .. } => pending.extend(regions.iter().rev()),
        }
    }
    leaves
}

/// The move from `source` to `target` (see [`MovePlan`]).
fn move_plan(
    states: &[State],
    within: &[StateSet],
    depth: &[u16],
    entered_leaves: &[Vec<StateId>],
    source: StateId,
    target: StateId,
) -> MovePlan {
    // A step into the source's own inside leaves and re-enters the source. `take`: parents form
    // a tree by construction; the bound only keeps a broken one finite.
    let mut root = source;
    for _ in 0..states.len() {
        let Some(parent) = states[root.index()].parent else { break };
        if within[target.index()].contains(parent) {
            break;
        }
        root = parent;
    }
    let stop = states[root.index()].parent;
    MovePlan { root, stop, target, entered: entered_below(states, depth, entered_leaves, target, stop) }
}

/// The states entering `target` enters below `stop` (`None`: up to the top): its leaves and their
/// ancestors, each once, outermost first (states of one depth by id).
fn entered_below(
    states: &[State],
    depth: &[u16],
    entered_leaves: &[Vec<StateId>],
    target: StateId,
    stop: Option<StateId>,
) -> Box<[StateId]> {
    let mut entered: Vec<StateId> = Vec::new();
    for leaf in &entered_leaves[target.index()] {
        let ancestors = std::iter::successors(Some(*leaf), |id| states[id.index()].parent).take(states.len());
        for state in ancestors.take_while(|state| Some(*state) != stop) {
            if !entered.contains(&state) {
                entered.push(state);
            }
        }
    }
    entered.sort_unstable_by_key(|state| (depth[state.index()], *state));
    entered.into_boxed_slice()
}
