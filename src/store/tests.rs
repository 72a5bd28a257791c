//! The SQLite store on its own: migrations, and a database from a newer schema.

use super::{SCHEMA_VERSION, SqliteStore, StoreError};

#[test]
fn migrations_are_valid_and_apply_to_an_empty_database() {
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

#[test]
fn a_snapshot_does_not_see_what_another_connection_writes_meanwhile() {
    use super::Store as _;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("snapshot.db");
    let writer = SqliteStore::open(&path).unwrap();
    let reader = SqliteStore::open(&path).unwrap();
    writer.connection().execute_batch("INSERT INTO settings (key, value) VALUES ('a', '1')").unwrap();
    reader.begin_snapshot().unwrap();
    assert_eq!(reader.setting("a").unwrap().as_deref(), Some("1"));
    writer.connection().execute_batch("UPDATE settings SET value = '2' WHERE key = 'a'").unwrap();
    assert_eq!(reader.setting("a").unwrap().as_deref(), Some("1"), "inside the snapshot");
    reader.end_snapshot().unwrap();
    assert_eq!(reader.setting("a").unwrap().as_deref(), Some("2"), "after it");
}

#[test]
fn twelve_connections_opening_a_new_store_at_once_all_succeed() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("new.db");
    let barrier = std::sync::Barrier::new(12);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..12).map(|_| scope.spawn(|| (barrier.wait(), SqliteStore::open(&path)).1.map(drop))).collect();
        for handle in handles {
            handle.join().unwrap().unwrap();
        }
    });
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = store.connection().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn reading_never_creates_a_store_and_refuses_what_is_not_one() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("typo.db");
    let error = SqliteStore::open_read_only(&missing).err().unwrap();
    assert!(matches!(error, StoreError::NoStore { .. }), "{error}");
    assert!(error.to_string().contains("does not exist"), "{error}");
    assert!(!missing.exists(), "nothing is created");
    let empty = directory.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let error = SqliteStore::open_read_only(&empty).err().unwrap();
    assert!(error.to_string().contains("empty"), "{error}");
    let other = directory.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let error = SqliteStore::open_read_only(&other).err().unwrap();
    assert!(error.to_string().contains("not a renewflow case store"), "{error}");
    let older = directory.path().join("older.db");
    let previous = rusqlite::Connection::open(&older).unwrap();
    for migration in &super::sqlite_store::MIGRATIONS[..super::sqlite_store::MIGRATIONS.len() - 1] {
        previous.execute_batch(migration).unwrap();
    }
    previous.pragma_update(None, "user_version", SCHEMA_VERSION - 1).unwrap();
    drop(previous);
    // A writable file from an older schema is brought up to date, then read.
    let upgraded = SqliteStore::open_read_only(&older).unwrap();
    let version: i64 = upgraded.connection().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert!(super::Store::is_read_only(&upgraded));
}

#[test]
fn a_read_only_store_refuses_writes_and_a_read_only_file_is_not_opened_to_write() {
    use super::Store as _;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cases.db");
    drop(SqliteStore::open(&path).unwrap());
    let mut store = SqliteStore::open_read_only(&path).unwrap();
    assert!(store.is_read_only());
    assert!(store.setting_or_insert("k", "v").is_err(), "a read-only store writes nothing");
    // Opened read-only by SQLite itself, as a file on a read-only mount would be.
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let connection = rusqlite::Connection::open_with_flags(&path, flags).unwrap();
    assert!(connection.is_readonly(rusqlite::MAIN_DB).unwrap());
}
