//! `renewflow demo`: the main job on embedded defaults, the same output every day, and a second
//! run that adds nothing.

use crate::test::Test;

#[test]
fn demo_runs_twice_and_the_second_run_adds_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("demo.db");
    let db = db.to_str().unwrap();
    let first = Test::new().args(["demo", "--db", db]).run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("deployed: longgang-renewal 2017.1"), "{}", first.stdout);
    assert!(first.stdout.contains(": 70 events added, 0 already there"), "{}", first.stdout);
    // the clear-title case went through the parallel review and on to 实施主体确认
    assert!(first.stdout.contains("LG-2017-001 · longgang-renewal 2017.1"), "{}", first.stdout);
    assert!(first.stdout.contains("  active: entity_preparing"), "{}", first.stdout);
    assert!(first.stdout.contains("role `applicant` may not take action `recognize_old_village`"), "{}", first.stdout);
    assert!(first.stdout.contains("  red    by statutory LG-2017-005  old_village_recognition"), "{}", first.stdout);
    assert!(first.stdout.contains("  yellow by statutory XK-2017-001  decision"), "{}", first.stdout);
    // Both limits, and the one that set the level: met within the law's 7 wd, past the 6 promised.
    let plan_review = first.stdout.lines().find(|line| line.contains("plan_review") && line.contains("7 wd of 7 wd"));
    let plan_review = plan_review.unwrap_or_else(|| panic!("{}", first.stdout));
    assert!(plan_review.contains("promised 6 wd") && plan_review.contains("red (by promised)"), "{plan_review}");
    // A public notice kept open past its 10 days, on the watch list and in the case's timing.
    assert!(
        first.stdout.contains("pause past its maximum: plan_publicity since 2017-08-07: 43 days past its 10 cd"),
        "{}",
        first.stdout
    );

    // The whole product: a short audit and a short simulation, each pointing to its full report.
    assert!(first.stdout.contains("audit of tests/data/histories/licence-findings.csv as of 2026-11-20: 4 cases"));
    assert!(first.stdout.contains("  full report: renewflow audit tests/data/histories/licence-findings.csv"));
    assert!(
        first.stdout.contains("simulation of workflows/scenarios/longgang-2016-vs-2017.yaml: 400 cases per workflow")
    );
    assert!(first.stdout.contains("  full report: renewflow simulate workflows/scenarios/longgang-2016-vs-2017.yaml"));
    // Clock titles beside their ids, and periods in words people read.
    assert!(first.stdout.contains("计划审查") && first.stdout.contains("of 1 year "), "{}", first.stdout);

    let second = Test::new().args(["demo", "--db", db]).run();
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stdout.contains(": 0 events added, 70 already there"), "{}", second.stdout);
    let report = |text: &str| text.split_once("already there\n").map(|(_, rest)| rest.to_owned()).unwrap_or_default();
    assert_eq!(report(&first.stdout), report(&second.stdout));
    assert_eq!(Test::new().args(["verify", "--db", db]).run().code, 0);
    assert_eq!(Test::new().args(["check", "--db", db]).run().code, 0);
}

#[test]
fn demo_refuses_a_data_format_instead_of_ignoring_it() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("demo.db");
    for format in ["json", "csv"] {
        let output = Test::new().args(["demo", "--format", format, "--db", db.to_str().unwrap()]).run();
        assert_eq!(output.code, 2, "{format}");
        assert!(output.stderr.contains("`demo` prints a report for people"), "{}", output.stderr);
        assert!(!db.exists(), "nothing is written");
    }
}
