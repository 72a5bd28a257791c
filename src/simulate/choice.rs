//! `Choice`: one way out of a state, and how the simulator draws among a state's ways out. A
//! listed action weighs its probability, an unlisted one what the listed ones leave (shared
//! evenly); when nothing is left over, the listed probabilities are scaled to sum to 1. Only the
//! ways whose guard holds take part, one per action (its first transition). A state whose ways
//! out have no guard weighs them the same every time: the model works those weights out once
//! ([`ChoiceWeights`]), and a draw is then one random number and a walk of them.

use rand::{Rng, RngExt as _};

use crate::core::workflow::{RoleId, TransitionId, Value, Workflow};

/// One way out of a state: a transition, the role that takes it, and how likely it is.
#[derive(Clone, Debug)]
pub struct Choice {
    pub transition: TransitionId,
    pub action: String,
    pub role: RoleId,
    /// The probability when the scenario gives one; `None`: the share the listed ones leave.
    pub probability: Option<f64>,
}

/// The ways out of a state that take part in a draw, as (index into the state's choices,
/// weight), and their total weight.
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceWeights {
    pub entries: Vec<(usize, f64)>,
    pub total: f64,
}

impl ChoiceWeights {
    /// The weights of `choices` when none of them has a guard (they are then the same on every
    /// draw); `None` when one has.
    pub(crate) fn fixed(workflow: &Workflow, choices: &[Choice]) -> Option<ChoiceWeights> {
        if choices.iter().any(|choice| workflow.transition(choice.transition).guard.is_some()) {
            return None;
        }
        let mut entries = vec![(0, 0.0); choices.len()];
        let (count, total) = weigh(workflow, choices, &[], &mut entries);
        entries.truncate(count);
        Some(ChoiceWeights { entries, total })
    }

    /// Draws one way out, as an index into the state's choices; `None` when none has weight.
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<usize> {
        pick(&self.entries, self.total, rng)
    }
}

/// Ways out of one state that `choose` weighs without allocating.
const CHOICES_ON_STACK: usize = 16;

/// Draws one of `choices` whose guard holds on `values` (see the module's rule). `None` when no
/// way out has any weight.
pub(crate) fn choose<R: Rng + ?Sized>(
    workflow: &Workflow,
    choices: &[Choice],
    values: &[Option<Value>],
    rng: &mut R,
) -> Option<usize> {
    // Gathered on the stack (a state has a handful of ways out), as this runs on simulated steps.
    let mut on_stack = [(0, 0.0); CHOICES_ON_STACK];
    let mut on_heap = Vec::new();
    let weights: &mut [(usize, f64)] = if choices.len() <= CHOICES_ON_STACK {
        &mut on_stack[..choices.len()]
    } else {
        on_heap.resize(choices.len(), (0, 0.0));
        &mut on_heap
    };
    let (count, total) = weigh(workflow, choices, values, weights);
    pick(&weights[..count], total, rng)
}

/// Writes the ways out of `choices` that take part on `values` into `weights` (as (index,
/// weight), in the choices' order), and returns how many and their total weight. `weights` has
/// room for every choice.
#[allow(clippy::cast_precision_loss)] // a handful of transitions per state
fn weigh(
    workflow: &Workflow,
    choices: &[Choice],
    values: &[Option<Value>],
    weights: &mut [(usize, f64)],
) -> (usize, f64) {
    // One entry per action: the first transition of it whose guard holds.
    let action_of = |choice: &Choice| workflow.transition(choice.transition).action;
    let mut count = 0;
    for (index, choice) in choices.iter().enumerate() {
        let holds = workflow.transition(choice.transition).guard.as_ref().is_none_or(|guard| guard.holds(values));
        if holds && !weights[..count].iter().any(|(other, _)| action_of(&choices[*other]) == action_of(choice)) {
            weights[count] = (index, 0.0);
            count += 1;
        }
    }
    let enabled = &mut weights[..count];
    let listed: f64 = enabled.iter().filter_map(|(index, _)| choices[*index].probability).sum();
    let unlisted = enabled.iter().filter(|(index, _)| choices[*index].probability.is_none()).count();
    let share = if unlisted == 0 { 0.0 } else { (1.0 - listed).max(0.0) / unlisted as f64 };
    for (index, weight) in enabled.iter_mut() {
        *weight = choices[*index].probability.unwrap_or(share);
    }
    let total: f64 = enabled.iter().map(|(_, weight)| *weight).sum();
    (count, total)
}

/// Draws among `weights` (whose sum is `total`): the first whose share the draw falls in, or the
/// last with weight when rounding leaves the draw past them all.
fn pick<R: Rng + ?Sized>(weights: &[(usize, f64)], total: f64, rng: &mut R) -> Option<usize> {
    if total <= 0.0 {
        return None;
    }
    let mut draw = rng.random::<f64>() * total;
    let mut last = None;
    for (index, weight) in weights {
        if *weight <= 0.0 {
            continue;
        }
        last = Some(*index);
        if draw < *weight {
            return Some(*index);
        }
        draw -= weight;
    }
    last
}
