//! `Checkpointer`: the thread that copies the write-ahead log back into the database, so the
//! writer does not do it in the middle of a commit (SQLite would, every
//! [`WAL_CHECKPOINT_PAGES`](crate::store::WAL_CHECKPOINT_PAGES)). Every [`CHECKPOINT_PERIOD`]
//! it runs a passive checkpoint on its own connection: it waits for no writer and no reader,
//! and copies what no reader still needs.
//!
//! A log only starts again from its beginning when a write begins after a checkpoint that
//! copied all of it, which a checkpoint racing a busy writer never does: the log would grow
//! without end. So once the log holds more than [`WAL_CHECKPOINT_PAGES`] pages, the thread also
//! asks the writer to checkpoint between two batches; by then almost every page has been copied
//! here, and the writer copies only the last few.

use std::path::Path;
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;

use super::limits::CHECKPOINT_PERIOD;
use crate::store::{SqliteStore, WAL_CHECKPOINT_PAGES};

/// The handle to the checkpointer thread.
pub(crate) struct Checkpointer {
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to the store at `path`.
    ///
    /// # Errors
    ///
    /// When the store cannot be opened or the thread cannot be started.
    pub(crate) fn start(path: &Path, ask_writer: impl Fn() + Send + 'static) -> anyhow::Result<Checkpointer> {
        let store = SqliteStore::open(path)?;
        let (stop, stopped) = channel();
        let thread = std::thread::Builder::new().name("renewflow-checkpoint".to_owned()).spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_PERIOD) {
                match store.checkpoint() {
                    Ok(pages) if pages > WAL_CHECKPOINT_PAGES.unsigned_abs() => ask_writer(),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "the write-ahead log could not be checkpointed"),
                }
            }
        })?;
        Ok(Checkpointer { stop, thread })
    }

    /// Stops the thread (the writer's connection checkpoints what is left when it closes).
    pub(crate) fn stop(self) {
        let _ = self.stop.send(());
        if self.thread.join().is_err() {
            tracing::error!("the checkpointer thread panicked");
        }
    }
}
