//! `renewflow verify --export-heads FILE` and `--heads FILE` (issue 23, item 5): the export
//! replaces its file atomically, and a heads file is read whole or refused.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::test::run_on as run;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

/// A store with the licence deployed and `cases` cases imported from a log, in one run.
fn store(cases: usize) -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let log = directory.path().join("log.csv");
    let mut text = "case_id,activity,timestamp,org:role,joint_handling\n".to_owned();
    for index in 0..cases {
        let _ = writeln!(text, "XK-{index},received,2026-09-21 09:00:00,officer,false");
    }
    std::fs::write(&log, text).unwrap();
    let imported = run(&db, &["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--import"]);
    assert_eq!(imported.code, 1, "{}", imported.stderr);
    let created = if cases == 1 { "1 case created".to_owned() } else { format!("{cases} cases created") };
    assert!(imported.stdout.contains(&created), "{}", imported.stdout);
    std::fs::remove_file(&log).unwrap();
    (directory, db)
}

fn entries(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(directory).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// A write that fails half way (here: past the process's file size limit, as on a full disk)
/// leaves the previous heads file as it was, and no temporary file; the error names the file.
#[cfg(unix)]
#[test]
fn a_failed_export_leaves_the_previous_heads_file_intact() {
    let (directory, db) = store(1500);
    let heads = directory.path().join("heads.csv");
    let previous = "case_id,version,head_hash\nan earlier export\n";
    std::fs::write(&heads, previous).unwrap();
    let before = entries(directory.path());
    // 1500 heads are about 150 kB; `ulimit -f 100` allows 50 or 100 kB (512- or 1024-byte
    // blocks), more than SQLite needs to read the store. SIGXFSZ ignored: the write fails.
    let output = std::process::Command::new("sh")
        .args(["-c", "ulimit -f 100 && trap '' XFSZ && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_renewflow"))
        .args(["--db", db.to_str().unwrap(), "verify", "--export-heads", heads.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("writing `{}`", heads.display())), "{stderr}");
    assert_eq!(std::fs::read_to_string(&heads).unwrap(), previous);
    assert_eq!(entries(directory.path()), before);
    // Without the limit the same export replaces the file, and the heads check out.
    let exported = run(&db, &["verify", "--export-heads", heads.to_str().unwrap()]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert_eq!(std::fs::read_to_string(&heads).unwrap().lines().count(), 1501);
    let checked = run(&db, &["verify", "--heads", heads.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(
        checked.stderr.contains("every chain verifies (1500 cases; 1500 exported heads checked)"),
        "{}",
        checked.stderr
    );
}

/// The header is read only when it is there: without it the first line is a head, checked
/// like the others (it used to be skipped, so a wrong first head went unseen).
#[test]
fn a_heads_file_without_its_header_loses_no_head() {
    let (directory, db) = store(2);
    let heads = directory.path().join("heads.csv");
    assert_eq!(run(&db, &["verify", "--export-heads", heads.to_str().unwrap()]).code, 0);
    let exported = std::fs::read_to_string(&heads).unwrap();
    let body: Vec<&str> = exported.lines().skip(1).collect();
    assert_eq!(body.len(), 2);
    std::fs::write(&heads, body.join("\n")).unwrap();
    let checked = run(&db, &["verify", "--heads", heads.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(checked.stderr.contains("(2 cases; 2 exported heads checked)"), "{}", checked.stderr);
    // A first head that no longer matches is named.
    let (case_id, version, _) = {
        let fields: Vec<&str> = body[0].split(',').collect();
        (fields[0], fields[1], fields[2])
    };
    std::fs::write(&heads, format!("{case_id},{version},{}\n{}\n", "0".repeat(64), body[1])).unwrap();
    let checked = run(&db, &["verify", "--heads", heads.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    assert!(checked.stdout.contains("its hash is not the exported head"), "{}", checked.stdout);
    assert!(
        checked.stderr.contains("1 of 2 cases has a broken chain (2 exported heads checked)"),
        "{}",
        checked.stderr
    );
}

/// An empty or malformed heads file checks nothing, so it is refused (exit 2) naming the file
/// and the line, before anything is verified or exported.
#[test]
fn an_empty_or_malformed_heads_file_is_refused_naming_file_and_line() {
    let (directory, db) = store(1);
    let heads = directory.path().join("heads.csv");
    assert_eq!(run(&db, &["verify", "--export-heads", heads.to_str().unwrap()]).code, 0);
    let exported = std::fs::read_to_string(&heads).unwrap();
    let line = exported.lines().nth(1).unwrap().to_owned();
    let (case_id, hash) = (line.split(',').next().unwrap(), line.rsplit(',').next().unwrap());
    let bad = directory.path().join("bad.csv");
    let cases: [(String, &str); 7] = [
        (String::new(), "has no heads"),
        ("case_id,version,head_hash\n\n".to_owned(), "has no heads"),
        (
            format!("case_id,version,head_hash\n{case_id},1\n"),
            "line 2: expected `case_id,version,head_hash`, found 2 fields",
        ),
        (format!("{case_id},none,{hash}\n"), "line 1: version `none` is not a positive whole number"),
        (format!("{case_id},0,{hash}\n"), "line 1: version `0` is not a positive whole number"),
        (format!("\n{case_id},1,zz\n"), "line 2: head hash `zz` is not 64 lower-case hex digits"),
        (format!("{line}\n{line}\n"), "line 2: case `"),
    ];
    for (text, message) in cases {
        std::fs::write(&bad, &text).unwrap();
        let export = directory.path().join("export.csv");
        let args = ["verify", "--heads", bad.to_str().unwrap(), "--export-heads", export.to_str().unwrap()];
        let output = run(&db, &args);
        assert_eq!(output.code, 2, "{text:?}: {}", output.stderr);
        assert!(output.stderr.contains(&format!("chain heads `{}`", bad.display())), "{text:?}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{text:?}: {}", output.stderr);
        assert!(!export.exists(), "{text:?}: exported after a refused heads file");
    }
}
