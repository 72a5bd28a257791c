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
//! thread). A request that finds the list kept holds each lock for microseconds only. The first
//! pages of each selection are kept as answered, too, until the store changes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::body::Bytes;
use chrono::NaiveDate;

use super::limits::{
    WATCH_FIRST_PAGE_KEPT_BYTES_MAX, WATCH_FIRST_PAGES_KEPT_MAX, WATCH_LISTS_KEPT_MAX, WATCH_SELECTIONS_KEPT_MAX,
};
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
    /// Only cases waiting on this role.
    pub(crate) role: Option<String>,
    /// Only cases waiting on one of these `(workflow, role)`: an organ's, by its keys.
    pub(crate) held: Option<Vec<(String, String)>>,
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
        Selection { readable, workflow, clock, level, role: None, held: None }
    }

    /// The same, of the cases waiting on `role`, and on one of the roles `held` (an organ's).
    pub(crate) fn waiting_on(mut self, role: Option<String>, held: Option<Vec<(String, String)>>) -> Selection {
        self.role = role;
        self.held = held;
        self
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
            && self.role.as_ref().is_none_or(|role| row.waiting_on.contains(role))
            && self.held.as_ref().is_none_or(|held| {
                held.iter().any(|(workflow, role)| *workflow == row.workflow && row.waiting_on.contains(role))
            })
    }
}

/// The rows of a list and the positions of those a selection picked, most urgent first.
pub(crate) struct Selected {
    pub(crate) rows: Arc<Vec<WatchRow>>,
    pub(crate) picked: Arc<Picked>,
}

/// The positions a selection picked from a list, and its first pages as answered: dashboards
/// ask the first page again and again, and between two changes of the store it is the same.
pub(crate) struct Picked {
    pub(crate) positions: Vec<u32>,
    /// First pages by their number of rows.
    first_pages: Mutex<Vec<(u64, Bytes)>>,
}

impl Picked {
    fn new(positions: Vec<u32>) -> Picked {
        Picked { positions, first_pages: Mutex::new(Vec::new()) }
    }

    /// The first page of `limit` rows as answered before, if it was kept.
    pub(crate) fn first_page(&self, limit: u64) -> Option<Bytes> {
        lock(&self.first_pages).iter().find(|(rows, _)| *rows == limit).map(|(_, body)| body.clone())
    }

    /// Keeps the first page of `limit` rows as answered (unless it is long, or pages of as many
    /// other sizes are kept).
    pub(crate) fn keep_first_page(&self, limit: u64, body: &Bytes) {
        let mut pages = lock(&self.first_pages);
        if body.len() <= WATCH_FIRST_PAGE_KEPT_BYTES_MAX
            && pages.len() < WATCH_FIRST_PAGES_KEPT_MAX
            && !pages.iter().any(|(rows, _)| *rows == limit)
        {
            pages.push((limit, body.clone()));
        }
    }
}

/// The list, kept.
pub(crate) struct WatchList {
    path: PathBuf,
    calendars: Calendars,
    /// The connection `data_version` is read on, opened at the first fold.
    version: Mutex<Option<SqliteStore>>,
    /// The lists folded, and the store's version they were folded at.
    kept: Mutex<Kept>,
    /// The engine that folds, one fold at a time; opened at the first fold (and again after a
    /// calendar change).
    folder: Arc<tokio::sync::Mutex<Option<Engine<SqliteStore>>>>,
    /// Whether a fold started by [`WatchList::select_recent`] is running.
    refolding: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Kept {
    /// The store's `data_version` the lists were folded at.
    data_version: u64,
    lists: Vec<List>,
}

struct List {
    as_of: NaiveDate,
    /// When its fold began (the store's version was read just before).
    folded_from: Instant,
    rows: Arc<Vec<WatchRow>>,
    selections: HashMap<Selection, Arc<Picked>>,
}

impl WatchList {
    pub(crate) fn new(path: PathBuf, calendars: Calendars) -> WatchList {
        WatchList {
            path,
            calendars,
            version: Mutex::new(None),
            kept: Mutex::new(Kept::default()),
            folder: Arc::new(tokio::sync::Mutex::new(None)),
            refolding: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// As [`WatchList::select`], but a list kept from before the store's last change answers at
    /// once (with `false`: not fresh), while the list is folded again on a task of its own, for
    /// the next request. For the web pages: with 100,000 open clocks a fold takes most of a
    /// second, and a page that follows the event stream asks again until it is fresh. Only when
    /// no list is kept for `as_of` does the request wait for the fold.
    ///
    /// # Errors
    ///
    /// As [`WatchList::select`].
    pub(crate) async fn select_recent(
        self: &Arc<Self>,
        as_of: NaiveDate,
        selection: Selection,
    ) -> Result<(Selected, bool), Problem> {
        if let Some(data_version) = self.data_version()?
            && let Some(selected) = lock(&self.kept).kept(data_version, as_of, &selection)
        {
            return Ok((selected, true));
        }
        let stale = lock(&self.kept).any(as_of, &selection);
        let Some(stale) = stale else {
            return Ok((self.select(as_of, selection).await?, true));
        };
        if !self.refolding.swap(true, std::sync::atomic::Ordering::AcqRel) {
            let list = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(problem) = list.select(as_of, selection).await {
                    tracing::warn!(problem = %problem.document(), "the watch list could not be folded again");
                }
                list.refolding.store(false, std::sync::atomic::Ordering::Release);
            });
        }
        Ok((stale, false))
    }

    /// Forgets the lists and the engine: the store's calendar data changed.
    pub(crate) async fn calendar_changed(&self) {
        let mut folder = self.folder.lock().await;
        *folder = None;
        *lock(&self.kept) = Kept::default();
    }

    /// The rows `selection` picks from the list as of `as_of`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read, or `as_of` is outside the calendar's data.
    pub(crate) async fn select(self: &Arc<Self>, as_of: NaiveDate, selection: Selection) -> Result<Selected, Problem> {
        let asked = Instant::now();
        // Kept, and the store unchanged: answered here, holding each lock for microseconds
        // (`data_version` reads the log's index in shared memory; it does not wait for the disk).
        if let Some(data_version) = self.data_version()?
            && let Some(selected) = lock(&self.kept).kept(data_version, as_of, &selection)
        {
            return Ok(selected);
        }
        let mut folder = Arc::clone(&self.folder).lock_owned().await;
        // A fold that began after this request arrived answers it.
        if let Some(selected) = lock(&self.kept).folded_since(as_of, &selection, asked) {
            return Ok(selected);
        }
        let list = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            if folder.is_none() {
                *folder = Some(list.open_engine()?);
            }
            let data_version = match list.data_version()? {
                Some(data_version) => data_version,
                None => {
                    let store = SqliteStore::open_read_only(&list.path).map_err(EngineError::from)?;
                    let data_version = store.data_version().map_err(EngineError::from)?;
                    *lock(&list.version) = Some(store);
                    data_version
                }
            };
            if let Some(selected) = lock(&list.kept).kept(data_version, as_of, &selection) {
                return Ok(selected);
            }
            let Some(engine) = folder.as_mut() else {
                return Err(Problem::new("internal", "the watch list has no engine"));
            };
            // The version was read before the fold: a commit during it makes the next request
            // fold again.
            let folded_from = Instant::now();
            let rows = Arc::new(engine.watch(as_of)?);
            Ok(lock(&list.kept).keep(data_version, List::new(as_of, folded_from, rows), &selection))
        })
        .await
        .map_err(|error| Problem::new("internal", format!("the watch list failed: {error}")))?
    }

    /// The store's `data_version` now, once the list's connection is open: it changes with every
    /// commit by any connection, so what was read at one value holds until it changes.
    pub(crate) fn data_version(&self) -> Result<Option<u64>, Problem> {
        let version = lock(&self.version);
        Ok(match version.as_ref() {
            Some(store) => Some(store.data_version().map_err(EngineError::from)?),
            None => None,
        })
    }

    fn open_engine(&self) -> Result<Engine<SqliteStore>, Problem> {
        let store = SqliteStore::open_read_only(&self.path).map_err(EngineError::from)?;
        Ok(Engine::open(store, self.calendars.clone(), None)?)
    }
}

/// Locks `mutex`: what it guards is replaced whole, never left half-made, so a panic elsewhere
/// does not spoil it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Kept {
    /// What is kept for `as_of` and `selection`, if the store is still at `data_version`.
    fn kept(&mut self, data_version: u64, as_of: NaiveDate, selection: &Selection) -> Option<Selected> {
        if data_version != self.data_version {
            return None;
        }
        self.lists.iter_mut().find(|list| list.as_of == as_of).map(|list| list.select(selection))
    }

    /// The list as of `as_of`, whatever was written since it was folded.
    fn any(&mut self, as_of: NaiveDate, selection: &Selection) -> Option<Selected> {
        self.lists.iter_mut().find(|list| list.as_of == as_of).map(|list| list.select(selection))
    }

    /// The list as of `as_of` if its fold began at or after `asked`, whatever was written since.
    fn folded_since(&mut self, as_of: NaiveDate, selection: &Selection, asked: Instant) -> Option<Selected> {
        let list = self.lists.iter_mut().find(|list| list.as_of == as_of && list.folded_from >= asked)?;
        Some(list.select(selection))
    }

    /// Keeps a list folded at `data_version` (forgetting those of an older one) and selects
    /// from it.
    fn keep(&mut self, data_version: u64, mut list: List, selection: &Selection) -> Selected {
        if data_version != self.data_version {
            self.data_version = data_version;
            self.lists.clear();
        }
        let selected = list.select(selection);
        self.lists.retain(|kept| kept.as_of != list.as_of);
        if self.lists.len() >= WATCH_LISTS_KEPT_MAX {
            self.lists.remove(0);
        }
        self.lists.push(list);
        selected
    }
}

impl List {
    fn new(as_of: NaiveDate, folded_from: Instant, rows: Arc<Vec<WatchRow>>) -> List {
        List { as_of, folded_from, rows, selections: HashMap::new() }
    }

    /// The rows `selection` picks, kept for the next request that asks the same.
    fn select(&mut self, selection: &Selection) -> Selected {
        let rows = Arc::clone(&self.rows);
        let picked = match self.selections.get(selection) {
            Some(picked) => Arc::clone(picked),
            None => {
                if self.selections.len() >= WATCH_SELECTIONS_KEPT_MAX {
                    self.selections.clear();
                }
                let picked = Arc::new(Picked::new(pick(&rows, selection)));
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
        Selection { readable: None, workflow: None, clock: None, level: None, role: None, held: None }
    }

    #[test]
    fn a_fold_answers_the_requests_that_arrived_before_it_began_and_no_later_one() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let before = Instant::now();
        let folded_from = Instant::now();
        let mut kept = Kept::default();
        kept.lists.push(List::new(day, folded_from, Arc::new(Vec::new())));
        let after = folded_from + std::time::Duration::from_millis(1);
        assert!(kept.folded_since(day, &selection(), before).is_some(), "asked before the fold began");
        assert!(kept.folded_since(day, &selection(), after).is_none(), "asked after it began: fold again");
        assert!(kept.folded_since(day.pred_opt().unwrap(), &selection(), before).is_none(), "another date");
    }
}
