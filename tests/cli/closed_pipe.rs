//! Issue 24, item 13: a reader that closes the pipe early (`renewflow case list | head -1`)
//! ends the run quietly with exit 0, never a "Broken pipe" panic with exit 101.

use std::process::{Command, Stdio};

use crate::test::run_on as run;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

/// Runs the binary with its stdout a pipe whose read end is already closed, so its first write
/// fails with `EPIPE`, whatever the timing.
fn run_into_closed_pipe(args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(assert_cmd::cargo::cargo_bin("renewflow"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_closed_pipe_ends_case_and_export_commands_quietly() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let opened = run(
        &db,
        &["case", "new", "administrative-license", "--number", "L-1", "--at", "2026-03-02", "--actor", "窗口"],
    );
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let db = db.to_str().unwrap();
    for args in [
        &["case", "list"][..],
        &["case", "history", "L-1", "--format", "csv"],
        &["case", "show", "L-1", "--format", "json"],
        &["case", "timing", "L-1", "--as-of", "2026-03-04"],
        &["export"],
        &["export", "--format", "xes"],
        &["watch", "--as-of", "2026-03-04"],
        &["verify"],
        &["check"],
    ] {
        let (code, stderr) = run_into_closed_pipe(&[&["--db", db][..], args].concat());
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// Issue 25, item 15: an audit into a closed pipe ends quietly in every format.
#[test]
fn a_closed_pipe_ends_an_audit_quietly_in_every_format() {
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/histories/licence-findings.csv");
    for format in ["table", "json", "csv", "markdown"] {
        let (code, stderr) =
            run_into_closed_pipe(&["audit", log, "--workflow", LICENCE, "--as-of", "2026-11-20", "--format", format]);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{format}: {stderr}");
    }
}

/// Issue 25, item 15: the global `--output FILE` holds what stdout would get, for the store's
/// report commands too.
#[test]
fn report_commands_write_the_same_bytes_to_output() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    let opened = run(
        &db,
        &["case", "new", "administrative-license", "--number", "L-1", "--at", "2026-03-02", "--actor", "窗口"],
    );
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let file = directory.path().join("report.out");
    let out = file.to_str().unwrap();
    for args in [
        &["case", "list", "--format", "json"][..],
        &["watch", "--as-of", "2026-03-04", "--format", "csv"],
        &["case", "timing", "L-1", "--as-of", "2026-03-04"],
        &["verify", "--format", "json"],
    ] {
        let stdout = run(&db, args);
        let written = run(&db, &[args, &["--output", out]].concat());
        assert_eq!((written.code, written.stdout.as_str()), (stdout.code, ""), "{args:?}: {}", written.stderr);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout.stdout, "{args:?}");
    }
}
