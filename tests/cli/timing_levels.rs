//! Every timing output shows both limits and which one set the level, and a pause past its
//! maximum, live: `case timing` (table, JSON, CSV) and `watch`, on the demo's store.

use crate::test::run_on;

/// The demo's store, as of its date.
fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("demo.db");
    let demo = run_on(&db, &["demo"]);
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    (directory, db)
}

fn clock<'a>(timing: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == name).unwrap()
}

#[test]
fn case_timing_shows_both_limits_and_the_one_that_set_the_level() {
    let (_directory, db) = demo_store();
    let json = run_on(&db, &["case", "timing", "LG-2017-004", "--as-of", "2017-09-29", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let timing: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let review = clock(&timing, "plan_review");
    assert_eq!((&review["limit"], &review["promised_limit"]), (&"7 wd".into(), &"6 wd".into()));
    assert_eq!((&review["level"], &review["level_set_by"]), (&"red".into(), &"promised".into()));
    assert_eq!(review["statutory"]["level"], "ok", "met within the law's limit");
    let acceptance = clock(&timing, "plan_acceptance");
    assert_eq!((&acceptance["level"], &acceptance["level_set_by"]), (&"ok".into(), &serde_json::Value::Null));

    // 20 of 30 working days: 66.67 %, rounded, not truncated to 66.66.
    let licence = run_on(&db, &["case", "timing", "XK-2017-001", "--as-of", "2017-09-29", "--format", "json"]);
    let licence: serde_json::Value = serde_json::from_str(&licence.stdout).unwrap();
    assert_eq!(clock(&licence, "decision")["used_percent"], 66.67);

    let table = run_on(&db, &["case", "timing", "LG-2017-004", "--as-of", "2017-09-29"]);
    let row = table.stdout.lines().find(|line| line.contains("plan_review")).unwrap();
    assert!(row.contains("6 wd") && row.contains("promised"), "{row}");
    let csv = run_on(&db, &["case", "timing", "LG-2017-004", "--as-of", "2017-09-29", "--format", "csv"]);
    let header = csv.stdout.lines().next().unwrap();
    assert!(header.contains("promised_limit") && header.contains("level_set_by"), "{header}");
    assert!(csv.stdout.lines().any(|line| line.starts_with("plan_review,") && line.contains(",red,promised,")));
}

#[test]
fn a_pause_past_its_maximum_shows_in_case_timing_and_on_the_watch_list() {
    let (_directory, db) = demo_store();
    let json = run_on(&db, &["case", "timing", "LG-2017-004", "--as-of", "2017-09-29", "--format", "json"]);
    let timing: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let overruns = &clock(&timing, "plan_approval")["pause_overruns"];
    assert_eq!(overruns.as_array().map(Vec::len), Some(1), "{overruns}");
    assert_eq!(overruns[0]["state"], "plan_publicity");
    assert_eq!((&overruns[0]["since"], &overruns[0]["allowed_until"]), (&"2017-08-07".into(), &"2017-08-17".into()));
    assert_eq!((&overruns[0]["over"], &overruns[0]["to"]), (&43.into(), &"2017-09-29".into()));
    let table = run_on(&db, &["case", "timing", "LG-2017-004", "--as-of", "2017-09-29"]);
    assert!(
        table
            .stdout
            .contains("pause past its maximum: clock `plan_approval` paused in plan_publicity since 2017-08-07"),
        "{}",
        table.stdout
    );
    // Not yet over on the day its ten days end.
    let before = run_on(&db, &["watch", "--as-of", "2017-08-17", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&before.stdout).unwrap();
    assert!(rows.as_array().unwrap().iter().all(|row| row["number"] != "LG-2017-004"), "{rows}");
    let after = run_on(&db, &["watch", "--as-of", "2017-08-18", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
    let paused: Vec<&serde_json::Value> =
        rows.as_array().unwrap().iter().filter(|row| row["number"] == "LG-2017-004").collect();
    assert_eq!(paused.len(), 2, "plan_approval and plan_stage: {rows}");
    assert!(paused.iter().all(|row| row["pause_over_max"]["over"] == 1 && row["phase"] == "paused"), "{rows}");
}

#[test]
fn the_watch_list_shows_both_limits_and_says_when_nothing_is_due() {
    let (_directory, db) = demo_store();
    let watch = run_on(&db, &["watch", "--as-of", "2017-09-29", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&watch.stdout).unwrap();
    let decision = rows.as_array().unwrap().iter().find(|row| row["number"] == "XK-2017-001").unwrap();
    assert_eq!((&decision["level"], &decision["level_set_by"]), (&"yellow".into(), &"statutory".into()));
    assert_eq!(
        (&decision["statutory_limit"], &decision["promised_limit"]),
        (&"30 wd".into(), &serde_json::Value::Null)
    );
    let quiet = run_on(&db, &["watch", "--as-of", "2017-01-03"]);
    assert_eq!(quiet.code, 0);
    assert!(quiet.stderr.contains("no clock is yellow or red, and no pause is past its maximum, as of 2017-01-03"));
}
