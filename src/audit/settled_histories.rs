//! `SettledHistories`: an audit run again, batch by batch, handing on each case's replayed
//! history as soon as the case settles (and the rest when the log ends), so an import of a log of
//! any length holds only the cases still open.

use std::collections::VecDeque;

use super::auditor::Auditor;
use super::row_batch::{RowBatch, RowSource};
use crate::core::case::Event;

/// Rows read at a time.
const BATCH_ROWS: usize = 1024;

/// (case id, the events the core made for it), in the order cases settle.
pub struct SettledHistories<'a, S> {
    rows: S,
    batch: RowBatch,
    auditor: Option<Auditor<'a>>,
    ready: VecDeque<(String, Vec<Event>)>,
}

impl<'a, S: RowSource> SettledHistories<'a, S> {
    /// `auditor` must keep events (`Auditor::new(…, true)`); its findings are dropped as they
    /// come (they were reported by the audit before).
    pub fn new(auditor: Auditor<'a>, rows: S) -> SettledHistories<'a, S> {
        SettledHistories { rows, batch: RowBatch::new(), auditor: Some(auditor), ready: VecDeque::new() }
    }
}

impl<S: RowSource> Iterator for SettledHistories<'_, S> {
    type Item = (String, Vec<Event>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(history) = self.ready.pop_front() {
                return Some(history);
            }
            let auditor = self.auditor.as_mut()?;
            self.batch.clear();
            self.rows.fill(&mut self.batch, BATCH_ROWS);
            if self.batch.is_empty() {
                let outcome = self.auditor.take()?.finish();
                self.ready.extend(outcome.histories);
            } else {
                auditor.feed_batch(&self.batch);
                auditor.take_findings();
                self.ready.extend(auditor.take_histories());
            }
        }
    }
}
