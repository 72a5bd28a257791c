//! `VariantStats`: the sequences of activities cases ran through (a case's variant, as the log
//! names its activities), how many cases ran each and how long they took. `VariantTally` counts
//! them keyed by a hash of the sequence, with one example sequence kept per variant and a named
//! limit on the variants counted apart, so memory does not grow with the log.

use std::hash::{Hash as _, Hasher as _};

use foldhash::HashMap;
use serde::Serialize;

use super::day_counts::DayCounts;

/// Distinct variants one part of an audit counts apart; cases of later new variants are counted
/// in `other_cases` only. With `AUDIT_SHARDS` parts and an example of some 50 activities each,
/// the variants of an audit stay within some 50 MiB.
pub const VARIANTS_MAX: usize = 2048;

/// Between the activities of a variant's example, kept as one string (one allocation, not one
/// per activity).
const SEPARATOR: char = '\u{1f}';

/// Variants a report lists, most frequent first.
pub const VARIANTS_SHOWN: usize = 10;

/// One variant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VariantStats {
    /// The activities in order, as the log names them (filled for the variants listed).
    pub activities: Vec<String>,
    /// Cases that ran exactly this sequence, and their share of the cases with a row.
    pub cases: u64,
    pub share: f64,
    /// Working days from the case's first row to its last (nearest-rank median).
    pub median_working_days: Option<i64>,
    #[serde(skip)]
    key: u64,
    #[serde(skip)]
    totals: DayCounts,
    /// The activities, joined by `SEPARATOR`.
    #[serde(skip)]
    example: String,
}

/// The hash of a sequence of activity names, built one name at a time (the same in every shard).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VariantKey(u64);

impl Default for VariantKey {
    fn default() -> VariantKey {
        VariantKey(0x5d58_8b65_6c07_8965)
    }
}

impl VariantKey {
    /// The key of the sequence so far followed by `activity`.
    #[must_use]
    pub(crate) fn then(self, activity: &str) -> VariantKey {
        // SipHash with fixed keys: the same value for the same sequence in every part.
        let mut hasher = std::hash::DefaultHasher::new();
        self.0.hash(&mut hasher);
        activity.hash(&mut hasher);
        VariantKey(hasher.finish())
    }
}

/// The variants one part of an audit has seen.
#[derive(Default)]
pub(crate) struct VariantTally {
    variants: HashMap<u64, VariantStats>,
    other_cases: u64,
}

impl VariantTally {
    /// One case of variant `key` whose activities are `activities`, `total_working_days` from its
    /// first row to its last.
    pub(crate) fn add<'n>(
        &mut self,
        key: VariantKey,
        activities: impl Iterator<Item = &'n str>,
        total_working_days: i64,
    ) {
        let full = self.variants.len() >= VARIANTS_MAX;
        let variant = match self.variants.get_mut(&key.0) {
            Some(variant) => variant,
            None if full => {
                self.other_cases += 1;
                return;
            }
            None => self.variants.entry(key.0).or_insert_with(|| VariantStats {
                activities: Vec::new(),
                example: join(activities),
                cases: 0,
                share: 0.0,
                median_working_days: None,
                key: key.0,
                totals: DayCounts::default(),
            }),
        };
        variant.cases += 1;
        variant.totals.add(total_working_days);
    }

    pub(crate) fn into_parts(self) -> (Vec<VariantStats>, u64) {
        (self.variants.into_values().collect(), self.other_cases)
    }
}

fn join<'n>(activities: impl Iterator<Item = &'n str>) -> String {
    let mut example = String::new();
    for (index, activity) in activities.enumerate() {
        if index > 0 {
            example.push(SEPARATOR);
        }
        example.push_str(activity);
    }
    example
}

/// Adds `part`'s variants to `whole`'s, by key (of two examples under one key, the smaller is
/// kept, so the merge order does not matter).
pub(crate) fn merge_variants(whole: &mut Vec<VariantStats>, part: Vec<VariantStats>) {
    let mut at: HashMap<u64, usize> = whole.iter().enumerate().map(|(index, variant)| (variant.key, index)).collect();
    for theirs in part {
        match at.get(&theirs.key) {
            Some(index) => {
                let mine = &mut whole[*index];
                mine.cases += theirs.cases;
                mine.totals.merge(&theirs.totals);
                if theirs.example < mine.example {
                    mine.example = theirs.example;
                }
            }
            None => {
                at.insert(theirs.key, whole.len());
                whole.push(theirs);
            }
        }
    }
}

/// Keeps the `VARIANTS_SHOWN` most frequent variants (then by sequence), with their figures;
/// `cases` is every case counted, for the shares.
pub(crate) fn settle_variants(variants: &mut Vec<VariantStats>, cases: u64) {
    variants.sort_by(|left, right| right.cases.cmp(&left.cases).then_with(|| left.example.cmp(&right.example)));
    variants.truncate(VARIANTS_SHOWN);
    for variant in variants.iter_mut() {
        variant.activities = variant.example.split(SEPARATOR).map(str::to_owned).collect();
        variant.median_working_days = variant.totals.percentile(50);
        #[allow(clippy::cast_precision_loss)] // counts of cases stay far below 2^52
        let share = if cases == 0 { 0.0 } else { variant.cases as f64 / cases as f64 };
        variant.share = share;
    }
}

#[cfg(test)]
mod tests {
    use super::{VARIANTS_SHOWN, VariantKey, VariantTally, merge_variants, settle_variants};

    fn key(names: &[&str]) -> VariantKey {
        names.iter().fold(VariantKey::default(), |key, name| key.then(name))
    }

    #[test]
    fn cases_of_one_sequence_count_as_one_variant_across_parts() {
        let (mut left, mut right) = (VariantTally::default(), VariantTally::default());
        let short = ["受理", "决定"];
        let long = ["受理", "补正", "决定"];
        left.add(key(&short), short.into_iter(), 5);
        left.add(key(&long), long.into_iter(), 12);
        right.add(key(&short), short.into_iter(), 7);
        right.add(key(&short), short.into_iter(), 9);
        assert_ne!(key(&short), key(&["决定", "受理"]));
        let (mut whole, other) = left.into_parts();
        assert_eq!(other, 0);
        merge_variants(&mut whole, right.into_parts().0);
        settle_variants(&mut whole, 4);
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].activities, short);
        assert_eq!((whole[0].cases, whole[0].share, whole[0].median_working_days), (3, 0.75, Some(7)));
        assert_eq!((whole[1].cases, whole[1].median_working_days), (1, Some(12)));
    }

    #[test]
    fn only_the_most_frequent_are_listed() {
        let mut tally = VariantTally::default();
        for variant in 0..VARIANTS_SHOWN + 5 {
            let name = format!("a{variant}");
            for _ in 0..=variant {
                tally.add(key(&[&name]), std::iter::once(name.as_str()), 1);
            }
        }
        let (mut variants, _) = tally.into_parts();
        settle_variants(&mut variants, 1000);
        assert_eq!(variants.len(), VARIANTS_SHOWN);
        assert_eq!(variants[0].activities, [format!("a{}", VARIANTS_SHOWN + 4)]);
    }
}
