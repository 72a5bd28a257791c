//! `renewflow audit` on logs in the shape of public ones (`tests/data/logs/`, described in its
//! README): how cases open and settle, attribute values the workflow refuses, role titles.

use serde_json::Value as Json;

use crate::audit::{case, findings};
use crate::test::Test;

const LOGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/logs/");

fn logs(name: &str) -> String {
    format!("{LOGS}{name}")
}

/// Audits `log` on `workflow` (files of `tests/data/logs/`), with a mapping written from
/// `mapping` when given, and the JSON report.
fn audit(log: &str, workflow: &str, mapping: Option<&str>, extra: &[&str]) -> (i32, Json, String) {
    let mut test = Test::new().args(["audit", "--format", "json"]).args([&logs(log), "--workflow", &logs(workflow)]);
    if let Some(mapping) = mapping {
        let path = test.file("mapping.yaml", mapping);
        test = test.args(["--mapping", path.to_str().unwrap()]);
    }
    for arg in extra {
        test = test.args([arg]);
    }
    let output = test.run();
    let report = serde_json::from_str(&output.stdout).unwrap_or(Json::Null);
    (output.code, report, output.stderr)
}

fn helpdesk_mapping(extra: &str) -> String {
    format!("{}{extra}", std::fs::read_to_string(logs("helpdesk-mapping.yaml")).unwrap())
}

fn clock_count(report: &Json, clock: &str) -> u64 {
    report["clocks"].as_array().unwrap().iter().find(|entry| entry["clock"] == clock).unwrap()["count"]
        .as_u64()
        .unwrap()
}

fn finding(code: &str, case: &str, row: Option<u64>) -> (String, String, Option<u64>) {
    (code.to_owned(), case.to_owned(), row)
}

#[test]
fn a_case_whose_first_row_closes_it_is_not_opened_and_not_counted_as_met() {
    let mapping = helpdesk_mapping("");
    let (code, report, stderr) = audit("helpdesk.csv", "helpdesk.yaml", Some(&mapping), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&report),
        vec![
            // Case 5's stray `Closed` comes before its `Insert ticket`, which opens it; it
            // finishes first of the cases with findings.
            finding("AUD012", "Case 5", Some(15)),
            // `Closed` from the initial state would end Case 2 on its first row, at 0 wd.
            finding("AUD012", "Case 2", Some(8)),
            // `Take in charge ticket` is not allowed from `inserted`: the log starts mid-case.
            finding("AUD012", "Case 3", Some(9)),
            finding("AUD006", "Case 4", None),
            finding("AUD005", "Case 4", None),
        ]
    );
    for id in ["Case 2", "Case 3"] {
        let case = case(&report, id);
        assert_eq!(case["settled_by"], "not-opened", "{case}");
        assert_eq!(case["opened_on"], Json::Null, "{case}");
        assert_eq!(case["clocks"], serde_json::json!([]), "{case}");
    }
    assert_eq!(case(&report, "Case 5")["opened_on"], "2012-02-06");
    assert_eq!(case(&report, "Case 5")["settled_by"], "final-state");
    // Only the cases opened are in the clock's figures: 1, 4 and 5.
    assert_eq!(clock_count(&report, "resolution"), 3);
    assert_eq!(report["cases_not_opened"], 2);
    assert_eq!(report["cases_open"], 1);
    assert_eq!(report["open"], "opening-activity");
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("`Closed`") && message.contains("open: first-event"), "{message}");
}

#[test]
fn a_mapping_may_open_cases_at_their_first_event_and_settle_them_at_their_last() {
    let mapping = helpdesk_mapping("open: first-event\nsettle: last-event\n");
    let (code, report, stderr) = audit("helpdesk.csv", "helpdesk.yaml", Some(&mapping), &[]);
    assert_eq!(code, 1, "{stderr}");
    // Case 2 opens at its informational first row (01-11) and closes on 03-09: 39 wd, not 0.
    let case2 = case(&report, "Case 2");
    assert_eq!(case2["opened_on"], "2012-01-11");
    assert_eq!(case2["elapsed_working_days"], 39);
    assert_eq!(case2["clocks"][0]["status"], "breached");
    // Case 4 has no closing activity: it ends at its last event (02-01), with no AUD005.
    let case4 = case(&report, "Case 4");
    assert_eq!(case4["settled_by"], "last-event");
    assert_eq!(case4["elapsed_working_days"], 9);
    assert!(!findings(&report).iter().any(|(code, _, _)| code == "AUD005" || code == "AUD012"), "{report}");
    assert_eq!((report["open"].as_str(), report["settle"].as_str()), (Some("first-event"), Some("last-event")));
    assert_eq!(report["cases_open"], 0);
}

#[test]
fn open_cases_can_be_left_out_of_the_clock_figures_and_the_report_says_so() {
    let mapping = helpdesk_mapping("");
    let (_, counted, _) = audit("helpdesk.csv", "helpdesk.yaml", Some(&mapping), &[]);
    let (code, excluded, stderr) = audit("helpdesk.csv", "helpdesk.yaml", Some(&mapping), &["--open-cases", "exclude"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(clock_count(&counted, "resolution"), 3);
    // Case 4, still open, is left out of the figures; its findings stay.
    assert_eq!(clock_count(&excluded, "resolution"), 2);
    assert_eq!(excluded["clocks"][0]["breached"], 0);
    assert_eq!(findings(&excluded), findings(&counted));
    assert_eq!(excluded["open_cases"], "exclude");
    let text = Test::new()
        .args(["audit", &logs("helpdesk.csv"), "--workflow", &logs("helpdesk.yaml"), "--open-cases", "exclude"])
        .args(["--mapping", &logs("helpdesk-mapping.yaml")])
        .run();
    assert!(
        text.stdout.lines().next().unwrap().contains("1 open, left out of the clock figures; 2 never opened"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_refused_attribute_value_is_one_finding_and_the_step_is_still_replayed_with_or_without_roles() {
    // Without a mapping the log's `org:group` is no role column; with it, the groups are the
    // roles' titles.
    for mapping in [None, Some("columns: {role: org:group}\n")] {
        let (code, report, stderr) = audit("receipt.csv", "receipt.yaml", mapping, &[]);
        assert_eq!(code, 1, "{stderr}");
        // `e-mail` is no channel of the workflow: found once, on the row that opens the case;
        // every step of the case is replayed (by the role that may take it, when no role is given).
        assert_eq!(findings(&report), vec![finding("AUD011", "case-10011", Some(2))], "{mapping:?}");
        for id in ["case-10011", "case-10017"] {
            assert_eq!(case(&report, id)["settled_by"], "final-state", "{mapping:?}: {id}");
        }
        assert_eq!(case(&report, "case-10011")["elapsed_working_days"], 6);
    }
}

#[test]
fn a_refused_value_on_a_step_row_without_a_role_still_replays_the_step() {
    // The value comes first on a row the back office takes, with no role column: the first
    // role may not take the step, and the value is refused; both are put right.
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "case_id,activity,timestamp,channel\n\
         R1,Confirmation of receipt,2011-10-11 09:00,\n\
         R1,T02 Check confirmation of receipt,2011-10-12 09:00,\n\
         R1,T04 Determine confirmation of receipt,2011-10-13 09:00,Fax\n\
         R1,T05 Print and send confirmation of receipt,2011-10-14 09:00,Fax\n\
         R1,T06 Determine necessity of stop advice,2011-10-17 09:00,\n\
         R1,T10 Determine necessity to stop indication,2011-10-17 10:00,\n",
    );
    let output =
        test.args(["audit", log.to_str().unwrap(), "--workflow", &logs("receipt.yaml"), "--format", "json"]).run();
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(findings(&report), vec![finding("AUD011", "R1", Some(4))], "{}", output.stdout);
    assert!(report["findings"][0]["message"].as_str().unwrap().contains("the step is replayed without it"));
    assert_eq!(case(&report, "R1")["settled_by"], "final-state");
}

#[test]
fn a_log_role_that_is_a_role_title_is_that_role() {
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "case_id,activity,timestamp,role\n\
         R1,Confirmation of receipt,2011-10-11 09:00,Group 1\n\
         R1,T02 Check confirmation of receipt,2011-10-12 09:00,Group 1\n\
         R1,T04 Determine confirmation of receipt,2011-10-13 09:00,Group 1\n",
    );
    let output =
        test.args(["audit", log.to_str().unwrap(), "--workflow", &logs("receipt.yaml"), "--format", "json"]).run();
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    // `Group 1` is `front_office`: line 3 is its own step; line 4 is the back office's.
    let found = findings(&report);
    assert_eq!(found[0], finding("AUD003", "R1", Some(4)), "{}", output.stdout);
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("`front_office`") && message.contains("`back_office`"), "{message}");
}

#[test]
fn only_complete_lifecycle_rows_are_steps_unless_the_mapping_says_otherwise() {
    const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "case:concept:name,concept:name,time:timestamp,lifecycle:transition\n\
         L1,received,2026-03-02 09:00,COMPLETE\n\
         L1,accept,2026-03-03 09:00,SCHEDULE\n\
         L1,accept,2026-03-04 09:00,START\n\
         L1,accept,2026-03-06 09:00,COMPLETE\n\
         L1,grant,2026-03-09 09:00,\n",
    );
    let steps_start = test.file("mapping.yaml", "lifecycle: {steps: [start, complete]}\n");
    let run = |mapping: Option<&std::path::Path>| {
        let mut test = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"]);
        if let Some(mapping) = mapping {
            test = test.args(["--mapping", mapping.to_str().unwrap()]);
        }
        let output = test.run();
        serde_json::from_str::<Json>(&output.stdout).unwrap()
    };
    let elapsed = |report: &Json, clock: &str| {
        case(report, "L1")["clocks"].as_array().unwrap().iter().find(|entry| entry["clock"] == clock).unwrap()["elapsed"]
            .as_i64()
            .unwrap()
    };
    // By default `accept` is taken when it completes, on 03-06: 4 wd after 03-02. A row with no
    // transition (`grant`) is a step.
    let report = run(None);
    assert_eq!(report["rows_other_lifecycle"], 2);
    assert_eq!(elapsed(&report, "acceptance"), 4);
    assert!(findings(&report).iter().all(|(code, _, _)| code == "AUD005"), "{report}");
    // Counting starts as steps too, `accept` is taken on 03-04 and its completion is refused.
    let report = run(Some(&steps_start));
    assert_eq!(report["rows_other_lifecycle"], 1);
    assert_eq!(elapsed(&report, "acceptance"), 2);
    assert!(findings(&report).contains(&finding("AUD002", "L1", Some(5))), "{report}");
}

#[test]
fn dates_beyond_the_calendar_follow_the_beyond_data_policy() {
    const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
    let test = Test::new();
    let log =
        test.file("log.csv", "case_id,activity,timestamp\nA,received,2027-02-01 09:00\nA,accept,2027-02-12 09:00\n");
    let run = |extra: &[&str]| {
        let mut test = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"]);
        for arg in extra {
            test = test.args([arg]);
        }
        test.run()
    };
    // Refused by default: each row is an AUD010, never a guess.
    let refused = run(&[]);
    let report: Json = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(findings(&report), vec![finding("AUD010", "A", Some(2)), finding("AUD010", "A", Some(3))]);
    // Projected by the law: 2027's 春节 (02-05 to 02-08, 补假 02-09 and 02-10) is off, so from
    // Monday 02-01 to Friday 02-12 is 5 wd (02-02 to 02-04, 02-11, 02-12); counting Monday to
    // Friday only, 9.
    let projected = run(&["--beyond-data", "statutory"]);
    let report: Json = serde_json::from_str(&projected.stdout).unwrap();
    assert_eq!(case(&report, "A")["clocks"][0]["elapsed"], 5, "{}", projected.stdout);
    let weekends = run(&["--beyond-data", "weekends-only"]);
    let report: Json = serde_json::from_str(&weekends.stdout).unwrap();
    assert_eq!(case(&report, "A")["clocks"][0]["elapsed"], 9, "{}", weekends.stdout);
    // An audit date beyond the data follows the policy too.
    let as_of = run(&["--beyond-data", "statutory", "--as-of", "2027-03-01"]);
    assert_eq!(as_of.code, 1, "{}", as_of.stderr);
    let report: Json = serde_json::from_str(&as_of.stdout).unwrap();
    assert_eq!(report["as_of"], "2027-03-01");
    let refused = run(&["--as-of", "2027-03-01"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--beyond-data statutory"), "{}", refused.stderr);
}

#[test]
fn a_clock_may_take_each_cases_limit_from_its_attributes() {
    let (code, report, stderr) = audit("per-case-limits.csv", "per-case-limits.yaml", None, &[]);
    assert_eq!(code, 1, "{stderr}");
    let clock = |id: &str, name: &str| {
        case(&report, id)["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == name).cloned()
    };
    // C1 gives 10 calendar days: 03-03 to 03-16 is 13, 3 over.
    let decision = clock("C1", "decision").unwrap();
    assert_eq!((decision["limit"].as_str(), decision["over_statutory"].as_i64()), (Some("10 cd"), Some(3)));
    // Its promise of 5 wd against the written 20 wd: 9 wd, 4 over the promise only.
    let promise = clock("C1", "promise").unwrap();
    assert_eq!((promise["promised"].as_str(), promise["over_promised"].as_i64()), (Some("5 wd"), Some(4)));
    assert_eq!(promise["status"], "met");
    // The deadline is a timestamp: 23:30 UTC on 03-20 is Saturday 03-21 in Beijing, so the reply
    // may take the 14 working days from 03-02 to 03-20, and took 10.
    let reply = clock("C1", "reply").unwrap();
    assert_eq!((reply["limit"].as_str(), reply["elapsed"].as_i64()), (Some("14 wd"), Some(10)));
    // C2 sets no attribute: its limits are unknown, found, and neither met nor breached.
    assert_eq!(clock("C2", "decision"), None);
    let found = findings(&report);
    assert!(found.contains(&finding("AUD013", "C2", None)), "{found:?}");
    assert_eq!(found.iter().filter(|(code, ..)| code == "AUD013").count(), 2, "{found:?}");
    let figures = report["clocks"].as_array().unwrap();
    let decision = figures.iter().find(|clock| clock["clock"] == "decision").unwrap();
    assert_eq!((decision["count"].as_u64(), decision["breached"].as_u64()), (Some(1), Some(1)));
    assert_eq!(decision["limit"], "per case (decision_days cd)");
}

#[test]
fn a_case_may_open_at_a_date_the_log_gives_for_it() {
    const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "case:concept:name,concept:name,time:timestamp,case:startdate\n\
         S1,accept,2026-03-06 09:00,2026-03-02T09:00:00+08:00\n\
         S2,accept,2026-03-06 09:00,2026-03-09\n\
         S3,accept,2026-03-06 09:00,last week\n",
    );
    let mapping = test.file("mapping.yaml", "columns: {opened_at: \"case:startdate\"}\n");
    let run = |mapping: Option<&std::path::Path>| {
        let mut test = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"]);
        if let Some(mapping) = mapping {
            test = test.args(["--mapping", mapping.to_str().unwrap()]);
        }
        serde_json::from_str::<Json>(&test.run().stdout).unwrap()
    };
    let acceptance = |report: &Json, id: &str| case(report, id)["clocks"][0]["elapsed"].as_i64().unwrap();
    // Without the mapping the case opens at its first row, the acceptance itself: 0 wd.
    let report = run(None);
    assert_eq!(acceptance(&report, "S1"), 0);
    // With it, S1 opened on Monday 03-02 and was accepted on Friday 03-06: 4 wd.
    let report = run(Some(&mapping));
    assert_eq!(case(&report, "S1")["opened_on"], "2026-03-02");
    assert_eq!(acceptance(&report, "S1"), 4);
    // A start after the first row, or one that is no timestamp, is found, and the row's instant
    // opens the case.
    let found = findings(&report);
    assert!(found.contains(&finding("AUD004", "S2", Some(3))), "{found:?}");
    assert!(found.contains(&finding("AUD011", "S3", Some(4))), "{found:?}");
    assert_eq!(acceptance(&report, "S2"), 0);
    assert_eq!(case(&report, "S3")["opened_on"], "2026-03-06");
}

#[test]
fn paired_start_and_complete_rows_measure_an_activitys_own_working_time() {
    const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
    let test = Test::new();
    let log = test.file(
        "log.csv",
        "case:concept:name,concept:name,time:timestamp,lifecycle:transition\n\
         L1,received,2026-03-02 09:00,complete\n\
         L1,accept,2026-03-04 09:00,start\n\
         L1,accept,2026-03-06 09:00,complete\n\
         L2,received,2026-03-02 09:00,complete\n\
         L2,accept,2026-03-02 10:00,start\n\
         L2,accept,2026-03-03 09:00,complete\n",
    );
    let paired = test.file("paired.yaml", "lifecycle: {pair: true}\n");
    let output = Test::new()
        .args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"])
        .args(["--mapping", paired.to_str().unwrap()])
        .run();
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    let accept = report["activities"].as_array().unwrap().iter().find(|entry| entry["activity"] == "accept").unwrap();
    // L1 worked on it from Wednesday to Friday (2 wd), L2 from Monday to Tuesday (1 wd); the
    // steps are still taken when they complete.
    assert_eq!((accept["paired"].as_u64(), accept["own_max_working_days"].as_i64()), (Some(2), Some(2)), "{accept}");
    assert_eq!(accept["own_median_working_days"], 1);
    assert_eq!(report["rows_other_lifecycle"], 2);
    assert_eq!(case(&report, "L1")["clocks"][0]["elapsed"], 4);
    let text = Test::new()
        .args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--mapping", paired.to_str().unwrap()])
        .run();
    assert!(text.stdout.contains("own median wd"), "{}", text.stdout);
    // Starts cannot be steps and be paired at once.
    let both = test.file("both.yaml", "lifecycle: {steps: [start], pair: true}\n");
    let refused = Test::new()
        .args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--mapping", both.to_str().unwrap()])
        .run();
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("cannot be steps and be paired"), "{}", refused.stderr);
}
