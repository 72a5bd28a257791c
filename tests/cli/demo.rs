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
    assert!(first.stdout.contains("  red    LG-2017-005  old_village_recognition"), "{}", first.stdout);
    assert!(first.stdout.contains("  yellow XK-2017-001  decision"), "{}", first.stdout);

    let second = Test::new().args(["demo", "--db", db]).run();
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stdout.contains(": 0 events added, 70 already there"), "{}", second.stdout);
    let report = |text: &str| text.split_once("already there\n").map(|(_, rest)| rest.to_owned()).unwrap_or_default();
    assert_eq!(report(&first.stdout), report(&second.stdout));
    assert_eq!(Test::new().args(["verify", "--db", db]).run().code, 0);
    assert_eq!(Test::new().args(["check", "--db", db]).run().code, 0);
}
