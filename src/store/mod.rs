//! The case store: the only module that knows SQL. The engine (`crate::engine`) reaches it
//! through the narrow [`Store`] trait. SQLite is the only backend so far; a second one (PostgreSQL,
//! say, for districts that outgrow one machine) would implement the same trait and pass the same
//! conformance tests.
//!
//! A store keeps rows; it knows nothing of workflows, clocks or hashes. It guarantees what only a
//! database can: a write is all or nothing, an append happens only at the expected case version,
//! events are never updated or deleted, and an idempotency key answers once.

#[doc(hidden)]
pub mod conformance;
mod key_rows;
#[cfg(feature = "postgres")]
pub mod postgres_schema;
mod rows;
mod sqlite_keys;
mod sqlite_store;
mod sqlite_warnings;
mod store_error;
mod warning_rows;
mod write_batch;

pub use key_rows::{KeyLogRow, KeyRevocation, KeyRow, NewKey};
pub use rows::{
    Append, CalendarInstall, CalendarInstallRow, CaseFilter, CaseRow, DeploymentCases, DeploymentRow, Derived,
    EventRow, IdempotencyRow, ImportItem, ImportMark, ImportRow, ImportedCase, LevelFilter, ListedCase, NewCase,
    NewDeployment, NewImport, OpenClockRow, SourceFile,
};
pub use sqlite_store::{SCHEMA_VERSION, SqliteStore, WAL_CHECKPOINT_PAGES};
pub use store_error::StoreError;
pub use warning_rows::{
    DeliveryAttemptRow, DeliveryFilter, DeliveryRow, DueDeliveryRow, NewDeliveryAttempt, NewWarning, NewWebhook,
    WarningFilter, WarningRow, WebhookRow,
};

/// What the engine needs from a database.
pub trait Store {
    /// Stores a deployment, or returns the one with the same content hash (and `false`). A
    /// different workflow under an existing (workflow, version) is a [`StoreError::VersionTaken`].
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn deploy(&mut self, deployment: &NewDeployment) -> Result<(DeploymentRow, bool), StoreError>;

    /// # Errors
    ///
    /// [`StoreError::NotFound`] when there is no deployment `key`.
    fn deployment(&self, key: i64) -> Result<DeploymentRow, StoreError>;

    /// The newest deployment of a workflow id.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn latest_deployment(&self, workflow: &str) -> Result<Option<DeploymentRow>, StoreError>;

    /// The key of the newest deployment of a workflow id, without reading its sources.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn latest_deployment_key(&self, workflow: &str) -> Result<Option<i64>, StoreError>;

    /// Every deployment, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn deployments(&self) -> Result<Vec<DeploymentRow>, StoreError>;

    /// How many cases run on each deployment that has any, open and finished, by deployment.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn deployment_cases(&self) -> Result<Vec<DeploymentCases>, StoreError>;

    /// Creates a case with its first events, atomically. A taken (workflow, number) is a
    /// [`StoreError::NumberTaken`]; an idempotency key already used (checked first, inside the
    /// transaction) is a [`StoreError::KeyTaken`].
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn create_case(&mut self, case: &NewCase<'_>) -> Result<(), StoreError>;

    /// Appends events at the expected version, atomically with the case row, its derived data
    /// and the idempotency key. An idempotency key already used (checked first, inside the
    /// transaction, so a concurrent retry learns it was answered): [`StoreError::KeyTaken`];
    /// another writer first: [`StoreError::Conflict`].
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn append(&mut self, append: &Append<'_>) -> Result<(), StoreError>;

    /// A case by id.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn case(&self, id: &str) -> Result<Option<CaseRow>, StoreError>;

    /// Cases whose number is `number`, in any workflow.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn cases_numbered(&self, number: &str) -> Result<Vec<CaseRow>, StoreError>;

    /// Allocates the next automatic case number of a workflow for `prefix`: `{prefix}{n:05}` for
    /// the smallest `n` after the last one given that no case of the workflow has, atomically,
    /// so concurrent callers get distinct numbers. A number given and then not used is not
    /// given again.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn reserve_case_number(&mut self, workflow: &str, prefix: &str) -> Result<String, StoreError>;

    /// Every case, by workflow and number.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn cases(&self) -> Result<Vec<CaseRow>, StoreError>;

    /// The cases `filter` selects, by workflow and number, with their workflow versions: the
    /// filter and the page are applied by the database, not by reading every case.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<ListedCase>, StoreError>;

    /// A case's events, in order.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn events(&self, case_id: &str) -> Result<Vec<EventRow>, StoreError>;

    /// What an idempotency key was used for, and the events it answered with.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn answer(&self, key: &str) -> Result<Option<IdempotencyRow>, StoreError>;

    /// Events whose case row is missing: (case id, how many), by case id.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn orphan_events(&self) -> Result<Vec<(String, u64)>, StoreError>;

    /// Starts reading from one snapshot: every read until [`Store::end_snapshot`] sees the store
    /// as it was at the first of them, whatever other writers append meanwhile.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn begin_snapshot(&self) -> Result<(), StoreError>;

    /// Ends the snapshot [`Store::begin_snapshot`] started.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn end_snapshot(&self) -> Result<(), StoreError>;

    /// Opens a write batch: the writes until [`Store::end_batch`] commit together, each one
    /// still all or nothing (a write that fails leaves the batch as it was before it). Writes
    /// other than creating cases, appending and reserving case numbers are not made in a batch.
    ///
    /// # Errors
    ///
    /// [`StoreError`], also when a batch is open already.
    fn begin_batch(&mut self) -> Result<(), StoreError>;

    /// Ends the write batch: commits it, or rolls it back (`commit` false). When the commit
    /// fails, nothing of the batch was written.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the commit fails.
    fn end_batch(&mut self, commit: bool) -> Result<(), StoreError>;

    /// Whether the store was opened to read only (nothing may be written, not even a setting).
    fn is_read_only(&self) -> bool {
        false
    }

    /// The open clocks of a case.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn open_clocks(&self, case_id: &str) -> Result<Vec<OpenClockRow>, StoreError>;

    /// Cases whose last event is dated after `date` (`YYYY-MM-DD`, compared on the date as written).
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn cases_changed_after(&self, date: &str) -> Result<Vec<CaseRow>, StoreError>;

    /// The open clocks that are yellow or worse by `as_of` (`YYYY-MM-DD`), or paused past the
    /// `max` their pause allows by then, with their cases.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn open_clocks_warned(&self, as_of: &str) -> Result<Vec<(CaseRow, OpenClockRow)>, StoreError>;

    /// Records an import and creates its cases, all in one transaction: a case whose
    /// (workflow, number) is already stored is skipped and counted, a [`ImportItem::Refused`] is
    /// counted, and an `Err` from `cases` undoes everything ([`StoreError::ImportAbandoned`]).
    ///
    /// # Errors
    ///
    /// [`StoreError`]; nothing is written then.
    fn import(
        &mut self,
        import: &NewImport,
        cases: &mut dyn Iterator<Item = Result<ImportItem, String>>,
    ) -> Result<ImportRow, StoreError>;

    /// Every import, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn imports(&self) -> Result<Vec<ImportRow>, StoreError>;

    /// A setting of the store (`beyond_data`, `derived_calendar`).
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Stores `value` under `key` unless a value is there already; returns the stored value.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn setting_or_insert(&mut self, key: &str, value: &str) -> Result<String, StoreError>;

    /// Every calendar file installed into the store, in order.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn calendar_installs(&self) -> Result<Vec<CalendarInstallRow>, StoreError>;

    /// Records an installation (if any), rewrites the derived data it changed and records the
    /// calendar data the derived data is now computed with, all in one transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError`]; nothing is written then.
    fn install_calendar(&mut self, install: &CalendarInstall<'_>) -> Result<(), StoreError>;

    /// The import that created a case, if one did.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn import_mark(&self, case_id: &str) -> Result<Option<ImportMark>, StoreError>;

    /// Stores an API key and the record of its creation, in one transaction. A name taken by a
    /// key not revoked is a [`StoreError::KeyNameTaken`]; a log record other than the next is a
    /// [`StoreError::KeyLogConflict`].
    ///
    /// # Errors
    ///
    /// [`StoreError`]; nothing is written then.
    fn create_key(&mut self, key: &NewKey<'_>) -> Result<(), StoreError>;

    /// Revokes an API key and appends the record of it, in one transaction. A key revoked
    /// already is a [`StoreError::KeyRevoked`], a missing one a [`StoreError::NotFound`], a log
    /// record other than the next a [`StoreError::KeyLogConflict`].
    ///
    /// # Errors
    ///
    /// [`StoreError`]; nothing is written then.
    fn revoke_key(&mut self, revocation: &KeyRevocation<'_>) -> Result<(), StoreError>;

    /// Every API key, revoked ones too, in the order they were created.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn keys(&self) -> Result<Vec<KeyRow>, StoreError>;

    /// The API key whose token has this SHA-256 (revoked or not), found by an index: asked on
    /// every request the service serves.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn key_by_token(&self, token_sha256: &str) -> Result<Option<KeyRow>, StoreError>;

    /// Every record of the key log, in order.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn key_log(&self) -> Result<Vec<KeyLogRow>, StoreError>;

    /// How many records the key log holds: it grows with every key created or revoked, so a
    /// cache of principals is stale once this changes.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn key_log_length(&self) -> Result<u64, StoreError>;

    /// The open clocks, with their cases, that have a crossing on or before `as_of`
    /// (`YYYY-MM-DD`) not yet recorded as a warning: a `prompt_on`, `yellow_on` or `red_on` on
    /// or before it with no warning of that kind on that date. Only cases whose last event is
    /// on or before `as_of` (later ones' rows describe them after it); at most `limit` clocks.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn open_clocks_unwarned(&self, as_of: &str, limit: u64) -> Result<Vec<(CaseRow, OpenClockRow)>, StoreError>;

    /// Records warnings, each unless its crossing (case, clock, kind, date) is recorded already,
    /// and for each one recorded a pending delivery to every webhook not removed whose kinds
    /// include it, first due at `first_attempt_at`; all in one transaction. Returns the
    /// warnings this call recorded, in the order given: a crossing another writer recorded
    /// first is not among them.
    ///
    /// # Errors
    ///
    /// [`StoreError`]; nothing is written then.
    fn record_warnings(
        &mut self,
        warnings: &[NewWarning],
        issued_at: &str,
        first_attempt_at: &str,
    ) -> Result<Vec<WarningRow>, StoreError>;

    /// The warnings `filter` selects, in the order they were issued.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn warnings(&self, filter: &WarningFilter) -> Result<Vec<WarningRow>, StoreError>;

    /// Stores a webhook; it gets the warnings recorded from now on.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn add_webhook(&mut self, webhook: &NewWebhook) -> Result<WebhookRow, StoreError>;

    /// Every webhook, removed ones too, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn webhooks(&self) -> Result<Vec<WebhookRow>, StoreError>;

    /// Marks a webhook removed (it gets nothing more, and its pending deliveries are not tried
    /// again); returns it, and whether this call removed it (`false`: it was removed before).
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] when there is no webhook `id`.
    fn remove_webhook(&mut self, id: i64, by: &str, at: &str) -> Result<(WebhookRow, bool), StoreError>;

    /// Takes up to `limit` pending deliveries due by `now` (UTC text, as `next_attempt_at`),
    /// soonest first, to webhooks not removed, and leases them until `lease_until`: no other
    /// caller takes them before, and if no attempt is recorded they are due again then.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn claim_deliveries(&mut self, now: &str, lease_until: &str, limit: u64)
    -> Result<Vec<DueDeliveryRow>, StoreError>;

    /// Logs an attempt of a delivery (numbered after those before it) and sets what it leaves
    /// the delivery as, in one transaction; a delivery already delivered stays so.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] when there is no such delivery.
    fn record_delivery_attempt(&mut self, attempt: &NewDeliveryAttempt<'_>) -> Result<(), StoreError>;

    /// The deliveries `filter` selects, by id, each with every attempt.
    ///
    /// # Errors
    ///
    /// [`StoreError`].
    fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRow>, StoreError>;
}

#[cfg(all(test, feature = "postgres"))]
mod postgres_schema_tests;
#[cfg(test)]
mod tests;
