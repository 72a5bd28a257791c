//! `Writer`: the one thread that writes to the store. Every write the service accepts is a job
//! queued to it. Case writes are batched: the writer takes every job waiting, runs each on its
//! engine inside one write batch, commits once, and only then answers each of them; a job that
//! is refused or fails leaves the others as they were; when a batch cannot begin (another process
//! holds the store's write lock past the store's wait), its jobs are refused without running.
//! Other writes (deployments, calendar installations, keys) run alone, between batches. Async stays at the edge: the engine and the
//! store remain synchronous.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::limits::{BATCH_WRITES_MAX, WRITES_QUEUED_MAX};
use super::problem::Problem;
use crate::engine::Engine;
use crate::store::SqliteStore;

/// What answers a batched job once its batch has ended: `None` when it was committed, else why
/// the commit failed.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// A case write: run inside a batch, it gives what answers it once the batch has ended. Given
/// the problem instead of the engine when no batch could begin, it gives the refusal.
type BatchedJob = Box<dyn FnOnce(Result<&mut Engine<SqliteStore>, &Problem>) -> Finish + Send>;
/// A write that makes its own transaction.
type AloneJob = Box<dyn FnOnce(&mut Engine<SqliteStore>) + Send>;

/// What the writer thread is sent.
enum Message {
    /// A case write, run inside a batch.
    Batched(BatchedJob),
    /// A write that makes its own transaction, run between batches.
    Alone(AloneJob),
    /// Finish the jobs queued before this and stop.
    Stop,
}

/// The handle to the writer thread.
pub(crate) struct Writer {
    jobs: SyncSender<Message>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer thread over `engine`.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub(crate) fn start(engine: Engine<SqliteStore>) -> std::io::Result<Writer> {
        let (jobs, queue) = sync_channel(WRITES_QUEUED_MAX);
        let thread =
            std::thread::Builder::new().name("renewflow-writer".to_owned()).spawn(move || work(engine, &queue))?;
        Ok(Writer { jobs, thread: Mutex::new(Some(thread)) })
    }

    /// Runs a case write in the next batch and gives its answer once the batch is committed.
    ///
    /// # Errors
    ///
    /// The job's problem; `internal` when its batch could not be committed (nothing of it was
    /// written); `busy` when the queue is full; `shutting-down` once the writer has stopped.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Engine<SqliteStore>) -> Result<T, Problem> + Send + 'static,
    ) -> Result<T, Problem> {
        let (answer, answered) = oneshot::channel();
        let job = Box::new(move |engine: Result<&mut Engine<SqliteStore>, &Problem>| -> Finish {
            let result = match engine {
                Ok(engine) => job(engine),
                Err(refusal) => Err(refusal.clone()),
            };
            Box::new(move |failure: Option<&str>| {
                let result = match (failure, result) {
                    (Some(failure), Ok(_)) => Err(Problem::new(
                        "internal",
                        format!("the write was not committed ({failure}); nothing was written, retry it"),
                    )),
                    (_, result) => result,
                };
                // The request may have gone (its client hung up); the write stands all the same.
                let _ = answer.send(result);
            })
        });
        self.send(Message::Batched(job))?;
        answered.await.map_err(|_| stopped())?
    }

    /// Runs a write that makes its own transaction, between batches, and gives its answer.
    ///
    /// # Errors
    ///
    /// As [`Writer::run`].
    pub(crate) async fn run_alone<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Engine<SqliteStore>) -> R + Send + 'static,
    ) -> Result<R, Problem> {
        let (answer, answered) = oneshot::channel();
        self.send(Message::Alone(Box::new(move |engine| {
            let _ = answer.send(job(engine));
        })))?;
        answered.await.map_err(|_| stopped())
    }

    /// A way to ask the writer, from any thread and without waiting, to checkpoint the
    /// write-ahead log between two batches (see [`Checkpointer`](super::checkpointer::Checkpointer)).
    pub(crate) fn checkpoint_asker(&self) -> impl Fn() + Send + 'static {
        let jobs = self.jobs.clone();
        move || {
            let job: AloneJob = Box::new(|engine| {
                if let Err(error) = engine.store().checkpoint() {
                    tracing::warn!(%error, "the writer could not checkpoint the write-ahead log");
                }
            });
            // A full queue means the writer is busy: the next ask will do.
            let _ = jobs.try_send(Message::Alone(job));
        }
    }

    fn send(&self, message: Message) -> Result<(), Problem> {
        match self.jobs.try_send(message) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                Err(Problem::new("busy", format!("{WRITES_QUEUED_MAX} writes are waiting; retry shortly")))
            }
            Err(TrySendError::Disconnected(_)) => Err(stopped()),
        }
    }

    /// Lets the jobs already queued finish, then stops the thread and waits for it.
    pub(crate) fn stop(&self) {
        // A full queue drains: block until the stop message fits behind the jobs.
        let _ = self.jobs.send(Message::Stop);
        let thread = self.thread.lock().ok().and_then(|mut thread| thread.take());
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::error!("the writer thread panicked");
        }
    }
}

fn stopped() -> Problem {
    Problem::new("shutting-down", "the writer has stopped; no write is accepted any more")
}

/// The batch being gathered.
struct Batch {
    /// Whether the store's batch is open.
    open: bool,
    finishes: Vec<Finish>,
}

impl Batch {
    /// Commits the batch and answers each of its jobs.
    fn finish(&mut self, engine: &mut Engine<SqliteStore>) {
        let committed = if self.open { engine.end_batch(true) } else { Ok(()) };
        self.open = false;
        let failure = committed.err().map(|error| {
            tracing::error!(%error, "a write batch could not be committed");
            error.to_string()
        });
        for finish in self.finishes.drain(..) {
            finish(failure.as_deref());
        }
    }
}

/// The writer's loop: every job waiting goes into one batch, committed once.
fn work(mut engine: Engine<SqliteStore>, queue: &Receiver<Message>) {
    let mut batch = Batch { open: false, finishes: Vec::new() };
    'serving: while let Ok(first) = queue.recv() {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Batched(job) => {
                    if !batch.open {
                        if let Err(error) = engine.begin_batch() {
                            // Nothing runs outside a batch: the job is refused, and the next one
                            // tries to begin a batch again.
                            tracing::warn!(%error, "no write batch could begin; the write is refused");
                            job(Err(&Problem::from(error)))(None);
                            next = queue.try_recv().ok();
                            continue;
                        }
                        batch.open = true;
                    }
                    batch.finishes.push(job(Ok(&mut engine)));
                    if batch.finishes.len() >= BATCH_WRITES_MAX {
                        batch.finish(&mut engine);
                    }
                }
                Message::Alone(job) => {
                    batch.finish(&mut engine);
                    job(&mut engine);
                }
                Message::Stop => {
                    batch.finish(&mut engine);
                    break 'serving;
                }
            }
            next = queue.try_recv().ok();
        }
        batch.finish(&mut engine);
    }
    tracing::info!("writer stopped");
}
