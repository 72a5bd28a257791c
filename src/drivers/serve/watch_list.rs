//! `WatchList`: the watch list as of a date, folded once for each change of the store and kept,
//! with each selection callers asked of it (their grants and filters), so a page of it is a
//! slice. Whether the store changed is SQLite's `data_version` on the list's own read-only
//! connection: any commit, by the writer or by another process, makes the next request fold the
//! list again. A request that finds the list kept takes no trip to a blocking thread.
//!
//! Under a steady flow of writes every request would find the store changed. Requests waiting
//! while a fold runs take the first fold that began after they arrived: it reads the store as
//! it was at some moment after they were sent, which is all any read promises. So folds never
//! queue up one per request, and one request at a time folds (the others wait without holding a
//! thread).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

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
    kept: Arc<tokio::sync::Mutex<Kept>>,
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
    /// When its fold began (the store's version was read then).
    folded_from: Instant,
    rows: Arc<Vec<WatchRow>>,
    selections: HashMap<Selection, Arc<Vec<u32>>>,
}

impl WatchList {
    pub(crate) fn new(path: PathBuf, calendars: Calendars) -> WatchList {
        WatchList { path, calendars, kept: Arc::new(tokio::sync::Mutex::new(Kept::default())) }
    }

    /// Forgets the lists and the connection: the store's calendar data changed.
    pub(crate) async fn calendar_changed(&self) {
        *self.kept.lock().await = Kept::default();
    }

    /// The rows `selection` picks from the list as of `as_of`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read, or `as_of` is outside the calendar's data.
    pub(crate) async fn select(&self, as_of: NaiveDate, selection: Selection) -> Result<Selected, Problem> {
        let asked = Instant::now();
        // Kept, and the store unchanged: answered here. (`data_version` reads the log's index in
        // shared memory; it does not wait for the disk.)
        if let Ok(mut kept) = self.kept.try_lock()
            && let Some(selected) = kept.kept(as_of, &selection)?
        {
            return Ok(selected);
        }
        let mut kept = Arc::clone(&self.kept).lock_owned().await;
        // A fold that began after this request arrived answers it.
        if let Some(selected) = kept.folded_since(as_of, &selection, asked) {
            return Ok(selected);
        }
        let path = self.path.clone();
        let calendars = self.calendars.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(selected) = kept.kept(as_of, &selection)? {
                return Ok(selected);
            }
            if kept.engine.is_none() {
                let store = SqliteStore::open_read_only(&path).map_err(EngineError::from)?;
                // Read before the fold: a commit during it makes the next request fold again.
                kept.data_version = store.data_version().map_err(EngineError::from)?;
                kept.engine = Some(Engine::open(store, calendars, None)?);
            }
            kept.fold(as_of, selection)
        })
        .await
        .map_err(|error| Problem::new("internal", format!("the watch list failed: {error}")))?
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
        Ok(self.lists.iter_mut().find(|list| list.as_of == as_of).map(|list| list.select(selection)))
    }

    /// The list as of `as_of` if its fold began at or after `asked`, whatever was written since.
    fn folded_since(&mut self, as_of: NaiveDate, selection: &Selection, asked: Instant) -> Option<Selected> {
        let list = self.lists.iter_mut().find(|list| list.as_of == as_of && list.folded_from >= asked)?;
        Some(list.select(selection))
    }

    /// Folds the list as of `as_of` and keeps it.
    fn fold(&mut self, as_of: NaiveDate, selection: Selection) -> Result<Selected, Problem> {
        let Some(engine) = &mut self.engine else {
            return Err(Problem::new("internal", "the watch list has no connection to the store"));
        };
        let folded_from = Instant::now();
        let rows = Arc::new(engine.watch(as_of)?);
        let picked = Arc::new(pick(&rows, &selection));
        if self.lists.len() >= WATCH_LISTS_KEPT_MAX {
            self.lists.remove(0);
        }
        let selections = HashMap::from([(selection, Arc::clone(&picked))]);
        self.lists.retain(|list| list.as_of != as_of);
        self.lists.push(List { as_of, folded_from, rows: Arc::clone(&rows), selections });
        Ok(Selected { rows, picked })
    }
}

impl List {
    /// The rows `selection` picks, kept for the next request that asks the same.
    fn select(&mut self, selection: &Selection) -> Selected {
        let rows = Arc::clone(&self.rows);
        let picked = match self.selections.get(selection) {
            Some(picked) => Arc::clone(picked),
            None => {
                if self.selections.len() >= WATCH_SELECTIONS_KEPT_MAX {
                    self.selections.clear();
                }
                let picked = Arc::new(pick(&rows, selection));
                self.selections.insert(selection.clone(), Arc::clone(&picked));
                picked
            }
        };
        Selected { rows, picked }
    }
}

fn pick(rows: &[WatchRow], selection: &Selection) -> Vec<u32> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| selection.selects(row))
        .filter_map(|(position, _)| u32::try_from(position).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection() -> Selection {
        Selection { readable: None, workflow: None, clock: None, level: None }
    }

    #[test]
    fn a_fold_answers_the_requests_that_arrived_before_it_began_and_no_later_one() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let before = Instant::now();
        let folded_from = Instant::now();
        let mut kept = Kept::default();
        kept.lists.push(List { as_of: day, folded_from, rows: Arc::new(Vec::new()), selections: HashMap::new() });
        let after = folded_from + std::time::Duration::from_millis(1);
        assert!(kept.folded_since(day, &selection(), before).is_some(), "asked before the fold began");
        assert!(kept.folded_since(day, &selection(), after).is_none(), "asked after it began: fold again");
        assert!(kept.folded_since(day.pred_opt().unwrap(), &selection(), before).is_none(), "another date");
    }
}
