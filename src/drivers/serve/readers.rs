//! `Readers`: [`READERS_MAX`] threads, each with its own read-only engine over the store, taking
//! reads from one queue. SQLite's write-ahead log lets them read while the writer writes; each
//! read sees the last commit. An engine is kept from one read to the next, so workflows and
//! calendar data are loaded once; it is opened again after the store's calendar data changed.
//! A busy reader takes the next read without sleeping, so under load a read costs one wake-up
//! (its answer's), not three (a permit's, a blocking thread's and the answer's).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::limits::{READERS_MAX, READS_QUEUED_MAX};
use super::problem::Problem;
use crate::core::calendar::Calendars;
use crate::engine::{Engine, EngineError};
use crate::store::SqliteStore;

/// A read, run on a reader's engine (or told why there is none).
type Job = Box<dyn FnOnce(Result<&mut Engine<SqliteStore>, Problem>) + Send>;

/// The reader threads and their queue.
pub(crate) struct Readers {
    path: PathBuf,
    calendars: Calendars,
    /// Bumped when the store's calendar data changes: engines opened before are opened again.
    generation: AtomicU64,
    queue: Mutex<Queue>,
    /// Signalled when a read is queued or the readers are to stop.
    queued: Condvar,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    stopping: bool,
}

impl Readers {
    /// Starts the reader threads.
    ///
    /// # Errors
    ///
    /// When a thread cannot be started.
    pub(crate) fn start(path: PathBuf, calendars: Calendars) -> std::io::Result<Arc<Readers>> {
        let readers = Arc::new(Readers {
            path,
            calendars,
            generation: AtomicU64::new(0),
            queue: Mutex::new(Queue::default()),
            queued: Condvar::new(),
        });
        for index in 0..READERS_MAX {
            let reader = Arc::clone(&readers);
            std::thread::Builder::new().name(format!("renewflow-read-{index}")).spawn(move || reader.work())?;
        }
        Ok(readers)
    }

    /// Marks every engine open now as stale: the store's calendar data changed.
    pub(crate) fn calendar_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Lets the reads queued finish and stops the threads (reads asked after are refused).
    pub(crate) fn stop(&self) {
        self.lock().stopping = true;
        self.queued.notify_all();
    }

    /// Runs `job` on a reader's engine and gives its answer.
    ///
    /// # Errors
    ///
    /// The problem `job` returns; `internal` when the store cannot be opened; `busy` when
    /// [`READS_QUEUED_MAX`] reads are waiting; `shutting-down` once the readers stop.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Engine<SqliteStore>) -> Result<R, Problem> + Send + 'static,
    ) -> Result<R, Problem> {
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.lock();
            if queue.stopping {
                return Err(stopped());
            }
            if queue.jobs.len() >= READS_QUEUED_MAX {
                return Err(Problem::new("busy", format!("{READS_QUEUED_MAX} reads are waiting; retry shortly")));
            }
            queue.jobs.push_back(Box::new(move |engine: Result<&mut Engine<SqliteStore>, Problem>| {
                // The request may have gone (its client hung up): nothing to answer.
                let _ = answer.send(engine.and_then(job));
            }));
        }
        self.queued.notify_one();
        answered.await.map_err(|_| Problem::new("internal", "the read failed before it answered"))?
    }

    /// One reader's loop: open an engine when it has none or its calendar data is stale, take
    /// the next read, run it.
    fn work(&self) {
        let mut engine: Option<(u64, Engine<SqliteStore>)> = None;
        loop {
            let job = {
                let mut queue = self.lock();
                loop {
                    if let Some(job) = queue.jobs.pop_front() {
                        break job;
                    }
                    if queue.stopping {
                        return;
                    }
                    queue = self.queued.wait(queue).unwrap_or_else(PoisonError::into_inner);
                }
            };
            let generation = self.generation.load(Ordering::SeqCst);
            if engine.as_ref().is_some_and(|(opened_at, _)| *opened_at != generation) {
                engine = None;
            }
            if engine.is_none() {
                match self.open() {
                    Ok(opened) => engine = Some((generation, opened)),
                    Err(problem) => {
                        tracing::error!(problem = %problem.document(), "a reader could not open the store");
                        job(Err(problem));
                        continue;
                    }
                }
            }
            if let Some((_, opened)) = &mut engine {
                // A read that panics is answered as failed (its sender dropped); the engine it
                // ran on may be half-way through something, so the next read opens another.
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(Ok(opened))));
                if ran.is_err() {
                    tracing::error!("a read panicked");
                    engine = None;
                }
            }
        }
    }

    fn open(&self) -> Result<Engine<SqliteStore>, Problem> {
        let store = SqliteStore::open_read_only(&self.path).map_err(EngineError::from)?;
        Ok(Engine::open(store, self.calendars.clone(), None)?)
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // The queue is only pushed to and popped from: a panic elsewhere leaves it whole.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn stopped() -> Problem {
    Problem::new("shutting-down", "the service is stopping; no read is started any more")
}
