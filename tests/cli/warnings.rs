//! `renewflow warnings sweep|list` and `renewflow webhook add|list|remove|deliveries`, on the
//! demo's store: each crossing recorded once however often the sweep runs, a prompt before a
//! promised limit, deliveries queued for the webhooks that want them, and secrets never shown.

use crate::test::run_on;

const SECRET: &str = "s3cret-of-the-district-office";

/// The demo's store.
fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("demo.db");
    let demo = run_on(&db, &["demo"]);
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    (directory, db)
}

fn json(output: &crate::test::Output) -> Vec<serde_json::Value> {
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str::<serde_json::Value>(&output.stdout).unwrap().as_array().unwrap().clone()
}

/// (number, clock, kind, applies_on) of each warning.
fn crossings(warnings: &[serde_json::Value]) -> Vec<(String, String, String, String)> {
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    warnings
        .iter()
        .map(|warning| {
            (text(&warning["number"]), text(&warning["clock"]), text(&warning["kind"]), text(&warning["applies_on"]))
        })
        .collect()
}

#[test]
fn a_sweep_records_each_crossing_once_and_the_list_filters_them() {
    let (_directory, db) = demo_store();
    let swept = json(&run_on(&db, &["warnings", "sweep", "--as-of", "2017-09-29", "--format", "json"]));
    let found = crossings(&swept);
    let expected = [
        ("LG-2017-005", "old_village_recognition", "red", "2017-06-15"),
        ("LG-2017-005", "plan_stage", "red", "2017-07-19"),
        ("XK-2017-001", "decision", "yellow", "2017-09-27"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(number, clock, kind, on)| {
            ((*number).to_owned(), (*clock).to_owned(), (*kind).to_owned(), (*on).to_owned())
        })
        .collect();
    assert_eq!(found, expected, "a clock red the day it turns yellow gets its red card alone");
    assert_eq!(swept[2]["limit"], "30 wd", "after the head's extension");
    assert_eq!(swept[2]["level_set_by"], "statutory");

    let again = run_on(&db, &["warnings", "sweep", "--as-of", "2017-09-29", "--format", "json"]);
    assert_eq!(json(&again), Vec::<serde_json::Value>::new());
    assert!(again.stderr.contains("0 new warnings recorded as of 2017-09-29"), "{}", again.stderr);

    let red = json(&run_on(&db, &["warnings", "list", "--kind", "red", "--format", "json"]));
    assert_eq!(red.len(), 2);
    let case = json(&run_on(&db, &["warnings", "list", "--case", "XK-2017-001", "--format", "json"]));
    assert_eq!(crossings(&case), expected[2..]);
    let since = json(&run_on(&db, &["warnings", "list", "--since", "2017-07-01", "--format", "json"]));
    assert_eq!(since.len(), 2);
    let page = json(&run_on(&db, &["warnings", "list", "--limit", "1", "--offset", "1", "--format", "json"]));
    assert_eq!(crossings(&page), expected[1..2]);
    let csv = run_on(&db, &["warnings", "list", "--format", "csv"]);
    assert!(
        csv.stdout.starts_with("id,kind,applies_on,number,workflow,clock,limit,due_date,level_set_by,"),
        "{}",
        csv.stdout
    );
    let table = run_on(&db, &["warnings", "list"]);
    assert!(
        table.stdout.contains("old_village_recognition") && table.stderr.contains("3 warnings"),
        "{}",
        table.stdout
    );
    let unknown = run_on(&db, &["warnings", "list", "--case", "LG-404"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
}

#[test]
fn a_prompt_comes_one_working_day_before_the_promised_limit() {
    let (_directory, db) = demo_store();
    let new = run_on(
        &db,
        &[
            "case",
            "new",
            "longgang-renewal",
            "--workflow-version",
            "2016.1",
            "--number",
            "LG-P",
            "--attr",
            "property_rights_clear=true",
            "--at",
            "2017-08-01",
        ],
    );
    assert_eq!(new.code, 0, "{}", new.stderr);
    for (role, action, at) in [
        ("bureau", "register", "2017-08-01"),
        ("bureau", "accept_plan", "2017-08-02"),
        ("land_office", "recognize_old_village", "2017-08-03"),
        ("land_office", "verify_land_buildings", "2017-08-04"),
    ] {
        let acted = run_on(&db, &["case", "act", "LG-P", action, "--role", role, "--at", at]);
        assert_eq!(acted.code, 0, "{action}: {}", acted.stderr);
    }
    // plan_review from Friday 2017-08-04: promised 15 wd, due 2017-08-25; the prompt 08-24.
    let before = json(&run_on(&db, &["warnings", "sweep", "--as-of", "2017-08-23", "--format", "json"]));
    assert!(before.iter().all(|warning| warning["kind"] != "prompt"), "{before:?}");
    let swept = json(&run_on(&db, &["warnings", "sweep", "--as-of", "2017-08-24", "--format", "json"]));
    let prompts: Vec<&serde_json::Value> = swept.iter().filter(|warning| warning["kind"] == "prompt").collect();
    assert_eq!(prompts.len(), 1, "{swept:?}");
    assert_eq!((&prompts[0]["number"], &prompts[0]["clock"]), (&"LG-P".into(), &"plan_review".into()));
    assert_eq!((&prompts[0]["applies_on"], &prompts[0]["due_date"]), (&"2017-08-24".into(), &"2017-08-25".into()));
    assert_eq!((&prompts[0]["limit"], &prompts[0]["level_set_by"]), (&"15 wd".into(), &"promised".into()));
}

#[test]
fn webhooks_get_deliveries_of_their_kinds_and_never_show_their_secret() {
    let (_directory, db) = demo_store();
    let added = run_on(
        &db,
        &["webhook", "add", "http://127.0.0.1:9/hook", "--secret", SECRET, "--kinds", "red", "--format", "json"],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let hook: serde_json::Value = serde_json::from_str(&added.stdout).unwrap();
    assert_eq!(
        (&hook["id"], &hook["kinds"], &hook["created_by"]),
        (&1.into(), &serde_json::json!(["red"]), &"tester".into())
    );
    let all = run_on(&db, &["webhook", "add", "http://127.0.0.1:9/all", "--secret", SECRET, "--actor", "管理员"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    for format in ["table", "json", "csv"] {
        let listed = run_on(&db, &["webhook", "list", "--format", format]);
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        assert!(!listed.stdout.contains(SECRET) && !listed.stderr.contains(SECRET), "{format}: {}", listed.stdout);
        assert!(listed.stdout.contains("http://127.0.0.1:9/all"), "{}", listed.stdout);
    }
    assert!(!all.stdout.contains(SECRET));

    let swept = run_on(&db, &["warnings", "sweep", "--as-of", "2017-09-29"]);
    assert!(swept.stderr.contains("3 new warnings recorded as of 2017-09-29; 5 deliveries queued"), "{}", swept.stderr);
    let deliveries = json(&run_on(&db, &["webhook", "deliveries", "--format", "json"]));
    assert_eq!(deliveries.len(), 5, "two reds to each webhook, the yellow to the second");
    assert!(deliveries.iter().all(|delivery| delivery["status"] == "pending" && delivery["attempt"].is_null()));
    let one = json(&run_on(&db, &["webhook", "deliveries", "--warning", "3", "--format", "json"]));
    assert_eq!(one.len(), 1);
    assert_eq!((&one[0]["kind"], &one[0]["webhook"]), (&"yellow".into(), &2.into()));
    assert_eq!(
        json(&run_on(&db, &["webhook", "deliveries", "--failed", "--format", "json"])),
        Vec::<serde_json::Value>::new()
    );

    let removed = run_on(&db, &["webhook", "remove", "2", "--format", "json"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let removed: serde_json::Value = serde_json::from_str(&removed.stdout).unwrap();
    assert_eq!(removed["removed_by"], "tester");
    let twice = run_on(&db, &["webhook", "remove", "2"]);
    assert!(twice.code == 0 && twice.stderr.contains("removed before"), "{}", twice.stderr);
    assert_eq!(run_on(&db, &["webhook", "remove", "9"]).code, 2);
}

#[test]
fn a_webhook_with_a_bad_url_secret_or_kind_is_refused_with_the_reason() {
    let (_directory, db) = demo_store();
    for (args, reason) in [
        (["webhook", "add", "https://example.org/hook", "--secret", SECRET], "local relay that adds TLS"),
        (["webhook", "add", "http://127.0.0.1:9/", "--secret", "short"], "has 5 bytes; it needs at least 16"),
        (["webhook", "add", "http://127.0.0.1:9/", "--secret", SECRET], ""),
    ] {
        let output = run_on(&db, &args);
        if reason.is_empty() {
            assert_eq!(output.code, 0, "{}", output.stderr);
        } else {
            assert_eq!(output.code, 2, "{}", output.stderr);
            assert!(output.stderr.contains(reason), "{}", output.stderr);
        }
    }
    let kind = run_on(&db, &["webhook", "add", "http://127.0.0.1:9/", "--secret", SECRET, "--kinds", "red,amber"]);
    assert_eq!(kind.code, 2);
    assert!(kind.stderr.contains("no warning kind `amber`"), "{}", kind.stderr);
    let listed = json(&run_on(&db, &["webhook", "list", "--format", "json"]));
    assert_eq!(listed.len(), 1, "only the good one was stored");
}
