//! `ClockSet`: a set of one workflow's clocks as bits. A replay keeps the open clocks in one, so
//! that a move looks only at the clocks it can change (the open ones and those it may start)
//! rather than at every clock of the workflow.

use crate::core::workflow::ClockId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClockSet {
    words: Vec<u64>,
}

impl ClockSet {
    /// The empty set over `clocks` clocks.
    pub(crate) fn empty(clocks: usize) -> ClockSet {
        ClockSet { words: vec![0; clocks.div_ceil(64)] }
    }

    pub(crate) fn insert(&mut self, clock: ClockId) {
        if let Some(word) = self.words.get_mut(clock.index() / 64) {
            *word |= 1 << (clock.index() % 64);
        }
    }

    pub(crate) fn remove(&mut self, clock: ClockId) {
        if let Some(word) = self.words.get_mut(clock.index() / 64) {
            *word &= !(1 << (clock.index() % 64));
        }
    }

    pub(crate) fn contains(&self, clock: ClockId) -> bool {
        self.words.get(clock.index() / 64).is_some_and(|word| word & (1 << (clock.index() % 64)) != 0)
    }

    /// Empties the set, keeping its size.
    pub(crate) fn clear(&mut self) {
        self.words.fill(0);
    }

    /// The empty set over `clocks` clocks, in this set's buffer.
    pub(crate) fn reset(&mut self, clocks: usize) {
        self.words.clear();
        self.words.resize(clocks.div_ceil(64), 0);
    }

    /// Makes this set a copy of `other`, keeping the buffer.
    pub(crate) fn copy_from(&mut self, other: &ClockSet) {
        // Word by word when the sizes match (always, within one workflow): a workflow has a word
        // or two of clocks, where a call to `memcpy` costs more.
        if self.words.len() == other.words.len() {
            for (word, other) in self.words.iter_mut().zip(&other.words) {
                *word = *other;
            }
        } else {
            self.words.clear();
            self.words.extend_from_slice(&other.words);
        }
    }

    /// The clocks in the set, by id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ClockId> + '_ {
        self.words.iter().enumerate().flat_map(|(index, word)| {
            let mut bits = *word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(ClockId((index * 64 + bit) as u16))
            })
        })
    }
}
