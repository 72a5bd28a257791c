//! `WatchList`: the watch list as of a date, folded once for each change of the store and kept,
//! with each selection callers asked of it (their grants and filters), so a page of it is a
//! slice. Whether the store changed is SQLite's `data_version` on the list's own read-only
//! connection: any commit, by the writer or by another process, makes the next request fold the
//! list again. A request that finds the list kept takes no trip to a blocking thread.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;

use super::limits::{WATCH_LISTS_KEPT_MAX, WATCH_SELECTIONS_KEPT_MAX};
use super::problem::Problem;
use crate::core::calendar::Calendars;
use crate::engine::{Engine, EngineError, Principal, WatchRow};
use crate::store::SqliteStore;

/// Which rows of the list a request wants.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Selection {
    /// The workflows the caller reads; `None`: every one (an administrator).
    pub(crate) readable: Option<Vec<String>>,
    pub(crate) workflow: Option<String>,
    pub(crate) clock: Option<String>,
    /// `yellow` (every row), `red`, or `overrun`.
    pub(crate) level: Option<String>,
}

impl Selection {
    /// The selection of `caller` with these filters.
    pub(crate) fn of(
        caller: &Principal,
        workflow: Option<String>,
        clock: Option<String>,
        level: Option<String>,
    ) -> Selection {
        let readable = (!caller.admin).then(|| {
            let mut readable: Vec<String> = caller.grants.iter().map(|grant| grant.workflow.clone()).collect();
            readable.sort();
            readable
        });
        Selection { readable, workflow, clock, level }
    }

    fn selects(&self, row: &WatchRow) -> bool {
        self.readable.as_ref().is_none_or(|readable| readable.binary_search(&row.workflow).is_ok())
            && self.workflow.as_ref().is_none_or(|workflow| &row.workflow == workflow)
            && self.clock.as_ref().is_none_or(|clock| &row.clock == clock)
            && match self.level.as_deref() {
                Some("red") => row.level == "red",
                Some("overrun") => row.pause_over_max.is_some(),
                _ => true,
            }
    }
}

/// The rows of a list and the positions of those a selection picked, most urgent first.
pub(crate) struct Selected {
    pub(crate) rows: Arc<Vec<WatchRow>>,
    pub(crate) picked: Arc<Vec<u32>>,
}

/// The list, kept.
pub(crate) struct WatchList {
    path: PathBuf,
    calendars: Calendars,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The list's connection, opened at the first request (and again after a calendar change).
    engine: Option<Engine<SqliteStore>>,
    /// The store's `data_version` the lists below were folded at.
    data_version: u64,
    lists: Vec<List>,
}

struct List {
    as_of: NaiveDate,
    rows: Arc<Vec<WatchRow>>,
    selections: HashMap<Selection, Arc<Vec<u32>>>,
}

impl WatchList {
    pub(crate) fn new(path: PathBuf, calendars: Calendars) -> WatchList {
        WatchList { path, calendars, kept: Mutex::new(Kept::default()) }
    }

    /// Forgets the lists and the connection: the store's calendar data changed.
    pub(crate) fn calendar_changed(&self) {
        *self.lock() = Kept::default();
    }

    /// The rows `selection` picks from the list as of `as_of`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read, or `as_of` is outside the calendar's data.
    pub(crate) async fn select(self: &Arc<Self>, as_of: NaiveDate, selection: Selection) -> Result<Selected, Problem> {
        // Kept, and the store unchanged: answered here. (`data_version` reads the log's index in
        // shared memory; it does not wait for the disk.)
        if let Ok(mut kept) = self.kept.try_lock()
            && let Some(selected) = kept.kept(as_of, &selection)?
        {
            return Ok(selected);
        }
        let list = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut kept = list.lock();
            if let Some(selected) = kept.kept(as_of, &selection)? {
                return Ok(selected);
            }
            if kept.engine.is_none() {
                let store = SqliteStore::open_read_only(&list.path).map_err(EngineError::from)?;
                // Read before the fold: a commit during it makes the next request fold again.
                kept.data_version = store.data_version().map_err(EngineError::from)?;
                kept.engine = Some(Engine::open(store, list.calendars.clone(), None)?);
            }
            kept.fold(as_of, selection)
        })
        .await
        .map_err(|error| Problem::new("internal", format!("the watch list failed: {error}")))?
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // The lists are replaced whole, never left half-made: a panic elsewhere does not spoil them.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Kept {
    /// What is kept for `as_of` and `selection`, if the store has not changed since; forgets
    /// every list when it has.
    fn kept(&mut self, as_of: NaiveDate, selection: &Selection) -> Result<Option<Selected>, Problem> {
        let Some(engine) = &self.engine else { return Ok(None) };
        let data_version = engine.store().data_version().map_err(EngineError::from)?;
        if data_version != self.data_version {
            self.data_version = data_version;
            self.lists.clear();
            return Ok(None);
        }
        let Some(list) = self.lists.iter_mut().find(|list| list.as_of == as_of) else { return Ok(None) };
        let rows = Arc::clone(&list.rows);
        let picked = match list.selections.get(selection) {
            Some(picked) => Arc::clone(picked),
            None => {
                if list.selections.len() >= WATCH_SELECTIONS_KEPT_MAX {
                    list.selections.clear();
                }
                let picked = Arc::new(pick(&rows, selection));
                list.selections.insert(selection.clone(), Arc::clone(&picked));
                picked
            }
        };
        Ok(Some(Selected { rows, picked }))
    }

    /// Folds the list as of `as_of` and keeps it.
    fn fold(&mut self, as_of: NaiveDate, selection: Selection) -> Result<Selected, Problem> {
        let Some(engine) = &mut self.engine else {
            return Err(Problem::new("internal", "the watch list has no connection to the store"));
        };
        let rows = Arc::new(engine.watch(as_of)?);
        let picked = Arc::new(pick(&rows, &selection));
        if self.lists.len() >= WATCH_LISTS_KEPT_MAX {
            self.lists.remove(0);
        }
        let selections = HashMap::from([(selection, Arc::clone(&picked))]);
        self.lists.push(List { as_of, rows: Arc::clone(&rows), selections });
        Ok(Selected { rows, picked })
    }
}

fn pick(rows: &[WatchRow], selection: &Selection) -> Vec<u32> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| selection.selects(row))
        .filter_map(|(position, _)| u32::try_from(position).ok())
        .collect()
}
