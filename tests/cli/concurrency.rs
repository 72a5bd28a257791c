//! Several real processes on one store at once, as a busy office runs them: first use of a new
//! store, automatic case numbers, the same idempotency key retried concurrently, and `verify` and
//! `check` while writers append. Also a store that can only be read.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

pub(crate) fn renewflow(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_renewflow"));
    command.args(args).arg("--db").arg(db).env("NO_COLOR", "1").env_remove("RENEWFLOW_DB").env_remove("RUST_LOG");
    command.env_remove("RENEWFLOW_BEYOND_DATA").env_remove("RENEWFLOW_CALENDAR");
    // The actor defaults to the operating-system user: the same one whoever runs the tests.
    command.env("USER", "tester");
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

pub(crate) fn ok(db: &Path, args: &[&str]) -> String {
    let output = renewflow(db, args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Starts `count` processes as close together as spawning allows and waits for them all.
fn at_once(count: usize, mut make: impl FnMut(usize) -> Command) -> Vec<Output> {
    let children: Vec<Child> = (0..count).map(|index| make(index).spawn().unwrap()).collect();
    children.into_iter().map(|child| child.wait_with_output().unwrap()).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}: {}", text(&output.stdout)))
}

/// A store with the licence deployed and `count` accepted cases `R-0`, `R-1`, … (at version 2;
/// in a hearing loop from then on: `order_hearing`, `close_hearing`, …).
pub(crate) fn store(count: usize) -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    ok(&db, &["workflow", "deploy", LICENCE]);
    for index in 0..count {
        let number = format!("R-{index}");
        ok(&db, &["case", "new", "administrative-license", "--number", &number, "--at", "2026-03-02"]);
        ok(&db, &["case", "act", &number, "accept", "--role", "officer", "--at", "2026-03-03"]);
    }
    (directory, db)
}

#[test]
fn twelve_processes_using_a_new_store_at_once_all_succeed() {
    for round in 0..4 {
        let directory = tempfile::tempdir().unwrap();
        let db = directory.path().join("new.db");
        let outputs = at_once(12, |_| renewflow(&db, &["workflow", "deploy", LICENCE]));
        for output in &outputs {
            assert!(output.status.success(), "round {round}: {}", text(&output.stderr));
        }
        ok(&db, &["verify"]);
    }
}

#[test]
fn concurrent_openings_without_a_number_get_distinct_numbers_past_a_chosen_one() {
    let (_directory, db) = store(0);
    ok(&db, &["case", "new", "administrative-license", "--number", "2026-00002", "--at", "2026-03-02"]);
    let outputs = at_once(8, |_| {
        renewflow(&db, &["case", "new", "administrative-license", "--at", "2026-03-02", "--format", "json"])
    });
    let mut numbers: Vec<String> = outputs
        .iter()
        .map(|output| {
            assert!(output.status.success(), "{}", text(&output.stderr));
            json(output)["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = [1, 3, 4, 5, 6, 7, 8, 9].iter().map(|n| format!("2026-{n:05}")).collect();
    assert_eq!(numbers, expected);
    let next = renewflow(&db, &["case", "new", "administrative-license", "--at", "2026-03-02", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json(&next)["number"], "2026-00010");
    ok(&db, &["verify"]);
}

#[test]
fn the_same_key_retried_concurrently_gets_one_answer() {
    let (_directory, db) = store(3);
    for round in 0..3 {
        let number = format!("R-{round}");
        let key = format!("hearing-{round}");
        let outputs = at_once(8, |_| {
            renewflow(
                &db,
                &[
                    "case",
                    "act",
                    &number,
                    "order_hearing",
                    "--role",
                    "officer",
                    "--at",
                    "2026-03-04",
                    "--expect-version",
                    "2",
                    "--idempotency-key",
                    &key,
                    "--format",
                    "json",
                ],
            )
        });
        let answers: Vec<serde_json::Value> = outputs
            .iter()
            .map(|output| {
                assert!(output.status.success(), "round {round}: {}", text(&output.stderr));
                json(output)
            })
            .collect();
        let fresh = answers.iter().filter(|answer| answer["replayed"] == false).count();
        assert_eq!(fresh, 1, "round {round}: one process recorded it, the others were answered");
        for answer in &answers {
            assert_eq!((&answer["version"], &answer["events"]), (&answers[0]["version"], &answers[0]["events"]));
        }
        let history = ok(&db, &["case", "history", &number, "--format", "json"]);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&history).unwrap().as_array().unwrap().len(), 3);
    }
    // Openings too: one case, one number, every process told the same.
    let outputs = at_once(8, |_| {
        renewflow(
            &db,
            &[
                "case",
                "new",
                "administrative-license",
                "--at",
                "2026-03-05",
                "--idempotency-key",
                "open-once",
                "--format",
                "json",
            ],
        )
    });
    let numbers: Vec<String> = outputs
        .iter()
        .map(|output| {
            assert!(output.status.success(), "{}", text(&output.stderr));
            json(output)["number"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(numbers.iter().all(|number| number == &numbers[0]), "{numbers:?}");
    let listed = ok(&db, &["case", "list", "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&listed).unwrap().as_array().unwrap().len(), 4);
    ok(&db, &["verify"]);
}

#[test]
fn a_key_sent_again_with_another_request_is_refused() {
    let (_directory, db) = store(2);
    let act = |number: &str, action: &str| {
        renewflow(
            &db,
            &["case", "act", number, action, "--role", "officer", "--at", "2026-03-04", "--idempotency-key", "k"],
        )
        .output()
        .unwrap()
    };
    assert!(act("R-0", "order_hearing").status.success());
    for (number, action) in [("R-1", "order_hearing"), ("R-0", "close_hearing")] {
        let refused = act(number, action);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
        let stderr = text(&refused.stderr);
        assert!(stderr.contains("idempotency key `k` was first used for action `order_hearing`"), "{stderr}");
    }
    let history = ok(&db, &["case", "history", "R-1", "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&history).unwrap().as_array().unwrap().len(), 2);
}

#[test]
fn verify_and_check_while_writers_append_report_no_damage() {
    let (_directory, db) = store(4);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut appended = 0;
            while !stop.load(Ordering::Relaxed) {
                for index in 0..4 {
                    let number = format!("R-{index}");
                    let action = if appended / 4 % 2 == 0 { "order_hearing" } else { "close_hearing" };
                    ok(&db, &["case", "act", &number, action, "--role", "officer", "--at", "2026-03-04"]);
                }
                appended += 4;
            }
            appended
        });
        for run in 0..25 {
            for command in ["verify", "check"] {
                let output = renewflow(&db, &[command]).output().unwrap();
                assert!(
                    output.status.success(),
                    "{command} run {run} during writes: {}{}",
                    text(&output.stdout),
                    text(&output.stderr)
                );
            }
        }
        stop.store(true, Ordering::Relaxed);
        let appended = writer.join().unwrap();
        assert!(appended >= 8, "the writer appended {appended} events: nothing ran at the same time");
    });
}

/// The effective user id, from `/proc` (root ignores file modes, so the read-only test runs the
/// binary as `nobody` then).
fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// `renewflow ARGS --db DB` as a user who cannot write `db` or its directory.
fn as_reader(db: &Path, args: &[&str]) -> Output {
    let mut command = if effective_uid() == 0 {
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_renewflow")]);
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_renewflow"))
    };
    command.args(args).arg("--db").arg(db).env("NO_COLOR", "1").env_remove("RENEWFLOW_DB");
    command.env_remove("RENEWFLOW_BEYOND_DATA").current_dir("/");
    command.output().unwrap()
}

#[test]
fn a_store_on_a_read_only_file_and_directory_can_be_read_but_not_written() {
    use std::os::unix::fs::PermissionsExt as _;
    let (directory, db) = store(2);
    // An archived copy: the database alone (no write-ahead log), its file and directory read-only.
    let archive = directory.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    let copy = archive.join("cases.db");
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection.execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
    drop(connection);
    // In WAL mode like a live store, so SQLite needs a shared-memory file it cannot make here.
    let archived = rusqlite::Connection::open(&copy).unwrap();
    let journal: String = archived.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).unwrap();
    assert_eq!(journal, "wal");
    drop(archived);
    let mode = |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    mode(directory.path(), 0o755);
    mode(&copy, 0o444);
    mode(&archive, 0o555);
    for args in [
        &["verify"][..],
        &["check"],
        &["case", "list"],
        &["case", "show", "R-0"],
        &["case", "history", "R-0"],
        &["case", "timing", "R-0", "--as-of", "2026-03-20"],
        &["watch", "--as-of", "2026-06-01"],
        &["calendar", "installed"],
    ] {
        let output = as_reader(&copy, args);
        assert!(output.status.success(), "{args:?}: {}", text(&output.stderr));
    }
    let listed = as_reader(&copy, &["case", "list", "--format", "json"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&listed.stdout).unwrap().as_array().unwrap().len(), 2);
    let act = as_reader(&copy, &["case", "act", "R-0", "order_hearing", "--role", "officer", "--at", "2026-03-04"]);
    assert_eq!(act.status.code(), Some(2));
    assert!(text(&act.stderr).contains("is read-only"), "{}", text(&act.stderr));
    let names: Vec<String> =
        std::fs::read_dir(&archive).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into()).collect();
    assert_eq!(names, ["cases.db"], "nothing was created beside it");
    mode(&archive, 0o755);
}

#[test]
fn a_command_that_only_reads_never_creates_a_store() {
    let directory = tempfile::tempdir().unwrap();
    let typo = directory.path().join("typo.db");
    for args in [&["case", "list"][..], &["watch"], &["verify"], &["check"]] {
        let output = renewflow(&typo, args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("there is no case store at") && stderr.contains("typo.db"), "{stderr}");
        assert!(!typo.exists(), "{args:?} created the file");
    }
}

#[test]
fn a_postgresql_address_is_refused_by_name_and_never_taken_for_a_file() {
    let directory = tempfile::tempdir().unwrap();
    let url = "postgresql://app:s3cret@db.internal/cases";
    let licence = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
    for args in [&["case", "list"][..], &["workflow", "deploy", licence]] {
        let output = renewflow(std::path::Path::new(url), args).current_dir(directory.path()).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("names a PostgreSQL database") && stderr.contains("app:***@db.internal"), "{stderr}");
        assert!(!stderr.contains("s3cret"), "the password is never shown: {stderr}");
        assert_eq!(std::fs::read_dir(directory.path()).unwrap().count(), 0, "{args:?} created nothing");
    }
}
