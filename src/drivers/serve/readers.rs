//! `Readers`: read-only engines over the store, one per blocking thread that reads. SQLite's
//! write-ahead log lets them read while the writer writes; each read sees the last commit. An
//! engine is handed to one read at a time and kept for the next, so workflows and calendar data
//! are loaded once: at most [`READERS_MAX`] reads run at once, and the others wait for an engine
//! rather than open one (opening one loads the store's calendar data, which costs far more than
//! a read).

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::limits::READERS_MAX;
use super::problem::Problem;
use crate::core::calendar::Calendars;
use crate::engine::{Engine, EngineError};
use crate::store::SqliteStore;

/// The pool of read-only engines.
pub(crate) struct Readers {
    path: PathBuf,
    calendars: Calendars,
    /// Idle engines, each with the calendar generation it was opened at.
    idle: Mutex<Vec<(u64, Engine<SqliteStore>)>>,
    /// Bumped when the store's calendar data changes, so engines opened before are not reused.
    generation: AtomicU64,
    /// One permit per engine: the reads that may run at once.
    permits: tokio::sync::Semaphore,
}

impl Readers {
    pub(crate) fn new(path: PathBuf, calendars: Calendars) -> Readers {
        Readers {
            path,
            calendars,
            idle: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            permits: tokio::sync::Semaphore::new(READERS_MAX),
        }
    }

    /// Marks every engine open now as stale: the store's calendar data changed.
    pub(crate) fn calendar_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    /// Runs `job` on a read-only engine, on a blocking thread.
    ///
    /// # Errors
    ///
    /// The problem `job` returns, or `internal` when the store cannot be opened.
    pub(crate) async fn run<R: Send + 'static>(
        self: &std::sync::Arc<Self>,
        job: impl FnOnce(&mut Engine<SqliteStore>) -> Result<R, Problem> + Send + 'static,
    ) -> Result<R, Problem> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Problem::new("shutting-down", "the service is stopping; no read is started any more"))?;
        let readers = std::sync::Arc::clone(self);
        let answer = tokio::task::spawn_blocking(move || {
            let (generation, mut engine) = readers.take()?;
            let answer = job(&mut engine);
            readers.give_back(generation, engine);
            answer
        })
        .await
        .map_err(|error| Problem::new("internal", format!("a read failed: {error}")))?;
        drop(permit);
        answer
    }

    fn take(&self) -> Result<(u64, Engine<SqliteStore>), Problem> {
        let generation = self.generation.load(Ordering::SeqCst);
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        if let Some((opened_at, engine)) = idle
            && opened_at == generation
        {
            return Ok((generation, engine));
        }
        let store = SqliteStore::open_read_only(&self.path).map_err(EngineError::from)?;
        Ok((generation, Engine::open(store, self.calendars.clone(), None)?))
    }

    fn give_back(&self, generation: u64, engine: Engine<SqliteStore>) {
        if generation != self.generation.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < READERS_MAX
        {
            idle.push((generation, engine));
        }
    }
}
