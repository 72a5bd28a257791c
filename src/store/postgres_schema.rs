//! The PostgreSQL store's schema: `migrations/postgres/NNNN_name.sql`, embedded at compile time
//! and applied in order in one transaction that first takes a transaction-level advisory lock,
//! so servers that open a new database at once migrate it once; the version is the highest row
//! of `renewflow_schema`. A database whose version is newer than the build's is refused before
//! anything is written. The tables, constraints and append-only rules are the SQLite store's
//! (`migrations/`), so a store moves between the two without conversion.

use postgres::{Client, NoTls};

use super::store_error::StoreError;

/// The schema, one file per version, applied in order; never edited once shipped.
pub const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_init.sql")];

/// The schema version this build writes.
pub const POSTGRES_SCHEMA_VERSION: i64 = POSTGRES_MIGRATIONS.len() as i64;

/// The advisory lock key migrations hold (`renewflo` in ASCII), so no other use collides.
const MIGRATION_LOCK: i64 = 0x7265_6e65_7766_6c6f;

/// Whether `db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than a
/// SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `url` as messages show it: any password replaced by `***`.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Connects to the database `url` names.
///
/// # Errors
///
/// [`StoreError::Open`] when the URL is malformed or the server cannot be reached or refuses
/// the connection.
pub fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|error| StoreError::Open { path: shown_url(url), message: error.to_string() })
}

/// Brings the database's schema up to date, or refuses a newer one; returns the version found.
///
/// # Errors
///
/// [`StoreError::NewerSchema`] (nothing written); [`StoreError::Open`] when a migration fails
/// (nothing written: one transaction); [`StoreError::Postgres`].
pub fn migrate(client: &mut Client, url: &str) -> Result<i64, StoreError> {
    let mut transaction = client.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    let exists: bool = transaction.query_one("SELECT to_regclass('renewflow_schema') IS NOT NULL", &[])?.get(0);
    let found: i64 = if exists {
        transaction.query_one("SELECT coalesce(max(version), 0)::bigint FROM renewflow_schema", &[])?.get(0)
    } else {
        0
    };
    if found > POSTGRES_SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: shown_url(url), found, supported: POSTGRES_SCHEMA_VERSION });
    }
    if found == POSTGRES_SCHEMA_VERSION {
        return Ok(found);
    }
    if !exists {
        transaction.batch_execute(
            "CREATE TABLE renewflow_schema (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
        )?;
    }
    let skipped = usize::try_from(found).unwrap_or(0);
    for (index, migration) in POSTGRES_MIGRATIONS.iter().enumerate().skip(skipped) {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        transaction.batch_execute(migration).map_err(|error| StoreError::Open {
            path: shown_url(url),
            message: format!("schema version {version}: {error}"),
        })?;
        transaction.execute("INSERT INTO renewflow_schema (version) VALUES ($1)", &[&version])?;
    }
    transaction.commit()?;
    Ok(found)
}
