//! Issue 23, item 10: files a user names are read only when they are regular files, never past
//! their byte limit, and `extends` stays in the directory of the file that names it unless
//! `--allow-extends-outside-directory` says otherwise. Each run is guarded (`guard.rs`): a read
//! of gigabytes or a hang fails the test instead of the machine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::guard::{Guarded, run_guarded};

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/scenarios/longgang-2016-vs-2017.yaml");

/// Generous: each of these runs takes well under a second.
const DEADLINE: Duration = Duration::from_secs(30);

fn run(directory: &Path, args: &[&str]) -> Guarded {
    run_guarded(directory, args, DEADLINE)
}

/// A reform of the licence whose `extends` is `target`.
fn reform(directory: &Path, name: &str, target: &str) -> PathBuf {
    let path = directory.join(name);
    let text = format!("extends: {target}\nversion: '2'\nreform:\n  title: 试点\n  drop_states: []\n");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn issue_23_dev_zero_is_refused_unread_wherever_a_file_is_named() {
    let directory = tempfile::tempdir().unwrap();
    let here = directory.path();
    let log = here.join("log.csv");
    std::fs::write(&log, "case_id,activity,timestamp\nA,accept,2026-03-02\n").unwrap();
    let log = log.to_str().unwrap();
    reform(here, "zero.yaml", "/dev/zero");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--allow-extends-outside-directory", "workflow", "validate", "zero.yaml"],
            "zero.yaml:1:10: cannot read `/dev/zero`: not a regular file but a character device",
        ),
        (
            &["--calendar-file", "/dev/zero", "calendar", "check", "2026-03-02"],
            "error: reading calendar file `/dev/zero`: not a regular file but a character device",
        ),
        (
            &["audit", log, "--workflow", LICENCE, "--mapping", "/dev/zero"],
            "error: reading mapping `/dev/zero`: not a regular file but a character device",
        ),
        (&["simulate", "/dev/zero"], "error: reading scenario `/dev/zero`: not a regular file but a character device"),
        (
            &["audit", "/dev/zero", "--workflow", LICENCE, "--threads", "2"],
            "error: reading log `/dev/zero`: not a regular file but a character device",
        ),
        (
            &["--db", "cases.db", "calendar", "install", "/dev/zero"],
            "error: reading calendar file `/dev/zero`: not a regular file but a character device",
        ),
    ];
    for (args, expected) in cases {
        let output = run(here, args);
        let stderr = output.expect_code(2, &args.join(" "));
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn issue_23_a_fifo_is_refused_without_waiting_for_a_writer() {
    let directory = tempfile::tempdir().unwrap();
    let here = directory.path();
    let made = std::process::Command::new("mkfifo").arg(here.join("base.yaml")).status().unwrap();
    assert!(made.success());
    reform(here, "reform.yaml", "base.yaml");
    let output = run(here, &["workflow", "validate", "reform.yaml"]);
    let stderr = output.expect_code(2, "extends a FIFO");
    assert!(stderr.contains("cannot read `base.yaml`: not a regular file but a FIFO"), "{stderr}");
    let output = run(here, &["--calendar-file", "base.yaml", "calendar", "check", "2026-03-02"]);
    let stderr = output.expect_code(2, "a FIFO as the calendar file");
    assert!(stderr.contains("not a regular file but a FIFO"), "{stderr}");
}

#[test]
fn issue_23_a_log_of_zeros_is_refused_at_its_line() {
    let directory = tempfile::tempdir().unwrap();
    let here = directory.path();
    // 256 MiB of zeros after a first line and 8 KiB of text (all the format and text checks look
    // at), as a sparse file: nothing is written to disk.
    let zeros = |name: &str, head: &str| {
        let path = here.join(name);
        let text = if head.is_empty() { String::new() } else { format!("{head}{}", "x".repeat(8 << 10)) };
        std::fs::write(&path, text).unwrap();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(256 << 20).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let cases = [
        (zeros("all.csv", ""), "it is not a text log: byte 0 is a NUL (binary, or UTF-16?)"),
        (zeros("row.csv", "case_id,activity,timestamp\n"), "line 2 is longer than the limit of 1048576 bytes"),
        (
            zeros("row.jsonl", "{\"case_id\":\"A\",\"activity\":\"accept\",\"timestamp\":\"2026-03-02\"}\n"),
            "line 2 is longer than the limit of 1048576 bytes",
        ),
        (zeros("log.xes", "<log>\n<trace>"), "line 2: more than 1048576 bytes without a `>`"),
        // Lone CRs end lines of CSV: the run starts after the last one.
        (
            zeros("cr.csv", "case_id,activity,timestamp\rA,accept,2026-03-02\r"),
            "line 3 is longer than the limit of 1048576 bytes",
        ),
    ];
    for (log, expected) in &cases {
        let output = run(here, &["audit", log, "--workflow", LICENCE, "--threads", "2"]);
        let stderr = output.expect_code(2, log);
        assert!(stderr.contains(&format!("log `{log}`: {expected}")), "{log}: {stderr}");
    }
}

#[test]
fn issue_23_extends_stays_in_the_directory_of_the_file_that_names_it() {
    let directory = tempfile::tempdir().unwrap();
    let outside = directory.path();
    let flows = outside.join("flows");
    std::fs::create_dir_all(flows.join("bases")).unwrap();
    let secret = "SECRET-LINE: root:x:0:0";
    std::fs::write(outside.join("secret.yaml"), format!("{secret}\n")).unwrap();
    std::fs::copy(LICENCE, outside.join("licence.yaml")).unwrap();
    std::fs::copy(LICENCE, flows.join("bases/licence.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), flows.join("link.yaml")).unwrap();
    let refused = [
        ("absolute.yaml", "/etc/passwd"),
        ("parent.yaml", "../secret.yaml"),
        ("link_out.yaml", "link.yaml"),
        ("climb.yaml", "bases/../../licence.yaml"),
    ];
    for (name, target) in refused {
        let path = reform(&flows, name, target);
        let output = run(&flows, &["workflow", "validate", path.to_str().unwrap()]);
        let stderr = output.expect_code(2, name);
        assert!(
            stderr.contains(&format!("cannot read `{target}`: it lies outside `"))
                && stderr.contains("`--allow-extends-outside-directory` allows that"),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("SECRET") && !stderr.contains("root:"), "{name} quotes the file: {stderr}");
    }
    // Below the directory is inside it; with the option, so is anywhere.
    let below = reform(&flows, "below.yaml", "bases/licence.yaml");
    run(&flows, &["workflow", "validate", below.to_str().unwrap()]).expect_code(0, "a base below");
    let above = reform(&flows, "above.yaml", "../licence.yaml");
    let allowed = ["--allow-extends-outside-directory", "workflow", "validate", above.to_str().unwrap()];
    run(&flows, &allowed).expect_code(0, "a base above, allowed");
}

#[test]
fn issue_23_the_option_to_leave_the_directory_is_in_the_help() {
    let output = run(Path::new("."), &["workflow", "validate", "--help"]);
    output.expect_code(0, "--help");
    assert!(output.stdout.contains("--allow-extends-outside-directory"), "{}", output.stdout);
}

#[test]
fn issue_23_a_scenario_that_is_a_directory_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let output = run(directory.path(), &["simulate", "."]);
    let stderr = output.expect_code(2, "a directory as the scenario");
    assert!(stderr.contains("error: reading scenario `.`: not a regular file but a directory"), "{stderr}");
    // The scenario shipped still runs under the guard.
    let output = run(directory.path(), &["simulate", SCENARIO, "--seed", "1", "--cases", "200"]);
    output.expect_code(0, "the shipped scenario");
}
