//! `DayCounts`: how many times each whole number of days was seen, kept sparse and sorted, so
//! memory grows with the distinct values, not with the cases, and parts counted by different
//! shards merge in any order to the same figures (nearest-rank percentiles, read exactly).

/// Counts per value (working days, or calendar days), sorted by value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayCounts {
    counts: Vec<(i64, u64)>,
    total: u64,
}

impl DayCounts {
    /// One more sample of `days`.
    pub(crate) fn add(&mut self, days: i64) {
        self.add_many(days, 1);
    }

    /// `times` more samples of `days`.
    fn add_many(&mut self, days: i64, times: u64) {
        self.total += times;
        match self.counts.binary_search_by_key(&days, |(value, _)| *value) {
            Ok(index) => self.counts[index].1 += times,
            Err(index) => self.counts.insert(index, (days, times)),
        }
    }

    /// Adds the samples another part of the audit counted.
    pub(crate) fn merge(&mut self, other: &DayCounts) {
        for (days, times) in &other.counts {
            self.add_many(*days, *times);
        }
    }

    /// Samples counted.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// `(value, how many)` for each value seen, lowest first.
    pub fn values(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().copied()
    }

    /// The nearest-rank percentile (`percent` in 1..=100); `None` with no samples.
    pub fn percentile(&self, percent: u64) -> Option<i64> {
        if self.total == 0 {
            return None;
        }
        let wanted = (self.total * percent).div_ceil(100).max(1);
        let mut seen = 0;
        self.counts.iter().find_map(|(value, count)| {
            seen += count;
            (seen >= wanted).then_some(*value)
        })
    }

    pub fn max(&self) -> Option<i64> {
        self.counts.last().map(|(value, _)| *value)
    }
}

#[cfg(test)]
mod tests {
    use super::DayCounts;

    #[test]
    fn percentiles_are_nearest_rank_and_merging_gives_the_same_figures() {
        let mut whole = DayCounts::default();
        let (mut left, mut right) = (DayCounts::default(), DayCounts::default());
        for (index, days) in [5, 1, 9, 3, 3, 7, 2, 8, 6, 4].into_iter().enumerate() {
            whole.add(days);
            if index % 2 == 0 { left.add(days) } else { right.add(days) }
        }
        right.merge(&left);
        assert_eq!(right, whole);
        assert_eq!((whole.percentile(50), whole.percentile(90), whole.max()), (Some(4), Some(8), Some(9)));
        assert_eq!(whole.count(), 10);
        assert_eq!(DayCounts::default().percentile(50), None);
    }
}
