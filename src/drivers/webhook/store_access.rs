//! The loops' own engine: opened on the store's file like the command line opens it, shared
//! between the loop and the blocking threads its store calls run on.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use crate::core::calendar::{BeyondData, Calendars};
use crate::engine::Engine;
use crate::store::SqliteStore;

/// Where a loop's engine comes from: the store's file, the calendars, and the policy given on
/// the command line (if any; a store keeps its own).
#[derive(Clone)]
pub(crate) struct StoreAccess {
    pub(crate) db: PathBuf,
    pub(crate) calendars: Calendars,
    pub(crate) beyond_data: Option<BeyondData>,
}

/// An engine a loop owns, locked by one blocking call at a time.
pub(super) type SharedEngine = Arc<Mutex<Engine<SqliteStore>>>;

impl StoreAccess {
    /// Opens the loop's engine, on a blocking thread.
    pub(super) async fn open(&self) -> anyhow::Result<SharedEngine> {
        let access = self.clone();
        let engine = tokio::task::spawn_blocking(move || -> anyhow::Result<Engine<SqliteStore>> {
            let store = SqliteStore::open(&access.db)
                .with_context(|| format!("opening the case store `{}`", access.db.display()))?;
            Ok(Engine::open(store, access.calendars, access.beyond_data)?)
        })
        .await
        .context("opening the case store")??;
        Ok(Arc::new(Mutex::new(engine)))
    }
}

/// Runs `work` on the engine on a blocking thread.
pub(super) async fn blocking<T: Send + 'static>(
    engine: &SharedEngine,
    work: impl FnOnce(&mut Engine<SqliteStore>) -> Result<T, crate::engine::EngineError> + Send + 'static,
) -> anyhow::Result<T> {
    let engine = Arc::clone(engine);
    tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
        let mut engine = engine.lock().map_err(|_| anyhow::anyhow!("an earlier store call panicked"))?;
        Ok(work(&mut engine)?)
    })
    .await
    .context("a store call did not finish")?
}
