//! `StoreError`: what can go wrong below the engine.

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer appended first.
    #[error("case `{case}` is at version {actual}, not {expected}; read it again and retry")]
    Conflict { case: String, expected: u64, actual: u64 },
    /// The idempotency key was used first by another write (a concurrent retry, or another
    /// request): read its answer with [`super::Store::answer`].
    #[error("idempotency key `{key}` is already used")]
    KeyTaken { key: String },
    #[error("case number `{number}` is already used in workflow `{workflow}`")]
    NumberTaken { workflow: String, number: String },
    #[error("workflow `{workflow}` version `{version}` is already deployed with different content ({content_hash})")]
    VersionTaken { workflow: String, version: String, content_hash: String },
    /// Another calendar installation landed first.
    #[error("the store has {actual} calendar installations, not {expected}; run the command again")]
    CalendarConflict { expected: u64, actual: u64 },
    #[error("no {what} `{name}`")]
    NotFound { what: &'static str, name: String },
    /// A database written by a newer renewflow: refused, never touched.
    #[error(
        "the database `{path}` has schema version {found}, newer than this renewflow's {supported}; use a newer renewflow"
    )]
    NewerSchema { path: String, found: i64, supported: i64 },
    /// A store that can be read but not written (a read-only file, directory or mount).
    #[error(
        "the case store `{path}` is read-only (its file, directory or mount cannot be written): it can be read \
         (`case list`, `case show`, `case history`, `case timing`, `watch`, `verify`, `check`), not changed"
    )]
    ReadOnly { path: String },
    /// Nothing to read: no file, an empty file, or a database that is not a renewflow store.
    #[error("there is no case store at `{path}`: {reason}")]
    NoStore { path: String, reason: String },
    /// A store at an older schema opened only to read: upgrading it would write.
    #[error(
        "the case store `{path}` has schema version {found}, older than this renewflow's {supported}, and is \
         opened read-only; open it once with a command that writes (or a writable copy) to upgrade it"
    )]
    OlderSchema { path: String, found: i64, supported: i64 },
    #[error("the database `{path}` cannot be opened: {message}")]
    Open { path: String, message: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The importer stopped an import; its transaction was rolled back.
    #[error("import abandoned, nothing written: {0}")]
    ImportAbandoned(String),
    /// A name taken by a key that is not revoked.
    #[error("key name `{name}` is taken by key `{id}`, which is not revoked")]
    KeyNameTaken { name: String, id: String },
    /// Another record of the key log landed first.
    #[error("the key log has {actual} records, not {expected}; run the command again")]
    KeyLogConflict { expected: u64, actual: u64 },
    /// A revocation of a key revoked already (or never stored).
    #[error("key `{id}` is revoked already")]
    KeyRevoked { id: String },
}

impl StoreError {
    /// Whether the database was locked by another connection for longer than the store waits:
    /// nothing was written, and the same write may be tried again.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(error) if matches!(
                error.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }
}
