//! Output never hands a terminal raw control or bidirectional characters from user data
//! (issue 23, item 12): tables, CSV and messages show them escaped (`\u{1b}`), JSON as `\uXXXX`
//! escapes that decode to the same text. Actors, notes and attribute values are free text and
//! are stored as given; case numbers are checked when a case is opened.

use std::path::PathBuf;

use crate::test::{Test, run_on as run};

const LICENCE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));

/// An actor and a text attribute with an ESC colour sequence, a C1 CSI and a bidi override.
const ACTOR: &str = "窗口\x1b[31m甲\u{202E}乙";
const REMARK: &str = "红\x1b[0m\u{9b}2J\u{2066}x";

/// Characters that must not reach stdout or stderr raw.
const RAW: [char; 4] = ['\x1b', '\u{9b}', '\u{202E}', '\u{2066}'];

/// A store with the licence (with a `remark` text attribute) and case `L-1` opened by `ACTOR`.
fn store() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let workflow = directory.path().join("licence.yaml");
    let text = LICENCE.replace("attributes:\n", "attributes:\n  remark: {type: text}\n");
    std::fs::write(&workflow, text).unwrap();
    assert_eq!(run(&db, &["workflow", "deploy", workflow.to_str().unwrap()]).code, 0);
    let remark = format!("remark={REMARK}");
    let args = ["case", "new", "administrative-license", "--number", "L-1", "--at", "2026-03-02"];
    let opened = run(&db, &[&args[..], &["--actor", ACTOR, "--attr", &remark]].concat());
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    (directory, db)
}

fn assert_no_raw(text: &str) {
    assert!(!text.contains(RAW), "raw control or bidi character in {text:?}");
}

#[test]
fn tables_and_csv_show_control_and_bidi_characters_escaped() {
    let (_directory, db) = store();
    for format in ["table", "csv"] {
        let history = run(&db, &["case", "history", "L-1", "--format", format]);
        assert_eq!(history.code, 0, "{}", history.stderr);
        assert_no_raw(&history.stdout);
        assert!(history.stdout.contains("窗口\\u{1b}[31m甲\\u{202e}乙"), "{format}: {}", history.stdout);
        let shown = run(&db, &["case", "show", "L-1", "--format", format]);
        assert_eq!(shown.code, 0, "{}", shown.stderr);
        assert_no_raw(&shown.stdout);
        // The attributes are one object: `name=value` pairs in a table, compact JSON in CSV.
        let remark =
            if format == "table" { "红\\u{1b}[0m\\u{9b}2J\\u{2066}x" } else { "红\\u001b[0m\\u009b2J\\u2066x" };
        assert!(shown.stdout.contains(remark), "{format}: {}", shown.stdout);
    }
    for args in [
        &["case", "list"][..],
        &["case", "timing", "L-1", "--as-of", "2026-03-20"],
        &["watch", "--as-of", "2026-03-31"],
    ] {
        let output = run(&db, args);
        assert_eq!(output.code, 0, "{args:?}: {}", output.stderr);
        assert_no_raw(&output.stdout);
    }
}

/// serde_json escapes C0 controls itself; C1 controls and bidi characters are written as
/// `\uXXXX` too, and the document still reads back as the text stored.
#[test]
fn json_escapes_c1_and_bidi_characters_and_reads_back_the_same() {
    let (_directory, db) = store();
    let history = run(&db, &["case", "history", "L-1", "--format", "json"]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert_no_raw(&history.stdout);
    assert!(history.stdout.contains("\\u202e") && history.stdout.contains("\\u009b"), "{}", history.stdout);
    let events: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert_eq!(events[0]["actor"], ACTOR);
    let shown = run(&db, &["case", "show", "L-1", "--format", "json"]);
    assert_no_raw(&shown.stdout);
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    // A text value is stored as its literal, quoted.
    assert_eq!(shown["attributes"]["remark"], format!("'{REMARK}'"));
}

#[test]
fn error_messages_show_user_text_escaped() {
    let (_directory, db) = store();
    let unknown = run(&db, &["case", "show", "L\x1b[2J\u{202E}"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert_no_raw(&unknown.stderr);
    assert!(unknown.stderr.contains("no case `L\\u{1b}[2J\\u{202e}`"), "{}", unknown.stderr);
    let refused = run(&db, &["case", "act", "L-1", "accept\x1b[31m", "--role", "officer", "--at", "2026-03-03"]);
    assert_ne!(refused.code, 0);
    assert_no_raw(&refused.stderr);
    assert!(refused.stderr.contains("accept\\u{1b}[31m"), "{}", refused.stderr);
    // clap's own message quotes the value it refused.
    let usage = run(&db, &["case", "list", "--format", "x\x1b[31m\u{202E}"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert_no_raw(&usage.stderr);
    assert!(usage.stderr.contains("\\u{202e}"), "{}", usage.stderr);
    let missing = run(&db, &["verify", "--heads", "heads\x1b[31m.csv"]);
    assert_eq!(missing.code, 2);
    assert_no_raw(&missing.stderr);
    assert!(missing.stderr.contains("heads\\u{1b}[31m.csv"), "{}", missing.stderr);
}

/// A case number must print as what it is and never read as a case id.
#[test]
fn case_numbers_are_refused_when_they_cannot_be_shown_or_read_as_an_id() {
    let (_directory, db) = store();
    let args = ["case", "new", "administrative-license", "--at", "2026-03-02", "--number"];
    let cases = [
        ("L\x1b[2J", "case number `L\\u{1b}[2J` has the control character U+001B at character 2"),
        ("L-2\u{202E}", "case number `L-2\\u{202e}` has the bidirectional formatting character U+202E at character 4"),
        ("   ", "is only whitespace"),
        ("", "is empty"),
        ("0190a5c4-7c1e-7000-8000-000000000000", "has the form of a UUID"),
    ];
    let before = run(&db, &["case", "list", "--format", "json"]).stdout;
    for (number, message) in cases {
        let output = run(&db, &[&args[..], &[number]].concat());
        assert_eq!(output.code, 2, "{number:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{number:?}: {}", output.stderr);
        assert_no_raw(&output.stderr);
    }
    let long = "号".repeat(129);
    let output = run(&db, &[&args[..], &[long.as_str()]].concat());
    assert!(output.stderr.contains("has 129 characters, more than 128"), "{}", output.stderr);
    assert_eq!(run(&db, &["case", "list", "--format", "json"]).stdout, before);
}

/// A file's own text quoted in a diagnostic (its source lines) is escaped too.
#[test]
fn a_diagnostic_quoting_a_file_shows_its_control_characters_escaped() {
    let test = Test::new();
    // A raw ESC is no YAML at all (the parser names it); YAML's own escapes (`\e`, `\u202E`)
    // put the same characters into a name that a problem then quotes.
    let raw = test
        .file("raw.yaml", &LICENCE.replace("title: 行政许可（一般程序，行政许可法）", "title: \"行政\x1b[31m许可\""));
    let output = test.args(["workflow", "validate", raw.to_str().unwrap()]).run();
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_no_raw(&output.stderr);
    assert!(output.stderr.contains("unexpected character: `\\u{1b}'"), "{}", output.stderr);
    let text = LICENCE
        .replace("version: \"2019.1\"", "version: \"2019.1\"\nbogus: 1")
        .replace("to: granted, by: head}", "to: granted, by: \"he\\e[31mad\\u202E\"}");
    let test = Test::new();
    let file = test.file("licence.yaml", &text);
    let output = test.args(["workflow", "validate", file.to_str().unwrap()]).run();
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("bogus"), "{}", output.stderr);
    assert_no_raw(&output.stderr);
    assert!(output.stderr.contains("he\\u{1b}[31mad\\u{202e}"), "{}", output.stderr);
}
