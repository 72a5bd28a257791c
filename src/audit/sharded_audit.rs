//! `ShardedAudit`: one audit split by case between a fixed number of `Auditor`s (shards), so a
//! log is replayed on every core. The log is read in batches; each batch's rows are routed to
//! their case's shard. Every shard runs the same core; a case is replayed by one shard, in file
//! order, exactly as a single auditor would replay it. The workers share the tasks through a
//! `BatchQueue`: whichever is free reads the next batch or replays a shard's part of a batch
//! read earlier, so no worker waits for the others at the end of a batch, and there are no more
//! threads than workers. The calling thread is one of them, and hands each batch's findings on.
//!
//! The output does not depend on the number of threads: the shard of a case is a fixed hash of
//! its id, the parts are merged in shard order and then sorted, and findings and cases streamed
//! while the audit runs come out in the order of the rows that caused them (a case with the row
//! that settled it), as from a single auditor.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;

use super::auditor::{AuditOutcome, Auditor};
use super::batch_queue::{BatchQueue, Task};
use super::report_entry::ReportEntry;
use super::row_batch::{RowBatch, RowSource};

/// Shards an audit is split into, whatever the number of threads.
pub const AUDIT_SHARDS: usize = 16;

/// Rows read into one batch.
const BATCH_ROWS: usize = 4096;

/// Batches read ahead of the replay, with more than one worker.
const BATCHES_AHEAD: usize = 2;

/// A batch split by shard.
pub(super) type Parts = [RowBatch; AUDIT_SHARDS];

/// An audit split between shards by case.
pub struct ShardedAudit<'a> {
    shards: [Auditor<'a>; AUDIT_SHARDS],
    /// Whether findings are taken out as they come (`run`'s `found`).
    streaming: bool,
}

impl<'a> ShardedAudit<'a> {
    /// An audit over `AUDIT_SHARDS` auditors with the settings of `auditor` (which has read no
    /// rows). With `streaming`, findings and settled cases' reports (when the auditor keeps
    /// them) are handed to `run`'s `found` as they come, and the final report holds only those
    /// of the cases still open at the end, settled then.
    pub fn new(auditor: &Auditor<'a>, streaming: bool) -> ShardedAudit<'a> {
        let shards = std::array::from_fn(|_| {
            let mut shard = auditor.twin();
            shard.streaming(streaming);
            shard
        });
        ShardedAudit { shards, streaming }
    }

    /// Reads every row of `source` and replays it, then settles the cases still open. The
    /// calling thread and as many more as `pool` has threads, less one, share the work: each
    /// reads the next batch or replays a shard's part of one. When streaming, `found` gets each
    /// batch's findings and settled cases in the order of the rows that caused them, on the
    /// calling thread; an error it returns stops the
    /// audit. `pool` settles the open cases at the end.
    ///
    /// # Errors
    ///
    /// The first error `found` returns.
    pub fn run<S, E>(
        mut self,
        source: S,
        pool: &rayon::ThreadPool,
        mut found: impl FnMut(Vec<ReportEntry>) -> Result<(), E>,
    ) -> Result<AuditOutcome, E>
    where
        S: RowSource + Send,
    {
        let workers = pool.current_num_threads().clamp(1, AUDIT_SHARDS);
        // One worker alone reads a batch and replays it before it reads the next.
        let ahead = if workers == 1 { 1 } else { BATCHES_AHEAD };
        let shared = Shared {
            queue: Mutex::new(BatchQueue::new(ahead)),
            wake: Condvar::new(),
            reader: Mutex::new((source, RowBatch::new())),
            shards: self.shards.iter_mut().map(Mutex::new).collect(),
            streaming: self.streaming,
        };
        std::thread::scope(|scope| {
            for _ in 1..workers {
                scope.spawn(|| shared.work::<()>(None));
            }
            shared.work(Some(&mut found))
        })?;
        Ok(self.finish(pool))
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

/// What a sharded audit's workers share.
struct Shared<'s, 'a, S> {
    queue: Mutex<BatchQueue>,
    /// Signalled when a task ends, for the workers waiting for one.
    wake: Condvar,
    /// The log, and a buffer its reader may use.
    reader: Mutex<(S, RowBatch)>,
    /// The shards. The queue hands each to one worker at a time, so these locks are never
    /// contended.
    shards: Vec<Mutex<&'s mut Auditor<'a>>>,
    streaming: bool,
}

impl<S: RowSource> Shared<'_, '_, S> {
    /// Takes tasks from the queue and runs them until none is left. The worker given `found`
    /// also hands the findings on; an error from it stops every worker.
    fn work<E>(&self, mut found: Option<&mut dyn FnMut(Vec<ReportEntry>) -> Result<(), E>>) -> Result<(), E> {
        // A worker that panics stops the others, which would otherwise wait for its task.
        let stopper = StopOnPanic(self);
        let mut queue = lock(&self.queue);
        let outcome = loop {
            match queue.next_task(found.is_some()) {
                Task::Finished => break Ok(()),
                Task::Wait => {
                    queue.waiting += 1;
                    queue = self.wake.wait(queue).unwrap_or_else(PoisonError::into_inner);
                    queue.waiting -= 1;
                }
                Task::Hand(findings) => {
                    drop(queue);
                    let handed = found.as_mut().map_or(Ok(()), |found| found(findings));
                    queue = lock(&self.queue);
                    if handed.is_err() {
                        queue.stop();
                        self.wake.notify_all();
                        break handed;
                    }
                }
                Task::Read(mut parts) => {
                    drop(queue);
                    {
                        let mut reader = lock(&self.reader);
                        let (source, staging) = &mut *reader;
                        source.fill_parts(staging, &mut parts[..], BATCH_ROWS);
                    }
                    let read = !parts.iter().all(RowBatch::is_empty);
                    queue = lock(&self.queue);
                    queue.read(read.then_some(parts));
                    if queue.waiting > 0 {
                        self.wake.notify_all();
                    }
                }
                Task::Replay { shard, parts } => {
                    drop(queue);
                    let mut found_here = Vec::new();
                    lock(&self.shards[shard]).feed_part(&parts[shard], self.streaming.then_some(&mut found_here));
                    queue = lock(&self.queue);
                    queue.replayed(shard, parts, found_here, self.streaming);
                    if queue.waiting > 0 {
                        self.wake.notify_all();
                    }
                }
            }
        };
        drop(queue);
        std::mem::forget(stopper);
        outcome
    }
}

/// Stops the queue when dropped: only when its worker panics (it is forgotten otherwise).
struct StopOnPanic<'q, 's, 'a, S>(&'q Shared<'s, 'a, S>);

impl<S> Drop for StopOnPanic<'_, '_, '_, S> {
    fn drop(&mut self) {
        lock(&self.0.queue).stop();
        self.0.wake.notify_all();
    }
}

/// The lock's guard, also after a panic elsewhere (the queue is then stopped).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
