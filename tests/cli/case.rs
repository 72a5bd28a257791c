//! `renewflow workflow deploy` and `renewflow case …` on one store file.

use std::path::{Path, PathBuf};

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

use crate::test::{Test, run_on as run};

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
    assert!(verify.stderr.contains("1 of 1 case has a broken chain"), "{}", verify.stderr);
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

/// Issue 24, item 7: the history records the person, not the tool: `--actor`, else `USER`,
/// else `LOGNAME` (the passwd entry last); `--help` says so, and a blank actor is refused.
#[test]
fn issue_24_the_actor_is_the_operating_system_user_unless_named() {
    let (_directory, db) = store();
    let db = db.to_str().unwrap();
    let note = |day: &'static str| ["--db", db, "case", "note", "L-1", "材料齐全", "--role", "officer", "--at", day];
    let by_user = Test::new().env("USER", "张三").env("LOGNAME", "李四").args(note("2026-03-04")).run();
    assert_eq!(by_user.code, 0, "{}", by_user.stderr);
    let by_logname = Test::new().env_remove("USER").env("LOGNAME", "李四").args(note("2026-03-05")).run();
    assert_eq!(by_logname.code, 0, "{}", by_logname.stderr);
    let named = Test::new().env("USER", "张三").args(note("2026-03-06")).args(["--actor", "王五"]).run();
    assert_eq!(named.code, 0, "{}", named.stderr);
    let events: serde_json::Value = serde_json::from_str(&history(Path::new(db))).unwrap();
    let actors: Vec<&str> =
        events.as_array().unwrap()[2..].iter().map(|event| event["actor"].as_str().unwrap()).collect();
    assert_eq!(actors, ["张三", "李四", "王五"]);
    assert!(!history(Path::new(db)).contains("\"renewflow\""), "the tool is never the actor");

    let before = history(Path::new(db));
    let blank = Test::new().args(note("2026-03-07")).args(["--actor", " "]).run();
    assert_eq!(blank.code, 2, "{}", blank.stderr);
    assert!(blank.stderr.contains("no actor"), "{}", blank.stderr);
    assert_eq!(history(Path::new(db)), before);
    for subcommand in ["new", "act", "note", "set"] {
        let help = run(Path::new(db), &["case", subcommand, "--help"]);
        assert!(help.stdout.contains("operating-system user"), "case {subcommand}: {}", help.stdout);
    }
}

/// Issue 24, item 10: notes and attribute changes are their own checked commands, with the
/// options of `case act`; what the workflow refuses exits 1 and writes nothing.
#[test]
fn notes_and_attribute_changes_are_checked_commands() {
    let (_directory, db) = store();
    let acting = ["--role", "officer", "--actor", "承办人甲"];
    let noted = run(&db, &[&["case", "note", "L-1", "申请人补充说明", "--at", "2026-03-04"][..], &acting].concat());
    assert_eq!(noted.code, 0, "{}", noted.stderr);
    let set = run(&db, &[&["case", "set", "L-1", "joint_handling=true", "--at", "2026-03-04"][..], &acting].concat());
    assert_eq!(set.code, 0, "{}", set.stderr);
    let shown = |db: &Path| -> serde_json::Value {
        serde_json::from_str(&run(db, &["case", "show", "L-1", "--format", "json"]).stdout).unwrap()
    };
    assert_eq!(shown(&db)["attributes"]["joint_handling"], "true");
    let events: serde_json::Value = serde_json::from_str(&history(&db)).unwrap();
    assert_eq!(events[2]["record"]["kind"], "noted");
    assert_eq!(events[2]["record"]["text"], "申请人补充说明");
    assert_eq!(events[3]["record"]["kind"], "attribute_set");

    let refusals: [(&[&str], i32, &str); 6] = [
        (&["case", "set", "L-1", "joint_handlin=false"], 1, "did you mean `joint_handling`"),
        (&["case", "set", "L-1", "joint_handling=maybe"], 1, "expected `true` or `false`"),
        (&["case", "set", "L-1"], 2, "nothing to set"),
        (&["case", "set", "L-1", "joint_handling=false", "--clear", "joint_handling"], 2, "given twice"),
        (&["case", "note", "L-1", "迟到的说明", "--expect-version", "2"], 1, "conflict"),
        (&["case", "note", "L-1", "日期错误", "--at", "2026-03-01"], 1, "before"),
    ];
    let before = history(&db);
    for (args, code, message) in refusals {
        let args = [args, &acting[..], if args.contains(&"--at") { &[] } else { &["--at", "2026-03-05"] }].concat();
        let output = run(&db, &args);
        assert_eq!(output.code, code, "{args:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{args:?}: {}", output.stderr);
        assert_eq!(history(&db), before, "{args:?} wrote something");
    }

    let clear = [&["case", "set", "L-1", "--clear", "joint_handling", "--at", "2026-03-05"][..], &acting[..]].concat();
    let cleared = run(&db, &[&clear[..], &["--idempotency-key", "clear-1", "--expect-version", "4"]].concat());
    assert_eq!(cleared.code, 0, "{}", cleared.stderr);
    assert!(shown(&db)["attributes"].get("joint_handling").is_none(), "{}", shown(&db));
    let after = history(&db);
    let retried = run(&db, &[&clear[..], &["--idempotency-key", "clear-1", "--format", "json"]].concat());
    assert_eq!(retried.code, 0, "{}", retried.stderr);
    assert!(retried.stdout.contains("\"replayed\": true"), "{}", retried.stdout);
    assert_eq!(history(&db), after);
}

/// Issue 24, item 11: `case history` recomputes the chain as `verify` does and marks each event:
/// an edited event is `broken` with the reason, the events after it `broken`, in every format;
/// exit 1. A record edited so it no longer fits its workflow is still shown.
#[test]
fn history_marks_a_tampered_event_and_exits_1() {
    let (_directory, db) = store();
    let granted = run(&db, &["case", "act", "L-1", "grant", "--role", "head", "--at", "2026-03-05"]);
    assert_eq!(granted.code, 0, "{}", granted.stderr);
    let clean = run(&db, &["case", "history", "L-1", "--format", "csv"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(clean.stderr.contains("3 events; the hash chain verifies"), "{}", clean.stderr);
    assert_eq!(clean.stdout.lines().skip(1).filter(|line| line.contains(",ok,,")).count(), 3, "{}", clean.stdout);

    let connection = rusqlite::Connection::open(&db).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER events_are_never_updated; \
             UPDATE events SET record = replace(record, '\"accept\"', '\"acept\"') WHERE sequence = 1;",
        )
        .unwrap();
    drop(connection);
    let json = run(&db, &["case", "history", "L-1", "--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert!(
        json.stderr.contains("the hash chain is broken at event 1: its hash does not match its content"),
        "{}",
        json.stderr
    );
    let events: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let statuses: Vec<(&str, Option<&str>)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| (event["status"].as_str().unwrap(), event["reason"].as_str()))
        .collect();
    assert_eq!(statuses, [("ok", None), ("broken", Some("its hash does not match its content")), ("broken", None)]);
    assert_eq!(events[1]["record"]["action"], "acept", "the stored record is shown as it is");
    let csv = run(&db, &["case", "history", "L-1", "--format", "csv"]);
    assert_eq!(csv.code, 1);
    assert!(csv.stdout.contains(",broken,its hash does not match its content,"), "{}", csv.stdout);
    let table = run(&db, &["case", "history", "L-1"]);
    assert_eq!(table.code, 1);
    assert!(table.stdout.contains("broken") && table.stdout.contains("its hash does not match"), "{}", table.stdout);
}

/// A deleted last event breaks no link; the case row names more events than there are.
#[test]
fn history_names_a_deleted_last_event_from_the_case_row() {
    let (_directory, db) = store();
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection.execute_batch("DROP TRIGGER events_are_never_deleted; DELETE FROM events WHERE sequence = 1;").unwrap();
    drop(connection);
    let output = run(&db, &["case", "history", "L-1", "--format", "csv"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains("1 event; the hash chain is broken in its case row: the case row says 2 events"),
        "{}",
        output.stderr
    );
}

/// Five licence cases: L-1 accepted (deciding), L-2 never accepted, L-3 granted and certified
/// (finished), L-4 on version 2019.2, and L-5 accepted only on 03-20, late.
fn list_store() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let newer = directory.path().join("licence-2019.2.yaml");
    let text = std::fs::read_to_string(LICENCE).unwrap().replace("version: \"2019.1\"", "version: \"2019.2\"");
    std::fs::write(&newer, text).unwrap();
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let steps: [&[&str]; 10] = [
        &["case", "new", "administrative-license", "--number", "L-1", "--at", "2026-03-02"],
        &["case", "act", "L-1", "accept", "--role", "officer", "--at", "2026-03-03"],
        &["case", "new", "administrative-license", "--number", "L-2", "--at", "2026-03-05"],
        &["case", "new", "administrative-license", "--number", "L-3", "--at", "2026-03-09"],
        &["case", "act", "L-3", "accept", "--role", "officer", "--at", "2026-03-09"],
        &["case", "act", "L-3", "grant", "--role", "head", "--at", "2026-03-10"],
        &["case", "act", "L-3", "issue_certificate", "--role", "officer", "--at", "2026-03-11"],
        &["case", "new", "administrative-license", "--number", "L-5", "--at", "2026-03-02"],
        &["case", "act", "L-5", "accept", "--role", "officer", "--at", "2026-03-20"],
        &["workflow", "deploy", newer.to_str().unwrap()],
    ];
    for step in steps {
        let actor: &[&str] = if step[0] == "case" { &["--actor", "窗口"] } else { &[] };
        let output = run(&db, &[step, actor].concat());
        assert_eq!(output.code, 0, "{step:?}: {}", output.stderr);
    }
    let opened = run(
        &db,
        &["case", "new", "administrative-license", "--number", "L-4", "--at", "2026-03-09", "--actor", "窗口"],
    );
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    (directory, db)
}

fn listed(db: &Path, filters: &[&str]) -> Vec<String> {
    let output = run(db, &[&["case", "list", "--format", "json"][..], filters].concat());
    assert_eq!(output.code, 0, "{filters:?}: {}", output.stderr);
    let rows: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    rows.as_array().unwrap().iter().map(|row| row["number"].as_str().unwrap().to_owned()).collect()
}

/// Issue 24, item 9: `case list` shows each case's workflow version and filters by workflow,
/// version, state (a compound state names the states inside it), warning level as of a date
/// (a case with events after the date judged as of it), opening dates and finish, and pages.
#[test]
fn list_filters_and_pages() {
    let (_directory, db) = list_store();
    assert_eq!(listed(&db, &[]), ["L-1", "L-2", "L-3", "L-4", "L-5"]);
    let rows: serde_json::Value =
        serde_json::from_str(&run(&db, &["case", "list", "--format", "json", "--version", "2019.2"]).stdout).unwrap();
    assert_eq!((rows[0]["number"].as_str(), rows[0]["version"].as_str()), (Some("L-4"), Some("2019.2")));
    let cases: [(&[&str], &[&str]); 14] = [
        (&["--workflow", "administrative-license", "--version", "2019.1"], &["L-1", "L-2", "L-3", "L-5"]),
        (&["--workflow", "another"], &[]),
        (&["--state", "intake"], &["L-2", "L-4"]),
        (&["--state", "received", "--version", "2019.2"], &["L-4"]),
        (&["--state", "deciding"], &["L-1", "L-5"]),
        (&["--level", "yellow", "--as-of", "2026-03-20"], &["L-1", "L-2", "L-4"]),
        (&["--level", "red", "--as-of", "2026-03-20"], &["L-2", "L-4"]),
        (&["--level", "red", "--as-of", "2026-03-04"], &[]),
        // L-5's last event (03-20) is after the date: judged from its history as of 03-13, when
        // its acceptance was past its limit (the store's rows say what holds after 03-20).
        (&["--level", "red", "--as-of", "2026-03-13"], &["L-2", "L-5"]),
        (&["--opened-from", "2026-03-05", "--opened-to", "2026-03-09"], &["L-2", "L-3", "L-4"]),
        (&["--finished"], &["L-3"]),
        (&["--open", "--state", "intake", "--level", "red", "--as-of", "2026-03-31"], &["L-2", "L-4"]),
        (&["--limit", "2", "--offset", "3"], &["L-4", "L-5"]),
        (&["--limit", "2", "--after", "L-2"], &["L-3", "L-4"]),
    ];
    for (filters, expected) in cases {
        assert_eq!(listed(&db, filters), expected, "{filters:?}");
    }
    let page = run(&db, &["case", "list", "--limit", "2", "--format", "csv"]);
    let last_id = page.stdout.lines().nth(2).unwrap().rsplit(',').next().unwrap().to_owned();
    assert!(page.stderr.contains(&format!("2 cases (a full page; the next: --after {last_id})")), "{}", page.stderr);
    assert_eq!(listed(&db, &["--limit", "2", "--after", &last_id]), ["L-3", "L-4"]);
    let one = run(&db, &["case", "list", "--finished"]);
    assert!(one.stderr.trim_end().ends_with("1 case"), "{}", one.stderr);
    assert!(one.stdout.contains("2019.1"), "{}", one.stdout);

    let refusals: [(&[&str], &str); 5] = [
        (&["--state", "decidng"], "no state `decidng` in the deployed workflows; did you mean `deciding`?"),
        (&["--after", "L-404"], "no case `L-404`"),
        (&["--open", "--finished"], "cannot be used with"),
        (&["--opened-from", "2026-03-09", "--opened-to", "2026-03-01"], "is after --opened-to"),
        (&["--level", "orange"], "invalid value 'orange'"),
    ];
    for (filters, message) in refusals {
        let output = run(&db, &[&["case", "list"][..], filters].concat());
        assert_eq!(output.code, 2, "{filters:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{filters:?}: {}", output.stderr);
    }
}

/// Issue 24, item 13: `--help` describes every argument of every `case` subcommand.
#[test]
fn help_describes_every_argument_of_every_case_subcommand() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    for subcommand in ["new", "act", "note", "set", "show", "history", "timing", "list"] {
        let help = run(&db, &["case", subcommand, "--help"]);
        assert_eq!(help.code, 0, "{}", help.stderr);
        let undescribed = crate::test::undescribed_arguments(&help.stdout);
        assert!(undescribed.is_empty(), "case {subcommand}: {undescribed:?} undescribed in\n{}", help.stdout);
    }
}

/// A clock's limit taken from the case's attribute follows the attribute: set at opening, changed
/// later, it moves the due date in the timing and in the watch list.
#[test]
fn a_limit_set_per_case_follows_its_attribute() {
    let workflow = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/logs/per-case-limits.yaml");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let run = |args: &[&str]| crate::test::run_on(&db, args);
    assert_eq!(run(&["workflow", "deploy", workflow]).code, 0);
    let opened = run(&[
        "case",
        "new",
        "per-case",
        "--number",
        "P1",
        "--attr",
        "decision_days=10",
        "--at",
        "2026-03-02T09:00:00+08:00",
    ]);
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(run(&["case", "act", "P1", "accept", "--role", "officer", "--at", "2026-03-03T09:00:00+08:00"]).code, 0);
    let decision = |output: &str| -> serde_json::Value {
        let timing: serde_json::Value = serde_json::from_str(output).unwrap();
        timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap().clone()
    };
    let before = run(&["case", "timing", "P1", "--as-of", "2026-03-10", "--format", "json"]);
    let clock = decision(&before.stdout);
    assert_eq!((clock["limit"].as_str(), clock["due_date"].as_str()), (Some("10 cd"), Some("2026-03-13")), "{clock}");
    let set = run(&["case", "set", "P1", "decision_days=5", "--role", "officer", "--at", "2026-03-10T10:00:00+08:00"]);
    assert_eq!(set.code, 0, "{}", set.stderr);
    let after = run(&["case", "timing", "P1", "--as-of", "2026-03-10", "--format", "json"]);
    let clock = decision(&after.stdout);
    assert_eq!((clock["limit"].as_str(), clock["status"].as_str()), (Some("5 cd"), Some("breached")), "{clock}");
    let watch = run(&["watch", "--format", "json"]);
    assert!(watch.stdout.contains("\"5 cd\""), "{}", watch.stdout);
    assert_eq!(run(&["verify"]).code, 0);
}
