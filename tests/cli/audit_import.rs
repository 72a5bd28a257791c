//! `renewflow audit LOG --import [--accept-findings]`: audited cases brought into a store, where
//! the open ones continue live on a hash chain that starts at their first imported event.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value as Json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/histories/");
const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

use crate::test::run_on as run;

/// Audits `log` into `db` with `--import` and the `extra` flags; the JSON report's `import`.
fn import(db: &Path, log: &str, extra: &[&str]) -> (i32, Json, String) {
    let mut args = vec!["audit", log, "--workflow", LICENCE, "--import", "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(db, &args);
    let report: Json = serde_json::from_str(&output.stdout).unwrap_or(Json::Null);
    (output.code, report["import"].clone(), output.stderr)
}

fn counts(import: &Json) -> [u64; 4] {
    ["imported", "with_findings", "skipped", "refused"].map(|field| import[field].as_u64().unwrap())
}

fn json(db: &Path, args: &[&str]) -> Json {
    let mut args = args.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let output = run(db, &args);
    assert_eq!(output.code, 0, "{args:?}: {}", output.stderr);
    serde_json::from_str(&output.stdout).unwrap()
}

#[test]
fn an_open_case_imported_from_a_log_continues_live() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let log = directory.path().join("open.csv");
    std::fs::write(
        &log,
        "case_id,activity,timestamp,org:role,joint_handling\n\
         XK-9,received,2026-09-21 09:00:00,officer,false\n\
         XK-9,accept,2026-09-22 10:00:00,officer,\n",
    )
    .unwrap();
    let log = log.to_str().unwrap();
    let (code, imported, stderr) = import(&db, log, &[]);
    // XK-9 has not finished by the log's last date: AUD005, a timing finding that leaves its
    // history as the log says, so it is imported clean.
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(counts(&imported), [1, 0, 0, 0], "{imported}");
    assert_eq!(imported["accept_findings"], false);
    assert_eq!(imported["as_of"], "2026-09-22");
    assert_eq!(imported["log_hash"].as_str().unwrap().len(), 64);
    let shown = json(&db, &["case", "show", "XK-9"]);
    assert_eq!(shown["events"], 2, "{shown}");
    assert_eq!(shown["active"], serde_json::json!(["deciding"]));
    assert_eq!(shown["imported"]["with_findings"], serde_json::json!([]));
    // The case goes on in the engine: granted after 中秋 and 国庆 2026 …
    let granted = run(&db, &["case", "act", "XK-9", "grant", "--role", "head", "--at", "2026-10-12T10:00"]);
    assert_eq!(granted.code, 0, "{}", granted.stderr);
    let timing = json(&db, &["case", "timing", "XK-9", "--as-of", "2026-10-12"]);
    let decision = timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    // … 09-22 → 10-12 without 09-25..27 and 10-01..07, with Saturday 10-10 worked: 9 wd.
    assert_eq!(decision["elapsed"], 9, "{decision}");
    // … on one hash chain from the first imported event.
    let verified = run(&db, &["verify"]);
    assert_eq!(verified.code, 0, "{}{}", verified.stdout, verified.stderr);
    assert_eq!(run(&db, &["check"]).code, 0);
    let history = json(&db, &["case", "history", "XK-9"]);
    assert_eq!(history.as_array().unwrap().len(), 3);
    // Importing the log again leaves the case as it now is.
    let (code, again, stderr) = import(&db, log, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(counts(&again), [0, 0, 1, 0], "{again}");
    assert_eq!(json(&db, &["case", "show", "XK-9"])["events"], 3);
}

#[test]
fn cases_whose_history_the_audit_changed_come_only_when_accepted_and_marked() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let log = format!("{DATA}licence-findings.csv");
    // F1 (AUD001 AUD002 AUD003 AUD004), F2 (AUD002), F3 (AUD009), F6 (AUD011); F4 and F5 have no
    // readable row to replay. Without --accept-findings every replayed case is left out.
    let (code, refused, stderr) = import(&db, &log, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(counts(&refused), [0, 0, 0, 4], "{refused}");
    assert!(json(&db, &["case", "list"]).as_array().unwrap().is_empty());
    let (code, accepted, stderr) = import(&db, &log, &["--accept-findings"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(counts(&accepted), [4, 4, 0, 0], "{accepted}");
    let marks = |number: &str| json(&db, &["case", "show", number])["imported"]["with_findings"].clone();
    assert_eq!(marks("F1"), serde_json::json!(["AUD001", "AUD002", "AUD003", "AUD004"]));
    assert_eq!(marks("F3"), serde_json::json!(["AUD009"]));
    // F1 as replayed: opened, accepted (by `officer`, as the workflow permits), granted at the
    // instant of the row before (AUD004), certificate issued; the unknown and late rows are out.
    let history = json(&db, &["case", "history", "F1"]);
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|event| event["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 5, "{history}");
    assert_eq!(run(&db, &["verify"]).code, 0);
    assert_eq!(run(&db, &["check"]).code, 0);
    let imports = run(&db, &["audit", &log, "--workflow", LICENCE, "--import", "--accept-findings"]);
    assert!(imports.stdout.contains("0 cases created"), "{}", imports.stdout);
    assert!(imports.stdout.contains("4 already in the store"), "{}", imports.stdout);
}

#[test]
fn an_import_refused_for_its_options_writes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let log = format!("{DATA}licence-clean.csv");
    // An earlier audit date would cut histories short.
    let cut = run(&db, &["audit", &log, "--workflow", LICENCE, "--import", "--as-of", "2026-03-01"]);
    assert_eq!(cut.code, 2, "{}", cut.stderr);
    assert!(cut.stderr.contains("nothing imported: 4 rows are after --as-of 2026-03-01"), "{}", cut.stderr);
    assert!(!db.exists() || json(&db, &["case", "list"]).as_array().unwrap().is_empty());
    let without_import = run(&db, &["audit", &log, "--workflow", LICENCE, "--accept-findings"]);
    assert_eq!(without_import.code, 2);
    assert!(without_import.stderr.contains("--import"), "{}", without_import.stderr);
    // The clean log imports whole, with the audit's own figures.
    let (code, imported, stderr) = import(&db, &log, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(counts(&imported), [2, 0, 0, 0], "{imported}");
    let timing = json(&db, &["case", "timing", "XK-1", "--as-of", "2026-03-23"]);
    let decision = timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    assert_eq!(decision["elapsed"], 18, "{decision}");
}

/// Issue 23, item 12: a log's case id becomes a case number, so an id no number may be (an ESC
/// sequence, a bidirectional override, the form of a case id) leaves that case out, counted and
/// with its reason, and the rest of the log is imported.
#[test]
fn cases_whose_id_is_no_valid_case_number_are_left_out_with_their_reason() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let log = directory.path().join("numbers.csv");
    let ids = ["XK-1", "XK-\x1b[31m2", "XK-3\u{202E}", "0190a5c4-7c1e-7000-8000-000000000000"];
    let mut text = "case_id,activity,timestamp,org:role,joint_handling\n".to_owned();
    for id in ids {
        let _ = writeln!(text, "{id},received,2026-09-21 09:00:00,officer,false");
    }
    std::fs::write(&log, text).unwrap();
    let log = log.to_str().unwrap();
    let (code, imported, stderr) = import(&db, log, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(counts(&imported), [1, 0, 0, 3], "{imported}");
    let refused = &imported["refused_numbers"];
    assert_eq!(refused["count"], 3, "{imported}");
    let reasons: Vec<(&str, &str)> = refused["first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refused| (refused["number"].as_str().unwrap(), refused["reason"].as_str().unwrap()))
        .collect();
    assert!(reasons.contains(&("XK-\x1b[31m2", "has the control character U+001B at character 4")), "{reasons:?}");
    assert!(reasons.contains(&("XK-3\u{202E}", "has the bidirectional formatting character U+202E at character 5")));
    assert!(reasons.iter().any(|(number, reason)| number.starts_with("0190a5c4") && reason.contains("UUID")));
    let numbers: Vec<String> = json(&db, &["case", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(numbers, ["XK-1"]);
    // The text summary names them escaped, and says why they were left out.
    let again = run(&db, &["audit", log, "--workflow", LICENCE, "--import"]);
    assert!(again.stdout.contains("3 of them for a case id that is no valid case number"), "{}", again.stdout);
    assert!(again.stdout.contains("`XK-\\u{1b}[31m2` has the control character U+001B"), "{}", again.stdout);
    assert!(!again.stdout.contains(['\x1b', '\u{202E}']), "{}", again.stdout);
}
