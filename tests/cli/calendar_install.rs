//! The store's calendar: its policy for dates after the data, recording past the data, and
//! `calendar install` of a notice (here a fabricated 2027 one) with the due dates it moves.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::test::run_on as run;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
/// Fabricated: the shape of a 2027 notice, not the real one (see the file's comment).
const FABRICATED_2027: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/calendar/fabricated-2027-notice.yaml");

/// A store with the licence deployed, under `policy` when one is given on its first use.
fn store(policy: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let mut args = vec!["workflow", "deploy", LICENCE];
    if let Some(policy) = policy {
        args.extend(["--beyond-data", policy]);
    }
    let deployed = run(&db, &args);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    (directory, db)
}

fn ok(db: &Path, args: &[&str]) -> String {
    let output = run(db, args);
    assert_eq!(output.code, 0, "{args:?}: {}", output.stderr);
    output.stdout
}

fn json(db: &Path, args: &[&str]) -> Value {
    let stdout = ok(db, &[args, &["--format", "json"]].concat());
    serde_json::from_str(&stdout).unwrap()
}

fn clock<'a>(timing: &'a Value, name: &str) -> &'a Value {
    timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == name).unwrap()
}

/// Cases opened in December 2026 and January 2027, whose clocks run into 2027.
fn december_cases(db: &Path) {
    let new = |number: &str, at: &str| {
        ok(
            db,
            &[
                "case",
                "new",
                "administrative-license",
                "--number",
                number,
                "--at",
                at,
                "--attr",
                "joint_handling=false",
            ],
        )
    };
    new("L-1", "2026-12-21");
    ok(db, &["case", "act", "L-1", "accept", "--role", "officer", "--at", "2027-01-20"]);
    new("L-2", "2027-01-28");
    new("L-3", "2026-12-01");
}

#[test]
fn a_new_store_counts_statutory_and_refuses_another_policy() {
    let (_directory, db) = store(None);
    december_cases(&db);
    let timing = json(&db, &["case", "timing", "L-1", "--as-of", "2027-01-25"]);
    // 20 wd from 2027-01-20 skip the projected 春节 (02-05 to 02-10): due 02-23.
    let decision = clock(&timing, "decision");
    assert_eq!(decision["statutory"]["due_date"], "2027-02-23");
    assert_eq!(decision["statutory"]["provisional"], true);
    assert!(decision["statutory"]["basis"].as_str().unwrap().contains("全国年节及纪念日放假办法 (2024)"));
    assert_eq!(timing["calendar"]["beyond_data"], "statutory");
    assert_eq!(timing["provisional"], true);
    let table = ok(&db, &["case", "timing", "L-1", "--as-of", "2027-01-25"]);
    assert!(table.contains("2027-02-23 (provisional)"), "{table}");
    let refused = run(&db, &["case", "list", "--beyond-data", "refuse"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("counts dates after the calendar's data as `statutory`"), "{}", refused.stderr);
    ok(&db, &["case", "list", "--beyond-data", "statutory"]);
    let watch = json(&db, &["watch", "--as-of", "2027-02-01"]);
    let late = watch.as_array().unwrap().iter().find(|row| row["number"] == "L-3").unwrap();
    assert_eq!((late["level"].as_str(), late["due_date"].as_str()), (Some("red"), Some("2026-12-08")));
}

#[test]
fn recording_past_the_data_is_never_blocked_under_refuse() {
    let (_directory, db) = store(Some("refuse"));
    ok(
        &db,
        &[
            "case",
            "new",
            "administrative-license",
            "--number",
            "R-1",
            "--at",
            "2026-12-21",
            "--attr",
            "joint_handling=false",
        ],
    );
    let accepted = run(&db, &["case", "act", "R-1", "accept", "--role", "officer", "--at", "2027-01-06"]);
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    // As of the data's last day the acceptance clock ran late, and the decision clock's due date
    // cannot be known: null with the reason, never text in the date field.
    let timing = json(&db, &["case", "timing", "R-1", "--as-of", "2026-12-31"]);
    let acceptance = clock(&timing, "acceptance");
    assert_eq!(acceptance["statutory"]["due_date"], "2026-12-28");
    assert_eq!(acceptance["statutory"]["basis"], Value::Null);
    let history = json(&db, &["case", "history", "R-1"]);
    assert_eq!(history.as_array().unwrap().len(), 2);
    let timing = run(&db, &["case", "timing", "R-1", "--as-of", "2027-01-06"]);
    assert_eq!(timing.code, 2);
    assert!(timing.stderr.contains("add year 2027"), "{}", timing.stderr);
    ok(&db, &["verify"]);
    ok(&db, &["check"]);
}

#[test]
fn installing_the_notice_moves_the_due_dates_it_changes() {
    let (_directory, db) = store(None);
    december_cases(&db);
    let change = json(&db, &["calendar", "install", FABRICATED_2027, "--by", "张三", "--at", "2026-12-10T10:00"]);
    assert_eq!(change["installed"]["sequence"], 0);
    assert_eq!(change["installed"]["installed_by"], "张三");
    assert_eq!(change["open_cases"], 3);
    let moved: Vec<String> = change["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            format!(
                "{} {} {} -> {} provisional {} -> {}",
                row["number"].as_str().unwrap(),
                row["clock"].as_str().unwrap(),
                row["old_due"].as_str().unwrap(),
                row["new_due"].as_str().unwrap(),
                row["was_provisional"],
                row["now_provisional"]
            )
        })
        .collect();
    // L-2's five days now count Sunday 01-31 (worked by the notice); L-1's twenty days land on the
    // same day through the longer break and the two worked weekend days; L-3 was due in 2026.
    assert_eq!(
        moved,
        [
            "L-1 decision 2027-02-23 -> 2027-02-23 provisional true -> false",
            "L-2 acceptance 2027-02-04 -> 2027-02-03 provisional true -> false",
        ]
    );
    ok(&db, &["check"]);
    ok(&db, &["verify"]);
    // A process started after the install counts on the installed data.
    let timing = json(&db, &["case", "timing", "L-2", "--as-of", "2027-02-01"]);
    assert_eq!(timing["calendar"]["data_through"], "2027-12-31");
    assert_eq!(clock(&timing, "acceptance")["statutory"]["due_date"], "2027-02-03");
    assert_eq!(timing["provisional"], false);
    let watch = json(&db, &["watch", "--as-of", "2027-02-04"]);
    let row = watch.as_array().unwrap().iter().find(|row| row["number"] == "L-2").unwrap();
    assert_eq!((row["level"].as_str(), row["provisional"].as_bool()), (Some("red"), Some(false)));
    // The same file again changes nothing.
    let again = run(&db, &["calendar", "install", FABRICATED_2027]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("installed already"), "{}", again.stderr);
    let installed = json(&db, &["calendar", "installed"]);
    assert_eq!(installed.as_array().unwrap().len(), 1);
    assert_eq!(installed[0]["installed_at"], "2026-12-10T10:00:00+08:00");
}

#[test]
fn a_bad_or_unexplained_calendar_file_installs_nothing() {
    let (directory, db) = store(None);
    let bad = directory.path().join("bad.yaml");
    std::fs::write(&bad, "calendar: cn-mainland\nadjustments:\n  - {date: 2026-09-31, kind: rest, reason: x}\n")
        .unwrap();
    let output = run(&db, &["calendar", "install", bad.to_str().unwrap()]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("bad.yaml:3:12"), "{}", output.stderr);
    // A typhoon closure changes a covered day: it needs a reason.
    let typhoon = directory.path().join("typhoon.yaml");
    std::fs::write(
        &typhoon,
        "calendar: cn-mainland\nadjustments:\n  - {date: 2026-09-24, kind: rest, reason: 台风停工}\n",
    )
    .unwrap();
    let output = run(&db, &["calendar", "install", typhoon.to_str().unwrap()]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("changes 1 day(s) calendar `cn-mainland` already covers (the first: 2026-09-24)"),
        "{}",
        output.stderr
    );
    assert_eq!(json(&db, &["calendar", "installed"]), serde_json::json!([]));
    ok(&db, &["calendar", "install", typhoon.to_str().unwrap(), "--reason", "区防汛指挥部通告"]);
    let installed = json(&db, &["calendar", "installed"]);
    assert_eq!(installed[0]["reason"], "区防汛指挥部通告");
    // Store commands count on installed data, not on a file passed each time.
    let output = run(&db, &["case", "list", "--calendar-file", typhoon.to_str().unwrap()]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("renewflow calendar install"), "{}", output.stderr);
}

#[test]
fn verify_and_check_catch_calendar_data_changed_behind_the_engine() {
    let (_directory, db) = store(None);
    december_cases(&db);
    ok(&db, &["calendar", "install", FABRICATED_2027, "--by", "张三"]);
    {
        let connection = rusqlite::Connection::open(&db).unwrap();
        // The triggers refuse the edit; someone drops them first.
        assert!(connection.execute("UPDATE calendar_installs SET installed_by = '李四'", []).is_err());
        connection.execute_batch("DROP TRIGGER calendar_installs_are_never_updated").unwrap();
        connection.execute("UPDATE calendar_installs SET installed_by = '李四'", []).unwrap();
    }
    let verify = run(&db, &["verify"]);
    assert_eq!(verify.code, 1);
    assert!(verify.stdout.contains("calendar installation 0"), "{}", verify.stdout);
    assert!(verify.stdout.contains("its hash does not match its content"), "{}", verify.stdout);

    let (_directory, db) = store(None);
    december_cases(&db);
    {
        let connection = rusqlite::Connection::open(&db).unwrap();
        connection.execute("UPDATE settings SET value = 'statutory:0000' WHERE key = 'derived_calendar'", []).unwrap();
    }
    let check = run(&db, &["check"]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("calendar recompute"), "{}", check.stdout);
    let recompute = json(&db, &["calendar", "recompute"]);
    assert_eq!(recompute["moved"], serde_json::json!([]));
    ok(&db, &["check"]);
}
