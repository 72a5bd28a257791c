//! Reliability of the store under real processes: writers killed with SIGKILL mid-stream, and two
//! processes racing on one case version.

use std::path::Path;
use std::time::{Duration, Instant};

use super::concurrency::{ok, renewflow, store};

fn events(db: &Path, number: &str) -> usize {
    let history = ok(db, &["case", "history", number, "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&history).unwrap().as_array().unwrap().len()
}

#[test]
fn a_writer_killed_mid_stream_loses_no_acknowledged_action_and_breaks_no_chain() {
    let (_directory, db) = store(1);
    let mut acknowledged = 2; // opened, accepted
    let mut killed = 0;
    for round in 0..40_u64 {
        let action = if (acknowledged - 2) % 2 == 0 { "order_hearing" } else { "close_hearing" };
        let mut child =
            renewflow(&db, &["case", "act", "R-0", action, "--role", "officer", "--at", "2026-03-04"]).spawn().unwrap();
        // Kill at a different moment each round: from at once to after the process would finish.
        std::thread::sleep(Duration::from_micros(round * 500));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            acknowledged += 1;
        } else {
            killed += 1;
        }
        let stored = events(&db, "R-0");
        // Every acknowledged action is there; a killed one is there whole or not at all.
        assert!(
            stored == acknowledged || stored == acknowledged + 1,
            "round {round}: {stored} events, {acknowledged} acknowledged"
        );
        acknowledged = stored;
        ok(&db, &["verify"]);
        ok(&db, &["check"]);
    }
    assert!(killed > 0, "no writer was killed mid-run; the test proved nothing");
}

#[test]
fn two_processes_on_one_version_one_wins_the_other_gets_a_conflict() {
    let (_directory, db) = store(8);
    for index in 0..8 {
        let number = format!("R-{index}");
        let race = |action: &str| {
            renewflow(
                &db,
                &["case", "act", &number, action, "--role", "officer", "--at", "2026-03-04", "--expect-version", "2"],
            )
            .spawn()
            .unwrap()
        };
        let started = Instant::now();
        let (first, second) = (race("order_hearing"), race("order_hearing"));
        let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        let won = outputs.iter().filter(|output| output.status.success()).count();
        assert_eq!(won, 1, "{number}: {outputs:?}");
        let lost = outputs.iter().find(|output| !output.status.success()).unwrap();
        assert_eq!(lost.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&lost.stderr).contains("conflict"), "{lost:?}");
        assert_eq!(events(&db, &number), 3, "{number}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    ok(&db, &["verify"]);
}
