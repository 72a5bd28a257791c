//! `Engine`: the library API for software that handles cases. It drives the pure core
//! (`core::case`) and keeps everything in a [`Store`]: deploy a workflow, open a case, act on it,
//! read it, its history and its timing, list cases, the watch list, verify and check.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar_data::{
    BEYOND_DATA_SETTING, DERIVED_CALENDAR_SETTING, STORE_BEYOND_DATA_DEFAULT, calendar_data_id, installed_calendars,
    stored_policy,
};
use super::derived::derive;
use super::engine_error::EngineError;
use super::idempotency::{Request, replayed_answer};
use super::import::{ImportEntry, ImportRequest, imported_case};
use super::stored_sources::{RecordingReader, StoredReader};
use crate::core::calendar::{BeyondData, Calendars, WorkingCalendar};
use crate::core::case::{
    CaseIdentity, Command, EVENT_HASH_ALGORITHM, Event, EventRecord, GENESIS_HASH, Opening, RecordKind, Replay, Timing,
    event_hash, open, step_in_place, timing,
};
use crate::core::workflow::{SourceReader, Workflow, hex, load_workflow};
use crate::store::{
    Append, CaseRow, DeploymentRow, EventRow, IdempotencyRow, ImportItem, ImportRow, NewCase, NewDeployment, NewImport,
    OpenClockRow, SourceFile, Store, StoreError,
};

/// A deployed workflow version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deployed {
    pub key: i64,
    pub workflow: String,
    pub version: String,
    pub content_hash: String,
    pub deployed_at: String,
    /// Whether this call stored it (false: the same content was already deployed).
    pub new: bool,
}

/// A request to open a case.
#[derive(Clone, Debug)]
pub struct CaseOpening {
    /// The workflow id.
    pub workflow: String,
    /// The deployed version to use; `None`: the newest deployed.
    pub version: Option<String>,
    /// Unique per workflow id; `None` numbers it `YYYY-NNNNN` by the opening year.
    pub number: Option<String>,
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub attributes: Vec<(String, String)>,
    /// A retry with the same key returns the first answer and writes nothing.
    pub idempotency_key: Option<String>,
}

/// What an accepted command did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub case_id: String,
    pub number: String,
    /// The case version after the command (its event count).
    pub version: u64,
    /// The events appended, as stored.
    pub events: Vec<EventRecord>,
    /// True when this is the stored answer to an idempotency key seen before.
    #[serde(default)]
    pub replayed: bool,
}

/// A case as stored, with its workflow and history folded.
#[derive(Clone, Debug)]
pub struct CaseView {
    pub row: CaseRow,
    pub workflow: Arc<Workflow>,
    pub events: Vec<Event>,
    pub replay: Replay,
}

/// The engine over a store.
pub struct Engine<S: Store> {
    store: S,
    /// The calendars, under the policy for dates after their data.
    calendars: Calendars,
    /// What names the calendar data (policy, built-in files, installations) counted on.
    calendar_data_id: String,
    workflows: HashMap<i64, Arc<Workflow>>,
    /// Rows and replays of recently acted-on cases, keyed by case id, valid while the stored case
    /// is at the same version and head hash (the history can only grow by appending, which
    /// changes both; the store's append checks both).
    replays: HashMap<String, CachedReplay>,
}

/// A case's row and replay after this engine's last action on it, so a busy case is neither read
/// nor folded again on every action.
#[derive(Clone, Debug)]
struct CachedReplay {
    row: CaseRow,
    workflow: Arc<Workflow>,
    replay: Replay,
    /// The open clocks as stored, when known (an action that leaves them as they are does not
    /// write them again).
    open_clocks: Option<Vec<OpenClockRow>>,
}

/// Most replays kept in memory; past it the cache starts again. A few thousand cover every case
/// a busy office is writing to at once; more would only hold memory.
const REPLAYS_CACHED_MAX: usize = 2048;

impl<S: Store> Engine<S> {
    /// An engine over `store`, counting on `calendars`.
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::core::calendar::Calendars;
    /// use renewflow::engine::Engine;
    /// use renewflow::store::SqliteStore;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let directory = tempfile::tempdir()?;
    /// let store = SqliteStore::open(&directory.path().join("cases.db"))?;
    /// let engine = Engine::new(store, Calendars::builtin());
    /// assert!(engine.cases()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(store: S, calendars: Calendars) -> Engine<S> {
        let calendar_data_id = calendar_data_id(calendars.beyond_data(), &[]);
        Engine { store, calendars, calendar_data_id, workflows: HashMap::new(), replays: HashMap::new() }
    }

    /// An engine over `store` counting as the store says: under the store's policy for dates
    /// after the calendar's data, on `calendars` with the calendar files installed into the store
    /// loaded over them. A store used for the first time takes `requested`, or
    /// [`STORE_BEYOND_DATA_DEFAULT`] (`statutory`); a store that has a policy refuses another.
    /// [`Engine::new`] counts on exactly the calendars given instead.
    ///
    /// # Errors
    ///
    /// [`EngineError::PolicyMismatch`] for a `requested` policy other than the store's;
    /// [`EngineError::CalendarData`] when an installed file no longer loads;
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::core::calendar::{BeyondData, Calendars};
    /// use renewflow::engine::Engine;
    /// use renewflow::store::SqliteStore;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let engine = Engine::open(SqliteStore::in_memory()?, Calendars::builtin(), None)?;
    /// assert_eq!(engine.beyond_data(), BeyondData::Statutory);
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(mut store: S, calendars: Calendars, requested: Option<BeyondData>) -> Result<Engine<S>, EngineError> {
        let policy = match store.setting(BEYOND_DATA_SETTING)? {
            Some(stored) => stored_policy(&stored)?,
            // A store opened to read writes nothing: it counts as it would be created.
            None if store.is_read_only() => requested.unwrap_or(STORE_BEYOND_DATA_DEFAULT),
            None => {
                let wanted = requested.unwrap_or(STORE_BEYOND_DATA_DEFAULT);
                stored_policy(&store.setting_or_insert(BEYOND_DATA_SETTING, wanted.name())?)?
            }
        };
        if let Some(requested) = requested
            && requested != policy
        {
            return Err(EngineError::PolicyMismatch { store: policy, requested });
        }
        let installs = store.calendar_installs()?;
        let calendars = installed_calendars(calendars, &installs)?.under(policy);
        let calendar_data_id = calendar_data_id(policy, &installs);
        // A store's first use records the data its (so far empty) derived figures count on; read
        // first, so opening a store to read it takes no write lock.
        if !store.is_read_only() && store.setting(DERIVED_CALENDAR_SETTING)?.is_none() {
            store.setting_or_insert(DERIVED_CALENDAR_SETTING, &calendar_data_id)?;
        }
        Ok(Engine { store, calendars, calendar_data_id, workflows: HashMap::new(), replays: HashMap::new() })
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub(crate) fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// The calendars counted on, under [`Engine::beyond_data`].
    pub fn calendars(&self) -> &Calendars {
        &self.calendars
    }

    /// The policy for dates after the calendar's data.
    pub fn beyond_data(&self) -> BeyondData {
        self.calendars.beyond_data()
    }

    /// What names the calendar data counted on (policy, built-in files, installed files).
    pub fn calendar_data_id(&self) -> &str {
        &self.calendar_data_id
    }

    /// Forgets the replays kept of recently acted-on cases (a write batch was not committed).
    pub(crate) fn forget_replays(&mut self) {
        self.replays.clear();
    }

    pub(crate) fn calendar_data(&self) -> &Calendars {
        &self.calendars
    }

    /// Counts on new calendar data (already under the policy) from now on.
    pub(crate) fn set_calendar_data(&mut self, counted: Calendars, id: String) {
        self.calendars = counted;
        self.calendar_data_id = id;
        // Cached open clocks were computed with the old data.
        self.replays.clear();
    }

    /// Loads, validates and deploys a workflow file (with every file it extends, read through
    /// `reader`). Deploying the same content again changes nothing; running cases keep their
    /// version whatever is deployed later.
    ///
    /// # Errors
    ///
    /// [`EngineError::Workflow`] for an invalid file, [`EngineError::Store`] when its
    /// (workflow, version) is taken by other content.
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::core::calendar::Calendars;
    /// use renewflow::core::workflow::NoExtends;
    /// use renewflow::engine::Engine;
    /// use renewflow::store::SqliteStore;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// let at = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00+08:00")?;
    /// let deployed = engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at)?;
    /// assert!(deployed.new);
    /// // The same content again is the same deployment.
    /// let again = engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at)?;
    /// assert_eq!((again.key, again.new), (deployed.key, false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn deploy(
        &mut self,
        name: &str,
        text: &str,
        reader: &mut dyn SourceReader,
        at: DateTime<FixedOffset>,
    ) -> Result<Deployed, EngineError> {
        let mut recording = RecordingReader { inner: reader, files: Vec::new() };
        let workflow = load_workflow(name, text, &mut recording, &self.calendars).map_err(Box::new)?;
        let mut sources =
            vec![SourceFile { path: String::new(), from: String::new(), name: name.to_owned(), text: text.to_owned() }];
        sources.extend(recording.files);
        let content_hash = workflow.content_hash_hex();
        let (row, new) = self.store.deploy(&NewDeployment {
            workflow: workflow.id().to_owned(),
            version: workflow.version().to_owned(),
            content_hash: content_hash.clone(),
            sources,
            deployed_at: at.to_rfc3339(),
        })?;
        self.workflows.insert(row.key, Arc::new(workflow));
        Ok(Deployed {
            key: row.key,
            workflow: row.workflow,
            version: row.version,
            content_hash: row.content_hash,
            deployed_at: row.deployed_at,
            new,
        })
    }

    /// The workflow of a deployment, loaded once.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the deployment is missing or its stored files no longer load.
    pub fn workflow(&mut self, key: i64) -> Result<Arc<Workflow>, EngineError> {
        if let Some(workflow) = self.workflows.get(&key) {
            return Ok(Arc::clone(workflow));
        }
        let row = self.store.deployment(key)?;
        let workflow = Arc::new(load_deployment(&row, &self.calendars)?);
        self.workflows.insert(key, Arc::clone(&workflow));
        Ok(workflow)
    }

    /// The calendar `workflow` counts on, under the store's policy for dates after its data.
    ///
    /// # Errors
    ///
    /// [`EngineError::UnknownCalendar`] when the workflow names a calendar this engine lacks.
    pub fn calendar(&self, workflow: &Workflow) -> Result<&WorkingCalendar, EngineError> {
        self.calendars.require(workflow.calendar()).map_err(|error| EngineError::UnknownCalendar(error.to_string()))
    }

    /// Opens a case on a deployed version of a workflow (the newest unless one is named).
    ///
    /// # Errors
    ///
    /// [`EngineError::NoActor`] when `actor` is empty or blank, [`EngineError::Rejected`] for a
    /// bad attribute or a date outside the calendar's data, [`EngineError::NotDeployed`], or a
    /// taken case number.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// let opened = engine.open_case(&CaseOpening {
    ///     workflow: "administrative-license".to_owned(),
    ///     version: None,
    ///     number: Some("XK-2026-0001".to_owned()),
    ///     at: at("2026-09-21T09:30:00+08:00")?,
    ///     actor: "窗口".to_owned(),
    ///     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    ///     idempotency_key: Some("intake-0001".to_owned()),
    /// })?;
    /// assert_eq!((opened.number.as_str(), opened.version), ("XK-2026-0001", 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn open_case(&mut self, opening: &CaseOpening) -> Result<Outcome, EngineError> {
        EngineError::expect_actor(&opening.actor)?;
        EngineError::expect_case_number(opening.number.as_deref())?;
        let core_opening =
            Opening { at: opening.at, actor: opening.actor.clone(), attributes: opening.attributes.clone() };
        let request =
            Request::open(&opening.workflow, opening.version.as_deref(), opening.number.as_deref(), &core_opening);
        if let Some(key) = &opening.idempotency_key
            && let Some(stored) = self.store.answer(key)?
        {
            return self.replay_key(&stored, &request);
        }
        let deployment = match &opening.version {
            None => self.store.latest_deployment_key(&opening.workflow)?,
            Some(version) => self
                .store
                .deployments()?
                .into_iter()
                .find(|row| row.workflow == opening.workflow && &row.version == version)
                .map(|row| row.key),
        }
        .ok_or_else(|| EngineError::NotDeployed {
            workflow: opening.workflow.clone(),
            version: opening.version.clone(),
        })?;
        let workflow = self.workflow(deployment)?;
        let calendar = self.calendar(&workflow)?;
        let events = open(&workflow, calendar, &core_opening).map_err(EngineError::Rejected)?;
        let zone = calendar.zone();
        let id = new_case_id();
        let mut replay = Replay::new(&workflow);
        for event in &events {
            replay.apply(&workflow, event, zone).map_err(|error| EngineError::history(&id, &error))?;
        }
        // An automatic number comes from the workflow's sequence for the opening year: distinct
        // under concurrent openings, and never one somebody chose by hand.
        let number = match &opening.number {
            Some(number) => number.clone(),
            None => {
                let prefix = format!("{}-", zone.civil_date(opening.at).format("%Y"));
                self.store.reserve_case_number(&opening.workflow, &prefix)?
            }
        };
        let calendar = self.calendar(&workflow)?;
        let (rows, records, head) = chain(&workflow, &id, 0, &GENESIS_HASH, &events, &number);
        let derived = derive(&workflow, calendar, &replay);
        let case = CaseRow {
            id: id.clone(),
            deployment,
            workflow: opening.workflow.clone(),
            number: number.clone(),
            opened_at: opening.at.to_rfc3339(),
            last_at: events.last().map_or_else(|| opening.at.to_rfc3339(), |event| event.at.to_rfc3339()),
            version: events.len() as u64,
            head_hash: hex(&head),
            configuration: derived.configuration.clone(),
            finished_on: derived.finished_on.clone(),
        };
        let outcome = Outcome { case_id: id, number, version: case.version, events: records, replayed: false };
        let request_json = opening.idempotency_key.as_ref().map(|_| request.canonical_json());
        let created = self.store.create_case(&NewCase {
            case: &case,
            events: &rows,
            derived: &derived,
            idempotency: opening.idempotency_key.as_deref().zip(request_json.as_deref()),
        });
        match created {
            Ok(()) => {
                // Its first action (often the next write) then needs no read.
                self.remember(CachedReplay { row: case, workflow, replay, open_clocks: Some(derived.open_clocks) });
                Ok(outcome)
            }
            // The same key landed first (a concurrent retry): its answer is this request's.
            Err(StoreError::KeyTaken { key }) => match self.store.answer(&key)? {
                Some(stored) => self.replay_key(&stored, &request),
                None => Err(StoreError::KeyTaken { key }.into()),
            },
            Err(error) => Err(error.into()),
        }
    }

    /// The answer to an idempotency key seen before, rebuilt from the events it names.
    fn replay_key(&self, stored: &IdempotencyRow, request: &Request<'_>) -> Result<Outcome, EngineError> {
        let case = self.store.case(&stored.case_id)?;
        let events = match &case {
            Some(case) => self.store.events(&case.id)?,
            None => Vec::new(),
        };
        replayed_answer(stored, request, case.as_ref(), &events)
    }

    /// Finds a case by id, or by number when one workflow uses it.
    ///
    /// # Errors
    ///
    /// [`EngineError::UnknownCase`] or [`EngineError::AmbiguousCase`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// let opened = engine.open_case(&opening)?;
    /// // By number (when one workflow uses it) or by id.
    /// assert_eq!(engine.find_case("XK-1")?.id, opened.case_id);
    /// assert!(matches!(engine.find_case("XK-404"), Err(EngineError::UnknownCase(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn find_case(&self, reference: &str) -> Result<CaseRow, EngineError> {
        if let Some(case) = self.store.case(reference)? {
            return Ok(case);
        }
        let mut numbered = self.store.cases_numbered(reference)?;
        match numbered.len() {
            0 => Err(EngineError::UnknownCase(reference.to_owned())),
            1 => Ok(numbered.remove(0)),
            _ => Err(EngineError::AmbiguousCase {
                number: reference.to_owned(),
                workflows: numbered.iter().map(|case| case.workflow.as_str()).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// A case with its workflow, history and fold.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the case is unknown or its history does not fit its workflow.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// let view = engine.case("XK-1")?;
    /// assert_eq!(view.row.version, 2);
    /// assert_eq!(view.events.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn case(&mut self, reference: &str) -> Result<CaseView, EngineError> {
        let row = self.find_case(reference)?;
        self.view_of(row)
    }

    /// The case of a row already found ([`Engine::find_case`]): its history read and folded.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the history cannot be read or replayed.
    pub fn view_of(&mut self, row: CaseRow) -> Result<CaseView, EngineError> {
        let workflow = self.workflow(row.deployment)?;
        let zone = self.calendar(&workflow)?.zone();
        let mut events = Vec::new();
        for stored in self.store.events(&row.id)? {
            let record = EventRecord::parse(&stored.record).map_err(|error| EngineError::history(&row.id, &error))?;
            if stored.sequence == 0
                && let Some(identity) = record.identity()
                && let Some(differs) = identity_differs(identity, &row, &workflow)
            {
                return Err(EngineError::history(&row.id, &differs));
            }
            events.push(record.to_event(&workflow).map_err(|error| EngineError::history(&row.id, &error))?);
        }
        let replay = Replay::fold(&workflow, &events, zone).map_err(|error| EngineError::history(&row.id, &error))?;
        Ok(CaseView { row, workflow, events, replay })
    }

    /// Acts on a case at the version the caller last read. The command's events are appended
    /// with their hashes, or nothing is written.
    ///
    /// # Errors
    ///
    /// [`EngineError::NoActor`] when the command's actor is empty or blank,
    /// [`EngineError::Rejected`] with the reason, [`EngineError::Conflict`] when the case moved
    /// on since `expected_version`, or an operating error.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// let opened = engine.open_case(&opening)?;
    /// let accept = Command {
    ///     at: at("2026-09-22T10:00:00+08:00")?,
    ///     actor: "承办人甲".to_owned(),
    ///     role: "officer".to_owned(),
    ///     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// };
    /// let accepted = engine.act("XK-1", &accept, opened.version, Some("accept-1"))?;
    /// assert_eq!(accepted.version, 2);
    /// // A retry with the same key gets the same answer and appends nothing.
    /// let retried = engine.act("XK-1", &accept, opened.version, Some("accept-1"))?;
    /// assert!(retried.replayed && retried.version == 2);
    /// // Without the key, the stale version is a conflict.
    /// let stale = engine.act("XK-1", &accept, opened.version, None);
    /// assert!(matches!(stale, Err(EngineError::Conflict { expected: 1, actual: 2, .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn act(
        &mut self,
        reference: &str,
        command: &Command,
        expected_version: u64,
        idempotency_key: Option<&str>,
    ) -> Result<Outcome, EngineError> {
        EngineError::expect_actor(&command.actor)?;
        let acted = self.act_once(reference, command, expected_version, idempotency_key);
        let Some(key) = idempotency_key else {
            return acted;
        };
        match acted {
            // The same key may have landed first (a concurrent retry): then its answer is this
            // request's, not a conflict.
            Err(EngineError::Conflict { .. } | EngineError::Store(StoreError::KeyTaken { .. })) => {
                match self.store.answer(key)? {
                    Some(stored) => {
                        let case = self.find_case(reference)?;
                        self.replay_key(&stored, &Request::act(&case.id, command))
                    }
                    None => acted,
                }
            }
            acted => acted,
        }
    }

    fn act_once(
        &mut self,
        reference: &str,
        command: &Command,
        expected_version: u64,
        idempotency_key: Option<&str>,
    ) -> Result<Outcome, EngineError> {
        // A case this engine acted on last is taken from memory without reading it: the append
        // lands only if the stored case is still at this version and head hash.
        let remembered = self.replays.remove(reference).filter(|cached| cached.row.version == expected_version);
        let from_memory = remembered.is_some();
        // A remembered case is at the caller's version, so a key seen before is not a retry of
        // an answered write: it is found by the append (or, for a refusal, below) and answered
        // from the store then, without a read before every write.
        let cached = match remembered {
            Some(cached) => cached,
            None => match self.read_for_act(reference, command, expected_version, idempotency_key)? {
                Ok(cached) => cached,
                Err(answer) => return Ok(answer),
            },
        };
        let CachedReplay { mut row, workflow, mut replay, open_clocks } = cached;
        let calendar = self.calendar(&workflow)?;
        let events = match step_in_place(&workflow, calendar, &mut replay, command) {
            Ok(events) => events,
            Err(rejection) => {
                if from_memory {
                    // A key seen before answers as it did (or is refused as reused).
                    if let Some(key) = idempotency_key
                        && let Some(stored) = self.store.answer(key)?
                    {
                        return self.replay_key(&stored, &Request::act(&row.id, command));
                    }
                    // Judged on a remembered case: if another writer moved it on, the caller's
                    // version is stale, and that is the answer.
                    if let Some(stored) = self.store.case(&row.id)?
                        && (stored.version != row.version || stored.head_hash != row.head_hash)
                    {
                        return Err(EngineError::Conflict {
                            case: row.id,
                            expected: expected_version,
                            actual: stored.version,
                        });
                    }
                }
                return Err(EngineError::Rejected(rejection));
            }
        };
        let previous =
            parse_hash(&row.head_hash).ok_or_else(|| EngineError::history(&row.id, &"unreadable head hash"))?;
        let (rows, records, head) = chain(&workflow, &row.id, row.version, &previous, &events, &row.number);
        let derived = derive(&workflow, calendar, &replay);
        let outcome = Outcome {
            case_id: row.id.clone(),
            number: row.number.clone(),
            version: row.version + events.len() as u64,
            events: records,
            replayed: false,
        };
        let request_json = idempotency_key.map(|_| Request::act(&row.id, command).canonical_json());
        let last_at = events.last().map_or(row.last_at.clone(), |event| event.at.to_rfc3339());
        let head_hash = hex(&head);
        self.store.append(&Append {
            case_id: &row.id,
            expected_version,
            previous_head_hash: &row.head_hash,
            events: &rows,
            head_hash: &head_hash,
            last_at: &last_at,
            derived: &derived,
            open_clocks_changed: open_clocks.as_ref() != Some(&derived.open_clocks),
            idempotency: idempotency_key.zip(request_json.as_deref()),
        })?;
        row.version = outcome.version;
        row.head_hash = head_hash;
        row.last_at = last_at;
        row.configuration = derived.configuration;
        row.finished_on = derived.finished_on;
        let open_clocks = Some(derived.open_clocks);
        self.remember(CachedReplay { row, workflow, replay, open_clocks });
        Ok(outcome)
    }

    /// Keeps a case just written, by its id, for the next write to it.
    fn remember(&mut self, cached: CachedReplay) {
        if self.replays.len() >= REPLAYS_CACHED_MAX {
            self.replays.clear();
        }
        self.replays.insert(cached.row.id.clone(), cached);
    }

    /// Reads a case to act on it: the stored answer when `idempotency_key` was seen before
    /// (`Err`), a conflict when the case is not at `expected_version`, else its row and fold.
    fn read_for_act(
        &mut self,
        reference: &str,
        command: &Command,
        expected_version: u64,
        idempotency_key: Option<&str>,
    ) -> Result<Result<CachedReplay, Outcome>, EngineError> {
        let row = self.find_case(reference)?;
        if let Some(key) = idempotency_key
            && let Some(stored) = self.store.answer(key)?
        {
            return Ok(Err(self.replay_key(&stored, &Request::act(&row.id, command))?));
        }
        if row.version != expected_version {
            return Err(EngineError::Conflict { case: row.id, expected: expected_version, actual: row.version });
        }
        let remembered = self
            .replays
            .remove(&row.id)
            .filter(|cached| cached.row.version == row.version && cached.row.head_hash == row.head_hash);
        if let Some(cached) = remembered {
            return Ok(Ok(CachedReplay { row, ..cached }));
        }
        let view = self.case(&row.id)?;
        // Another writer may have appended between reading the row and the events.
        let actual = view.replay.events() as u64;
        if actual != expected_version {
            return Err(EngineError::Conflict { case: row.id, expected: expected_version, actual });
        }
        Ok(Ok(CachedReplay { row: view.row, workflow: view.workflow, replay: view.replay, open_clocks: None }))
    }

    /// A case's timing as of a date (events after it are not counted).
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the case is unknown or the date is outside the calendar's data.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// // 中秋 (09-25..27) and 国庆 (10-01..07) 2026 do not count; Saturday 10-10, a 调休
    /// // working day, does.
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 12).ok_or("date")?;
    /// let (view, timing) = engine.timing("XK-1", as_of)?;
    /// let decision = view.workflow.clock_named("decision").ok_or("clock")?;
    /// assert_eq!(timing.clocks[decision.index()].elapsed, 9);
    /// # Ok(())
    /// # }
    /// ```
    pub fn timing(&mut self, reference: &str, as_of: NaiveDate) -> Result<(CaseView, Timing), EngineError> {
        let view = self.case(reference)?;
        let timing = self.timing_of(&view, as_of)?;
        Ok((view, timing))
    }

    /// The timing of a case already read ([`Engine::case`]) as of a date.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the date is outside the calendar's data, or the history cannot be
    /// replayed to it.
    pub fn timing_of(&self, view: &CaseView, as_of: NaiveDate) -> Result<Timing, EngineError> {
        let calendar = self.calendar(&view.workflow)?;
        let zone = calendar.zone();
        let timing = if view.replay.last_at().is_some_and(|last| zone.civil_date(last) > as_of) {
            crate::core::case::timing_as_of(&view.workflow, calendar, &view.events, as_of).map_err(
                |error| match error {
                    crate::core::case::TimingError::Calendar(error) => EngineError::Calendar(error),
                    crate::core::case::TimingError::Replay(error) => EngineError::history(&view.row.id, &error),
                },
            )?
        } else {
            timing(&view.workflow, calendar, &view.replay, as_of)?
        };
        Ok(timing)
    }

    /// Imports audited histories into a deployment, all in one transaction: each history is
    /// folded by the core, chained from its first event and stored with its derived data, so its
    /// case continues live. A history whose number the workflow already uses is skipped; a case
    /// the importer left out is counted; an [`ImportEntry::Abandon`] writes nothing. The import is
    /// recorded with what it did.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the deployment is unknown, a history does not fit its workflow or
    /// the importer abandons; nothing is written then.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Opening, open};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseHistory, Engine, ImportEntry, ImportRequest};
    /// # use renewflow::store::{SqliteStore, Store as _};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// let deployed = engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// // A history the core made (here: a case opened in 2025, as an audit of its log would).
    /// let workflow = engine.workflow(deployed.key)?;
    /// let calendar = engine.calendars().require(workflow.calendar())?;
    /// let opening = Opening {
    ///     at: at("2025-12-01T09:00:00+08:00")?,
    ///     actor: "窗口".to_owned(),
    ///     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// };
    /// let events = open(&workflow, calendar, &opening)?;
    /// let request = ImportRequest {
    ///     deployment: deployed.key,
    ///     log: "licences-2025.csv".to_owned(),
    ///     log_hash: "0f".repeat(32),
    ///     as_of: None,
    ///     accept_findings: false,
    ///     at: at("2026-01-05T10:00:00+08:00")?,
    /// };
    /// let history = CaseHistory { number: "XK-2025-0042".to_owned(), events, findings: Vec::new() };
    /// let import = engine.import(&request, [ImportEntry::History(history.clone()), ImportEntry::LeftOut].into_iter())?;
    /// assert_eq!((import.imported, import.skipped, import.refused), (1, 0, 1));
    /// assert_eq!(engine.case("XK-2025-0042")?.row.version, history.events.len() as u64);
    /// // The same history again is skipped, not doubled.
    /// let again = engine.import(&request, std::iter::once(ImportEntry::History(history)))?;
    /// assert_eq!((again.imported, again.skipped), (0, 1));
    /// // An abandoned import writes nothing, not even its record.
    /// let abandoned = engine.import(&request, std::iter::once(ImportEntry::Abandon("the log changed".to_owned())));
    /// assert!(abandoned.is_err());
    /// assert_eq!(engine.store().imports()?.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn import(
        &mut self,
        request: &ImportRequest,
        entries: impl Iterator<Item = ImportEntry>,
    ) -> Result<ImportRow, EngineError> {
        let workflow = self.workflow(request.deployment)?;
        // The calendar borrows one field, so the store can be written while it is in use.
        let calendar = self
            .calendars
            .require(workflow.calendar())
            .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
        let new_import = NewImport {
            imported_at: request.at.to_rfc3339(),
            log: request.log.clone(),
            log_hash: request.log_hash.clone(),
            deployment: request.deployment,
            as_of: request.as_of.map(|date| date.to_string()),
            accept_findings: request.accept_findings,
        };
        // The first failure is kept here; the store sees only that it must roll back.
        let mut failure = None;
        let mut items = entries.map(|entry| match entry {
            ImportEntry::LeftOut => Ok(ImportItem::Refused),
            ImportEntry::Abandon(reason) => Err(reason),
            ImportEntry::History(history) => match imported_case(&workflow, calendar, &new_import, history) {
                Ok(case) => Ok(ImportItem::Case(Box::new(case))),
                Err(error) => {
                    let message = error.to_string();
                    failure = Some(error);
                    Err(message)
                }
            },
        });
        let stored = self.store.import(&new_import, &mut items);
        drop(items);
        match (stored, failure) {
            (Ok(row), _) => Ok(row),
            (Err(_), Some(error)) => Err(error),
            (Err(error), None) => Err(error.into()),
        }
    }

    /// Every case, by workflow and number.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// engine.open_case(&opening)?;
    /// let numbers: Vec<String> = engine.cases()?.into_iter().map(|case| case.number).collect();
    /// assert_eq!(numbers, ["XK-1"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cases(&self) -> Result<Vec<CaseRow>, EngineError> {
        Ok(self.store.cases()?)
    }
}

/// Loads a stored deployment from its files.
///
/// # Errors
///
/// [`EngineError::Workflow`] when the files no longer load (a calendar missing, for instance).
pub fn load_deployment(row: &DeploymentRow, calendars: &Calendars) -> Result<Workflow, EngineError> {
    let main = row.sources.first().ok_or_else(|| {
        EngineError::Store(StoreError::Corrupt(format!(
            "deployment {} ({} {}) has no files",
            row.key, row.workflow, row.version
        )))
    })?;
    let mut reader = StoredReader { files: &row.sources[1..] };
    let workflow = load_workflow(&main.name, &main.text, &mut reader, calendars).map_err(Box::new)?;
    let computed = workflow.content_hash_hex();
    if computed != row.content_hash || workflow.id() != row.workflow || workflow.version() != row.version {
        return Err(EngineError::DeploymentAltered {
            key: row.key,
            workflow: row.workflow.clone(),
            version: row.version.clone(),
            stored: row.content_hash.clone(),
            computed: format!("{computed} (workflow `{}` version `{}`)", workflow.id(), workflow.version()),
        });
    }
    Ok(workflow)
}

/// How the case an opening record names differs from the case row and the workflow it is read
/// under, if it does.
pub(crate) fn identity_differs(identity: &CaseIdentity, row: &CaseRow, workflow: &Workflow) -> Option<String> {
    let expected = CaseIdentity::of(workflow, &row.number);
    if identity.workflow != row.workflow {
        return Some(format!(
            "its opening names workflow `{}`, the case row says `{}`",
            identity.workflow, row.workflow
        ));
    }
    if identity.number != row.number {
        return Some(format!("its opening names number `{}`, the case row says `{}`", identity.number, row.number));
    }
    if identity != &expected {
        return Some(format!(
            "its opening names {} version `{}` with content hash {}, the case row's deployment is {} version `{}` with {}",
            identity.workflow,
            identity.version,
            identity.content_hash,
            expected.workflow,
            expected.version,
            expected.content_hash
        ));
    }
    None
}

/// A new case's id: a UUID v7 stamped with the moment the store records it (not the case's
/// opening instant), with random low bits. Ids made later sort later, so new cases sit together
/// at the end of every index keyed by case id, and a write touches the few pages there; opening
/// instants spread over years would scatter them, a different page per write. Nothing reads the
/// time back out of an id: the opening instant is the history's.
pub(crate) fn new_case_id() -> String {
    Uuid::now_v7().to_string()
}

/// The stored rows and records of `events`, chained on from `previous` at position `first`, and
/// the new head. The opening record (position 0) names the case: `workflow`'s id, version and
/// content hash, and `number`.
pub(crate) fn chain(
    workflow: &Workflow,
    case_id: &str,
    first: u64,
    previous: &[u8; 32],
    events: &[Event],
    number: &str,
) -> (Vec<EventRow>, Vec<EventRecord>, [u8; 32]) {
    let mut head = *previous;
    let mut records = Vec::with_capacity(events.len());
    let rows = events
        .iter()
        .enumerate()
        .map(|(offset, event)| {
            let sequence = first + offset as u64;
            let mut record = EventRecord::of(workflow, event);
            if sequence == 0
                && let RecordKind::Opened { case, .. } = &mut record.kind
            {
                *case = Some(CaseIdentity::of(workflow, number));
            }
            let canonical = record.canonical_json();
            let hash = event_hash(&head, case_id, sequence, &canonical);
            let row = EventRow {
                sequence,
                at: event.at.to_rfc3339(),
                record: canonical,
                previous_hash: hex(&head),
                hash: hex(&hash),
                hash_algorithm: EVENT_HASH_ALGORITHM.to_owned(),
            };
            records.push(record);
            head = hash;
            row
        })
        .collect();
    (rows, records, head)
}

pub(crate) fn parse_hash(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut bytes = [0_u8; 32];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(bytes)
}
