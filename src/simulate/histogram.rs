//! `Histogram`: whole working days counted per value. Integer counts merge in any order to the
//! same result, so a run split over threads reports byte for byte what one thread reports; means
//! and percentiles are read from the counts exactly.

use serde::Serialize;

/// Counts of non-negative whole values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
}

/// A distribution's summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean: Option<f64>,
    pub p50: Option<i64>,
    pub p90: Option<i64>,
    pub p95: Option<i64>,
    pub max: Option<i64>,
}

impl Histogram {
    pub fn add(&mut self, value: i64) {
        let value = value.max(0) as usize;
        if value >= self.counts.len() {
            self.counts.resize(value + 1, 0);
        }
        self.counts[value] += 1;
        self.total += 1;
        self.sum += value as u128;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (count, more) in self.counts.iter_mut().zip(&other.counts) {
            *count += more;
        }
        self.total += other.total;
        self.sum += other.sum;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// `(value, count)` for every value counted at least once.
    pub fn bins(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().enumerate().filter(|(_, count)| **count > 0).map(|(value, count)| (value as i64, *count))
    }

    /// The mean, from the exact integer sum.
    #[allow(clippy::cast_precision_loss)]
    pub fn mean(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64)
    }

    /// The nearest-rank percentile (`percent` in 1..=100).
    pub fn percentile(&self, percent: u64) -> Option<i64> {
        if self.total == 0 {
            return None;
        }
        let rank = (self.total * percent).div_ceil(100).max(1);
        let mut seen = 0;
        for (value, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(value as i64);
            }
        }
        None
    }

    pub fn summary(&self) -> Summary {
        Summary {
            count: self.total,
            mean: self.mean(),
            p50: self.percentile(50),
            p90: self.percentile(90),
            p95: self.percentile(95),
            max: self.percentile(100),
        }
    }
}
