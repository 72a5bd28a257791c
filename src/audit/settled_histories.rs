//! `SettledHistories`: an audit run again, row by row, handing on each case's replayed history
//! as soon as the case settles (and the rest when the log ends), so an import of a log of any
//! length holds only the cases still open.

use std::collections::VecDeque;

use super::auditor::Auditor;
use super::log_event::{LogEvent, UnreadableRow};
use crate::core::case::Event;

/// (case id, the events the core made for it), in the order cases settle.
pub struct SettledHistories<'a, I> {
    rows: I,
    auditor: Option<Auditor<'a>>,
    ready: VecDeque<(String, Vec<Event>)>,
}

impl<'a, I> SettledHistories<'a, I>
where
    I: Iterator<Item = Result<LogEvent, UnreadableRow>>,
{
    /// `auditor` must keep events (`Auditor::new(…, true)`); its findings are dropped as they
    /// come (they were reported by the audit before).
    pub fn new(auditor: Auditor<'a>, rows: I) -> SettledHistories<'a, I> {
        SettledHistories { rows, auditor: Some(auditor), ready: VecDeque::new() }
    }
}

impl<I> Iterator for SettledHistories<'_, I>
where
    I: Iterator<Item = Result<LogEvent, UnreadableRow>>,
{
    type Item = (String, Vec<Event>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(history) = self.ready.pop_front() {
                return Some(history);
            }
            let auditor = self.auditor.as_mut()?;
            match self.rows.next() {
                Some(row) => {
                    auditor.feed(row);
                    auditor.take_findings();
                    self.ready.extend(auditor.take_histories());
                }
                None => {
                    let outcome = self.auditor.take()?.finish();
                    self.ready.extend(outcome.histories);
                }
            }
        }
    }
}
