//! `VerifiedHistory`: one case's stored events with the status of each link of its hash chain,
//! recomputed as `verify` does (the same check, not a copy), so a history shows a tampered event
//! as broken instead of printing it as if it were fine.

use super::engine::Engine;
use super::engine_error::EngineError;
use crate::store::{CaseRow, EventRow, Store};

/// A case's history as stored, and where its chain first breaks, if it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedHistory {
    pub case: CaseRow,
    /// The stored events, in order.
    pub events: Vec<EventRow>,
    /// Where the chain first breaks, if it does.
    pub broken: Option<ChainBreak>,
}

/// The first thing wrong with a case's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The index in [`VerifiedHistory::events`] of the first event whose link does not verify;
    /// `None` when every link does but the case row does not match them (a deleted last event,
    /// a number or instant edited in the row).
    pub first_broken: Option<usize>,
    pub reason: String,
}

/// The status of one event's link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// The event's hash recomputes, on a chain that verifies up to it.
    Ok,
    /// The first event that does not verify.
    FirstBroken,
    /// After the first broken event: its link cannot be trusted.
    Broken,
}

impl LinkStatus {
    pub fn name(self) -> &'static str {
        match self {
            LinkStatus::Ok => "ok",
            LinkStatus::FirstBroken | LinkStatus::Broken => "broken",
        }
    }
}

impl VerifiedHistory {
    /// The status of the event at `index`.
    pub fn status(&self, index: usize) -> LinkStatus {
        match self.broken.as_ref().and_then(|broken| broken.first_broken) {
            Some(first) if index == first => LinkStatus::FirstBroken,
            Some(first) if index > first => LinkStatus::Broken,
            _ => LinkStatus::Ok,
        }
    }
}

impl<S: Store> Engine<S> {
    /// A case's events with its chain verified as `verify` verifies it, read from one snapshot.
    /// The history is not folded, so a tampered one is shown even when it no longer fits its
    /// workflow.
    ///
    /// # Errors
    ///
    /// [`EngineError::UnknownCase`], [`EngineError::AmbiguousCase`] or an operating error.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, LinkStatus};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// engine.open_case(&CaseOpening {
    ///     workflow: "administrative-license".to_owned(),
    ///     version: None,
    ///     number: Some("XK-1".to_owned()),
    ///     at: at("2026-09-21T09:30:00+08:00")?,
    ///     actor: "窗口".to_owned(),
    ///     attributes: Vec::new(),
    ///     idempotency_key: None,
    /// })?;
    /// let history = engine.verified_history("XK-1")?;
    /// assert!(history.broken.is_none());
    /// assert_eq!(history.status(0), LinkStatus::Ok);
    /// # Ok(())
    /// # }
    /// ```
    pub fn verified_history(&self, reference: &str) -> Result<VerifiedHistory, EngineError> {
        self.store().begin_snapshot()?;
        let verified = self.verified_history_snapshot(reference);
        self.store().end_snapshot()?;
        verified
    }

    fn verified_history_snapshot(&self, reference: &str) -> Result<VerifiedHistory, EngineError> {
        let case = self.find_case(reference)?;
        let events = self.store().events(&case.id)?;
        let deployment = match self.store().deployment(case.deployment) {
            Ok(deployment) => Some(deployment),
            Err(crate::store::StoreError::NotFound { .. }) => None,
            Err(error) => return Err(error.into()),
        };
        let broken = self.first_break(&case, &events, deployment.as_ref())?.map(|(sequence, reason)| {
            // A missing event is named by the position it should have had, which is its index.
            let first_broken = sequence.map(|sequence| {
                events.iter().position(|event| event.sequence == sequence).unwrap_or(sequence as usize)
            });
            ChainBreak { first_broken: first_broken.filter(|index| *index < events.len()), reason }
        });
        Ok(VerifiedHistory { case, events, broken })
    }
}
