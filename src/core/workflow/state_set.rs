//! `StateSet`: a set of one workflow's states as bits, so that the questions the core asks on
//! every step ("is this state inside that one?", "does this clock's span name it?") cost one
//! memory read instead of a walk.

use super::ids::StateId;

/// A set of states of one workflow, sized for its state count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateSet {
    words: Box<[u64]>,
}

impl StateSet {
    /// The empty set over `states` states.
    pub(crate) fn empty(states: usize) -> StateSet {
        StateSet { words: vec![0; states.div_ceil(64)].into_boxed_slice() }
    }

    /// The set of `states`, over `count` states.
    pub(crate) fn of(count: usize, states: &[StateId]) -> StateSet {
        let mut set = StateSet::empty(count);
        for state in states {
            set.insert(*state);
        }
        set
    }

    pub(crate) fn insert(&mut self, state: StateId) {
        let index = state.index();
        if let Some(word) = self.words.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    pub fn contains(&self, state: StateId) -> bool {
        let index = state.index();
        self.words.get(index / 64).is_some_and(|word| word >> (index % 64) & 1 == 1)
    }

    /// Whether the two sets share a state.
    pub fn intersects(&self, other: &StateSet) -> bool {
        self.words.iter().zip(other.words.iter()).any(|(left, right)| left & right != 0)
    }

    /// Whether any of `states` is in the set.
    pub fn contains_any(&self, states: &[StateId]) -> bool {
        states.iter().any(|state| self.contains(*state))
    }
}
