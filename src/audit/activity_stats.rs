//! `ActivityStats`: what process-mining tools show first about each activity of a log: how many
//! rows and cases have it, and how long it took to reach it (working days from the case's previous
//! row). `ActivityTally` counts them while an audit runs, with a named limit on the distinct names.

use foldhash::HashMap;
use serde::Serialize;

use super::day_counts::DayCounts;

/// Distinct activity names counted apart by one part of an audit; later names share one entry,
/// [`OTHER_ACTIVITIES`], so a log of garbage names cannot grow the tally.
pub const ACTIVITIES_MAX: usize = 1024;

/// The entry for the names past [`ACTIVITIES_MAX`].
pub const OTHER_ACTIVITIES: &str = "(other activities)";

/// One activity of the log, as the log names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActivityStats {
    pub activity: String,
    /// Rows with this activity.
    pub rows: u64,
    /// Cases with at least one such row.
    pub cases: u64,
    /// The durations counted (nearest rank), in working days; by default from the case's
    /// previous row to this one.
    pub median_working_days: Option<i64>,
    pub p90_working_days: Option<i64>,
    pub max_working_days: Option<i64>,
    /// Start and complete rows paired (the mapping's `lifecycle.pair`), and the activity's own
    /// working time from its start to its completion, in working days.
    pub paired: u64,
    pub own_median_working_days: Option<i64>,
    pub own_p90_working_days: Option<i64>,
    pub own_max_working_days: Option<i64>,
    #[serde(skip)]
    durations: DayCounts,
    #[serde(skip)]
    own: DayCounts,
}

impl ActivityStats {
    fn new(activity: &str) -> ActivityStats {
        ActivityStats {
            activity: activity.to_owned(),
            rows: 0,
            cases: 0,
            median_working_days: None,
            p90_working_days: None,
            max_working_days: None,
            paired: 0,
            own_median_working_days: None,
            own_p90_working_days: None,
            own_max_working_days: None,
            durations: DayCounts::default(),
            own: DayCounts::default(),
        }
    }

    /// One duration sample, in working days: any duration the caller chose to attribute to
    /// this activity (the audit gives the time since the case's previous row).
    pub(crate) fn add_duration(&mut self, working_days: i64) {
        self.durations.add(working_days);
    }

    fn merge(&mut self, other: &ActivityStats) {
        self.rows += other.rows;
        self.cases += other.cases;
        self.durations.merge(&other.durations);
        self.paired += other.paired;
        self.own.merge(&other.own);
    }

    fn settle(&mut self) {
        self.median_working_days = self.durations.percentile(50);
        self.p90_working_days = self.durations.percentile(90);
        self.max_working_days = self.durations.max();
        self.own_median_working_days = self.own.percentile(50);
        self.own_p90_working_days = self.own.percentile(90);
        self.own_max_working_days = self.own.max();
    }
}

/// The activities one part of an audit has seen, each under a small number.
#[derive(Default)]
pub(crate) struct ActivityTally {
    ids: HashMap<String, u32>,
    stats: Vec<ActivityStats>,
}

impl ActivityTally {
    /// The number of `activity` (counted under [`OTHER_ACTIVITIES`] past the limit).
    pub(crate) fn id(&mut self, activity: &str) -> u32 {
        if let Some(id) = self.ids.get(activity) {
            return *id;
        }
        let name = if self.stats.len() + 1 < ACTIVITIES_MAX { activity } else { OTHER_ACTIVITIES };
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = u32::try_from(self.stats.len()).unwrap_or(u32::MAX);
        self.ids.insert(name.to_owned(), id);
        self.stats.push(ActivityStats::new(name));
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        &self.stats[id as usize].activity
    }

    /// A row of activity `id`, `since_previous` working days after the case's previous row.
    pub(crate) fn count_row(&mut self, id: u32, since_previous: Option<i64>) {
        let stats = &mut self.stats[id as usize];
        stats.rows += 1;
        if let Some(working_days) = since_previous {
            stats.add_duration(working_days);
        }
    }

    /// A start and a completion of activity `id` paired, `working_days` apart.
    pub(crate) fn count_own(&mut self, id: u32, working_days: i64) {
        let stats = &mut self.stats[id as usize];
        stats.paired += 1;
        stats.own.add(working_days);
    }

    /// A case that had each activity of `distinct` (no number twice).
    pub(crate) fn count_case(&mut self, distinct: &[u32]) {
        for id in distinct {
            self.stats[*id as usize].cases += 1;
        }
    }

    pub(crate) fn into_stats(self) -> Vec<ActivityStats> {
        self.stats
    }
}

/// Adds `part`'s activities to `whole`'s, by name.
pub(crate) fn merge_activities(whole: &mut Vec<ActivityStats>, part: Vec<ActivityStats>) {
    for theirs in part {
        match whole.iter_mut().find(|mine| mine.activity == theirs.activity) {
            Some(mine) => mine.merge(&theirs),
            None => whole.push(theirs),
        }
    }
}

/// Fills the figures and puts the most frequent activity first (then by name).
pub(crate) fn settle_activities(activities: &mut [ActivityStats]) {
    for stats in activities.iter_mut() {
        stats.settle();
    }
    activities.sort_by(|left, right| right.rows.cmp(&left.rows).then_with(|| left.activity.cmp(&right.activity)));
}

#[cfg(test)]
mod tests {
    use super::{ACTIVITIES_MAX, ActivityTally, OTHER_ACTIVITIES, merge_activities, settle_activities};

    #[test]
    fn names_past_the_limit_share_one_entry() {
        let mut tally = ActivityTally::default();
        for index in 0..ACTIVITIES_MAX + 10 {
            let id = tally.id(&format!("a{index}"));
            tally.count_row(id, None);
        }
        let stats = tally.into_stats();
        assert_eq!(stats.len(), ACTIVITIES_MAX);
        let other = stats.iter().find(|stats| stats.activity == OTHER_ACTIVITIES).unwrap();
        assert_eq!(other.rows, 11);
    }

    #[test]
    fn parts_merge_by_name_and_the_most_frequent_comes_first() {
        let mut left = ActivityTally::default();
        let mut right = ActivityTally::default();
        let (accept, decide) = (left.id("受理"), left.id("决定"));
        left.count_row(accept, None);
        left.count_row(decide, Some(4));
        left.count_case(&[accept, decide]);
        let decide_right = right.id("决定");
        right.count_row(decide_right, Some(10));
        right.count_case(&[decide_right]);
        let mut whole = left.into_stats();
        merge_activities(&mut whole, right.into_stats());
        settle_activities(&mut whole);
        assert_eq!(whole[0].activity, "决定");
        assert_eq!((whole[0].rows, whole[0].cases, whole[0].median_working_days), (2, 2, Some(4)));
        assert_eq!(whole[0].max_working_days, Some(10));
        assert_eq!((whole[1].rows, whole[1].median_working_days), (1, None));
    }
}
