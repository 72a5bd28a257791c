//! `renewflow workflow list|show`: the versions deployed in a store, and their stored sources.

use crate::test::run_on;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
const LONGGANG_2017: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2017.yaml");

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run_on(&db, &["workflow", "deploy", LICENCE, LONGGANG_2017]).code, 0);
    for number in ["L-1", "L-2"] {
        let opened = run_on(&db, &["case", "new", "administrative-license", "--number", number, "--at", "2026-03-02"]);
        assert_eq!(opened.code, 0, "{}", opened.stderr);
    }
    (directory, db)
}

#[test]
fn workflow_list_shows_each_version_with_its_hash_and_cases() {
    let (_directory, db) = store();
    let listed = run_on(&db, &["workflow", "list", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let rows: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let licence = rows.iter().find(|row| row["workflow"] == "administrative-license").unwrap();
    assert_eq!(
        (&licence["version"], &licence["open_cases"], &licence["finished_cases"]),
        (&"2019.1".into(), &2.into(), &0.into())
    );
    assert!(licence["content_hash"].as_str().unwrap().starts_with("sha256:"));
    let longgang = rows.iter().find(|row| row["workflow"] == "longgang-renewal").unwrap();
    assert_eq!(longgang["open_cases"], 0);
    let empty = tempfile::tempdir().unwrap();
    let fresh = empty.path().join("fresh.db");
    assert_eq!(run_on(&fresh, &["workflow", "deploy", LICENCE]).code, 0);
    let listed = run_on(&fresh, &["workflow", "list"]);
    assert!(listed.stdout.contains("administrative-license"), "{}", listed.stdout);
}

#[test]
fn workflow_show_prints_the_stored_source_and_checks_its_hash() {
    let (_directory, db) = store();
    let shown = run_on(&db, &["workflow", "show", "longgang-renewal"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    // The 2017 flow extends the 2016 one: both files are shown, the extended one marked.
    assert!(shown.stdout.contains(&std::fs::read_to_string(LONGGANG_2017).unwrap()));
    assert!(shown.stdout.contains("extended as `longgang-2016.yaml`"), "{}", shown.stdout);
    let json = run_on(
        &db,
        &["workflow", "show", "administrative-license", "--workflow-version", "2019.1", "--format", "json"],
    );
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["content_hash_verified"], true);
    assert_eq!(document["files"][0]["text"], std::fs::read_to_string(LICENCE).unwrap());
    let missing = run_on(&db, &["workflow", "show", "administrative-license", "--workflow-version", "1.0"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("has no deployed version `1.0`; deployed: 2019.1"), "{}", missing.stderr);

    // Rules edited in the database: shown as stored, and named as changed (exit 1).
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection
        .execute("UPDATE deployments SET sources = replace(sources, 'by: head}', 'by: [head, officer]}')", [])
        .unwrap();
    drop(connection);
    let forged = run_on(&db, &["workflow", "show", "administrative-license"]);
    assert_eq!(forged.code, 1, "{}", forged.stderr);
    assert!(forged.stdout.contains("by: [head, officer]}"));
    assert!(forged.stderr.contains("was changed behind the engine"), "{}", forged.stderr);
}

#[test]
fn db_is_in_the_help_of_the_commands_that_use_a_store_only() {
    let help = |args: &[&str]| {
        let mut test = crate::test::Test::new();
        for arg in args {
            test = test.args([arg]);
        }
        let output = test.args(["--help"]).run();
        assert_eq!(output.code, 0, "{args:?}: {}", output.stderr);
        output.stdout.lines().any(|line| line.trim_start().starts_with("--db"))
    };
    for args in [&["calendar"][..], &["calendar", "between"], &["workflow", "validate"], &["simulate"]] {
        assert!(!help(args), "{args:?} lists --db");
    }
    for args in [&["case"][..], &["calendar", "install"], &["workflow", "deploy"], &["workflow", "list"], &["watch"]] {
        assert!(help(args), "{args:?} does not list --db");
    }
    // Still accepted anywhere, as a global option.
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run_on(&db, &["workflow", "deploy", LICENCE]).code, 0);
    assert_eq!(run_on(&db, &["calendar", "installed"]).code, 0);
}
