//! `BatchQueue`: the work a sharded audit's workers share. It holds the batches read ahead and,
//! for each shard, the next batch it replays; it hands out one task at a time (read the next
//! batch, replay one shard's part of a batch, hand a finished batch's findings on) and takes the
//! result back. A shard replays its parts in batch order, and is replayed by one worker at a
//! time; apart from that any worker takes any task, so no worker waits for a batch to be
//! finished by the others, and the log is read by whichever worker is free.
//!
//! The queue itself is plain data: `ShardedAudit` keeps it under a lock and runs the tasks.

use std::collections::VecDeque;
use std::sync::Arc;

use super::report_entry::ReportEntry;
use super::row_batch::RowBatch;
use super::sharded_audit::{AUDIT_SHARDS, Parts};

/// One unit of work, handed to one worker.
pub(super) enum Task {
    /// Read the next batch into these parts (cleared by the reader), then [`BatchQueue::read`].
    Read(Box<Parts>),
    /// Replay `shard`'s part of `parts`, then [`BatchQueue::replayed`].
    Replay { shard: usize, parts: Arc<Parts> },
    /// Hand on the findings of a batch every shard has replayed, in row order.
    Hand(Vec<ReportEntry>),
    /// Nothing to do until another worker finishes a task.
    Wait,
    /// Every batch is read and replayed (and, for the worker that hands findings on, handed
    /// on), or the audit has stopped.
    Finished,
}

/// A batch read and not yet replayed by every shard.
struct Queued {
    parts: Arc<Parts>,
    /// Shards that have not replayed their part yet.
    remaining: usize,
    /// Findings so far, each with its row's position in the batch.
    found: Vec<(u32, ReportEntry)>,
}

/// Batches read ahead, and how far each shard has replayed them.
pub(super) struct BatchQueue {
    /// Most batches read and not yet replayed by every shard.
    ahead: usize,
    /// Oldest first; the front one is batch number `first`.
    batches: VecDeque<Queued>,
    first: u64,
    /// Per shard, the number of the next batch it replays.
    next: [u64; AUDIT_SHARDS],
    /// Per shard, whether a worker is replaying it now.
    busy: [bool; AUDIT_SHARDS],
    /// Findings of batches every shard has replayed, not yet handed on.
    done: VecDeque<Vec<ReportEntry>>,
    /// Parts of replayed batches, to be read into again.
    spare: Vec<Parts>,
    reading: bool,
    /// The log has no more rows.
    ended: bool,
    /// The audit stops: every worker finishes at its next task.
    stopped: bool,
    /// Workers waiting for a task.
    pub(super) waiting: usize,
}

impl BatchQueue {
    /// An empty queue that reads at most `ahead` batches (at least 1) ahead of the replay.
    pub(super) fn new(ahead: usize) -> BatchQueue {
        BatchQueue {
            ahead: ahead.max(1),
            batches: VecDeque::new(),
            first: 0,
            next: [0; AUDIT_SHARDS],
            busy: [false; AUDIT_SHARDS],
            done: VecDeque::new(),
            spare: Vec::new(),
            reading: false,
            ended: false,
            stopped: false,
            waiting: 0,
        }
    }

    /// The next task for a worker; `hands` is whether this worker hands findings on (one does).
    /// Findings come first, so that memory does not hold them long; then reading, while fewer
    /// than `ahead` batches are queued, since every other task waits on it; then the shard
    /// furthest behind.
    pub(super) fn next_task(&mut self, hands: bool) -> Task {
        if self.stopped {
            return Task::Finished;
        }
        if hands && let Some(found) = self.done.pop_front() {
            return Task::Hand(found);
        }
        if !self.reading && !self.ended && self.batches.len() < self.ahead {
            self.reading = true;
            let parts = Box::new(self.spare.pop().unwrap_or_else(|| std::array::from_fn(|_| RowBatch::new())));
            return Task::Read(parts);
        }
        let queued_end = self.first + self.batches.len() as u64;
        let shard = (0..AUDIT_SHARDS)
            .filter(|shard| !self.busy[*shard] && self.next[*shard] < queued_end)
            .min_by_key(|shard| self.next[*shard]);
        if let Some(shard) = shard {
            let position = usize::try_from(self.next[shard] - self.first).unwrap_or(usize::MAX);
            if let Some(batch) = self.batches.get(position) {
                self.busy[shard] = true;
                return Task::Replay { shard, parts: Arc::clone(&batch.parts) };
            }
        }
        let all_replayed = self.ended && !self.reading && self.batches.is_empty();
        if all_replayed && (!hands || self.done.is_empty()) { Task::Finished } else { Task::Wait }
    }

    /// A batch read (`None`: the log has ended).
    pub(super) fn read(&mut self, parts: Option<Box<Parts>>) {
        self.reading = false;
        match parts {
            Some(parts) => {
                self.batches.push_back(Queued { parts: Arc::new(*parts), remaining: AUDIT_SHARDS, found: Vec::new() });
            }
            None => self.ended = true,
        }
    }

    /// `shard` has replayed its part of the batch `parts` (handed back) and found `found`.
    /// Batches every shard has replayed leave the queue: their findings, in row order, wait to
    /// be handed on when `keep_found`, and their parts to be read into again.
    pub(super) fn replayed(
        &mut self,
        shard: usize,
        parts: Arc<Parts>,
        found: Vec<(u32, ReportEntry)>,
        keep_found: bool,
    ) {
        drop(parts);
        let position = usize::try_from(self.next[shard] - self.first).unwrap_or(usize::MAX);
        self.busy[shard] = false;
        self.next[shard] += 1;
        if let Some(batch) = self.batches.get_mut(position) {
            batch.remaining -= 1;
            batch.found.extend(found);
        }
        while self.batches.front().is_some_and(|batch| batch.remaining == 0) {
            let Some(batch) = self.batches.pop_front() else { break };
            self.first += 1;
            let mut found = batch.found;
            // A row is one shard's, and a shard's findings are in row order: a stable sort by
            // row gives the order one auditor would have found them in.
            found.sort_by_key(|(position, _)| *position);
            if keep_found && !found.is_empty() {
                self.done.push_back(found.into_iter().map(|(_, finding)| finding).collect());
            }
            // Every other worker has handed its share of the batch back.
            if let Some(parts) = Arc::into_inner(batch.parts) {
                self.spare.push(parts);
            }
        }
    }

    /// The audit stops: no task is handed out any more.
    pub(super) fn stop(&mut self) {
        self.stopped = true;
    }
}

#[cfg(test)]
mod tests {
    use super::{AUDIT_SHARDS, BatchQueue, Task};
    use crate::audit::finding::{Finding, FindingCode};
    use crate::audit::report_entry::ReportEntry;

    fn finding(case: &str) -> ReportEntry {
        ReportEntry::Finding(Finding::new(FindingCode::UnknownActivity, case, Some(1), String::new()))
    }

    /// The queue reads first, up to `ahead` batches; each shard replays the batches in order
    /// and never twice at once; findings are handed on in row order once every shard is done.
    #[test]
    fn tasks_come_in_an_order_that_keeps_each_shard_in_batch_order() {
        let mut queue = BatchQueue::new(2);
        let Task::Read(first) = queue.next_task(true) else { panic!("reads first") };
        // Only one reader at a time: the other worker replays or waits.
        assert!(matches!(queue.next_task(false), Task::Wait));
        queue.read(Some(first));
        let Task::Read(second) = queue.next_task(false) else { panic!("reads ahead") };
        // Meanwhile shard 0 replays batch 0, and is not handed out again until it is done.
        let Task::Replay { shard: 0, parts: zero } = queue.next_task(true) else { panic!("replays shard 0") };
        queue.read(Some(second));
        // Two batches queued: no more reading; shard 1 is the one furthest behind that is free.
        let Task::Replay { shard: 1, parts: one } = queue.next_task(false) else { panic!("replays shard 1") };
        queue.replayed(1, one, vec![(7, finding("b"))], true);
        // Shard 1 is on batch 1 now; shards 2.. are still on batch 0 and come first.
        for shard in 2..AUDIT_SHARDS {
            let Task::Replay { shard: handed, parts } = queue.next_task(false) else { panic!("replays") };
            assert_eq!(handed, shard);
            queue.replayed(shard, parts, Vec::new(), true);
        }
        // Shard 0 is busy with batch 0, so the others go on with batch 1 meanwhile.
        let Task::Replay { shard: 1, parts: later } = queue.next_task(false) else { panic!("batch 1") };
        // Batch 0 is done only when shard 0 is; its findings come in row order.
        queue.replayed(0, zero, vec![(3, finding("a")), (9, finding("a"))], true);
        let Task::Hand(found) = queue.next_task(true) else { panic!("hands batch 0 on") };
        let cases: Vec<&str> = found
            .iter()
            .map(|entry| match entry {
                ReportEntry::Finding(finding) => finding.case_id.as_str(),
                ReportEntry::Case(case) => case.case_id.as_str(),
            })
            .collect();
        assert_eq!(cases, ["a", "b", "a"]);
        // Batch 0's parts are spare: the next read reuses them.
        let Task::Read(_) = queue.next_task(false) else { panic!("reads again") };
        queue.read(None);
        queue.replayed(1, later, Vec::new(), true);
        // Only the hander waits for findings; with the log ended, the last parts are replayed.
        loop {
            match queue.next_task(false) {
                Task::Replay { shard, parts } => queue.replayed(shard, parts, Vec::new(), true),
                Task::Finished => break,
                _ => panic!("only replays are left"),
            }
        }
        assert!(matches!(queue.next_task(true), Task::Finished));
    }

    #[test]
    fn a_stopped_queue_hands_out_nothing() {
        let mut queue = BatchQueue::new(2);
        let Task::Read(parts) = queue.next_task(true) else { panic!("reads first") };
        queue.read(Some(parts));
        queue.stop();
        assert!(matches!(queue.next_task(true), Task::Finished));
        assert!(matches!(queue.next_task(false), Task::Finished));
    }
}
