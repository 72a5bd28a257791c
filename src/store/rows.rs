//! Row types: what the store reads and writes, as plain text and numbers.

/// One file of a deployment: the main file, or a file it `extends` (`path` as written in the
/// file `from`; `name` as the reader named it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub from: String,
    pub name: String,
    pub text: String,
}

/// A workflow version to deploy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDeployment {
    pub workflow: String,
    pub version: String,
    pub content_hash: String,
    /// The main file first (its `path` and `from` empty), then every file it extends.
    pub sources: Vec<SourceFile>,
    pub deployed_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentRow {
    pub key: i64,
    pub workflow: String,
    pub version: String,
    pub content_hash: String,
    pub sources: Vec<SourceFile>,
    pub deployed_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub deployment: i64,
    pub workflow: String,
    pub number: String,
    pub opened_at: String,
    pub last_at: String,
    pub version: u64,
    pub head_hash: String,
    pub configuration: String,
    pub finished_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub sequence: u64,
    pub at: String,
    pub record: String,
    pub previous_hash: String,
    pub hash: String,
    pub hash_algorithm: String,
}

/// Which cases to list, and which page of them: every condition given must hold. Cases come
/// by workflow and number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// The workflow id.
    pub workflow: Option<String>,
    /// The workflow version the case runs on (its deployment's).
    pub version: Option<String>,
    /// (deployment key, leaf state name): a case matches when one of its active states is listed
    /// for its deployment.
    pub active_in: Option<Vec<(i64, String)>>,
    /// (deployment key, clock name): a case matches when one of these clocks is open for its
    /// deployment. With `active_in`, a case matches when either holds.
    pub open_clock_in: Option<Vec<(i64, String)>>,
    pub level: Option<LevelFilter>,
    /// Opened on or after this date (`YYYY-MM-DD`, compared on the date as written).
    pub opened_from: Option<String>,
    /// Opened on or before this date.
    pub opened_to: Option<String>,
    /// `Some(true)`: finished cases only; `Some(false)`: open ones only.
    pub finished: Option<bool>,
    /// A cursor: only cases after this case id's (workflow, number). An unknown id lists nothing.
    pub after: Option<String>,
    /// Matching cases skipped before the page starts.
    pub offset: u64,
    /// The most cases listed; `None`: every one.
    pub limit: Option<u64>,
}

/// Cases with an open clock at a warning level by a date, as the derived rows say: a clock
/// whose `yellow_on` (or, for red, `red_on`) is on or before `as_of`, of a case whose last event
/// is on or before `as_of` (later ones' rows describe them after `as_of`); and the cases in
/// `also`, which the caller judged from their histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelFilter {
    pub red: bool,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub also: Vec<String>,
}

/// A case as listed: its row and the version of the workflow it runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedCase {
    pub case: CaseRow,
    pub workflow_version: String,
}

/// An open clock and the dates its level changes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OpenClockRow {
    pub clock: String,
    pub phase: String,
    /// The statutory due date (`YYYY-MM-DD`) of a running clock.
    pub due_date: Option<String>,
    /// The first date the level (the worse of both limits) is yellow, and red, under the limits
    /// as they are after the last event: a level already reached then is dated back to the day
    /// it was reached, so an event that changes no limit leaves the date as it was.
    pub yellow_on: Option<String>,
    pub red_on: Option<String>,
    /// The limits as of the last event (`20 wd`); no promised limit: `None`.
    pub statutory_limit: Option<String>,
    pub promised_limit: Option<String>,
    /// The first date the statutory limit alone is yellow, and red.
    pub statutory_yellow_on: Option<String>,
    pub statutory_red_on: Option<String>,
    /// A paused clock: the first date its pause is past the `max` its clock allows.
    pub pause_overrun_on: Option<String>,
    /// The date of its prompt: the working day one working day before its promised due date.
    pub prompt_on: Option<String>,
    /// A running clock's promised due date (`YYYY-MM-DD`).
    pub promised_due_date: Option<String>,
}

/// How many cases run on a deployment, open and finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentCases {
    pub deployment: i64,
    pub open: u64,
    pub finished: u64,
}

/// The derived data of a case after its last event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    pub configuration: String,
    pub finished_on: Option<String>,
    pub open_clocks: Vec<OpenClockRow>,
}

/// A new case with its first events.
#[derive(Clone, Debug)]
pub struct NewCase<'a> {
    pub case: &'a CaseRow,
    pub events: &'a [EventRow],
    pub derived: &'a Derived,
    /// (key, request): the idempotency key and the request's canonical JSON.
    pub idempotency: Option<(&'a str, &'a str)>,
}

/// An idempotency key as stored: the request it was first used for and the events its answer
/// names (`first_sequence` up to `version`, exclusive, of `case_id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRow {
    pub key: String,
    /// The request's canonical JSON; empty when the store did not record it (schema 5).
    pub request: String,
    pub case_id: String,
    pub first_sequence: u64,
    pub version: u64,
}

/// Events to append to a case at an expected version.
#[derive(Clone, Debug)]
pub struct Append<'a> {
    pub case_id: &'a str,
    pub expected_version: u64,
    /// The case's head hash at `expected_version`: the new events chain on from it.
    pub previous_head_hash: &'a str,
    pub events: &'a [EventRow],
    pub head_hash: &'a str,
    pub last_at: &'a str,
    pub derived: &'a Derived,
    /// False when `derived.open_clocks` are the rows already stored (the store may skip them).
    pub open_clocks_changed: bool,
    /// (key, request): the idempotency key and the request's canonical JSON.
    pub idempotency: Option<(&'a str, &'a str)>,
}

/// An import of audited histories, as requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewImport {
    pub imported_at: String,
    /// The log file as named.
    pub log: String,
    /// SHA-256 of the log's bytes, hex.
    pub log_hash: String,
    pub deployment: i64,
    /// `YYYY-MM-DD`; `None`: as of the log's last timestamp.
    pub as_of: Option<String>,
    pub accept_findings: bool,
}

/// An import as stored, with what it did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportRow {
    pub key: i64,
    pub imported_at: String,
    pub log: String,
    pub log_hash: String,
    pub deployment: i64,
    pub as_of: Option<String>,
    pub accept_findings: bool,
    /// Cases created.
    pub imported: u64,
    /// Of which marked as imported with findings.
    pub with_findings: u64,
    /// Cases whose (workflow, number) was already in the store: left as they are.
    pub skipped: u64,
    /// Cases left out by the importer (findings not accepted, or nothing to replay).
    pub refused: u64,
}

/// One case of an import: created unless its number is taken, or left out.
#[derive(Clone, Debug)]
pub enum ImportItem {
    Case(Box<ImportedCase>),
    /// Left out by the importer; counted.
    Refused,
}

/// A case an import creates, with its first events.
#[derive(Clone, Debug)]
pub struct ImportedCase {
    pub case: CaseRow,
    pub events: Vec<EventRow>,
    pub derived: Derived,
    /// Codes of the findings that changed the history as imported; non-empty marks the case as
    /// imported with findings.
    pub findings: Vec<String>,
}

/// Where a case came from, when an import created it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportMark {
    pub import: i64,
    pub log: String,
    /// SHA-256 of the log's bytes, hex.
    pub log_hash: String,
    pub imported_at: String,
    /// Empty: imported clean.
    pub findings: Vec<String>,
}

/// A calendar file installed into the store, as stored: one link of the installations' chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CalendarInstallRow {
    /// 0 for the first installation.
    pub sequence: u64,
    pub name: String,
    pub text: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    pub installed_by: String,
    pub installed_at: String,
    pub reason: Option<String>,
    pub previous_hash: String,
    pub hash: String,
}

/// An installation (or, with `row: None`, a recomputation) of the store's calendar data: the
/// new installation, the derived data of every case it changed, and the calendar data they are
/// now computed with, written in one transaction.
#[derive(Clone, Debug)]
pub struct CalendarInstall<'a> {
    /// Appended at its `sequence`; another installation first is a
    /// [`super::StoreError::CalendarConflict`].
    pub row: Option<&'a CalendarInstallRow>,
    pub derived: &'a [(String, Derived)],
    pub derived_calendar: &'a str,
}
