//! `SqliteStore`: the embedded default. WAL, foreign keys on, `synchronous = NORMAL` (a commit
//! survives a process crash; a power cut may lose the last commits but never corrupts), schema
//! from `migrations/` applied in one `IMMEDIATE` transaction, so processes that open a new store
//! at once migrate it once. A store can also be opened to read only (`open_read_only`), for an
//! archived copy on a read-only file, directory or mount.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, MAIN_DB, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

use super::Store;
use super::key_rows::{KeyLogRow, KeyRevocation, KeyRow, NewKey};
use super::rows::{
    Append, CalendarInstall, CalendarInstallRow, CaseFilter, CaseRow, DeploymentCases, DeploymentRow, Derived,
    EventRow, IdempotencyRow, ImportItem, ImportMark, ImportRow, ListedCase, NewCase, NewDeployment, NewImport,
    OpenClockRow, SourceFile,
};
use super::store_error::StoreError;
use super::warning_rows::{
    DeliveryFilter, DeliveryRow, DueDeliveryRow, NewDeliveryAttempt, NewWarning, NewWebhook, WarningFilter, WarningRow,
    WebhookRow,
};

/// The schema, one file per version, applied in order; never edited once shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_drop_write_heavy_indexes.sql"),
    include_str!("../../migrations/0003_cases_by_number.sql"),
    include_str!("../../migrations/0004_imports.sql"),
    include_str!("../../migrations/0005_store_calendar.sql"),
    include_str!("../../migrations/0006_idempotency_and_numbers.sql"),
    include_str!("../../migrations/0007_limits_and_pauses.sql"),
    include_str!("../../migrations/0008_api_keys.sql"),
    include_str!("../../migrations/0009_warnings.sql"),
    include_str!("../../migrations/0010_append_order_rows.sql"),
];

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// WAL pages between automatic checkpoints (SQLite's default is 1 000).
pub const WAL_CHECKPOINT_PAGES: i64 = 10_000;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const IMPORT_COLUMNS: &str =
    "key, imported_at, log, log_hash, deployment, as_of, accept_findings, imported, with_findings, skipped, refused";

pub(super) const OPEN_CLOCK_COLUMNS: &str = "clock, phase, due_date, yellow_on, red_on, statutory_limit, \
     promised_limit, statutory_yellow_on, statutory_red_on, pause_overrun_on, prompt_on, promised_due_date";

pub(super) const CASE_COLUMNS: &str =
    "id, deployment, workflow, number, opened_at, last_at, version, head_hash, configuration, finished_on";

/// A case store in one SQLite file (or in memory, for tests).
pub struct SqliteStore {
    pub(super) connection: Connection,
    read_only: bool,
    /// Whether a write batch is open (`Store::begin_batch`).
    pub(super) batch: bool,
    /// Whether a write of the open batch failed after it changed a row: the batch is then
    /// rolled back at its end.
    pub(super) batch_broken: std::cell::Cell<bool>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date. A
    /// database from a newer schema is refused before anything is written.
    ///
    /// # Errors
    ///
    /// [`StoreError::NewerSchema`], [`StoreError::Open`] or [`StoreError::Sqlite`].
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::store::{SqliteStore, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let directory = tempfile::tempdir()?;
    /// let store = SqliteStore::open(&directory.path().join("cases.db"))?;
    /// assert!(store.cases()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let connection = Connection::open(path)
            .map_err(|error| StoreError::Open { path: shown.clone(), message: error.to_string() })?;
        // SQLite opens a file it may not write read-only without saying so; every write would
        // then fail with "attempt to write a readonly database".
        if connection.is_readonly(MAIN_DB)? {
            return Err(StoreError::ReadOnly { path: shown });
        }
        SqliteStore::prepare(connection, &shown, true)
    }

    /// Opens an existing store to read only: nothing is created or written (a store from an older
    /// schema is brought up to date first when its file can be written), so a copy on a
    /// read-only file, directory or mount can be read. When even SQLite's shared-memory
    /// file cannot be made (a read-only directory), the file is read as `immutable`, which is
    /// safe only because no write-ahead log is waiting beside it (checked).
    ///
    /// # Errors
    ///
    /// [`StoreError::NoStore`] for a missing or empty file or a database that is not a store,
    /// [`StoreError::OlderSchema`] and [`StoreError::NewerSchema`], [`StoreError::Open`].
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::store::{SqliteStore, Store, StoreError};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let directory = tempfile::tempdir()?;
    /// let path = directory.path().join("cases.db");
    /// // Reading never creates a store.
    /// assert!(matches!(SqliteStore::open_read_only(&path), Err(StoreError::NoStore { .. })));
    /// drop(SqliteStore::open(&path)?);
    /// let store = SqliteStore::open_read_only(&path)?;
    /// assert!(store.is_read_only() && store.cases()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let no_store = |reason: &str| StoreError::NoStore { path: shown.clone(), reason: reason.to_owned() };
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(no_store(
                    "the file does not exist (check `--db` or `RENEWFLOW_DB`; `renewflow workflow deploy` creates a store)",
                ));
            }
            Err(error) => return Err(StoreError::Open { path: shown, message: error.to_string() }),
        };
        if !metadata.is_file() {
            return Err(no_store("it is not a regular file"));
        }
        if metadata.len() == 0 {
            return Err(no_store("the file is empty (a store is created by a command that writes)"));
        }
        let uri = |mode: ReadMode| {
            let mut uri = String::from("file:");
            for byte in path.as_os_str().as_encoded_bytes() {
                // Percent-encoded where a URI would read the byte otherwise (UTF-8 names too).
                match byte {
                    b'%' | b'?' | b'#' | 0..=0x20 | 0x7f.. => {
                        let _ = write!(uri, "%{byte:02X}");
                    }
                    _ => uri.push(char::from(*byte)),
                }
            }
            uri.push_str(match mode {
                ReadMode::Writable => "",
                ReadMode::ReadOnly => "?mode=ro",
                ReadMode::Immutable => "?mode=ro&immutable=1",
            });
            uri
        };
        let open = |mode: ReadMode| -> Result<(Connection, i64), rusqlite::Error> {
            let access = match mode {
                ReadMode::Writable => OpenFlags::SQLITE_OPEN_READ_WRITE,
                ReadMode::ReadOnly | ReadMode::Immutable => OpenFlags::SQLITE_OPEN_READ_ONLY,
            };
            let connection = Connection::open_with_flags(
                uri(mode),
                access | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            connection.busy_timeout(BUSY_TIMEOUT)?;
            connection.pragma_update(None, "query_only", true)?;
            let found = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
            Ok((connection, found))
        };
        let (connection, found) = match open(ReadMode::Writable).or_else(|_| open(ReadMode::ReadOnly)) {
            Ok(opened) => opened,
            Err(first) => {
                let wal = std::path::PathBuf::from(format!("{shown}-wal"));
                if std::fs::metadata(&wal).is_ok_and(|wal| wal.len() > 0) {
                    return Err(StoreError::Open {
                        path: shown,
                        message: format!(
                            "{first}; its write-ahead log `{}` holds commits that only a writable copy can read",
                            wal.display()
                        ),
                    });
                }
                open(ReadMode::Immutable)
                    .map_err(|error| StoreError::Open { path: shown.clone(), message: error.to_string() })?
            }
        };
        if found == 0 {
            return Err(no_store("the database is not a renewflow case store (it has no schema)"));
        }
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: shown, found, supported: SCHEMA_VERSION });
        }
        if found < SCHEMA_VERSION {
            // A store a newer renewflow reads for the first time is brought up to date when its
            // file can be written (a schema upgrade, nothing else); on read-only media it cannot.
            if connection.is_readonly(MAIN_DB)? {
                return Err(StoreError::OlderSchema { path: shown, found, supported: SCHEMA_VERSION });
            }
            drop(connection);
            let mut store = SqliteStore::open(path)?;
            store.connection.pragma_update(None, "query_only", true)?;
            store.read_only = true;
            return Ok(store);
        }
        Ok(SqliteStore { connection, read_only: true, batch: false, batch_broken: std::cell::Cell::new(false) })
    }

    /// A store in memory, gone when dropped.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`].
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::store::{SqliteStore, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = SqliteStore::in_memory()?;
    /// assert!(store.deployments()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::prepare(Connection::open_in_memory()?, ":memory:", false)
    }

    fn prepare(mut connection: Connection, path: &str, wal: bool) -> Result<SqliteStore, StoreError> {
        connection.busy_timeout(BUSY_TIMEOUT)?;
        let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found, supported: SCHEMA_VERSION });
        }
        if wal {
            // Switching a new file to WAL needs the file to itself, and SQLite does not always wait
            // for it (processes opening a new store at once then see "database is locked"): wait
            // as long as a writer would.
            retry_while_busy(|| connection.pragma_update(None, "journal_mode", "WAL"))?;
            // Copy the log back into the database every 10 000 pages instead of 1 000: a page
            // written by many actions in between is copied (and synced) once.
            connection.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
        }
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // The pages a statement changes are kept, in case it must be undone, in memory rather
        // than in a temporary file.
        connection.pragma_update(None, "temp_store", "MEMORY")?;
        if found < SCHEMA_VERSION {
            let started = std::time::Instant::now();
            loop {
                match migrate(&mut connection, path) {
                    Err(StoreError::Sqlite(error)) if is_busy(&error) && started.elapsed() < BUSY_TIMEOUT => {
                        std::thread::sleep(BUSY_RETRY_PAUSE);
                    }
                    migrated => break migrated?,
                }
            }
        }
        Ok(SqliteStore { connection, read_only: false, batch: false, batch_broken: std::cell::Cell::new(false) })
    }

    /// Leaves the copying of the write-ahead log back into the database to another connection
    /// calling [`SqliteStore::checkpoint`]: a writer that must answer quickly does not copy (and
    /// sync) thousands of pages in the middle of a commit.
    ///
    /// # Errors
    ///
    /// When SQLite refuses the setting.
    pub fn hand_checkpoints_off(&self) -> Result<(), StoreError> {
        self.connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    /// Copies what the write-ahead log holds back into the database, as far as no reader needs
    /// it, without waiting for writers or readers (SQLite's `PASSIVE` checkpoint); returns how
    /// many pages the log held.
    ///
    /// # Errors
    ///
    /// When SQLite fails to checkpoint.
    pub fn checkpoint(&self) -> Result<u64, StoreError> {
        let pages: i64 = self.connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))?;
        Ok(u64::try_from(pages).unwrap_or(0))
    }

    /// A number that changes whenever another connection (this process's or another's) has
    /// committed since this one last asked (SQLite's `data_version`): what was read from the
    /// store before is still true while it stays the same. A connection's own commits do not
    /// change it.
    ///
    /// # Errors
    ///
    /// When SQLite cannot read it.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        let version: i64 = self.connection.prepare_cached("PRAGMA data_version")?.query_row([], |row| row.get(0))?;
        Ok(version.unsigned_abs())
    }

    /// The connection, for tests that tamper behind the engine's back.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    fn deployment_where(&self, clause: &str, value: &dyn rusqlite::ToSql) -> Result<Option<DeploymentRow>, StoreError> {
        let sql = format!(
            "SELECT key, workflow, version, content_hash, sources, deployed_at FROM deployments WHERE {clause} \
             ORDER BY key DESC LIMIT 1"
        );
        let row = self
            .connection
            .query_row(&sql, [value], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        row.map(|(key, workflow, version, content_hash, sources, deployed_at)| {
            let sources: Vec<SourceFile> = serde_json::from_str(&sources)
                .map_err(|error| StoreError::Corrupt(format!("deployment {key}: sources: {error}")))?;
            Ok(DeploymentRow { key, workflow, version, content_hash, sources, deployed_at })
        })
        .transpose()
    }

    fn write_derived(transaction: &Connection, case_id: &str, derived: &Derived) -> Result<(), StoreError> {
        transaction.prepare_cached("DELETE FROM open_clocks WHERE case_id = ?1")?.execute([case_id])?;
        let mut insert = transaction.prepare_cached(&format!(
            "INSERT INTO open_clocks (case_id, {OPEN_CLOCK_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))?;
        for clock in &derived.open_clocks {
            insert.execute(params![
                case_id,
                clock.clock,
                clock.phase,
                clock.due_date,
                clock.yellow_on,
                clock.red_on,
                clock.statutory_limit,
                clock.promised_limit,
                clock.statutory_yellow_on,
                clock.statutory_red_on,
                clock.pause_overrun_on,
                clock.prompt_on,
                clock.promised_due_date
            ])?;
        }
        Ok(())
    }

    /// Inserts a case row; with `skip_taken`, a taken (workflow, number) inserts nothing and
    /// returns `false`.
    fn insert_case(
        transaction: &Connection,
        case: &CaseRow,
        derived: &Derived,
        skip_taken: bool,
    ) -> Result<bool, StoreError> {
        let conflict = if skip_taken { " ON CONFLICT (workflow, number) DO NOTHING" } else { "" };
        let inserted = transaction
            .prepare_cached(&format!(
                "INSERT INTO cases ({CASE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10){conflict}"
            ))?
            .execute(params![
                case.id,
                case.deployment,
                case.workflow,
                case.number,
                case.opened_at,
                case.last_at,
                case.version as i64,
                case.head_hash,
                derived.configuration,
                derived.finished_on
            ]);
        match inserted {
            Ok(count) => Ok(count == 1),
            Err(error) if is_unique_violation(&error) => {
                Err(StoreError::NumberTaken { workflow: case.workflow.clone(), number: case.number.clone() })
            }
            Err(error) => Err(error.into()),
        }
    }

    fn insert_events(transaction: &Connection, case_id: &str, events: &[EventRow]) -> Result<(), StoreError> {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO events (case_id, sequence, at, record, previous_hash, hash, hash_algorithm) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for event in events {
            insert.execute(params![
                case_id,
                event.sequence as i64,
                event.at,
                event.record,
                event.previous_hash,
                event.hash,
                event.hash_algorithm
            ])?;
        }
        Ok(())
    }
}

/// How a store opened to read is asked of SQLite, from the least to the most restricted.
#[derive(Clone, Copy)]
enum ReadMode {
    /// Writable where the file system allows (never created): SQLite then tidies its write-ahead
    /// log away on close, as a writer does. Writes are refused by `query_only`.
    Writable,
    ReadOnly,
    /// For a read-only directory or mount, where SQLite cannot make the shared-memory file.
    Immutable,
}

/// How long to wait before trying again a step SQLite refused as busy without waiting itself.
const BUSY_RETRY_PAUSE: Duration = Duration::from_millis(20);

/// Runs `step` until it is not refused as busy, for at most [`BUSY_TIMEOUT`].
fn retry_while_busy(mut step: impl FnMut() -> rusqlite::Result<()>) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    loop {
        match step() {
            Err(error) if is_busy(&error) && started.elapsed() < BUSY_TIMEOUT => std::thread::sleep(BUSY_RETRY_PAUSE),
            done => return Ok(done?),
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Brings the schema up to date in one `IMMEDIATE` transaction: the version is read again under
/// the write lock, so when several processes open a new store at once one migrates it and the
/// others find it done.
fn migrate(connection: &mut Connection, path: &str) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found, supported: SCHEMA_VERSION });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        transaction.execute_batch(migration).map_err(|error| StoreError::Open {
            path: path.to_owned(),
            message: format!("schema version {}: {error}", index + 1),
        })?;
    }
    transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    transaction.commit()?;
    Ok(())
}

/// Whether `key` is taken, read inside a write transaction.
fn key_taken(transaction: &Connection, key: &str) -> Result<bool, StoreError> {
    Ok(transaction
        .prepare_cached("SELECT 1 FROM idempotency_answers WHERE key = ?1")?
        .query_row([key], |_| Ok(()))
        .optional()?
        .is_some())
}

fn insert_answer(
    transaction: &Connection,
    (key, request): (&str, &str),
    case_id: &str,
    first_sequence: u64,
    version: u64,
) -> Result<(), StoreError> {
    transaction
        .prepare_cached(
            "INSERT INTO idempotency_answers (key, request, case_id, first_sequence, version) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![key, request, case_id, first_sequence as i64, version as i64])?;
    Ok(())
}

pub(super) fn case_row(row: &Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: row.get(0)?,
        deployment: row.get(1)?,
        workflow: row.get(2)?,
        number: row.get(3)?,
        opened_at: row.get(4)?,
        last_at: row.get(5)?,
        version: row.get::<_, i64>(6)? as u64,
        head_hash: row.get(7)?,
        configuration: row.get(8)?,
        finished_on: row.get(9)?,
    })
}

pub(super) fn open_clock_row(row: &Row<'_>, offset: usize) -> rusqlite::Result<OpenClockRow> {
    Ok(OpenClockRow {
        clock: row.get(offset)?,
        phase: row.get(offset + 1)?,
        due_date: row.get(offset + 2)?,
        yellow_on: row.get(offset + 3)?,
        red_on: row.get(offset + 4)?,
        statutory_limit: row.get(offset + 5)?,
        promised_limit: row.get(offset + 6)?,
        statutory_yellow_on: row.get(offset + 7)?,
        statutory_red_on: row.get(offset + 8)?,
        pause_overrun_on: row.get(offset + 9)?,
        prompt_on: row.get(offset + 10)?,
        promised_due_date: row.get(offset + 11)?,
    })
}

/// A case with an active state listed for its deployment (`[[deployment, state], …]` bound as
/// JSON). An unreadable configuration lists no active state instead of failing the query.
macro_rules! active_in_clause {
    () => {
        "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(c.configuration) THEN c.configuration \
         ELSE '{}' END, '$.active') active, json_each(?) wanted \
         WHERE json_extract(wanted.value, '$[0]') = c.deployment AND json_extract(wanted.value, '$[1]') = active.value)"
    };
}

/// A case with an open clock listed for its deployment (`[[deployment, clock], …]` as JSON).
macro_rules! open_clock_in_clause {
    () => {
        "EXISTS (SELECT 1 FROM open_clocks o, json_each(?) wanted WHERE o.case_id = c.id \
         AND json_extract(wanted.value, '$[0]') = c.deployment AND json_extract(wanted.value, '$[1]') = o.clock)"
    };
}

/// The conditions of `filter` over `cases c` (joined with `deployments d`), with their values in
/// order. Lists of values go in as one JSON array each, read with `json_each`, so the statement
/// text depends only on which conditions are given (and is cached as such).
fn case_filter_sql(filter: &CaseFilter) -> (Vec<&'static str>, Vec<String>) {
    // Each condition with the values of its `?`s, in order.
    let mut conditions: Vec<(&'static str, Vec<String>)> = Vec::new();
    if let Some(workflow) = &filter.workflow {
        conditions.push(("c.workflow = ?", vec![workflow.clone()]));
    }
    if let Some(version) = &filter.version {
        conditions.push(("d.version = ?", vec![version.clone()]));
    }
    let pairs = |pairs: &Vec<(i64, String)>| serde_json::to_string(pairs).unwrap_or_else(|_| "[]".to_owned());
    match (&filter.active_in, &filter.open_clock_in) {
        (Some(states), Some(clocks)) => {
            conditions.push((
                concat!("(", active_in_clause!(), " OR ", open_clock_in_clause!(), ")"),
                vec![pairs(states), pairs(clocks)],
            ));
        }
        (Some(states), None) => conditions.push((active_in_clause!(), vec![pairs(states)])),
        (None, Some(clocks)) => conditions.push((open_clock_in_clause!(), vec![pairs(clocks)])),
        (None, None) => {}
    }
    if let Some(level) = &filter.level {
        let clause = if level.red {
            "((substr(c.last_at, 1, 10) <= ? AND EXISTS (SELECT 1 FROM open_clocks o WHERE o.case_id = c.id \
             AND o.red_on <= ?)) OR c.id IN (SELECT value FROM json_each(?)))"
        } else {
            "((substr(c.last_at, 1, 10) <= ? AND EXISTS (SELECT 1 FROM open_clocks o WHERE o.case_id = c.id \
             AND o.yellow_on <= ?)) OR c.id IN (SELECT value FROM json_each(?)))"
        };
        let also = serde_json::to_string(&level.also).unwrap_or_else(|_| "[]".to_owned());
        conditions.push((clause, vec![level.as_of.clone(), level.as_of.clone(), also]));
    }
    if let Some(from) = &filter.opened_from {
        conditions.push(("substr(c.opened_at, 1, 10) >= ?", vec![from.clone()]));
    }
    if let Some(to) = &filter.opened_to {
        conditions.push(("substr(c.opened_at, 1, 10) <= ?", vec![to.clone()]));
    }
    match filter.finished {
        Some(true) => conditions.push(("c.finished_on IS NOT NULL", Vec::new())),
        Some(false) => conditions.push(("c.finished_on IS NULL", Vec::new())),
        None => {}
    }
    if let Some(after) = &filter.after {
        let clause = "(c.workflow, c.number) > (SELECT workflow, number FROM cases WHERE id = ?)";
        conditions.push((clause, vec![after.clone()]));
    }
    let clauses = conditions.iter().map(|(clause, _)| *clause).collect();
    (clauses, conditions.into_iter().flat_map(|(_, values)| values).collect())
}

pub(super) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(code, _) if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

impl Store for SqliteStore {
    fn deploy(&mut self, deployment: &NewDeployment) -> Result<(DeploymentRow, bool), StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, String)> = transaction
            .query_row(
                "SELECT key, content_hash FROM deployments WHERE workflow = ?1 AND version = ?2",
                params![deployment.workflow, deployment.version],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match existing {
            Some((_, hash)) if hash != deployment.content_hash => {
                return Err(StoreError::VersionTaken {
                    workflow: deployment.workflow.clone(),
                    version: deployment.version.clone(),
                    content_hash: hash,
                });
            }
            Some((key, _)) => {
                transaction.commit()?;
                return Ok((self.deployment(key)?, false));
            }
            None => {}
        }
        let sources =
            serde_json::to_string(&deployment.sources).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        transaction.execute(
            "INSERT INTO deployments (workflow, version, content_hash, sources, deployed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![deployment.workflow, deployment.version, deployment.content_hash, sources, deployment.deployed_at],
        )?;
        let key = transaction.last_insert_rowid();
        transaction.commit()?;
        Ok((self.deployment(key)?, true))
    }

    fn deployment(&self, key: i64) -> Result<DeploymentRow, StoreError> {
        self.deployment_where("key = ?1", &key)?
            .ok_or_else(|| StoreError::NotFound { what: "deployment", name: key.to_string() })
    }

    fn latest_deployment(&self, workflow: &str) -> Result<Option<DeploymentRow>, StoreError> {
        self.deployment_where("workflow = ?1", &workflow)
    }

    fn latest_deployment_key(&self, workflow: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .connection
            .prepare_cached("SELECT max(key) FROM deployments WHERE workflow = ?1")?
            .query_row([workflow], |row| row.get(0))?)
    }

    fn deployments(&self) -> Result<Vec<DeploymentRow>, StoreError> {
        let mut statement = self.connection.prepare("SELECT key FROM deployments ORDER BY key")?;
        let keys: Vec<i64> = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
        keys.into_iter().map(|key| self.deployment(key)).collect()
    }

    fn deployment_cases(&self) -> Result<Vec<DeploymentCases>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT deployment, sum(finished_on IS NULL), sum(finished_on IS NOT NULL) FROM cases \
             GROUP BY deployment ORDER BY deployment",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(DeploymentCases {
                deployment: row.get(0)?,
                open: row.get::<_, i64>(1)? as u64,
                finished: row.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn create_case(&mut self, new: &NewCase<'_>) -> Result<(), StoreError> {
        let case = new.case;
        let transaction = self.write()?;
        if let Some((key, _)) = new.idempotency
            && key_taken(&transaction, key)?
        {
            return Err(StoreError::KeyTaken { key: key.to_owned() });
        }
        SqliteStore::insert_case(&transaction, case, new.derived, false)?;
        SqliteStore::insert_events(&transaction, &case.id, new.events)?;
        SqliteStore::write_derived(&transaction, &case.id, new.derived)?;
        if let Some(idempotency) = new.idempotency {
            insert_answer(&transaction, idempotency, &case.id, 0, case.version)?;
        }
        transaction.commit()?;
        Ok(())
    }

    fn append(&mut self, append: &Append<'_>) -> Result<(), StoreError> {
        let transaction = self.write()?;
        if let Some((key, _)) = append.idempotency
            && key_taken(&transaction, key)?
        {
            return Err(StoreError::KeyTaken { key: key.to_owned() });
        }
        let new_version = append.expected_version + append.events.len() as u64;
        let updated = transaction
            .prepare_cached(
                "UPDATE cases SET version = ?1, head_hash = ?2, last_at = ?3, configuration = ?4, finished_on = ?5 \
                 WHERE id = ?6 AND version = ?7 AND head_hash = ?8",
            )?
            .execute(params![
                new_version as i64,
                append.head_hash,
                append.last_at,
                append.derived.configuration,
                append.derived.finished_on,
                append.case_id,
                append.expected_version as i64,
                append.previous_head_hash
            ])?;
        if updated == 0 {
            let actual: Option<(i64, String)> = transaction
                .query_row("SELECT version, head_hash FROM cases WHERE id = ?1", [append.case_id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            return Err(match actual {
                Some((actual, _)) if actual as u64 != append.expected_version => StoreError::Conflict {
                    case: append.case_id.to_owned(),
                    expected: append.expected_version,
                    actual: actual as u64,
                },
                Some((_, head)) => StoreError::Corrupt(format!(
                    "case `{}` at version {} has head hash {head}, not {}: its case row or history was changed \
                     behind the engine (run `renewflow verify`)",
                    append.case_id, append.expected_version, append.previous_head_hash
                )),
                None => StoreError::NotFound { what: "case", name: append.case_id.to_owned() },
            });
        }
        SqliteStore::insert_events(&transaction, append.case_id, append.events)?;
        if append.open_clocks_changed {
            SqliteStore::write_derived(&transaction, append.case_id, append.derived)?;
        }
        if let Some(idempotency) = append.idempotency {
            insert_answer(&transaction, idempotency, append.case_id, append.expected_version, new_version)?;
        }
        transaction.commit()?;
        Ok(())
    }

    fn case(&self, id: &str) -> Result<Option<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1");
        Ok(self.connection.prepare_cached(&sql)?.query_row([id], case_row).optional()?)
    }

    fn cases_numbered(&self, number: &str) -> Result<Vec<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE number = ?1 ORDER BY workflow");
        let mut statement = self.connection.prepare_cached(&sql)?;
        Ok(statement.query_map([number], case_row)?.collect::<Result<_, _>>()?)
    }

    fn reserve_case_number(&mut self, workflow: &str, prefix: &str) -> Result<String, StoreError> {
        let transaction = self.write()?;
        let mut last: i64 = transaction
            .query_row(
                "SELECT last FROM case_number_sequences WHERE workflow = ?1 AND prefix = ?2",
                [workflow, prefix],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let number = loop {
            last += 1;
            let number = format!("{prefix}{last:05}");
            let taken = transaction
                .prepare_cached("SELECT 1 FROM cases WHERE workflow = ?1 AND number = ?2")?
                .query_row([workflow, number.as_str()], |_| Ok(()))
                .optional()?
                .is_some();
            if !taken {
                break number;
            }
        };
        transaction.execute(
            "INSERT INTO case_number_sequences (workflow, prefix, last) VALUES (?1, ?2, ?3) \
             ON CONFLICT (workflow, prefix) DO UPDATE SET last = excluded.last",
            params![workflow, prefix, last],
        )?;
        transaction.commit()?;
        Ok(number)
    }

    fn cases(&self) -> Result<Vec<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY workflow, number");
        let mut statement = self.connection.prepare_cached(&sql)?;
        Ok(statement.query_map([], case_row)?.collect::<Result<_, _>>()?)
    }

    fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<ListedCase>, StoreError> {
        let (clauses, values) = case_filter_sql(filter);
        let columns: Vec<String> = CASE_COLUMNS.split(", ").map(|column| format!("c.{column}")).collect();
        let sql = format!(
            "SELECT {}, d.version FROM cases c JOIN deployments d ON d.key = c.deployment WHERE {} \
             ORDER BY c.workflow, c.number LIMIT ? OFFSET ?",
            columns.join(", "),
            if clauses.is_empty() { "1".to_owned() } else { clauses.join(" AND ") }
        );
        // SQLite reads a negative limit as none.
        let limit = filter.limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
        let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
        let mut values: Vec<&dyn rusqlite::ToSql> = values.iter().map(|value| value as &dyn rusqlite::ToSql).collect();
        values.push(&limit);
        values.push(&offset);
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(values.as_slice(), |row| {
            Ok(ListedCase { case: case_row(row)?, workflow_version: row.get(10)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn events(&self, case_id: &str) -> Result<Vec<EventRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT sequence, at, record, previous_hash, hash, hash_algorithm FROM events \
             WHERE case_id = ?1 ORDER BY sequence",
        )?;
        let rows = statement.query_map([case_id], |row| {
            Ok(EventRow {
                sequence: row.get::<_, i64>(0)? as u64,
                at: row.get(1)?,
                record: row.get(2)?,
                previous_hash: row.get(3)?,
                hash: row.get(4)?,
                hash_algorithm: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn answer(&self, key: &str) -> Result<Option<IdempotencyRow>, StoreError> {
        Ok(self
            .connection
            .prepare_cached(
                "SELECT key, request, case_id, first_sequence, version FROM idempotency_answers WHERE key = ?1",
            )?
            .query_row([key], |row| {
                Ok(IdempotencyRow {
                    key: row.get(0)?,
                    request: row.get(1)?,
                    case_id: row.get(2)?,
                    first_sequence: row.get::<_, i64>(3)? as u64,
                    version: row.get::<_, i64>(4)? as u64,
                })
            })
            .optional()?)
    }

    fn orphan_events(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT case_id, count(*) FROM events WHERE case_id NOT IN (SELECT id FROM cases) \
             GROUP BY case_id ORDER BY case_id",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn begin_snapshot(&self) -> Result<(), StoreError> {
        // A deferred transaction's first read fixes the snapshot (WAL keeps it while writers
        // append); reading a table now makes that first read this one.
        self.connection.execute_batch("BEGIN DEFERRED")?;
        self.connection.query_row("SELECT count(*) FROM deployments", [], |row| row.get::<_, i64>(0))?;
        Ok(())
    }

    fn end_snapshot(&self) -> Result<(), StoreError> {
        if !self.connection.is_autocommit() {
            self.connection.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.begin_write_batch()
    }

    fn end_batch(&mut self, commit: bool) -> Result<(), StoreError> {
        self.end_write_batch(commit)
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn open_clocks(&self, case_id: &str) -> Result<Vec<OpenClockRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {OPEN_CLOCK_COLUMNS} FROM open_clocks WHERE case_id = ?1 ORDER BY clock"
        ))?;
        Ok(statement.query_map([case_id], |row| open_clock_row(row, 0))?.collect::<Result<_, _>>()?)
    }

    fn cases_changed_after(&self, date: &str) -> Result<Vec<CaseRow>, StoreError> {
        let sql =
            format!("SELECT {CASE_COLUMNS} FROM cases WHERE substr(last_at, 1, 10) > ?1 ORDER BY workflow, number");
        let mut statement = self.connection.prepare_cached(&sql)?;
        Ok(statement.query_map([date], case_row)?.collect::<Result<_, _>>()?)
    }

    fn open_clocks_warned(&self, as_of: &str) -> Result<Vec<(CaseRow, OpenClockRow)>, StoreError> {
        let columns: Vec<String> = CASE_COLUMNS.split(", ").map(|column| format!("c.{column}")).collect();
        let clock_columns: Vec<String> = OPEN_CLOCK_COLUMNS.split(", ").map(|column| format!("o.{column}")).collect();
        let sql = format!(
            "SELECT {}, {} FROM open_clocks o JOIN cases c ON c.id = o.case_id \
             WHERE o.yellow_on <= ?1 OR o.pause_overrun_on <= ?1 ORDER BY c.id, o.clock",
            columns.join(", "),
            clock_columns.join(", ")
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map([as_of], |row| Ok((case_row(row)?, open_clock_row(row, 10)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn import(
        &mut self,
        import: &NewImport,
        cases: &mut dyn Iterator<Item = Result<ImportItem, String>>,
    ) -> Result<ImportRow, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        transaction.execute(
            "INSERT INTO imports (imported_at, log, log_hash, deployment, as_of, accept_findings, imported, \
             with_findings, skipped, refused) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0)",
            params![
                import.imported_at,
                import.log,
                import.log_hash,
                import.deployment,
                import.as_of,
                i64::from(import.accept_findings)
            ],
        )?;
        let key = transaction.last_insert_rowid();
        let (mut imported, mut with_findings, mut skipped, mut refused) = (0_i64, 0_i64, 0_i64, 0_i64);
        for item in cases {
            // Dropping the transaction on an early return rolls everything back.
            let case = match item.map_err(StoreError::ImportAbandoned)? {
                ImportItem::Refused => {
                    refused += 1;
                    continue;
                }
                ImportItem::Case(case) => case,
            };
            if !SqliteStore::insert_case(&transaction, &case.case, &case.derived, true)? {
                skipped += 1;
                continue;
            }
            SqliteStore::insert_events(&transaction, &case.case.id, &case.events)?;
            SqliteStore::write_derived(&transaction, &case.case.id, &case.derived)?;
            let findings =
                serde_json::to_string(&case.findings).map_err(|error| StoreError::Corrupt(error.to_string()))?;
            transaction
                .prepare_cached("INSERT INTO imported_cases (case_id, import, findings) VALUES (?1, ?2, ?3)")?
                .execute(params![case.case.id, key, findings])?;
            imported += 1;
            with_findings += i64::from(!case.findings.is_empty());
        }
        transaction.execute(
            "UPDATE imports SET imported = ?1, with_findings = ?2, skipped = ?3, refused = ?4 WHERE key = ?5",
            params![imported, with_findings, skipped, refused, key],
        )?;
        transaction.commit()?;
        self.imports()?
            .into_iter()
            .find(|row| row.key == key)
            .ok_or_else(|| StoreError::NotFound { what: "import", name: key.to_string() })
    }

    fn imports(&self) -> Result<Vec<ImportRow>, StoreError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY key");
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(ImportRow {
                key: row.get(0)?,
                imported_at: row.get(1)?,
                log: row.get(2)?,
                log_hash: row.get(3)?,
                deployment: row.get(4)?,
                as_of: row.get(5)?,
                accept_findings: row.get::<_, i64>(6)? != 0,
                imported: row.get::<_, i64>(7)? as u64,
                with_findings: row.get::<_, i64>(8)? as u64,
                skipped: row.get::<_, i64>(9)? as u64,
                refused: row.get::<_, i64>(10)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    fn setting_or_insert(&mut self, key: &str, value: &str) -> Result<String, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        transaction
            .execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING", [key, value])?;
        let stored: String =
            transaction.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0))?;
        transaction.commit()?;
        Ok(stored)
    }

    fn calendar_installs(&self) -> Result<Vec<CalendarInstallRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT sequence, name, text, sha256, installed_by, installed_at, reason, previous_hash, hash \
             FROM calendar_installs ORDER BY sequence",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(CalendarInstallRow {
                sequence: row.get::<_, i64>(0)? as u64,
                name: row.get(1)?,
                text: row.get(2)?,
                sha256: row.get(3)?,
                installed_by: row.get(4)?,
                installed_at: row.get(5)?,
                reason: row.get(6)?,
                previous_hash: row.get(7)?,
                hash: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn install_calendar(&mut self, install: &CalendarInstall<'_>) -> Result<(), StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(row) = install.row {
            let count: i64 = transaction.query_row("SELECT count(*) FROM calendar_installs", [], |row| row.get(0))?;
            if count as u64 != row.sequence {
                return Err(StoreError::CalendarConflict { expected: row.sequence, actual: count as u64 });
            }
            transaction.execute(
                "INSERT INTO calendar_installs (sequence, name, text, sha256, installed_by, installed_at, reason, \
                 previous_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    row.sequence as i64,
                    row.name,
                    row.text,
                    row.sha256,
                    row.installed_by,
                    row.installed_at,
                    row.reason,
                    row.previous_hash,
                    row.hash
                ],
            )?;
        }
        for (case_id, derived) in install.derived {
            SqliteStore::write_derived(&transaction, case_id, derived)?;
        }
        transaction.execute(
            "INSERT INTO settings (key, value) VALUES ('derived_calendar', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [install.derived_calendar],
        )?;
        transaction.commit()?;
        Ok(())
    }

    fn import_mark(&self, case_id: &str) -> Result<Option<ImportMark>, StoreError> {
        let found: Option<(i64, String, String, String, String)> = self
            .connection
            .prepare_cached(
                "SELECT i.key, i.log, i.log_hash, i.imported_at, c.findings FROM imported_cases c \
                 JOIN imports i ON i.key = c.import WHERE c.case_id = ?1",
            )?
            .query_row([case_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
            .optional()?;
        found
            .map(|(import, log, log_hash, imported_at, findings)| {
                let findings: Vec<String> = serde_json::from_str(&findings).map_err(|error| {
                    StoreError::Corrupt(format!("import mark of case `{case_id}`: findings: {error}"))
                })?;
                Ok(ImportMark { import, log, log_hash, imported_at, findings })
            })
            .transpose()
    }

    fn create_key(&mut self, key: &NewKey<'_>) -> Result<(), StoreError> {
        self.create_key_row(key)
    }

    fn revoke_key(&mut self, revocation: &KeyRevocation<'_>) -> Result<(), StoreError> {
        self.revoke_key_row(revocation)
    }

    fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        self.key_rows()
    }

    fn key_by_token(&self, token_sha256: &str) -> Result<Option<KeyRow>, StoreError> {
        self.key_row_by_token(token_sha256)
    }

    fn key_log(&self) -> Result<Vec<KeyLogRow>, StoreError> {
        self.key_log_rows()
    }

    fn key_log_length(&self) -> Result<u64, StoreError> {
        self.key_log_rows_count()
    }

    fn open_clocks_unwarned(&self, as_of: &str, limit: u64) -> Result<Vec<(CaseRow, OpenClockRow)>, StoreError> {
        self.open_clocks_unwarned_sql(as_of, limit)
    }

    fn record_warnings(
        &mut self,
        warnings: &[NewWarning],
        issued_at: &str,
        first_attempt_at: &str,
    ) -> Result<Vec<WarningRow>, StoreError> {
        self.record_warnings_sql(warnings, issued_at, first_attempt_at)
    }

    fn warnings(&self, filter: &WarningFilter) -> Result<Vec<WarningRow>, StoreError> {
        self.warnings_sql(filter)
    }

    fn add_webhook(&mut self, webhook: &NewWebhook) -> Result<WebhookRow, StoreError> {
        self.add_webhook_sql(webhook)
    }

    fn webhooks(&self) -> Result<Vec<WebhookRow>, StoreError> {
        self.webhooks_sql()
    }

    fn remove_webhook(&mut self, id: i64, by: &str, at: &str) -> Result<(WebhookRow, bool), StoreError> {
        self.remove_webhook_sql(id, by, at)
    }

    fn claim_deliveries(
        &mut self,
        now: &str,
        lease_until: &str,
        limit: u64,
    ) -> Result<Vec<DueDeliveryRow>, StoreError> {
        self.claim_deliveries_sql(now, lease_until, limit)
    }

    fn record_delivery_attempt(&mut self, attempt: &NewDeliveryAttempt<'_>) -> Result<(), StoreError> {
        self.record_delivery_attempt_sql(attempt)
    }

    fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRow>, StoreError> {
        self.deliveries_sql(filter)
    }
}
