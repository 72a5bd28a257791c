//! `ShardedAudit`: one audit split by case between a fixed number of `Auditor`s (shards), so a
//! log is replayed on every core. One thread reads the log into batches; each batch's rows are
//! routed to their case's shard, and the shards replay their rows of a batch in parallel. Every
//! shard runs the same core; a case is replayed by one shard, in file order, exactly as a single
//! auditor would replay it. The caller writes a batch's findings while the next batch replays.
//!
//! The output does not depend on the number of threads: the shard of a case is a fixed hash of
//! its id, the parts are merged in shard order and then sorted, and findings streamed while the
//! audit runs come out in the order of the rows that caused them, as from a single auditor.

use std::sync::mpsc;

use rayon::prelude::*;

use super::auditor::{AuditOutcome, Auditor};
use super::finding::Finding;
use super::row_batch::{RowBatch, RowSource};

/// Shards an audit is split into, whatever the number of threads.
pub const AUDIT_SHARDS: usize = 16;

/// Rows read into one batch.
const BATCH_ROWS: usize = 4096;

/// Batches read ahead of the replay.
const BATCHES_AHEAD: usize = 2;

/// A batch split by shard.
type Parts = [RowBatch; AUDIT_SHARDS];

/// An audit split between shards by case.
pub struct ShardedAudit<'a> {
    shards: [Auditor<'a>; AUDIT_SHARDS],
    /// Whether findings are taken out as they come (`run`'s `found`).
    streaming: bool,
}

impl<'a> ShardedAudit<'a> {
    /// An audit over `AUDIT_SHARDS` auditors made alike by `auditor`. With `streaming`, findings
    /// are handed to `run`'s `found` as they come, and the final report holds only those found
    /// when the cases still open at the end are settled.
    pub fn new(auditor: impl Fn() -> Auditor<'a>, streaming: bool) -> ShardedAudit<'a> {
        ShardedAudit { shards: std::array::from_fn(|_| auditor()), streaming }
    }

    /// Reads every row of `source` and replays it, then settles the cases still open. `pool`
    /// runs the shards; with more than one thread in it, the log is read on a thread of its own
    /// meanwhile, and `found` takes each batch's findings on the calling thread while the shards
    /// replay the next batch. When streaming, `found` gets each batch's findings in row order;
    /// an error it returns stops the audit.
    ///
    /// # Errors
    ///
    /// The first error `found` returns.
    pub fn run<S, E>(
        mut self,
        mut source: S,
        pool: &rayon::ThreadPool,
        mut found: impl FnMut(Vec<Finding>) -> Result<(), E>,
    ) -> Result<AuditOutcome, E>
    where
        S: RowSource + Send,
    {
        let mut read = RowBatch::new();
        // The next batch, split by shard; `None` at the end of the log.
        let mut next = move |parts: Option<Parts>| {
            let mut parts = parts.unwrap_or_else(|| std::array::from_fn(|_| RowBatch::new()));
            source.fill_parts(&mut read, &mut parts, BATCH_ROWS);
            (!parts.iter().all(RowBatch::is_empty)).then_some(parts)
        };
        if pool.current_num_threads() <= 1 {
            let mut parts = None;
            while let Some(split) = next(parts.take()) {
                found(self.feed(&split, pool))?;
                parts = Some(split);
            }
        } else {
            let (full_sender, full) = mpsc::sync_channel::<Parts>(BATCHES_AHEAD);
            let (empty_sender, empty) = mpsc::channel::<Parts>();
            let outcome = std::thread::scope(|scope| {
                scope.spawn(move || {
                    // The replay has stopped when nobody receives: stop reading.
                    while let Some(split) = next(empty.try_recv().ok()) {
                        if full_sender.send(split).is_err() {
                            break;
                        }
                    }
                });
                // Owned here, so that leaving early (an error from `found`) drops the receiver
                // and the reader, blocked on a full channel, stops instead of waiting forever.
                let full = full;
                // The findings of the batch before, handed to `found` on this thread while the
                // shards replay the next batch.
                let mut before: Option<Vec<Finding>> = None;
                for split in &full {
                    let mut handed = Ok(());
                    let shards = &mut self.shards;
                    let streaming = self.streaming;
                    let mut now = Vec::new();
                    pool.in_place_scope(|scope| {
                        scope.spawn(|_| now = feed_shards(shards, &split, streaming));
                        if let Some(before) = before.take() {
                            handed = found(before);
                        }
                    });
                    handed?;
                    before = Some(now);
                    // The reader may have ended; then the parts are simply dropped.
                    let _ = empty_sender.send(split);
                }
                before.map_or(Ok(()), &mut found)
            });
            outcome?;
        }
        Ok(self.finish(pool))
    }

    /// Replays one batch, split by shard, on the shards; the findings taken out, in row order.
    fn feed(&mut self, parts: &Parts, pool: &rayon::ThreadPool) -> Vec<Finding> {
        pool.install(|| feed_shards(&mut self.shards, parts, self.streaming))
    }

    /// Settles the open cases of every shard as of one date (the latest of all), and merges.
    fn finish(self, pool: &rayon::ThreadPool) -> AuditOutcome {
        let as_of = self.shards.iter().filter_map(Auditor::audit_date).max();
        let [lead, rest @ ..] = self.shards;
        let (lead, rest) = pool.install(|| {
            rayon::join(
                || lead.finish_as_of(as_of),
                || rest.into_par_iter().map(|auditor| auditor.finish_as_of(as_of)).collect::<Vec<_>>(),
            )
        });
        let mut outcome = rest.into_iter().fold(lead, AuditOutcome::merge);
        outcome.report.settle();
        outcome
    }
}

/// Replays one batch, split by shard, on `shards` in parallel (on the current rayon pool); with
/// `streaming`, the findings taken out, in row order.
fn feed_shards(shards: &mut [Auditor<'_>; AUDIT_SHARDS], parts: &Parts, streaming: bool) -> Vec<Finding> {
    let per_shard: Vec<Vec<(u32, Finding)>> = shards
        .par_iter_mut()
        .zip(parts)
        .map(|(auditor, part)| {
            let mut found = Vec::new();
            auditor.feed_part(part, streaming.then_some(&mut found));
            found
        })
        .collect();
    let mut found: Vec<(u32, Finding)> = per_shard.into_iter().flatten().collect();
    // Each row belongs to one shard, and a shard's findings are in row order: a stable sort by
    // row gives the order one auditor would have found them in.
    found.sort_by_key(|(position, _)| *position);
    found.into_iter().map(|(_, finding)| finding).collect()
}
