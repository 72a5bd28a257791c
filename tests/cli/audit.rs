//! `renewflow audit`: the canned logs of `tests/data/histories/` (documented event by event in
//! its README) against their expected findings and figures.

use serde_json::Value as Json;

use crate::test::Test;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/histories/");
const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

fn path(name: &str) -> String {
    format!("{DATA}{name}")
}

fn audit_json(args: &[&str]) -> (i32, Json, String) {
    let mut test = Test::new().args(["audit", "--format", "json"]);
    for arg in args {
        test = test.args([arg]);
    }
    let output = test.run();
    let report = serde_json::from_str(&output.stdout).unwrap_or(Json::Null);
    (output.code, report, output.stderr)
}

/// (code, case, row) of every finding, in report order.
pub(crate) fn findings(report: &Json) -> Vec<(String, String, Option<u64>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap().to_owned(),
                finding["case_id"].as_str().unwrap().to_owned(),
                finding["row"].as_u64(),
            )
        })
        .collect()
}

pub(crate) fn case<'a>(report: &'a Json, id: &str) -> &'a Json {
    report["cases"].as_array().unwrap().iter().find(|case| case["case_id"] == id).unwrap()
}

fn clock_elapsed(case: &Json, clock: &str) -> i64 {
    case["clocks"].as_array().unwrap().iter().find(|entry| entry["clock"] == clock).unwrap()["elapsed"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_clean_log_has_no_findings_and_counts_on_the_real_calendar() {
    for log in ["licence-clean.csv", "licence-clean.xes"] {
        clean_log_figures(log);
    }
}

fn clean_log_figures(log: &str) {
    let (code, report, stderr) = audit_json(&[&path(log), "--workflow", LICENCE]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&report), []);
    // as of the last timestamp in the log
    assert_eq!(report["as_of"], "2026-03-23");
    let first = case(&report, "XK-1");
    assert_eq!(first["finished_on"], "2026-03-23");
    // 02-11 → 02-12 is 1 wd; paused for the hearing 02-12 → 02-26 (14 days, not counted);
    // 02-26 → 03-20 is 17 wd with Saturday 02-28 (调休) counted: 18.
    assert_eq!(clock_elapsed(first, "decision"), 18);
    assert_eq!(first["paused_days"], 14);
    // 02-10 → 03-23 across 春节 (02-15..02-23 off) with 02-14 and 02-28 worked: 25 wd.
    assert_eq!(first["elapsed_working_days"], 25);
    let second = case(&report, "XK-2");
    // 02-13 → 02-27: 02-14 (Saturday, worked) and 02-24..02-27.
    assert_eq!(clock_elapsed(second, "decision"), 5);
    // 02-27 → 03-02: Saturday 02-28 (worked) and Monday 03-02.
    assert_eq!(clock_elapsed(second, "certificate"), 2);
    let decision = report["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    assert_eq!(
        (decision["count"].as_u64(), decision["median"].as_i64(), decision["max"].as_i64()),
        (Some(2), Some(5), Some(18))
    );
    assert_eq!(decision["breach_rate"], 0.0);
}

/// Every finding the canned CSV log holds, in report order, at the line of the file (see the
/// README): the order cases settle (F1 finishes at line 9, its later line 10 follows; F3 at line
/// 17), rows that belong to no open case as they come, then the cases still open at the end by
/// case id. The JSON Lines log has no header, so its rows are `lines_before` lines up.
fn expected_findings(lines_before: u64) -> Vec<(String, String, Option<u64>)> {
    [
        ("AUD001", "F1", Some(3)),
        ("AUD003", "F1", Some(5)),
        ("AUD004", "F1", Some(6)),
        ("AUD002", "F1", Some(10)),
        ("AUD009", "F3", Some(16)),
        ("AUD008", "F3", None),
        ("AUD010", "F4", Some(18)),
        ("AUD011", "F5", Some(19)),
        ("AUD011", "", Some(20)),
        ("AUD002", "F2", Some(7)),
        ("AUD006", "F2", None),
        ("AUD005", "F2", None),
        ("AUD011", "F6", Some(21)),
        ("AUD006", "F6", None),
        ("AUD005", "F6", None),
    ]
    .into_iter()
    .map(|(code, case, row): (&str, &str, Option<u64>)| {
        (code.to_owned(), case.to_owned(), row.map(|row| row - lines_before))
    })
    .collect()
}

#[test]
fn each_finding_code_is_found_where_the_log_has_it() {
    let (code, report, stderr) =
        audit_json(&[&path("licence-findings.csv"), "--workflow", LICENCE, "--as-of", "2026-11-20"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&report), expected_findings(0));
    let breach = report["findings"].as_array().unwrap().iter().find(|finding| finding["code"] == "AUD006").unwrap();
    // accepted 09-24; to 11-20 with 中秋 and 国庆 off and Saturday 10-10 worked: 36 wd of 20.
    assert_eq!(breach["over_statutory"], 16);
    assert!(breach["message"].as_str().unwrap().contains("36 wd"), "{breach}");
    let pause = report["findings"].as_array().unwrap().iter().find(|finding| finding["code"] == "AUD008").unwrap();
    assert!(pause["message"].as_str().unwrap().contains("9 wd past its allowed 20 wd (until 2026-07-02)"), "{pause}");
    // Every code from the list is in the summary, in order, with its count.
    let codes: Vec<(String, u64)> = report["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["code"].as_str().unwrap().to_owned(), entry["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(codes.len(), 13);
    assert_eq!(codes[10], ("AUD011".to_owned(), 3));
    assert_eq!(codes[11], ("AUD012".to_owned(), 0));
}

#[test]
fn json_lines_give_the_same_findings_as_csv() {
    let (code, report, stderr) =
        audit_json(&[&path("licence-findings.jsonl"), "--workflow", LICENCE, "--as-of", "2026-11-20"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&report), expected_findings(1));
}

#[test]
fn a_step_over_its_own_limit_inside_a_matter_within_limit_is_aud007() {
    let workflow = path("step-limit.yaml");
    let (code, report, stderr) = audit_json(&[&path("step-limit.csv"), "--workflow", &workflow]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&report), [("AUD007".to_owned(), "S1".to_owned(), None)]);
    let finding = &report["findings"][0];
    assert_eq!((finding["clock"].as_str(), finding["over_statutory"].as_i64()), (Some("review"), Some(2)));
}

#[test]
fn a_mapping_names_columns_activities_and_roles() {
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "编号,环节,时间,岗位\nM-1,收件,2026-03-02 09:00,窗口\nM-1,短信提醒,2026-03-02 09:05,系统\nM-1,受理,2026-03-03,窗口\n\
         M-1,审批通过,2026-03-10,局长\nM-1,发证,2026-03-11,窗口\n",
    );
    let mapping = test.file(
        "mapping.yaml",
        "columns: {case_id: 编号, activity: 环节, timestamp: 时间, role: 岗位}\nactivities:\n  受理: accept\n  \
         审批通过: grant\n  发证: issue_certificate\nopening: [收件]\ninformational: [短信提醒]\nroles:\n  窗口: officer\n  \
         局长: head\n",
    );
    let output = test
        .args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--mapping", mapping.to_str().unwrap()])
        .args(["--format", "json"])
        .run();
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["rows_informational"], 1);
    assert_eq!(case(&report, "M-1")["finished_on"], "2026-03-11");
}

#[test]
fn unusable_input_exits_2_and_says_where() {
    let test = Test::new();
    let mapping = test.file("mapping.yaml", "activities:\n  受理: acept\n");
    let log = test.file("log.csv", "case,what,when\nA,accept,2026-03-02\n");
    let bad_mapping = Test::new()
        .args(["audit", &path("licence-clean.csv"), "--workflow", LICENCE, "--mapping", mapping.to_str().unwrap()])
        .run();
    assert_eq!(bad_mapping.code, 2);
    assert!(bad_mapping.stderr.contains("mapping.yaml:2:7"), "{}", bad_mapping.stderr);
    assert!(bad_mapping.stderr.contains("did you mean `accept`"), "{}", bad_mapping.stderr);
    let no_activity = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE]).run();
    assert_eq!(no_activity.code, 2);
    assert!(no_activity.stderr.contains("no activity column"), "{}", no_activity.stderr);
    let missing = Test::new().args(["audit", "nope.csv", "--workflow", LICENCE]).run();
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.csv"), "{}", missing.stderr);
}

#[test]
fn the_markdown_report_can_be_handed_on() {
    let output = Test::new()
        .args(["audit", &path("licence-findings.csv"), "--workflow", LICENCE, "--as-of", "2026-11-20"])
        .args(["--format", "markdown"])
        .run();
    assert_eq!(output.code, 1, "{}", output.stderr);
    for heading in
        ["# Audit of `administrative-license` 2019.1", "## Findings by code", "## Clocks", "## Cases", "### Case `F3`"]
    {
        assert!(output.stdout.contains(heading), "{heading}\n{}", output.stdout);
    }
    assert!(output.stdout.contains("| AUD008 | pause too long | 1 |"), "{}", output.stdout);
}

#[test]
fn a_parallel_review_is_replayed_whichever_region_finishes_first() {
    let workflow = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2017.yaml");
    let (code, report, stderr) =
        audit_json(&[&path("longgang-parallel.csv"), "--workflow", workflow, "--as-of", "2017-05-04"]);
    assert_eq!(code, 1, "{stderr}");
    // No step is refused in either order; both cases leave the review for the next stage.
    let found = findings(&report);
    assert!(found.iter().all(|(code, _, _)| ["AUD005", "AUD006", "AUD008"].contains(&code.as_str())), "{found:?}");
    for id in ["P1", "P2"] {
        assert_eq!(case(&report, id)["active"], serde_json::json!(["entity_preparing"]), "{id}");
    }
    // P1's plan publicity ran 04-05 → 04-25, 20 days of the 10 cd allowed, on both clocks it pauses.
    let pauses: Vec<_> =
        found.iter().filter(|(code, _, _)| code == "AUD008").map(|(_, case, _)| case.as_str()).collect();
    assert_eq!(pauses, ["P1", "P1"]);
    // P2's plan region waited for its planning region: plan_stage ran 39 wd of 33.
    let plan_stage = clock_elapsed(case(&report, "P2"), "plan_stage");
    assert_eq!(plan_stage, 39);
}

#[test]
fn a_generated_log_gives_exactly_the_injected_findings() {
    use renewflow::core::calendar::Calendars;

    let workflow_path = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2017.yaml");
    let calendars = Calendars::builtin();
    let workflow = crate::log_generator::load_workflow_file(workflow_path, &calendars);
    let calendar = calendars.require(workflow.calendar()).unwrap();
    let plan = crate::log_generator::Plan {
        cases: 200,
        window: 40,
        inject_per_mille: 600,
        first_day: chrono::NaiveDate::from_ymd_opt(2017, 1, 3).unwrap(),
        spread_days: 365,
        seed: 7,
    };
    let test = Test::new();
    let log = test.file("generated.csv", "");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&log).unwrap());
    let injected = crate::log_generator::generate(&workflow, calendar, &plan, &mut out).unwrap();
    drop(out);
    assert!(injected.unknown_activity > 5 && injected.time_backwards > 5, "{injected:?}");
    let (code, report, stderr) = audit_json(&[log.to_str().unwrap(), "--workflow", workflow_path]);
    assert_eq!(code, 1, "{stderr}");
    let count = |wanted: &str| {
        report["codes"].as_array().unwrap().iter().find(|entry| entry["code"] == wanted).unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(report["rows"].as_u64(), Some(injected.rows));
    assert_eq!(report["cases"].as_array().unwrap().len(), 200);
    assert_eq!(count("AUD001"), injected.unknown_activity);
    assert_eq!(count("AUD002"), injected.step_not_allowed);
    assert_eq!(count("AUD003"), injected.role_not_permitted);
    assert_eq!(count("AUD004"), injected.time_backwards);
    for clean in ["AUD009", "AUD010", "AUD011"] {
        assert_eq!(count(clean), 0, "{clean}");
    }
    // The audit is split between shards by case and replayed on every core; the output is the
    // same byte for byte on one thread or two, whole or streamed (CSV).
    for format in ["json", "csv", "markdown"] {
        let run = |threads: &str| {
            let output = Test::new()
                .args(["audit", log.to_str().unwrap(), "--workflow", workflow_path, "--format", format])
                .args(["--threads", threads])
                .run();
            assert_eq!(output.code, 1, "{}", output.stderr);
            output.stdout
        };
        let one = run("1");
        assert!(one.lines().count() > 100, "{one}");
        assert_eq!(one, run("2"), "{format}");
    }
}

#[test]
fn a_role_the_workflow_lacks_is_replayed_with_the_role_whose_guard_holds() {
    let test = Test::new();
    // `reply` is the clerk's when not major and the director's when major; the first role in the
    // file (clerk) would fail the guard here, and must not be the one the replay goes on with.
    let log = test.file(
        "log.csv",
        "case_id,activity,timestamp,role,major\nR-1,open,2026-03-02,clerk,true\nR-1,reply,2026-03-03,visitor,\n\
         R-1,close,2026-03-04,clerk,\n",
    );
    let workflow = path("role-guard.yaml");
    let (code, report, stderr) = audit_json(&[log.to_str().unwrap(), "--workflow", &workflow]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&report), [("AUD003".to_owned(), "R-1".to_owned(), Some(3))]);
    assert_eq!(case(&report, "R-1")["finished_on"], "2026-03-04");
}

/// Issue 25, item 15: `--output FILE` holds the bytes stdout would get, in every format; a run
/// that fails leaves no file (nor a temporary one) behind.
#[test]
fn issue_25_output_holds_the_report_and_a_failed_run_leaves_no_file() {
    let directory = tempfile::tempdir().unwrap();
    let log = path("licence-findings.csv");
    let audit = ["audit", &log, "--workflow", LICENCE, "--as-of", "2026-11-20"];
    for format in ["table", "json", "csv", "markdown"] {
        let file = directory.path().join(format!("report.{format}"));
        let stdout = Test::new().args(audit).args(["--format", format]).run();
        assert_eq!(stdout.code, 1, "{}", stdout.stderr);
        let written = Test::new().args(audit).args(["--format", format, "--output", file.to_str().unwrap()]).run();
        assert_eq!(written.code, 1, "{}", written.stderr);
        assert_eq!(written.stdout, "");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout.stdout, "{format}");
    }
    let file = directory.path().join("failed.json");
    let failed = Test::new().args(["audit", &log, "--workflow", "nope.yaml", "--output", file.to_str().unwrap()]).run();
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    let left: Vec<_> = std::fs::read_dir(directory.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("failed") || name.contains("spool"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Issue 25, items 5 and 16: every report names the calendar counted on and the policy after its
/// data, and shows the activities and variants; a chart per clock marks the limit.
#[test]
fn issue_25_reports_name_the_calendar_and_show_activities_variants_and_charts() {
    let test = Test::new();
    let charts = test.file("log.csv", "").parent().unwrap().join("charts");
    let (code, report, stderr) = audit_json(&[
        &path("licence-findings.csv"),
        "--workflow",
        LICENCE,
        "--as-of",
        "2026-11-20",
        "--charts",
        charts.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["calendar"]["id"], "cn-mainland");
    assert_eq!(report["calendar"]["data_to"], "2026-12-31");
    assert_eq!(report["beyond_data"], "refuse");
    assert_eq!(report["cases_provisional"], 0);
    let accept = report["activities"].as_array().unwrap().iter().find(|entry| entry["activity"] == "accept").unwrap();
    assert_eq!((accept["rows"].as_u64(), accept["cases"].as_u64()), (Some(3), Some(3)));
    let variants = report["variants"].as_array().unwrap();
    assert_eq!(report["variant_count"], 4);
    assert_eq!(variants[0]["share"], 0.25);
    let chart = std::fs::read_to_string(charts.join("decision.svg")).unwrap();
    assert!(chart.contains("statutory limit 20 wd") && chart.contains("breached: 1 of 3 cases"), "{chart}");
    let markdown = Test::new()
        .args(["audit", &path("licence-findings.csv"), "--workflow", LICENCE, "--as-of", "2026-11-20"])
        .args(["--format", "markdown", "--beyond-data", "statutory"])
        .run();
    assert!(
        markdown.stdout.contains("calendar `cn-mainland`") && markdown.stdout.contains("`--beyond-data statutory`"),
        "{}",
        markdown.stdout
    );
    assert!(!markdown.stdout.contains("China-mainland calendar"), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("## Activities") && markdown.stdout.contains("## Variants"));
}

/// Issue 25, item 5: with no row inside the calendar's data there is no audit date, and the
/// scope line says so instead of "as of :".
#[test]
fn issue_25_a_log_with_no_countable_date_says_so() {
    let test = Test::new();
    let log = test.file("far.csv", "case_id,activity,timestamp\nX1,received,2031-01-05T09:00:00+08:00\n");
    let output = test.args(["audit", log.to_str().unwrap(), "--workflow", LICENCE]).run();
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stdout.contains("as of no date (no row had a timestamp the calendar counts)"), "{}", output.stdout);
}

/// Issue 25, item 5: a calendar file given is named in the report with its SHA-256, and the data
/// range is the one it extends to; cases counted into projected years are counted.
#[test]
fn issue_25_the_report_names_the_calendar_file_and_its_hash() {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let text = include_str!("../data/calendar/example-2027.yaml");
    let test = Test::new();
    let calendar = test.file("2027.yaml", text);
    let expected = sha2::Sha256::digest(text.as_bytes()).iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    let (code, report, stderr) = audit_json(&[
        &path("licence-findings.csv"),
        "--workflow",
        LICENCE,
        "--as-of",
        "2026-11-20",
        "--calendar-file",
        calendar.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["calendar"]["file"], calendar.to_str().unwrap());
    assert_eq!(report["calendar"]["sha256"], expected.as_str());
    assert_eq!(report["calendar"]["data_to"], "2027-12-31");
    let (code, report, stderr) = audit_json(&[
        &path("licence-findings.csv"),
        "--workflow",
        LICENCE,
        "--as-of",
        "2028-01-10",
        "--beyond-data",
        "statutory",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["beyond_data"], "statutory");
    assert!(report["cases_provisional"].as_u64().unwrap() >= 2, "{}", report["cases_provisional"]);
}
