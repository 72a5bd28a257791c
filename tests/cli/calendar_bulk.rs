//! `calendar between --stdin` and `calendar add --stdin`: the contract other tools script
//! against.

use std::fmt::Write as _;

use crate::test::Test;

#[test]
fn between_answers_one_line_per_line_in_order() {
    let input = "2026-01-01 2026-12-31\n2026-09-30\t2026-10-10\r\n2026-10-10,2026-09-30\n 2026-11-20 ,  2026-11-23 \n";
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin(input).run();
    assert_eq!((output.code, output.stdout.as_str()), (0, "248\n3\n-3\n1\n"), "{}", output.stderr);
}

#[test]
fn empty_input_gives_empty_output() {
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin("").run();
    assert_eq!((output.code, output.stdout.as_str(), output.stderr.as_str()), (0, "", ""));
}

#[test]
fn a_bad_line_stops_with_its_number_and_text() {
    let input = "2026-01-01 2026-01-05\n2026-01-01 2026-02-30\n2026-01-01 2026-01-05\n";
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin(input).run();
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "2\n");
    insta::assert_snapshot!(output.stderr, @"error: line 2: `2026-01-01 2026-02-30` has a date that is not YYYY-MM-DD");
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin("2026-01-01 2026-01-05\n\n").run();
    insta::assert_snapshot!(output.stderr, @"error: line 2: `` is not two dates, YYYY-MM-DD");
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin("2026-12-01 2027-01-04\n").run();
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.starts_with("error: line 1: `2026-12-01 2027-01-04`: 2027-01-04 is outside the data"),
        "{}",
        output.stderr
    );
}

#[test]
fn add_answers_one_date_per_line() {
    let input = "2026-09-21 20\n2026-10-26 -20\n2026-09-30 0\n";
    let output = Test::new().args(["calendar", "add", "--stdin"]).stdin(input).run();
    assert_eq!((output.code, output.stdout.as_str()), (0, "2026-10-26\n2026-09-21\n2026-09-30\n"), "{}", output.stderr);
    let output = Test::new().args(["calendar", "add", "--stdin", "--unit", "months"]).stdin("2026-01-31 1\n").run();
    assert_eq!(output.stdout, "2026-02-28\n");
    let output = Test::new().args(["calendar", "add", "--stdin"]).stdin("2026-09-21 1e9\n").run();
    insta::assert_snapshot!(output.stderr, @"error: line 1: `2026-09-21 1e9` is not an integer amount after the date");
    let output = Test::new().args(["calendar", "add", "--stdin"]).stdin("2026-09-21 999999\n").run();
    insta::assert_snapshot!(output.stderr, @"error: line 1: `2026-09-21 999999`: 999999 wd is beyond the limit of 100000 wd for one period");
}

#[test]
fn provisional_answers_are_marked() {
    let input = "2026-12-31 2027-01-08\n2026-01-05 2026-01-09\n";
    let output =
        Test::new().args(["calendar", "between", "--stdin", "--beyond-data", "weekends-only"]).stdin(input).run();
    assert_eq!(output.stdout, "6\tprovisional\n4\n");
}

#[test]
fn large_inputs_answer_in_order_and_name_the_right_line() {
    // Over a mebibyte, so the input is cut into chunks answered on several threads.
    let mut good = String::new();
    for index in 0..60_000 {
        writeln!(good, "2026-01-{:02} 2026-12-{:02}", index % 28 + 1, index % 31 + 1).unwrap();
    }
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin(good.clone()).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let single: Vec<String> = good
        .lines()
        .take(3)
        .map(|line| {
            let output = Test::new().args(["calendar", "between", "--stdin"]).stdin(format!("{line}\n")).run();
            output.stdout.trim_end().to_owned()
        })
        .collect();
    let answers: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(answers.len(), 60_000);
    assert_eq!(answers[..3], single.iter().map(String::as_str).collect::<Vec<_>>()[..]);
    assert_eq!(answers[28 * 31], answers[0], "the pattern repeats every 868 lines");

    let mut bad = good.clone();
    bad.insert_str(good.len() - 22 * 5_000, "2026-01-01 2026-13-01\n");
    let output = Test::new().args(["calendar", "between", "--stdin"]).stdin(bad).run();
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout.lines().count(), 55_000);
    insta::assert_snapshot!(output.stderr, @"error: line 55001: `2026-01-01 2026-13-01` has a date that is not YYYY-MM-DD");
}
