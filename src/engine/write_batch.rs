//! Write batches through the engine: open cases and act on them as usual, then commit them all
//! at once. A service answers each write of a batch only after the batch's commit; if the commit
//! fails, none of them was written and each caller is told so.

use super::engine::Engine;
use super::engine_error::EngineError;
use crate::store::Store;

impl<S: Store> Engine<S> {
    /// Opens a write batch: [`Engine::open_case`] and [`Engine::act`] until
    /// [`Engine::end_batch`] are committed together. A refused write leaves the batch as it
    /// was. One that fails after it wrote a row (a full disk, a corrupt file) breaks the batch:
    /// the writes after it are refused, and `end_batch` rolls everything back and says so.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`], also when a batch is open already.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// let directory = tempfile::tempdir()?;
    /// let mut engine = Engine::new(SqliteStore::open(&directory.path().join("cases.db"))?, Calendars::builtin());
    /// engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// let opening = |number: &str| CaseOpening {
    ///     workflow: "administrative-license".to_owned(),
    ///     version: None,
    ///     number: Some(number.to_owned()),
    ///     at: at("2026-09-21T09:30:00+08:00").unwrap(),
    ///     actor: "窗口".to_owned(),
    ///     attributes: Vec::new(),
    ///     idempotency_key: None,
    /// };
    /// engine.begin_batch()?;
    /// engine.open_case(&opening("XK-1"))?;
    /// assert!(engine.open_case(&opening("XK-1")).is_err()); // refused: the rest stands
    /// engine.open_case(&opening("XK-2"))?;
    /// engine.end_batch(false)?; // rolled back: neither case was written
    /// assert!(engine.cases()?.is_empty());
    /// engine.begin_batch()?;
    /// engine.open_case(&opening("XK-1"))?;
    /// engine.end_batch(true)?;
    /// assert_eq!(engine.cases()?.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn begin_batch(&mut self) -> Result<(), EngineError> {
        Ok(self.store_mut().begin_batch()?)
    }

    /// Ends the write batch: commits it (`commit`), or rolls it back. After a rollback, or a
    /// commit that failed, the replays kept of the batch's cases are forgotten.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`] when the commit fails or the batch was broken: nothing of the
    /// batch was written.
    pub fn end_batch(&mut self, commit: bool) -> Result<(), EngineError> {
        let ended = self.store_mut().end_batch(commit);
        if !commit || ended.is_err() {
            self.forget_replays();
        }
        Ok(ended?)
    }
}
