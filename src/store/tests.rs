//! The SQLite store on its own: migrations, and a database from a newer schema.

use super::{SCHEMA_VERSION, SqliteStore, StoreError};

#[test]
fn migrations_are_valid_and_apply_to_an_empty_database() {
    rusqlite_migration::Migrations::from_slice(super::sqlite_store::MIGRATIONS).validate().unwrap();
    let store = SqliteStore::in_memory().unwrap();
    let version: i64 = store.connection().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_schema_is_refused_untouched() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("newer.db");
    drop(SqliteStore::open(&path).unwrap());
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = SqliteStore::open(&path).err().unwrap();
    assert!(matches!(error, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1), "{error}");
    assert!(error.to_string().contains("newer than this renewflow's"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_sqlite_store_conforms_in_memory_and_on_a_file() {
    super::conformance::check_all(&mut || SqliteStore::in_memory().unwrap());
    let directory = tempfile::tempdir().unwrap();
    let mut round = 0;
    super::conformance::check_all(&mut || {
        round += 1;
        SqliteStore::open(&directory.path().join(format!("conformance-{round}.db"))).unwrap()
    });
}
