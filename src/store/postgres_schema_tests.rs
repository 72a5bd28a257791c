//! The PostgreSQL schema against a real server: the throwaway cluster `tests/run.sh` starts
//! (`RENEWFLOW_TEST_POSTGRES`). Each test makes a database of its own and drops it after. Without
//! the cluster these tests fail: they never skip.

use postgres::{Client, NoTls};

use super::postgres_schema::{POSTGRES_SCHEMA_VERSION, connect, is_postgres_url, migrate, shown_url};
use super::store_error::StoreError;

/// The test databases made so far by this process, for their names.
static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A database of its own for one test, dropped with it.
struct TestDatabase {
    admin: String,
    name: String,
    url: String,
}

impl TestDatabase {
    fn new() -> TestDatabase {
        let admin = std::env::var("RENEWFLOW_TEST_POSTGRES").expect(
            "RENEWFLOW_TEST_POSTGRES names the test cluster: run the tests with `bash tests/run.sh`, which starts one",
        );
        let made = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("renewflow_test_{}_{made}", std::process::id());
        Client::connect(&admin, NoTls).unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = admin.replacen("/postgres?", &format!("/{name}?"), 1);
        assert_ne!(url, admin, "the test cluster's URL names the `postgres` database: {admin}");
        TestDatabase { admin, name, url }
    }

    fn client(&self) -> Client {
        connect(&self.url).unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.admin, NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn versions(client: &mut Client) -> Vec<i64> {
    client
        .query("SELECT version FROM renewflow_schema ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn refusal(client: &mut Client, statement: &str) -> String {
    let error = client.batch_execute(statement).expect_err(statement);
    error.as_db_error().map_or_else(|| error.to_string(), |db| db.message().to_owned())
}

#[test]
fn a_new_database_is_brought_to_the_schema_once() {
    let database = TestDatabase::new();
    let mut client = database.client();
    assert_eq!(migrate(&mut client, &database.url).unwrap(), 0, "a new database has no schema");
    assert_eq!(versions(&mut client), (1..=POSTGRES_SCHEMA_VERSION).collect::<Vec<_>>());
    assert_eq!(migrate(&mut client, &database.url).unwrap(), POSTGRES_SCHEMA_VERSION, "again: nothing to do");
    assert_eq!(versions(&mut client).len(), usize::try_from(POSTGRES_SCHEMA_VERSION).unwrap());
    // Every table of the SQLite store is there.
    for table in [
        "deployments",
        "cases",
        "events",
        "idempotency_answers",
        "open_clocks",
        "imports",
        "imported_cases",
        "settings",
        "calendar_installs",
        "case_number_sequences",
        "api_keys",
        "key_log",
        "warnings",
        "webhooks",
        "deliveries",
        "delivery_attempts",
    ] {
        let found: bool = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table]).unwrap().get(0);
        assert!(found, "table {table}");
    }
}

#[test]
fn servers_opening_a_new_database_at_once_migrate_it_once() {
    let database = TestDatabase::new();
    let url = database.url.clone();
    let found: Vec<i64> = std::thread::scope(|scope| {
        let opening: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                scope.spawn(move || migrate(&mut connect(&url).unwrap(), &url).unwrap())
            })
            .collect();
        opening.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    assert_eq!(
        found.iter().filter(|version| **version == 0).count(),
        1,
        "one migrated, the rest found it done: {found:?}"
    );
    assert_eq!(versions(&mut database.client()), (1..=POSTGRES_SCHEMA_VERSION).collect::<Vec<_>>());
}

#[test]
fn a_newer_schema_is_refused_before_anything_is_written() {
    let database = TestDatabase::new();
    let mut client = database.client();
    client
        .batch_execute("CREATE TABLE renewflow_schema (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO renewflow_schema (version) VALUES (99)")
        .unwrap();
    match migrate(&mut client, &database.url) {
        Err(StoreError::NewerSchema { found: 99, supported, .. }) => assert_eq!(supported, POSTGRES_SCHEMA_VERSION),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let deployments: bool = client.query_one("SELECT to_regclass('deployments') IS NOT NULL", &[]).unwrap().get(0);
    assert!(!deployments, "nothing written");
}

#[test]
fn histories_refuse_update_delete_and_truncate() {
    let database = TestDatabase::new();
    let mut client = database.client();
    migrate(&mut client, &database.url).unwrap();
    client
        .batch_execute(
            "INSERT INTO deployments (workflow, version, content_hash, sources, deployed_at) \
             VALUES ('w', '1', 'h', '[]', '2026-01-05T09:00:00+08:00'); \
             INSERT INTO cases VALUES ('c', 1, 'w', 'N-1', '2026-01-05T09:00:00+08:00', \
             '2026-01-05T09:00:00+08:00', 1, 'h1', '{}', NULL); \
             INSERT INTO events VALUES ('c', 0, '2026-01-05T09:00:00+08:00', '{}', '0', 'h1', 'sha256'); \
             INSERT INTO key_log VALUES (0, 'created', 'key_1', '{}', '0', 'k1')",
        )
        .unwrap();
    assert_eq!(refusal(&mut client, "UPDATE events SET record = 'x'"), "events are append-only: UPDATE refused");
    assert_eq!(refusal(&mut client, "DELETE FROM events"), "events are append-only: DELETE refused");
    assert_eq!(refusal(&mut client, "TRUNCATE cases CASCADE"), "events are append-only: TRUNCATE refused");
    assert_eq!(refusal(&mut client, "DELETE FROM key_log"), "the key log is append-only: DELETE refused");
    let kept: i64 = client.query_one("SELECT count(*) FROM events", &[]).unwrap().get(0);
    assert_eq!(kept, 1);
}

#[test]
fn the_application_role_of_the_documented_grants_cannot_rewrite_a_history() {
    let database = TestDatabase::new();
    let mut client = database.client();
    migrate(&mut client, &database.url).unwrap();
    let role = format!("{}_app", database.name);
    let grants = include_str!("../../migrations/postgres/grants.sql").replace("renewflow_app", &role);
    client.batch_execute(&format!("CREATE ROLE {role} LOGIN")).unwrap();
    client.batch_execute(&grants).unwrap();
    client
        .batch_execute(
            "INSERT INTO deployments (workflow, version, content_hash, sources, deployed_at) \
             VALUES ('w', '1', 'h', '[]', '2026-01-05T09:00:00+08:00'); \
             INSERT INTO cases VALUES ('c', 1, 'w', 'N-1', '2026-01-05T09:00:00+08:00', \
             '2026-01-05T09:00:00+08:00', 1, 'h1', '{}', NULL)",
        )
        .unwrap();
    // The triggers dropped by mistake: the role still cannot change what was written.
    client
        .batch_execute(
            "DROP TRIGGER events_are_never_updated ON events; DROP TRIGGER events_are_never_deleted ON events",
        )
        .unwrap();
    let app_url = database.url.replacen("renewflow@", &format!("{role}@"), 1);
    let mut app = connect(&app_url).unwrap();
    app.batch_execute("INSERT INTO events VALUES ('c', 0, '2026-01-05T09:00:00+08:00', '{}', '0', 'h1', 'sha256')")
        .unwrap();
    app.batch_execute("UPDATE cases SET version = 2, head_hash = 'h2' WHERE id = 'c'").unwrap();
    for statement in ["UPDATE events SET record = 'x'", "DELETE FROM events", "TRUNCATE events"] {
        assert!(refusal(&mut app, statement).contains("permission denied"), "{statement}");
    }
    drop(app);
    client.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}")).unwrap();
}

#[test]
fn urls_are_told_apart_from_files_and_shown_without_their_password() {
    assert!(is_postgres_url("postgresql://renewflow@db.internal/cases"));
    assert!(is_postgres_url("POSTGRES://x/y"));
    assert!(!is_postgres_url("cases.db"));
    assert!(!is_postgres_url("./postgres/cases.db"));
    assert_eq!(
        shown_url("postgresql://app:s3cret@db:5432/cases?sslmode=disable"),
        "postgresql://app:***@db:5432/cases?sslmode=disable"
    );
    assert_eq!(shown_url("postgresql://app@db/cases"), "postgresql://app@db/cases");
    assert_eq!(shown_url("postgresql:///cases?host=/run/pg"), "postgresql:///cases?host=/run/pg");
    match connect("postgresql://nobody:pw@/nowhere?host=/nonexistent-directory") {
        Err(StoreError::Open { path, .. }) => assert!(!path.contains("pw@"), "{path}"),
        Err(other) => panic!("expected a refusal to open, got {other:?}"),
        Ok(_) => panic!("connected to a server that does not exist"),
    }
}
