//! `Configuration`: where a case is (its active states) and what it holds (its attribute values).
//! Moving between states follows the statechart rules: leave everything active inside the
//! highest state the target is not in, enter down to the target, then its initial children and
//! every region of a parallel state.

use crate::core::workflow::{MovePlan, StateId, StateKind, Value, Workflow};

/// The active states of a case and its attribute values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Configuration {
    /// The active atomic and final states, by id; their ancestors are active too.
    leaves: Vec<StateId>,
    /// Attribute values by `AttributeId`; `None` is unset.
    values: Vec<Option<Value>>,
}

/// The states a move left and entered, each with every ancestor that changed, outermost first.
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

    /// Back to a case before it is opened, keeping the buffers.
    pub(crate) fn reset(&mut self, workflow: &Workflow) {
        self.leaves.clear();
        self.values.clear();
        self.values.resize(workflow.attributes().len(), None);
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
        self.leaves.iter().copied().find(|leaf| workflow.is_top_final(*leaf))
    }

    /// Enters the workflow's initial state; `moved` gets the states entered.
    pub(crate) fn open(&mut self, workflow: &Workflow, moved: &mut Move) {
        moved.exited.clear();
        moved.entered.clear();
        moved.entered.extend_from_slice(workflow.opening_entered());
        self.leaves.clear();
        self.leaves.extend_from_slice(workflow.entered_leaves(workflow.initial()));
        self.leaves.sort_unstable();
    }

    /// Takes the move `plan` (whose source is active); `moved` gets the states left and entered.
    /// Reuses `moved`'s buffers and allocates nothing once they are grown.
    pub(crate) fn step(&mut self, workflow: &Workflow, plan: &MovePlan, moved: &mut Move) {
        moved.exited.clear();
        moved.entered.clear();
        for leaf in &self.leaves {
            if workflow.is_within(*leaf, plan.root) {
                add_with_ancestors(workflow, *leaf, plan.stop, &mut moved.exited);
            }
        }
        self.leaves.retain(|leaf| !workflow.is_within(*leaf, plan.root));
        // Pushed one by one: a handful of states each, where a call to `memcpy` costs more.
        for leaf in workflow.entered_leaves(plan.target) {
            self.leaves.push(*leaf);
        }
        self.leaves.sort_unstable();
        self.leaves.dedup();
        for state in &plan.entered {
            moved.entered.push(*state);
        }
        moved.exited.sort_unstable_by_key(|state| (workflow.depth(*state), *state));
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

    fn region_final(&self, workflow: &Workflow, region: StateId) -> bool {
        self.leaves.iter().any(|leaf| {
            let state = workflow.state(*leaf);
            state.parent == Some(region) && state.kind == StateKind::Final
        })
    }
}

/// Adds `leaf` and its ancestors below `stop` (exclusive; `None`: up to the top) to `states`,
/// each once.
fn add_with_ancestors(workflow: &Workflow, leaf: StateId, stop: Option<StateId>, states: &mut Vec<StateId>) {
    for state in workflow.ancestors(leaf).take_while(|state| Some(*state) != stop) {
        if !states.contains(&state) {
            states.push(state);
        }
    }
}
