//! `StoreError`: what can go wrong below the engine.

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer appended first.
    #[error("case `{case}` is at version {actual}, not {expected}; read it again and retry")]
    Conflict { case: String, expected: u64, actual: u64 },
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
    #[error("the database `{path}` cannot be opened: {message}")]
    Open { path: String, message: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The importer stopped an import; its transaction was rolled back.
    #[error("import abandoned, nothing written: {0}")]
    ImportAbandoned(String),
}
