//! The delivery queue: one delivery per warning and webhook that wants it, tried until the
//! receiver answers 2xx, on a backoff schedule, at most [`DELIVERY_ATTEMPTS_MAX`] times; every
//! attempt is logged. Delivery is at least once: a receiver may get the same warning (the same
//! `id`) twice, when an answer is lost or a delivery loop stops mid-attempt. The HTTP itself is
//! the driver's; the engine keeps the queue.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;

use super::engine::Engine;
use super::engine_error::EngineError;
use super::warnings::Warning;
use crate::store::{DeliveryFilter, NewDeliveryAttempt, Store};

/// The most attempts of one delivery; after the last one fails, the delivery has failed for good.
pub const DELIVERY_ATTEMPTS_MAX: u32 = 10;

/// How long a claimed delivery is kept from other delivery loops: longer than any attempt
/// takes, so it is tried again only when the loop that claimed it stopped before recording.
pub const DELIVERY_LEASE: Duration = Duration::from_mins(5);

/// The wait after each failed attempt, in seconds: 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, then
/// 3 h, 6 h and 12 h (about 22 hours in all).
const BACKOFF_SECONDS: [u64; DELIVERY_ATTEMPTS_MAX as usize - 1] =
    [10, 30, 60, 300, 900, 3_600, 10_800, 21_600, 43_200];

/// How long to wait after attempt number `attempt` (1 for the first) failed before the next;
/// `None` once it was the last ([`DELIVERY_ATTEMPTS_MAX`]).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use renewflow::engine::{DELIVERY_ATTEMPTS_MAX, delivery_backoff};
///
/// assert_eq!(delivery_backoff(1), Some(Duration::from_secs(10)));
/// assert_eq!(delivery_backoff(DELIVERY_ATTEMPTS_MAX), None);
/// ```
pub fn delivery_backoff(attempt: u32) -> Option<Duration> {
    let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
    BACKOFF_SECONDS.get(index).map(|seconds| Duration::from_secs(*seconds))
}

/// When to try again after attempt number `attempt` failed at `at`; `None` after the last.
pub fn next_attempt_at(attempt: u32, at: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let wait = TimeDelta::from_std(delivery_backoff(attempt)?).ok()?;
    at.checked_add_signed(wait)
}

/// An instant as the queue compares them: UTC, to the second (`2026-03-02T01:00:00Z`).
pub(crate) fn utc_text(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A delivery to attempt now: the warning, where it goes and the secret it is signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDelivery {
    pub delivery: i64,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub warning: Warning,
    pub webhook: i64,
    pub url: String,
    pub secret: String,
}

/// How one attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The receiver's HTTP status, if it answered.
    pub http_status: Option<u16>,
    /// Why the attempt did not deliver: a timeout, a refused connection, a non-2xx status.
    pub error: Option<String>,
    pub duration: Duration,
}

impl AttemptOutcome {
    /// Whether the receiver took the warning (a 2xx answer).
    pub fn delivered(&self) -> bool {
        self.http_status.is_some_and(|status| (200..300).contains(&status))
    }
}

/// A delivery as listed, with every attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub warning: i64,
    pub webhook: i64,
    pub url: String,
    pub kind: String,
    pub number: String,
    pub clock: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u64,
    /// UTC; `None` once delivered or failed.
    pub next_attempt_at: Option<String>,
    pub attempt_log: Vec<Attempt>,
}

/// One attempt as logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub attempt: u64,
    pub at: String,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// Which deliveries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    pub warning: Option<i64>,
    /// Only deliveries that failed for good.
    pub failed: bool,
    pub offset: u64,
    pub limit: Option<u64>,
}

impl<S: Store> Engine<S> {
    /// Takes up to `limit` deliveries due by `now`, soonest first, and keeps them from other
    /// delivery loops for [`DELIVERY_LEASE`]: record each attempt with
    /// [`Engine::record_delivery_attempt`]; one not recorded is due again when the lease ends.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn due_deliveries(&mut self, now: DateTime<FixedOffset>, limit: u64) -> Result<Vec<DueDelivery>, EngineError> {
        let lease = TimeDelta::from_std(DELIVERY_LEASE).unwrap_or(TimeDelta::MAX);
        let lease_until = now.checked_add_signed(lease).unwrap_or(now);
        let claimed = self.store_mut().claim_deliveries(&utc_text(now), &utc_text(lease_until), limit)?;
        claimed
            .into_iter()
            .map(|due| {
                Ok(DueDelivery {
                    delivery: due.delivery,
                    attempt: u32::try_from(due.attempt).unwrap_or(u32::MAX),
                    warning: Warning::from_row(due.warning)?,
                    webhook: due.webhook.id,
                    url: due.webhook.webhook.url,
                    secret: due.webhook.webhook.secret,
                })
            })
            .collect()
    }

    /// Logs an attempt made at `at`: a 2xx answer delivers; otherwise the delivery is tried
    /// again at `next_attempt_at` ([`next_attempt_at`] gives the schedule), or, with `None`, has
    /// failed for good.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`], with [`crate::store::StoreError::NotFound`] for an unknown delivery.
    pub fn record_delivery_attempt(
        &mut self,
        delivery: i64,
        at: DateTime<FixedOffset>,
        outcome: &AttemptOutcome,
        next_attempt_at: Option<DateTime<FixedOffset>>,
    ) -> Result<(), EngineError> {
        let next = next_attempt_at.map(utc_text);
        let status = match (outcome.delivered(), &next) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        let at = at.to_rfc3339_opts(SecondsFormat::Millis, false);
        self.store_mut().record_delivery_attempt(&NewDeliveryAttempt {
            delivery,
            at: &at,
            http_status: outcome.http_status,
            error: outcome.error.as_deref(),
            duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
            status,
            next_attempt_at: next.as_deref().filter(|_| status == "pending"),
        })?;
        Ok(())
    }

    /// The deliveries `query` selects, by id, each with every attempt.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>, EngineError> {
        let filter = DeliveryFilter {
            warning: query.warning,
            status: query.failed.then(|| "failed".to_owned()),
            offset: query.offset,
            limit: query.limit,
        };
        Ok(self
            .store()
            .deliveries(&filter)?
            .into_iter()
            .map(|row| Delivery {
                id: row.id,
                warning: row.warning,
                webhook: row.webhook,
                url: row.url,
                kind: row.kind,
                number: row.number,
                clock: row.clock,
                status: row.status,
                attempts: row.attempts,
                next_attempt_at: row.next_attempt_at,
                attempt_log: row
                    .attempt_log
                    .into_iter()
                    .map(|attempt| Attempt {
                        attempt: attempt.attempt,
                        at: attempt.at,
                        http_status: attempt.http_status,
                        error: attempt.error,
                        duration_ms: attempt.duration_ms,
                    })
                    .collect(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{BACKOFF_SECONDS, DELIVERY_ATTEMPTS_MAX, delivery_backoff, next_attempt_at, utc_text};

    #[test]
    fn the_backoff_grows_is_capped_and_ends_after_the_last_attempt() {
        let waits: Vec<u64> =
            (1..=DELIVERY_ATTEMPTS_MAX).filter_map(delivery_backoff).map(|wait| wait.as_secs()).collect();
        assert_eq!(waits, [10, 30, 60, 300, 900, 3_600, 10_800, 21_600, 43_200]);
        assert!(waits.windows(2).all(|pair| pair[0] < pair[1]), "{waits:?}");
        assert!(BACKOFF_SECONDS.iter().all(|seconds| *seconds <= 12 * 3_600), "capped at 12 hours");
        assert_eq!(delivery_backoff(0), None);
        assert_eq!(delivery_backoff(DELIVERY_ATTEMPTS_MAX), None);
        assert_eq!(delivery_backoff(u32::MAX), None);
        assert_eq!(delivery_backoff(4), Some(Duration::from_mins(5)));
    }

    #[test]
    fn the_next_attempt_is_dated_in_utc_to_the_second() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00.700+08:00").unwrap();
        let next = next_attempt_at(2, at).unwrap();
        assert_eq!(utc_text(next), "2026-03-02T01:00:30Z");
        assert_eq!(next_attempt_at(DELIVERY_ATTEMPTS_MAX, at), None);
    }
}
