//! `CaseQuery`: which cases to list, in the user's words (a state by name, a warning level as of
//! a date, a cursor as a case id or number), turned into the store's [`CaseFilter`] so the
//! database filters and pages. Only the cases whose history runs past the level's date are
//! folded, as the watch list does: the derived rows of the others answer for them.

use chrono::NaiveDate;

use super::engine::Engine;
use super::engine_error::EngineError;
use crate::core::case::Level;
use crate::core::workflow::StateKind;
use crate::store::{CaseFilter, LevelFilter, ListedCase, Store};

/// Which cases [`Engine::list_cases`] lists: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// The workflow id.
    pub workflow: Option<String>,
    /// The workflow version a case runs on.
    pub version: Option<String>,
    /// A state that is active: a leaf, or a compound or parallel state any of whose states is.
    pub state: Option<String>,
    /// Cases with an open clock at this level or worse (`Yellow`, `Red`) as of the date.
    pub level: Option<(Level, NaiveDate)>,
    pub opened_from: Option<NaiveDate>,
    pub opened_to: Option<NaiveDate>,
    /// `Some(true)`: finished cases; `Some(false)`: open ones.
    pub finished: Option<bool>,
    /// A cursor: the cases after this one (its id or number), by workflow and number.
    pub after: Option<String>,
    /// Matching cases skipped before the page starts.
    pub offset: u64,
    /// The most cases listed; `None`: every one.
    pub limit: Option<u64>,
}

impl<S: Store> Engine<S> {
    /// The cases `query` selects, by workflow and number, each with its workflow version, read
    /// from one snapshot. The store filters and pages; only cases with events after the level's
    /// date are folded to judge their level on that date.
    ///
    /// # Errors
    ///
    /// [`EngineError::UnknownState`] when no deployed version in scope has the state (with the
    /// nearest name), [`EngineError::UnknownCase`] for an unknown cursor, or an operating error.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, CaseQuery, Engine};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// for number in ["XK-1", "XK-2", "XK-3"] {
    ///     engine.open_case(&CaseOpening {
    ///         workflow: "administrative-license".to_owned(),
    ///         version: None,
    ///         number: Some(number.to_owned()),
    ///         at: at("2026-09-21T09:30:00+08:00")?,
    ///         actor: "窗口".to_owned(),
    ///         attributes: Vec::new(),
    ///         idempotency_key: None,
    ///     })?;
    /// }
    /// // `received` lies inside `intake`: both name the cases waiting there.
    /// let query = CaseQuery { state: Some("intake".to_owned()), limit: Some(2), ..CaseQuery::default() };
    /// let page = engine.list_cases(&query)?;
    /// assert_eq!(page.iter().map(|listed| listed.case.number.as_str()).collect::<Vec<_>>(), ["XK-1", "XK-2"]);
    /// let next = CaseQuery { after: Some(page[1].case.id.clone()), ..query };
    /// assert_eq!(engine.list_cases(&next)?[0].case.number, "XK-3");
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_cases(&mut self, query: &CaseQuery) -> Result<Vec<ListedCase>, EngineError> {
        self.store().begin_snapshot()?;
        let listed = self.list_cases_snapshot(query);
        self.store().end_snapshot()?;
        listed
    }

    fn list_cases_snapshot(&mut self, query: &CaseQuery) -> Result<Vec<ListedCase>, EngineError> {
        let active_in = match &query.state {
            Some(state) => Some(self.leaves_within(query, state)?),
            None => None,
        };
        let level = match query.level {
            Some((level, as_of)) if level > Level::Ok => Some(self.level_filter(query, level, as_of)?),
            _ => None,
        };
        let after = match &query.after {
            Some(reference) => Some(self.find_case(reference)?.id),
            None => None,
        };
        let filter = CaseFilter {
            workflow: query.workflow.clone(),
            version: query.version.clone(),
            active_in,
            open_clock_in: None,
            level,
            opened_from: query.opened_from.map(|date| date.to_string()),
            opened_to: query.opened_to.map(|date| date.to_string()),
            finished: query.finished,
            after,
            offset: query.offset,
            limit: query.limit,
        };
        Ok(self.store().list_cases(&filter)?)
    }

    /// (deployment, leaf) for every leaf within `state` in each deployed version in scope.
    fn leaves_within(&mut self, query: &CaseQuery, state: &str) -> Result<Vec<(i64, String)>, EngineError> {
        let mut leaves = Vec::new();
        let mut known: Vec<String> = Vec::new();
        let in_scope = self.store().deployments()?.into_iter().filter(|deployment| {
            query.workflow.as_ref().is_none_or(|workflow| *workflow == deployment.workflow)
                && query.version.as_ref().is_none_or(|version| *version == deployment.version)
        });
        for deployment in in_scope.collect::<Vec<_>>() {
            let workflow = self.workflow(deployment.key)?;
            known.extend(workflow.states().iter().map(|known| known.name.clone()));
            let Some(named) = workflow.state_named(state) else { continue };
            for leaf in workflow.state_ids() {
                let is_leaf = matches!(workflow.state(leaf).kind, StateKind::Atomic | StateKind::Final);
                if is_leaf && workflow.is_within(leaf, named) {
                    leaves.push((deployment.key, workflow.state(leaf).name.clone()));
                }
            }
        }
        if leaves.is_empty() {
            known.sort();
            known.dedup();
            let nearest = crate::core::suggest::nearest(state, known.iter().map(String::as_str)).map(str::to_owned);
            return Err(EngineError::UnknownState { state: state.to_owned(), nearest });
        }
        Ok(leaves)
    }

    /// The level condition: the derived rows of cases whose history ends by `as_of`, and the
    /// cases with later events judged from their histories folded to `as_of`.
    fn level_filter(&mut self, query: &CaseQuery, level: Level, as_of: NaiveDate) -> Result<LevelFilter, EngineError> {
        let day = as_of.to_string();
        let mut also = Vec::new();
        for case in self.store().cases_changed_after(&day)? {
            let opened_by_then = case.opened_at.get(..10).is_some_and(|opened| opened <= day.as_str());
            let in_scope = query.workflow.as_ref().is_none_or(|workflow| *workflow == case.workflow);
            if !opened_by_then || !in_scope {
                continue;
            }
            let rows = self.watch_folded(&case.id, as_of)?;
            if rows.iter().any(|row| row.level == "red" || (level == Level::Yellow && row.level == "yellow")) {
                also.push(case.id);
            }
        }
        Ok(LevelFilter { red: level == Level::Red, as_of: day, also })
    }
}
