//! Whole-flow rules over a resolved workflow: every state reachable, every reachable state able
//! to finish, no action ambiguous in one configuration, every pause inside its clock's span.
//! Runs only when resolution found no problem, so ids line up with the draft's order.

use super::checker::{Checker, Origin};
use super::clock::ClockSpan;
use super::draft::{Draft, DraftState};
use super::exclusive::provably_exclusive;
use super::ids::{StateId, TransitionId};
use super::workflow::{StateKind, Workflow};

pub(crate) fn analyse(checker: &mut Checker, workflow: &Workflow, draft: &Draft) {
    let state_at = state_origins(draft);
    let reachable = reachable_states(workflow, workflow.entered_leaves(workflow.initial), &[]);
    for id in workflow.state_ids() {
        if !reachable[id.index()] {
            let initial = &workflow.state(workflow.initial).name;
            let message = format!("state `{}` cannot be reached from `{initial}`", workflow.state(id).name);
            checker.error(&state_at[id.index()], message, "unreachable");
        }
    }
    let finishes = finishing_leaves(workflow);
    for id in workflow.state_ids() {
        let is_leaf = matches!(workflow.state(id).kind, StateKind::Atomic | StateKind::Final);
        if is_leaf && reachable[id.index()] && !finishes[id.index()] {
            let message = format!("a case in state `{}` can never finish", workflow.state(id).name);
            checker.error(&state_at[id.index()], message, "no way to a final state");
        }
    }
    check_ambiguity(checker, workflow, draft);
    check_pauses(checker, workflow, draft);
}

/// The origin of every state's name, in id order (pre-order of the draft tree).
fn state_origins(draft: &Draft) -> Vec<Origin> {
    let mut origins = Vec::new();
    let mut pending: Vec<&DraftState> = draft.states.iter().rev().collect();
    while let Some(state) = pending.pop() {
        origins.push(state.name.at.clone());
        pending.extend(state.children.iter().rev());
    }
    origins
}

/// The transitions that may be taken while `leaf` is active: from it or any state it is inside.
pub(crate) fn applicable(workflow: &Workflow, leaf: StateId) -> impl Iterator<Item = TransitionId> + '_ {
    workflow.ancestors(leaf).flat_map(|state| workflow.transitions_from(state).iter().copied())
}

/// Where a case goes once `leaf`, a final state, is entered: the `done` of its compound state or
/// of the parallel state its region belongs to; `None` at the top level (the case ends).
pub(crate) fn after_final(workflow: &Workflow, leaf: StateId) -> Option<StateId> {
    let parent = workflow.state(leaf).parent?;
    match &workflow.state(parent).kind {
        StateKind::Compound { done: Some(done), .. } => Some(*done),
        StateKind::Compound { done: None, .. } => {
            let parallel = workflow.state(parent).parent?;
            match &workflow.state(parallel).kind {
                StateKind::Parallel { done, .. } => Some(*done),
                _ => None,
            }
        }
        _ => None,
    }
}

/// States a case can be in, starting from `start` leaves, never entering a state within `stop`.
pub(crate) fn reachable_states(workflow: &Workflow, start: &[StateId], stop: &[StateId]) -> Vec<bool> {
    let mut seen = vec![false; workflow.states.len()];
    let mut pending: Vec<StateId> = start.to_vec();
    let stopped = |id: StateId| stop.iter().any(|stop| workflow.is_within(id, *stop));
    while let Some(leaf) = pending.pop() {
        if seen[leaf.index()] || stopped(leaf) {
            continue;
        }
        for ancestor in workflow.ancestors(leaf) {
            seen[ancestor.index()] = true;
        }
        let next: Vec<StateId> = match workflow.state(leaf).kind {
            StateKind::Final => after_final(workflow, leaf).into_iter().collect(),
            _ => applicable(workflow, leaf).map(|transition| workflow.transition(transition).to).collect(),
        };
        for target in next {
            pending.extend(workflow.entered_leaves(target));
        }
    }
    seen
}

/// For each leaf state, whether a case there can still reach a final top-level state. Inside a
/// parallel state every region must be able to reach its final state or leave.
fn finishing_leaves(workflow: &Workflow) -> Vec<bool> {
    let mut finishes = vec![false; workflow.states.len()];
    for _round in 0..=workflow.states.len() {
        let mut changed = false;
        for leaf in workflow.state_ids() {
            if finishes[leaf.index()] {
                continue;
            }
            let now = match workflow.state(leaf).kind {
                StateKind::Final => {
                    after_final(workflow, leaf).is_none_or(|next| enters_finishing(workflow, &finishes, next))
                }
                StateKind::Atomic => applicable(workflow, leaf)
                    .any(|transition| enters_finishing(workflow, &finishes, workflow.transition(transition).to)),
                _ => false,
            };
            if now {
                finishes[leaf.index()] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    finishes
}

fn enters_finishing(workflow: &Workflow, finishes: &[bool], state: StateId) -> bool {
    match &workflow.state(state).kind {
        StateKind::Atomic | StateKind::Final => finishes[state.index()],
        StateKind::Compound { initial, .. } => *initial != state && enters_finishing(workflow, finishes, *initial),
        StateKind::Parallel { regions, .. } => {
            regions.iter().all(|region| enters_finishing(workflow, finishes, *region))
        }
    }
}

/// Whether two states can be active at once: the same, one inside the other, or in different
/// regions of one parallel state.
pub(crate) fn co_active(workflow: &Workflow, left: StateId, right: StateId) -> bool {
    if workflow.is_within(left, right) || workflow.is_within(right, left) {
        return true;
    }
    let left_chain: Vec<StateId> = workflow.ancestors(left).collect();
    let Some(common) = workflow.ancestors(right).find(|id| left_chain.contains(id)) else { return false };
    matches!(workflow.state(common).kind, StateKind::Parallel { .. })
}

/// Most transitions that take one action.
pub const TRANSITIONS_PER_ACTION_MAX: usize = 256;
/// Most pairs of same-action transitions whose guards are compared for exclusivity.
pub const GUARD_PAIRS_MAX: usize = 100_000;

fn check_ambiguity(checker: &mut Checker, workflow: &Workflow, draft: &Draft) {
    let transitions = workflow.transitions();
    let mut by_action: Vec<Vec<usize>> = vec![Vec::new(); workflow.actions.len()];
    for (index, transition) in transitions.iter().enumerate() {
        by_action[transition.action.index()].push(index);
    }
    let mut compared = 0_usize;
    for group in by_action.iter().filter(|group| group.len() > 1) {
        if group.len() > TRANSITIONS_PER_ACTION_MAX {
            let action = &workflow.action(transitions[group[0]].action).name;
            let message = format!(
                "action `{action}` is taken by {} transitions; at most {TRANSITIONS_PER_ACTION_MAX}",
                group.len()
            );
            checker.error(&draft.transitions[group[TRANSITIONS_PER_ACTION_MAX]].action.at, message, "too many");
            continue;
        }
        for (position, &later) in group.iter().enumerate() {
            for &earlier in &group[..position] {
                let (first, second) = (&transitions[earlier], &transitions[later]);
                let together = first.from.iter().find_map(|left| {
                    second.from.iter().find(|right| co_active(workflow, *left, **right)).map(|right| (*left, *right))
                });
                let Some((left, right)) = together else { continue };
                if !first.roles.iter().any(|role| second.roles.contains(role)) {
                    continue;
                }
                compared += 1;
                if compared > GUARD_PAIRS_MAX {
                    let message = format!(
                        "more than {GUARD_PAIRS_MAX} pairs of transitions share an action and a state; \
                         the workflow is too large to check for ambiguity"
                    );
                    checker.error(&draft.transitions[later].action.at, message, "too many");
                    return;
                }
                let exclusive = match (&first.guard, &second.guard) {
                    (Some(a), Some(b)) => provably_exclusive(a, b, workflow.attributes()),
                    _ => false,
                };
                if exclusive {
                    continue;
                }
                let action = &workflow.action(first.action).name;
                let (left, right) = (&workflow.state(left).name, &workflow.state(right).name);
                let place = if left == right {
                    format!("in state `{left}`")
                } else {
                    format!("with `{left}` and `{right}` active")
                };
                let at = &draft.transitions[later].action.at;
                let which = where_written(checker, at, &draft.transitions[earlier].at, &draft.transitions[later].at);
                let message =
                    format!("action `{action}` is ambiguous {place}: the transitions at {which} can both be taken");
                let help = "give the transitions guards that exclude each other (`x` and `not x`) or different roles"
                    .to_owned();
                checker.error_help(at, message, "ambiguous", help);
            }
        }
    }
}

/// Where two transitions were written, for a problem reported at `at`: `lines 3 and 5` in the
/// problem's file, a file's name after a line in another (``line 30 of `base.yaml` ``), and the
/// columns too when both are on one line. A transition copied by a reform is where its original
/// was written, so a reader finds it in the file whatever the reformed flow's order.
fn where_written(checker: &Checker, at: &Origin, first: &Origin, second: &Origin) -> String {
    if first.source == at.source && second.source == at.source {
        return if first.line == second.line {
            format!("{}:{} and {}:{}", first.line, first.column, second.line, second.column)
        } else {
            format!("lines {} and {}", first.line, second.line)
        };
    }
    let one = |origin: &Origin| {
        if origin.source == at.source {
            format!("line {}", origin.line)
        } else {
            format!("line {} of `{}`", origin.line, checker.sources[origin.source].name)
        }
    };
    format!("{} and {}", one(first), one(second))
}

fn check_pauses(checker: &mut Checker, workflow: &Workflow, draft: &Draft) {
    for (clock, draft_clock) in workflow.clocks().iter().zip(&draft.clocks) {
        let inside = match &clock.span {
            ClockSpan::Over(states) => {
                let mut inside = vec![false; workflow.states.len()];
                for id in workflow.state_ids() {
                    inside[id.index()] = states.iter().any(|over| workflow.is_within(id, *over));
                }
                inside
            }
            ClockSpan::Between { from, until } => {
                let start: Vec<StateId> =
                    from.iter().flat_map(|state| workflow.entered_leaves(*state).iter().copied()).collect();
                reachable_states(workflow, &start, until)
            }
        };
        for (pause, draft_pause) in clock.pauses.iter().zip(&draft_clock.pauses) {
            let any_inside = workflow.state_ids().any(|id| inside[id.index()] && workflow.is_within(id, pause.state));
            if !any_inside {
                let message =
                    format!("pause state `{}` lies outside the span of clock `{}`", draft_pause.state.name, clock.name);
                checker.error(&draft_pause.state.at, message, "outside the span");
            }
        }
    }
}
