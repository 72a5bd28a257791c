//! `renewflow calendar check|between|add|year`, every format and every error.

use crate::test::Test;

#[test]
fn check_names_the_festival_and_its_notice() {
    let output = Test::new().args(["calendar", "check", "2020-02-01"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout, @"2020-02-01 Saturday: rest day, 春节, 因新冠肺炎疫情防控延长春节假期 (《国务院办公厅关于延长2020年春节假期的通知》, 2020-01-27, http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm)");
}

#[test]
fn check_a_makeup_day_in_json_and_csv() {
    let output = Test::new().args(["calendar", "check", "2026-02-28", "--format", "json"]).run();
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(value["working"], true);
    assert_eq!(value["reason"], "makeup");
    assert_eq!(value["festival"], "春节");
    assert_eq!(value["notice"]["date"], "2025-11-04");
    let output = Test::new().args(["calendar", "check", "2026-11-22", "--format", "csv"]).run();
    insta::assert_snapshot!(output.stdout, @r"
    date,weekday,working,reason,detail,provisional
    2026-11-22,Sunday,false,weekend,weekend,false
    ");
}

#[test]
fn between_counts_after_the_start_day() {
    let output = Test::new().args(["calendar", "between", "2026-09-30", "2026-10-10"]).run();
    insta::assert_snapshot!(output.stdout, @"3 working days after 2026-09-30 up to 2026-10-10");
    let output = Test::new().args(["calendar", "between", "2026-10-10", "2026-09-30", "--format", "json"]).run();
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(value["working_days"], -3);
    assert_eq!(value["provisional"], false);
}

#[test]
fn add_in_every_unit() {
    let end = |args: [&str; 5]| {
        let output = Test::new().args(args).args(["--format", "csv"]).run();
        assert_eq!(output.code, 0, "{}", output.stderr);
        output.stdout.lines().nth(1).unwrap().split(',').nth(3).unwrap().to_owned()
    };
    assert_eq!(end(["calendar", "add", "2026-09-21", "20", "--unit=wd"]), "2026-10-26");
    assert_eq!(end(["calendar", "add", "2026-10-26", "-20", "--unit=wd"]), "2026-09-21");
    assert_eq!(end(["calendar", "add", "2026-09-03", "30", "--unit=cd"]), "2026-10-08");
    assert_eq!(end(["calendar", "add", "2025-09-03", "1", "--unit=months"]), "2025-10-09");
    assert_eq!(end(["calendar", "add", "2024-02-29", "1", "--unit=years"]), "2025-02-28");
}

#[test]
fn add_explains_a_rolled_period() {
    let output = Test::new().args(["calendar", "add", "2025-09-03", "1", "--unit", "months"]).run();
    insta::assert_snapshot!(output.stdout, @"2025-10-09: 1 month from 2025-09-03 ends (2025-10-03 is a rest day, so the period ends on the next working day)");
}

#[test]
fn year_lists_holidays_makeup_days_and_sources() {
    let output = Test::new().args(["calendar", "year", "2019"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.starts_with("cn-mainland 2019: 250 working days, 115 rest days\n"), "{}", output.stdout);
    assert!(output.stdout.contains("《国务院办公厅关于调整2019年劳动节假期安排的通知》"), "{}", output.stdout);
    let output = Test::new().args(["calendar", "year", "2018", "--format", "json"]).run();
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(value["working_days"], 250);
    // 2018-12-29 was made a working day by the 2019 notice, which the 2018 listing cites.
    let titles: Vec<&str> =
        value["notices"].as_array().unwrap().iter().map(|notice| notice["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"国务院办公厅关于2019年部分节假日安排的通知"), "{titles:?}");
    let output = Test::new().args(["calendar", "year", "2026", "--format", "csv"]).run();
    let rows: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(rows[0], "date,kind,festival,notice");
    assert_eq!(rows.len(), 1 + 33 + 6); // 33 rest days in breaks, 6 makeup working days
}

#[test]
fn year_totals_from_the_binary() {
    for (year, working) in [(2016, 250), (2017, 249), (2018, 250), (2024, 251), (2025, 248), (2026, 248)] {
        let output = Test::new().args(["calendar", "year", &year.to_string(), "--format", "json"]).run();
        let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(value["working_days"], working, "{year}");
    }
}

#[test]
fn a_date_outside_the_data_is_an_input_error() {
    let output = Test::new().args(["calendar", "between", "2026-12-01", "2027-01-04"]).run();
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "");
    insta::assert_snapshot!(output.stderr, @"error: 2027-01-04 is outside the data of calendar `cn-mainland` (2004-01-01 to 2026-12-31); add year 2027 from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or count it provisionally with `--beyond-data statutory`");
    let output = Test::new().args(["calendar", "year", "2027"]).run();
    assert_eq!(output.code, 2);
    insta::assert_snapshot!(output.stderr, @"error: year 2027 is outside the data of calendar `cn-mainland` (2004 to 2026); add it from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or list its projection with `--beyond-data statutory`");
    // Before the data, no policy counts.
    for policy in ["refuse", "weekends-only", "statutory"] {
        let output = Test::new().args(["calendar", "check", "1900-01-01", "--beyond-data", policy]).run();
        assert_eq!(output.code, 2, "{policy}");
        assert!(output.stderr.contains("before the data of calendar `cn-mainland`"), "{policy}: {}", output.stderr);
    }
    let output = Test::new().args(["calendar", "check", "2101-01-03", "--beyond-data", "statutory"]).run();
    assert_eq!(output.code, 2);
    insta::assert_snapshot!(output.stderr, @"error: 2101 is beyond the statutory projection of calendar `cn-mainland`, which ends in 2100; add year 2101 from its notice in a calendar file");
}

#[test]
fn statutory_projects_the_law_and_says_so() {
    let output = Test::new().args(["calendar", "add", "2026-12-20", "20", "--beyond-data", "statutory"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout, @"2027-01-18: 20 wd from 2026-12-20 ends (provisional: 2027: no notice yet; statutory holidays projected from 全国年节及纪念日放假办法 (2024); 调休 (weekend days worked) cannot be known)");
    // The same from the environment.
    let output = Test::new()
        .env("RENEWFLOW_BEYOND_DATA", "statutory")
        .args(["calendar", "year", "2027", "--format", "json"])
        .run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let year: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(year["provisional"], true);
    assert_eq!(year["working_days"], 248);
    let projected: Vec<String> = year["projected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|day| {
            format!(
                "{} {} {}",
                day["date"].as_str().unwrap(),
                day["festival"].as_str().unwrap(),
                day["kind"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(projected.len(), 19);
    assert!(projected.contains(&"2027-02-10 春节 substitute".to_owned()), "{projected:?}");
    assert!(year["basis"].as_str().unwrap().contains("全国年节及纪念日放假办法 (2024)"));
    let output = Test::new().args(["calendar", "check", "2027-10-04", "--beyond-data", "statutory"]).run();
    insta::assert_snapshot!(output.stdout, @"2027-10-04 Monday: rest day, 国庆节 substitute day off (补假, 第6条), provisional: 2027: no notice yet; statutory holidays projected from 全国年节及纪念日放假办法 (2024); 调休 (weekend days worked) cannot be known");
}

#[test]
fn weekends_only_beyond_the_data_is_marked_provisional() {
    let output =
        Test::new().args(["calendar", "between", "2026-12-31", "2027-01-08", "--beyond-data", "weekends-only"]).run();
    assert_eq!(output.code, 0);
    insta::assert_snapshot!(output.stdout, @"6 working days after 2026-12-31 up to 2027-01-08 (provisional: 2027: no notice yet; counted as weekends only)");
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (&["calendar", "check", "2026-13-01"], "error: `2026-13-01` is not a date; write YYYY-MM-DD"),
        (&["calendar", "check", "20260101"], "error: `20260101` is not a date; write YYYY-MM-DD"),
        (
            &["calendar", "add", "2026-01-05", "100001"],
            "error: 100001 wd is beyond the limit of 100000 wd for one period",
        ),
        (
            &["calendar", "add", "2026-01-05", "-1", "--unit", "months"],
            "error: a period of -1 months is negative; only working days can be counted backwards",
        ),
        (
            &["calendar", "--calendar", "cn-mainlnd", "check", "2026-01-05"],
            "error: unknown calendar `cn-mainlnd`; did you mean `cn-mainland`?; known calendars: cn-mainland",
        ),
    ];
    for (args, expected) in cases {
        let mut test = Test::new();
        for arg in args {
            test = test.args([arg]);
        }
        let output = test.run();
        assert_eq!((output.code, output.stderr.trim_end()), (2, expected), "{args:?}");
        assert_eq!(output.stdout, "");
    }
    let output = Test::new().args(["calendar", "add", "2026-01-05", "99999999999999999999"]).run();
    assert_eq!(output.code, 2, "{}", output.stderr);
    let output = Test::new().args(["calendar", "between", "2026-01-05"]).run();
    assert_eq!((output.code, output.stderr.trim_end()), (2, "error: `calendar between` needs two dates, or --stdin"));
    let output = Test::new().args(["calendar", "frobnicate"]).run();
    assert_eq!(output.code, 2);
}

const YEAR_2027: &str = include_str!("../data/calendar/example-2027.yaml");

#[test]
fn a_calendar_file_adds_a_year_by_flag_or_environment() {
    let test = Test::new();
    let path = test.file("2027.yaml", YEAR_2027);
    let output =
        test.args(["calendar", "between", "2026-12-31", "2027-01-08", "--calendar-file", path.to_str().unwrap()]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout, @"5 working days after 2026-12-31 up to 2027-01-08");
    let test = Test::new();
    let path = test.file("2027.yaml", YEAR_2027);
    let output = test.env("RENEWFLOW_CALENDAR", path.to_str().unwrap()).args(["calendar", "check", "2026-09-24"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.starts_with("2026-09-24 Thursday: rest day, adjusted: 台风停工 ("), "{}", output.stdout);
}

#[test]
fn a_bad_calendar_file_shows_every_problem_with_line_and_column() {
    let test = Test::new();
    let path = test.file("bad.yaml", "calendar: cn-mainland\nadjustments:\n  - {date: 2026-10-01, kind: rest, reason: 国庆}\n  - {date: 2026-09-31, kind: rest, reason: x}\n");
    let output = test.args(["calendar", "check", "2026-01-05", "--calendar-file", path.to_str().unwrap()]).run();
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "");
    let stderr = output.stderr.replace(path.to_str().unwrap(), "bad.yaml");
    assert!(stderr.contains("calendar file `bad.yaml` has 2 problems"), "{stderr}");
    assert!(stderr.contains("bad.yaml:4:12: `2026-09-31` is not a date or a range of dates"), "{stderr}");
    assert!(
        stderr.contains("bad.yaml:3:12: adjustment of 2026-10-01 changes nothing: it is already a rest day"),
        "{stderr}"
    );
    assert!(stderr.contains("[bad.yaml:3:12]"), "the snippet names file, line and column:\n{stderr}");
}

#[test]
fn a_missing_calendar_file_is_an_input_error() {
    let output = Test::new().args(["calendar", "check", "2026-01-05", "--calendar-file", "nope.yaml"]).run();
    assert_eq!(output.code, 2);
    assert!(output.stderr.starts_with("error: reading calendar file `nope.yaml`: "), "{}", output.stderr);
}
