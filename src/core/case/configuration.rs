//! `Configuration`: where a case is (its active states) and what it holds (its attribute values).
//! Moving between states follows the statechart rules: leave everything active inside the
//! highest state the target is not in, enter down to the target, then its initial children and
//! every region of a parallel state.

use crate::core::workflow::{StateId, StateKind, Value, Workflow};

/// The active states of a case and its attribute values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configuration {
    /// The active atomic and final states, by id; their ancestors are active too.
    leaves: Vec<StateId>,
    /// Attribute values by `AttributeId`; `None` is unset.
    values: Vec<Option<Value>>,
}

/// The states a move left and entered, each with every ancestor that changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Move {
    pub(crate) exited: Vec<StateId>,
    pub(crate) entered: Vec<StateId>,
}

impl Configuration {
    /// A case before it is opened: nothing active, every attribute unset.
    pub(crate) fn empty(workflow: &Workflow) -> Configuration {
        Configuration { leaves: Vec::new(), values: vec![None; workflow.attributes().len()] }
    }

    /// The active atomic and final states, by id.
    pub fn leaves(&self) -> &[StateId] {
        &self.leaves
    }

    /// Attribute values by `AttributeId` (`None`: unset).
    pub fn values(&self) -> &[Option<Value>] {
        &self.values
    }

    pub(crate) fn values_mut(&mut self) -> &mut Vec<Option<Value>> {
        &mut self.values
    }

    /// Whether `state` is active: an active leaf or an ancestor of one.
    pub fn is_active(&self, workflow: &Workflow, state: StateId) -> bool {
        self.leaves.iter().any(|leaf| workflow.is_within(*leaf, state))
    }

    /// Every active state, leaves and their ancestors, by id.
    pub fn active_states(&self, workflow: &Workflow) -> Vec<StateId> {
        let mut states: Vec<StateId> = self.leaves.iter().flat_map(|leaf| workflow.ancestors(*leaf)).collect();
        states.sort_unstable();
        states.dedup();
        states
    }

    /// The top-level final state the case ended in, if it has ended.
    pub fn finished_in(&self, workflow: &Workflow) -> Option<StateId> {
        self.leaves.iter().copied().find(|leaf| {
            let state = workflow.state(*leaf);
            state.parent.is_none() && state.kind == StateKind::Final
        })
    }

    /// Enters the workflow's initial state.
    pub(crate) fn open(&mut self, workflow: &Workflow) -> Move {
        let target = workflow.initial();
        let leaves = workflow.entered_leaves(target);
        let entered = with_ancestors(workflow, &leaves, None);
        self.leaves = leaves;
        self.leaves.sort_unstable();
        Move { exited: Vec::new(), entered }
    }

    /// Takes a step from `source` (an active state) to `target`.
    pub(crate) fn step(&mut self, workflow: &Workflow, source: StateId, target: StateId) -> Move {
        let root = exit_root(workflow, source, target);
        let stop = workflow.state(root).parent;
        let (gone, kept): (Vec<StateId>, Vec<StateId>) =
            self.leaves.iter().partition(|leaf| workflow.is_within(**leaf, root));
        let exited = with_ancestors(workflow, &gone, stop);
        let entered_leaves = workflow.entered_leaves(target);
        let entered = with_ancestors(workflow, &entered_leaves, stop);
        self.leaves = kept;
        self.leaves.extend(entered_leaves);
        self.leaves.sort_unstable();
        self.leaves.dedup();
        Move { exited, entered }
    }

    /// The compound or parallel state whose `done` step is due: a compound state with a `done`
    /// whose final child is active, or a parallel state whose every region has an active final
    /// child. The engine takes it in the same step as the action that made it due.
    pub(crate) fn done_due(&self, workflow: &Workflow) -> Option<StateId> {
        for leaf in &self.leaves {
            let state = workflow.state(*leaf);
            if state.kind != StateKind::Final {
                continue;
            }
            let Some(parent) = state.parent else { continue };
            match &workflow.state(parent).kind {
                StateKind::Compound { done: Some(_), .. } => return Some(parent),
                StateKind::Compound { done: None, .. } => {
                    let Some(parallel) = workflow.state(parent).parent else { continue };
                    if let StateKind::Parallel { regions, .. } = &workflow.state(parallel).kind
                        && regions.iter().all(|region| self.region_final(workflow, *region))
                    {
                        return Some(parallel);
                    }
                }
                StateKind::Atomic | StateKind::Final | StateKind::Parallel { .. } => {}
            }
        }
        None
    }

    /// Whether `state` is a compound state or region with an active final child: its own work
    /// is over, although it may stay active while other regions finish.
    pub(crate) fn has_final_child(&self, workflow: &Workflow, state: StateId) -> bool {
        matches!(workflow.state(state).kind, StateKind::Compound { .. }) && self.region_final(workflow, state)
    }

    fn region_final(&self, workflow: &Workflow, region: StateId) -> bool {
        self.leaves.iter().any(|leaf| {
            let state = workflow.state(*leaf);
            state.parent == Some(region) && state.kind == StateKind::Final
        })
    }
}

/// The state a step from `source` to `target` leaves as a whole: the highest ancestor of `source`
/// (itself included) whose parent contains `target`, or the top-level one. A step into `source`'s
/// own inside leaves and re-enters `source`.
fn exit_root(workflow: &Workflow, source: StateId, target: StateId) -> StateId {
    let mut root = source;
    while let Some(parent) = workflow.state(root).parent {
        if workflow.is_within(target, parent) {
            break;
        }
        root = parent;
    }
    root
}

/// `leaves` and their ancestors below `stop` (exclusive; `None`: up to the top), outermost first.
fn with_ancestors(workflow: &Workflow, leaves: &[StateId], stop: Option<StateId>) -> Vec<StateId> {
    let mut states: Vec<StateId> = Vec::new();
    for leaf in leaves {
        for state in workflow.ancestors(*leaf).take_while(|state| Some(*state) != stop) {
            if !states.contains(&state) {
                states.push(state);
            }
        }
    }
    states.sort_unstable_by_key(|state| workflow.ancestors(*state).count());
    states
}
