//! `Writer`: the one thread that writes to the store. Every write the service accepts is a job
//! queued to it; the job runs on the writer's own engine (its read-write connection, its cache
//! of replays) and its answer goes back to the request only after the engine returned, that is
//! after the commit. Async stays at the edge: the engine and the store remain synchronous.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::limits::WRITES_QUEUED_MAX;
use super::problem::Problem;
use crate::engine::Engine;
use crate::store::SqliteStore;

/// A write to run on the writer's engine.
type Job = Box<dyn FnOnce(&mut Engine<SqliteStore>) + Send>;

/// What the writer thread is sent.
enum Message {
    Job(Job),
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

    /// Runs `job` on the writer's engine and gives its answer once it has returned.
    ///
    /// # Errors
    ///
    /// A `busy` problem when the queue is full, `shutting-down` once the writer has stopped.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Engine<SqliteStore>) -> R + Send + 'static,
    ) -> Result<R, Problem> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |engine| {
            // The request may have gone (its client hung up); the write stands all the same.
            let _ = answer.send(job(engine));
        });
        match self.jobs.try_send(Message::Job(job)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(Problem::new("busy", format!("{WRITES_QUEUED_MAX} writes are waiting; retry shortly")));
            }
            Err(TrySendError::Disconnected(_)) => return Err(stopped()),
        }
        answered.await.map_err(|_| stopped())
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

/// The writer's loop: one job at a time, in the order they came.
fn work(mut engine: Engine<SqliteStore>, queue: &Receiver<Message>) {
    while let Ok(message) = queue.recv() {
        match message {
            Message::Job(job) => job(&mut engine),
            Message::Stop => break,
        }
    }
    tracing::info!("writer stopped");
}
