//! `renewflow export`: the store's histories as an event log in the process-mining conventions,
//! which `renewflow audit` replays to the same timing the store reports (issue 24, item 12).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::test::run_on as run;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

const AS_OF: &str = "2026-04-30";

/// Four licence cases: X-1 through a hearing (a pause), an extension and a grant to its end;
/// X-2 sent back for 补正 and resubmitted (a restart); X-3 made a joint case by `case set`
/// before its acceptance (so its guard reads the changed value) and noted; X-4 never accepted.
fn store() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let steps: [&[&str]; 16] = [
        &[
            "case",
            "new",
            "administrative-license",
            "--number",
            "X-1",
            "--at",
            "2026-03-02",
            "--attr",
            "joint_handling=false",
        ],
        &["case", "act", "X-1", "accept", "--role", "officer", "--at", "2026-03-03T10:00"],
        &["case", "act", "X-1", "order_hearing", "--role", "officer", "--at", "2026-03-05"],
        &["case", "act", "X-1", "close_hearing", "--role", "officer", "--at", "2026-03-19"],
        &["case", "act", "X-1", "extend_decision", "--role", "head", "--at", "2026-03-20"],
        &["case", "act", "X-1", "grant", "--role", "head", "--at", "2026-04-10"],
        &["case", "act", "X-1", "issue_certificate", "--role", "officer", "--at", "2026-04-13"],
        &["case", "new", "administrative-license", "--number", "X-2", "--at", "2026-03-05"],
        &["case", "act", "X-2", "request_correction", "--role", "officer", "--at", "2026-03-06"],
        &["case", "act", "X-2", "resubmit", "--role", "applicant", "--at", "2026-03-12"],
        &["case", "act", "X-2", "accept", "--role", "officer", "--at", "2026-03-13"],
        &[
            "case",
            "new",
            "administrative-license",
            "--number",
            "X-3",
            "--at",
            "2026-03-09",
            "--attr",
            "joint_handling=false",
        ],
        &["case", "set", "X-3", "joint_handling=true", "--role", "officer", "--at", "2026-03-10T09:00"],
        &["case", "note", "X-3", "联合办理, 材料齐全", "--role", "officer", "--at", "2026-03-10T09:30"],
        &["case", "act", "X-3", "accept", "--role", "officer", "--at", "2026-03-10T10:00"],
        &["case", "new", "administrative-license", "--number", "X-4", "--at", "2026-03-09"],
    ];
    for step in steps {
        let output = run(&db, &[step, &["--actor", "窗口"]].concat());
        assert_eq!(output.code, 0, "{step:?}: {}", output.stderr);
    }
    (directory, db)
}

/// Each case's clocks that started, with their elapsed days, as `case timing` counts them.
fn store_timing(db: &Path, numbers: &[&str]) -> BTreeMap<String, BTreeMap<String, i64>> {
    numbers
        .iter()
        .map(|number| {
            let output = run(db, &["case", "timing", number, "--as-of", AS_OF, "--format", "json"]);
            assert_eq!(output.code, 0, "{}", output.stderr);
            let timing: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
            let clocks = timing["clocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|clock| (clock["clock"].as_str().unwrap().to_owned(), clock["elapsed"].as_i64().unwrap()));
            ((*number).to_owned(), clocks.collect())
        })
        .collect()
}

/// The same figures from `renewflow audit` of a log, and the codes of its findings.
fn audit_timing(db: &Path, log: &Path) -> (BTreeMap<String, BTreeMap<String, i64>>, Vec<String>) {
    let args = ["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--as-of", AS_OF, "--format", "json"];
    let output = run(db, &args);
    assert!(output.code <= 1, "{}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let cases = report["cases"].as_array().unwrap().iter().map(|case| {
        let clocks = case["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|clock| (clock["clock"].as_str().unwrap().to_owned(), clock["elapsed"].as_i64().unwrap()));
        (case["case_id"].as_str().unwrap().to_owned(), clocks.collect())
    });
    let codes =
        report["findings"].as_array().unwrap().iter().map(|finding| finding["code"].as_str().unwrap().to_owned());
    (cases.collect(), codes.collect())
}

/// The round trip: export the store's cases, audit the export against the same workflow, and
/// the working days elapsed on every clock are `case timing`'s; the log replays without a
/// finding that would mean a step was misread (only the timing codes: unfinished, breached).
#[test]
fn an_exported_store_audits_to_the_timing_the_store_reports() {
    let (directory, db) = store();
    let expected = store_timing(&db, &["X-1", "X-2", "X-3", "X-4"]);
    assert!(expected["X-3"].contains_key("joint_decision"), "X-3 was accepted as a joint case: {expected:?}");
    for (format, name) in [("csv", "cases.csv"), ("jsonl", "cases.jsonl"), ("xes", "cases.xes")] {
        let log = directory.path().join(name);
        let exported = run(&db, &["export", "--format", format, "--output", log.to_str().unwrap()]);
        assert_eq!(exported.code, 0, "{format}: {}", exported.stderr);
        assert!(exported.stderr.contains("exported 4 cases (14 events)"), "{format}: {}", exported.stderr);
        let (audited, codes) = audit_timing(&db, &log);
        assert_eq!(audited, expected, "{format}");
        assert!(
            codes.iter().all(|code| ["AUD005", "AUD006", "AUD007"].contains(&code.as_str())),
            "{format}: {codes:?}"
        );
    }
}

#[test]
fn the_log_uses_the_process_mining_columns_and_carries_attribute_changes() {
    let (_directory, db) = store();
    let csv = run(&db, &["export", "--workflow", "administrative-license@2019.1"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let mut lines = csv.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("case:concept:name,case:workflow,concept:name,time:timestamp,org:role,org:resource,case:joint_handling")
    );
    let x3: Vec<&str> = lines.filter(|line| line.starts_with("X-3,")).collect();
    assert_eq!(
        x3,
        [
            "X-3,administrative-license@2019.1,intake,2026-03-09T09:00:00+08:00,,窗口,false",
            "X-3,administrative-license@2019.1,accept,2026-03-10T10:00:00+08:00,officer,窗口,true",
        ]
    );
    let jsonl = run(&db, &["export", "--format", "jsonl", "--workflow", "administrative-license"]);
    let first: serde_json::Value = serde_json::from_str(jsonl.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["case:concept:name"], "X-1");
    assert_eq!(first["concept:name"], "intake");
    assert_eq!(first["org:resource"], "窗口");
    let xes = run(&db, &["export", "--format", "xes"]);
    assert!(xes.stdout.contains("<string key=\"concept:name\" value=\"X-3\"/>"), "{}", xes.stdout);
    assert!(xes.stdout.contains("<boolean key=\"joint_handling\" value=\"true\"/>"), "{}", xes.stdout);
    assert!(xes.stdout.trim_end().ends_with("</log>"), "{}", xes.stdout);
}

#[test]
fn an_unknown_workflow_or_format_is_refused_and_nothing_is_written() {
    let (directory, db) = store();
    let log = directory.path().join("cases.csv");
    std::fs::write(&log, "kept\n").unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--workflow", "licence"], "workflow `licence` is not deployed"),
        (&["--workflow", "administrative-license@2020.1"], "version `2020.1` is not deployed"),
        (&["--format", "json"], "`export` cannot write `--format json`; use csv, jsonl, xes"),
    ];
    for (args, message) in cases {
        let output = run(&db, &[&["export", "--output", log.to_str().unwrap()][..], args].concat());
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{args:?}: {}", output.stderr);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "kept\n");
    }
    let missing = run(&directory.path().join("missing.db"), &["export"]);
    assert_eq!(missing.code, 2, "an export only reads: {}", missing.stderr);
    assert!(!directory.path().join("missing.db").exists());
}

#[test]
fn help_describes_every_argument_of_export() {
    let directory = tempfile::tempdir().unwrap();
    let help = run(&directory.path().join("cases.db"), &["export", "--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    let undescribed = crate::test::undescribed_arguments(&help.stdout);
    assert!(undescribed.is_empty(), "{undescribed:?} undescribed in\n{}", help.stdout);
}
