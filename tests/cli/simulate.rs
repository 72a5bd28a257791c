//! `renewflow simulate`: fixed seeds, totals counted by hand across the Spring Festival, the same
//! bytes whatever the thread count, loop frequencies that converge, and emitted logs the audit
//! replays without a finding.

use serde_json::Value as Json;

use crate::test::{Output, Test};

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scenarios/");
const LONGGANG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/scenarios/longgang-2016-vs-2017.yaml");
const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

fn scenario(name: &str) -> String {
    format!("{SCENARIOS}{name}")
}

fn simulate(args: &[&str]) -> Output {
    let mut test = Test::new().args(["simulate"]);
    for arg in args {
        test = test.args([arg]);
    }
    test.run()
}

fn json(args: &[&str]) -> Json {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let output = simulate(&all);
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).unwrap()
}

fn clock<'a>(workflow: &'a Json, name: &str) -> &'a Json {
    workflow["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == name).unwrap()
}

#[test]
fn fixed_durations_give_totals_and_dates_counted_by_hand() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log.csv");
    let report = json(&[&scenario("licence-fixed.yaml"), "--emit-log", log.to_str().unwrap()]);
    let workflow = &report["workflows"][0];
    // received 1 wd, deciding 10 wd, granted 2 wd: 13 working days whatever the calendar …
    assert_eq!(workflow["total_working_days"]["p50"], 13);
    assert_eq!(workflow["total_working_days"]["max"], 13);
    assert_eq!(clock(workflow, "decision")["elapsed"]["max"], 10);
    assert_eq!(clock(workflow, "certificate")["elapsed"]["max"], 2);
    // … and on the calendar: opened Tue 02-10, accepted 02-11; ten working days on are 02-12,
    // 02-13, Sat 02-14 (调休, worked), then 春节 (02-15..23 off), 02-24..27, Sat 02-28 (worked),
    // 03-02 and 03-03: granted 03-03; two more, the certificate on Thu 03-05.
    let text = std::fs::read_to_string(&log).unwrap();
    let first: Vec<&str> = text.lines().filter(|line| line.starts_with("C0000000,")).collect();
    assert_eq!(
        first,
        [
            "C0000000,administrative-license@2019.1,intake,2026-02-10 09:00:00,,simulation,false",
            "C0000000,administrative-license@2019.1,accept,2026-02-11 09:00:00,officer,simulation,",
            "C0000000,administrative-license@2019.1,grant,2026-03-03 09:00:00,head,simulation,",
            "C0000000,administrative-license@2019.1,issue_certificate,2026-03-05 09:00:00,officer,simulation,",
        ]
    );
    assert_eq!(report["seed"], 7);
    assert_eq!(report["cases"], 3);
}

#[test]
fn the_same_seed_gives_the_same_bytes_with_one_thread_or_two() {
    let directory = tempfile::tempdir().unwrap();
    let logs = [directory.path().join("one.csv"), directory.path().join("two.csv")];
    let charts = [directory.path().join("one.svg"), directory.path().join("two.svg")];
    let mut outputs = Vec::new();
    for ((threads, log), chart) in ["1", "2"].iter().zip(&logs).zip(&charts) {
        let output = simulate(&[
            LONGGANG,
            "--cases",
            "5000",
            "--threads",
            threads,
            "--format",
            "json",
            "--emit-log",
            log.to_str().unwrap(),
            "--svg",
            chart.to_str().unwrap(),
        ]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert!(output.stderr.contains("seed: 2017"), "{}", output.stderr);
        outputs.push(output.stdout);
    }
    assert_eq!(outputs[0], outputs[1], "the report depends on the thread count");
    assert_eq!(
        std::fs::read(&logs[0]).unwrap(),
        std::fs::read(&logs[1]).unwrap(),
        "the log depends on the thread count"
    );
    // Another seed gives other numbers.
    let other = json(&[LONGGANG, "--cases", "5000", "--seed", "2018"]);
    let first: Json = serde_json::from_str(&outputs[0]).unwrap();
    assert_ne!(first["workflows"][0]["total_working_days"], other["workflows"][0]["total_working_days"]);
    assert_eq!(other["seed"], 2018);
}

#[test]
fn a_loop_probability_is_taken_as_often_as_it_says() {
    // `request_correction` has probability 0.3 each time `received` is left, whatever was before.
    let frequency = |cases: &str| {
        let report = json(&[&scenario("licence-loops.yaml"), "--cases", cases]);
        let actions = report["workflows"][0]["actions"].as_array().unwrap().clone();
        let times = |name: &str| {
            actions
                .iter()
                .find(|action| action["action"] == name)
                .map_or(0.0, |action| action["times"].as_f64().unwrap())
        };
        // Every visit to `received` ends in one of these (withdrawing there has probability 0).
        let visits = times("request_correction") + times("accept") + times("refuse_acceptance");
        times("request_correction") / visits
    };
    let large = frequency("40000");
    // About 57,000 visits: one standard error is 0.0019; 0.008 is over four.
    assert!((large - 0.3).abs() < 0.008, "observed {large}");
    let small = frequency("200");
    assert!((small - 0.3).abs() < 0.1, "observed {small}");
}

#[test]
fn an_emitted_log_is_audited_without_a_finding() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log.csv");
    let simulated = json(&[&scenario("licence-loops.yaml"), "--emit-log", log.to_str().unwrap()]);
    let audit = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"]).run();
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
    let report: Json = serde_json::from_str(&audit.stdout).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["case_count"], 500);
    // The audit counts the same working days as the simulation.
    let audited = report["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    let decision = clock(&simulated["workflows"][0], "decision");
    assert_eq!(audited["count"], decision["elapsed"]["count"]);
    assert_eq!(audited["max"], decision["elapsed"]["max"]);
    assert_eq!(audited["median"], decision["elapsed"]["p50"]);
}

#[test]
fn the_longgang_scenario_puts_the_legal_bound_beside_the_simulated_figures() {
    let report = json(&[LONGGANG, "--cases", "2000"]);
    let bounds = report["statutory"]["workflows"].as_array().unwrap();
    assert_eq!(bounds.len(), 2);
    let stages: Vec<(String, i64)> = report["statutory"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| {
            (stage["stage"].as_str().unwrap().to_owned(), stage["cut_percent"].as_f64().unwrap().round() as i64)
        })
        .collect();
    // The published Longgang 2017 stage cuts.
    assert_eq!(
        stages,
        [
            ("plan".into(), 63),
            ("planning".into(), 43),
            ("entity".into(), 28),
            ("land".into(), 25),
            ("design".into(), 25)
        ]
    );
    let difference = &report["differences"][0];
    let (low, high) = (difference["ci95_low"].as_f64().unwrap(), difference["ci95_high"].as_f64().unwrap());
    let mean = difference["mean_working_days"].as_f64().unwrap();
    assert!(low < mean && mean < high && high < 0.0, "the reform is faster: {difference}");
    let table = simulate(&[LONGGANG, "--cases", "100"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("longest legal path"), "{}", table.stdout);
}

#[test]
fn a_bad_scenario_is_refused_with_file_line_and_column() {
    let test = Test::new();
    let file = test.file(
        "bad.yaml",
        &format!(
            "scenario:\n  workflows: [{LICENCE}]\n  arrivals:\n    fixed: [2026-02-10]\n  durations:\n    recieved: {{fixed: 1}}\n    default: {{fixed: 1}}\n  branches:\n    request_corection: 0.2\n"
        ),
    );
    let output = test.args(["simulate", file.to_str().unwrap()]).run();
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("bad.yaml:6:5"), "{}", output.stderr);
    assert!(output.stderr.contains("did you mean `received`?"), "{}", output.stderr);
    assert!(output.stderr.contains("did you mean `request_correction`?"), "{}", output.stderr);
}

#[test]
fn one_handler_queues_as_the_m_m_1_formula_says() {
    // λ = 40 arrivals a working day, μ = 50 served a working day, one clerk: ρ = 0.8 and the mean
    // wait in queue is Wq = λ / (μ (μ − λ)) = 0.08 wd. Eight replications of 20,000 cases, each
    // starting empty; across seeds the estimate lies within 6 % of Wq, so 10 % is the tolerance.
    let outputs: Vec<String> = ["1", "2"]
        .iter()
        .map(|threads| {
            let output = simulate(&[&scenario("mm1.yaml"), "--threads", threads, "--format", "json"]);
            assert_eq!(output.code, 0, "{}", output.stderr);
            output.stdout
        })
        .collect();
    assert_eq!(outputs[0], outputs[1], "replications run in parallel give the same bytes");
    let report: Json = serde_json::from_str(&outputs[0]).unwrap();
    let queue = &report["workflows"][0]["queues"][0];
    assert_eq!(queue["role"], "clerk");
    assert_eq!(queue["requests"], 160_000);
    let wait = queue["mean_wait_working_days"].as_f64().unwrap();
    assert!((wait - 0.08).abs() < 0.008, "mean wait {wait}, M/M/1 says 0.08");
    let utilisation = queue["utilisation"].as_f64().unwrap();
    assert!((utilisation - 0.8).abs() < 0.016, "utilisation {utilisation}, M/M/1 says 0.8");
    // The CSV has the same figures, one row per measure, every row as wide as the header.
    let csv = simulate(&[&scenario("mm1.yaml"), "--format", "csv"]).stdout;
    let rows: Vec<Vec<&str>> = csv.lines().map(|line| line.split(',').collect()).collect();
    assert!(rows.iter().all(|row| row.len() == rows[0].len()), "{csv}");
    let queue_row = rows.iter().find(|row| row[2] == "queue_wait:clerk").unwrap();
    assert_eq!(queue_row[4], "160000");
    assert_eq!(queue_row[5], queue["mean_wait_working_days"].to_string());
}

#[test]
fn durations_fitted_by_the_audit_feed_a_scenario_that_gives_the_same_figures() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log.csv");
    let fitted = directory.path().join("fitted.yaml");
    let original = json(&[LONGGANG, "--cases", "1500", "--emit-log", log.to_str().unwrap()]);
    let workflow = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2017.yaml");
    let audit = Test::new()
        .args(["audit", log.to_str().unwrap(), "--workflow", workflow, "--format", "csv"])
        .args(["--fit-durations", fitted.to_str().unwrap()])
        .run();
    assert!(audit.code <= 1, "{}", audit.stderr);
    let text = std::fs::read_to_string(&fitted).unwrap();
    assert!(text.contains("version: \"2017.1\""), "{text}");
    // A state and its parallel copy (`review.plan_intake`) are fitted together.
    assert!(text.contains("\n  \"plan_intake\": {empirical: ["), "{text}");
    assert!(!text.contains("review.plan_intake"), "{text}");
    // The same scenario on 2017 alone, every duration from the fitted file.
    let scenario = std::fs::read_to_string(LONGGANG).unwrap();
    let start = scenario.find("  durations:\n").unwrap();
    let end = scenario.find("  # The probability").unwrap();
    let refitted = format!(
        "{}  durations_from: fitted.yaml\n  durations:\n    default: {{fixed: 0}}\n{}",
        &scenario[..start],
        &scenario[end..]
    )
    .replace("[../longgang-2016.yaml, ../longgang-2017.yaml]", &format!("[{workflow}]"));
    let path = directory.path().join("refitted.yaml");
    std::fs::write(&path, refitted).unwrap();
    let again = json(&[path.to_str().unwrap(), "--cases", "1500"]);
    let (before, after) =
        (&original["workflows"][1]["total_working_days"], &again["workflows"][0]["total_working_days"]);
    for measure in ["p50", "p90"] {
        let (before, after) = (before[measure].as_f64().unwrap(), after[measure].as_f64().unwrap());
        assert!((before - after).abs() / before < 0.03, "{measure}: {before} simulated, {after} from fitted durations");
    }
}

#[test]
fn past_the_calendars_data_a_run_stops_unless_it_opts_in_to_provisional_weekends() {
    let scenario = |opt_in: &str| {
        format!(
            "scenario:\n  workflows: [{LICENCE}]\n  cases: 5\n  seed: 1\n{opt_in}  arrivals:\n    fixed: [2026-12-01]\n  attributes:\n    joint_handling: 0\n  durations:\n    deciding: {{fixed: 30}}\n    default: {{fixed: 1}}\n  branches:\n    request_correction: 0\n    refuse_acceptance: 0\n    withdraw: 0\n    order_hearing: 0\n    order_expert_review: 0\n    refuse: 0\n"
        )
    };
    let test = Test::new();
    let refused = test.file("refused.yaml", &scenario(""));
    let output = test.args(["simulate", refused.to_str().unwrap()]).run();
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("runs past the calendar's data, into 2027"), "{}", output.stderr);
    let test = Test::new();
    let opted = test.file("opted.yaml", &scenario("  beyond_data: weekends_only\n"));
    let output = test.args(["simulate", opted.to_str().unwrap(), "--format", "json"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("provisional"), "{}", output.stderr);
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["provisional"], true);
    // 12-01 + 1 + 30 + 1 working days, counted Monday to Friday in 2027: 32 in all.
    assert_eq!(report["workflows"][0]["total_working_days"]["max"], 32);
    // The same run on the data alone (an early start) is not provisional.
    let early = Test::new();
    let file =
        early.file("early.yaml", &scenario("  beyond_data: weekends_only\n").replace("2026-12-01", "2026-03-02"));
    let output = early.args(["simulate", file.to_str().unwrap(), "--format", "json"]).run();
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["provisional"], false);
}
