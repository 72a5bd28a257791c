//! What one client saw, merged over all clients at the end: answers by route and status,
//! failures by kind, and every answered request's latency.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::connection::{Answer, Failure};
use crate::histogram::Histogram;

/// The routes a run sends to, counted apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Route {
    Open,
    Act,
    Timing,
    Watch,
}

impl Route {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Route::Open => "open",
            Route::Act => "act",
            Route::Timing => "timing",
            Route::Watch => "watch",
        }
    }
}

pub(crate) struct Tally {
    /// Requests sent, whatever became of them.
    pub(crate) requests: u64,
    /// 2xx answers by route.
    pub(crate) acknowledged: BTreeMap<Route, u64>,
    /// Other answers by status.
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Requests with no answer, or an answer that could not be used, by kind.
    pub(crate) failures: BTreeMap<&'static str, u64>,
    /// Every answered request, 2xx or not.
    pub(crate) latency: Histogram,
}

impl Tally {
    pub(crate) fn new() -> Tally {
        Tally {
            requests: 0,
            acknowledged: BTreeMap::new(),
            statuses: BTreeMap::new(),
            failures: BTreeMap::new(),
            latency: Histogram::new(),
        }
    }

    /// Counts one request's outcome; the answer comes back when it was a 2xx, for its body.
    pub(crate) fn count<'a>(&mut self, route: Route, outcome: &'a Result<Answer, Failure>) -> Option<&'a Answer> {
        self.requests += 1;
        match outcome {
            Ok(answer) => {
                self.latency.record(answer.latency);
                if answer.status.is_success() {
                    *self.acknowledged.entry(route).or_default() += 1;
                    Some(answer)
                } else {
                    *self.statuses.entry(answer.status.as_u16()).or_default() += 1;
                    None
                }
            }
            Err(failure) => {
                self.fail(failure.name());
                None
            }
        }
    }

    /// Counts a 2xx answer whose body could not be used (the request itself stays acknowledged).
    pub(crate) fn fail(&mut self, kind: &'static str) {
        *self.failures.entry(kind).or_default() += 1;
    }

    pub(crate) fn merge(&mut self, other: &Tally) {
        self.requests += other.requests;
        for (route, count) in &other.acknowledged {
            *self.acknowledged.entry(*route).or_default() += count;
        }
        for (status, count) in &other.statuses {
            *self.statuses.entry(*status).or_default() += count;
        }
        for (kind, count) in &other.failures {
            *self.failures.entry(kind).or_default() += count;
        }
        self.latency.merge(&other.latency);
    }

    pub(crate) fn acknowledged_total(&self) -> u64 {
        self.acknowledged.values().sum()
    }
}

/// A whole run: the merged tally and how long the clients ran.
pub(crate) struct Outcome {
    pub(crate) mode: &'static str,
    pub(crate) clients: usize,
    pub(crate) elapsed: Duration,
    pub(crate) tally: Tally,
}
