//! `renewflow workflow deploy` and `renewflow case …` on one store file.

use std::path::{Path, PathBuf};

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

use crate::test::run_on as run;

/// A store with the licence deployed and case `L-1` opened and accepted.
fn store() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let opened = run(&db, &["case", "new", "administrative-license", "--number", "L-1", "--at", "2026-03-02"]);
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let accepted = run(&db, &["case", "act", "L-1", "accept", "--role", "officer", "--at", "2026-03-03T10:00"]);
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    (directory, db)
}

fn history(db: &Path) -> String {
    run(db, &["case", "history", "L-1", "--format", "json"]).stdout
}

#[test]
fn a_case_is_opened_acted_on_and_timed() {
    let (_directory, db) = store();
    let timing = run(&db, &["case", "timing", "L-1", "--as-of", "2026-03-20", "--format", "json"]);
    assert_eq!(timing.code, 0, "{}", timing.stderr);
    let document: serde_json::Value = serde_json::from_str(&timing.stdout).unwrap();
    let decision = document["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    // accepted Tuesday 03-03: 13 working days to Friday 03-20, due on the 20th, 2026-03-31
    assert_eq!(decision["elapsed"], 13);
    assert_eq!(decision["statutory"]["due_date"], "2026-03-31");
    assert_eq!(decision["level"], "yellow");
    let list = run(&db, &["case", "list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(rows[0]["number"], "L-1");
    assert!(rows[0]["id"].as_str().is_some_and(|id| id.len() == 36));
}

#[test]
fn refusals_exit_1_or_2_and_write_nothing() {
    let (_directory, db) = store();
    let before = history(&db);
    let cases: [(&[&str], i32, &str); 4] = [
        (&["case", "act", "L-1", "grant", "--role", "officer", "--at", "2026-03-04"], 1, "may not take action `grant`"),
        (&["case", "act", "L-1", "accept", "--role", "officer", "--at", "2026-03-04"], 1, "is not allowed in"),
        (&["case", "new", "administrative-license", "--number", "L-0", "--at", "2003-06-02"], 2, "before the data"),
        (
            &["case", "act", "L-1", "grant", "--role", "head", "--at", "2026-03-05", "--expect-version", "1"],
            1,
            "conflict",
        ),
    ];
    for (args, code, message) in cases {
        let output = run(&db, args);
        assert_eq!(output.code, code, "{args:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{args:?}: {}", output.stderr);
        assert_eq!(history(&db), before, "{args:?} wrote something");
    }
}

#[test]
fn a_retried_command_appends_nothing() {
    let (_directory, db) = store();
    let args = ["case", "act", "L-1", "grant", "--role", "head", "--at", "2026-03-05", "--idempotency-key", "k"];
    let first = run(&db, &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let after = history(&db);
    let retry = run(&db, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(retry.code, 0, "{}", retry.stderr);
    assert!(retry.stdout.contains("\"replayed\": true"), "{}", retry.stdout);
    assert_eq!(history(&db), after);
}

#[test]
fn watch_verify_and_check_over_the_store() {
    let (_directory, db) = store();
    let watch = run(&db, &["watch", "--as-of", "2026-03-31", "--format", "json"]);
    assert_eq!(watch.code, 0, "{}", watch.stderr);
    let rows: serde_json::Value = serde_json::from_str(&watch.stdout).unwrap();
    assert_eq!(rows[0]["clock"], "decision");
    assert_eq!(rows[0]["level"], "yellow");
    assert_eq!(rows[0]["due_date"], "2026-03-31");
    assert_eq!(rows[0]["remaining_working_days"], 0);
    assert_eq!(run(&db, &["verify"]).code, 0);
    assert_eq!(run(&db, &["check"]).code, 0);

    let connection = rusqlite::Connection::open(&db).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER events_are_never_updated; \
             UPDATE events SET record = replace(record, 'officer', 'head') WHERE sequence = 1;",
        )
        .unwrap();
    drop(connection);
    let verify = run(&db, &["verify", "--format", "csv"]);
    assert_eq!(verify.code, 1, "{}", verify.stderr);
    assert!(verify.stdout.contains("L-1,1,its hash does not match its content"), "{}", verify.stdout);
    assert!(verify.stderr.contains("1 of 1 cases has a broken chain"), "{}", verify.stderr);
}

#[test]
fn exported_chain_heads_catch_a_history_rewritten_with_fresh_hashes() {
    let (directory, db) = store();
    let heads = directory.path().join("heads.csv");
    assert_eq!(run(&db, &["verify", "--export-heads", heads.to_str().unwrap()]).code, 0);

    // Rewrite event 1 and every hash after it, and the case row, as an insider with the file could.
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection.execute_batch("DROP TRIGGER events_are_never_updated;").unwrap();
    let (case_id, record): (String, String) = connection
        .query_row("SELECT case_id, record FROM events WHERE sequence = 1", [], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap();
    let previous: String =
        connection.query_row("SELECT hash FROM events WHERE sequence = 0", [], |row| row.get(0)).unwrap();
    let rewritten = record.replace("2026-03-03T10:00:00+08:00", "2026-03-02T10:00:00+08:00");
    assert_ne!(rewritten, record);
    let mut previous_bytes = [0_u8; 32];
    for (index, byte) in previous_bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&previous[index * 2..index * 2 + 2], 16).unwrap();
    }
    let hash = renewflow::core::case::event_hash(&previous_bytes, &case_id, 1, &rewritten);
    let hash: String = hash.iter().fold(String::new(), |mut text, byte| {
        use std::fmt::Write as _;
        let _ = write!(text, "{byte:02x}");
        text
    });
    connection
        .execute(
            "UPDATE events SET record = ?1, at = '2026-03-02T10:00:00+08:00', hash = ?2 WHERE sequence = 1",
            rusqlite::params![rewritten, hash],
        )
        .unwrap();
    connection.execute("UPDATE cases SET head_hash = ?1, last_at = '2026-03-02T10:00:00+08:00'", [&hash]).unwrap();
    drop(connection);

    // Without the heads the rewrite is consistent; with them it is named.
    assert_eq!(run(&db, &["verify"]).code, 0);
    let checked = run(&db, &["verify", "--heads", heads.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    assert!(checked.stdout.contains("L-1,1,its hash is not the exported head"), "{}", checked.stdout);
}

#[test]
fn show_writes_one_case_as_fields_or_one_object() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let args = ["case", "new", "administrative-license", "--number", "L-2", "--at", "2026-03-02"];
    let opened = run(&db, &[&args[..], &["--attr", "joint_handling=true"]].concat());
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let json = run(&db, &["case", "show", "L-2", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let shown: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(shown["number"], "L-2");
    assert_eq!(shown["active"], serde_json::json!(["received"]));
    assert_eq!(shown["attributes"]["joint_handling"], "true");
    let table = run(&db, &["case", "show", "L-2"]).stdout;
    let line =
        |field: &str| table.lines().find(|line| line.contains(&format!(" {field} "))).unwrap_or_default().to_owned();
    assert!(line("active").contains("received") && !line("active").contains('['), "{table}");
    assert!(line("attributes").contains("joint_handling=true"), "{table}");
}
