//! `renewflow audit` counts each event on the civil date of the calendar's zone: a BPIC-2012-like
//! log stamped in UTC (`tests/data/logs/bpic2012-sample.csv`, generated; see its README) against
//! the Dutch calendar (`zone: Europe/Amsterdam`). Case 173688 is submitted at
//! 2011-10-03T22:38:44Z, which is 00:38 on Tuesday 4 October in Amsterdam (summer time, +02:00),
//! and approved at 2011-10-08T03:54:56Z (Saturday in both zones): 3 working days after the
//! Dutch date (5, 6, 7 October), 4 after the UTC date.

use serde_json::Value as Json;

use crate::test::Test;

const LOGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/logs/");
const NL: &str = include_str!("../data/calendar/nl.yaml");

fn data(name: &str) -> String {
    format!("{LOGS}{name}")
}

/// The `decision` clock's elapsed working days of each case, audited with `calendar` (the text
/// of a calendar file), `log` and `mapping` (paths).
fn elapsed(test: &Test, calendar: &str, log: &str, mapping: &str) -> Vec<(String, i64)> {
    let calendar = test.file("nl.yaml", calendar);
    let output = Test::new()
        .args(["audit", log, "--workflow", &data("bpic2012.yaml"), "--mapping", mapping])
        .args(["--calendar-file", calendar.to_str().unwrap(), "--format", "json"])
        .run();
    assert!(output.code <= 1, "{}", output.stderr);
    let report: Json = serde_json::from_str(&output.stdout).unwrap();
    let mut figures: Vec<(String, i64)> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let clock = case["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
            (case["case_id"].as_str().unwrap().to_owned(), clock["elapsed"].as_i64().unwrap())
        })
        .collect();
    figures.sort();
    figures
}

fn case(figures: &[(String, i64)], id: &str) -> i64 {
    figures.iter().find(|(case, _)| case == id).unwrap().1
}

#[test]
fn an_event_late_in_the_utc_evening_falls_on_the_next_dutch_day() {
    let test = Test::new();
    let log = data("bpic2012-sample.csv");
    let mapping = data("bpic2012-mapping.yaml");
    let dutch = elapsed(&test, NL, &log, &mapping);
    let utc = elapsed(&test, &NL.replace("zone: Europe/Amsterdam", "zone: \"+00:00\""), &log, &mapping);
    assert_eq!(case(&dutch, "173688"), 3);
    assert_eq!(case(&utc, "173688"), 4);
    // Submitted at 23:59Z on Tuesday 11 October: Wednesday in Amsterdam.
    assert_eq!(case(&utc, "173706") - case(&dutch, "173706"), 1);
    // Submitted in the morning: the same day in both zones.
    assert_eq!(case(&utc, "173691"), case(&dutch, "173691"));
}

/// A mapping's `zone` says how to read timestamps written without an offset: the same log with
/// its `Z` removed and `zone: UTC` gives what the log with `Z` gives.
#[test]
fn a_mapping_names_the_zone_of_a_log_without_offsets() {
    let test = Test::new();
    let log = std::fs::read_to_string(data("bpic2012-sample.csv")).unwrap();
    let local_log = test.file("local.csv", &log.replace(".000Z", ""));
    let mapping = std::fs::read_to_string(data("bpic2012-mapping.yaml")).unwrap();
    let utc_mapping = test.file("utc-mapping.yaml", &format!("{mapping}zone: UTC\n"));
    let with_z = elapsed(&test, NL, &data("bpic2012-sample.csv"), &data("bpic2012-mapping.yaml"));
    let named = elapsed(&test, NL, local_log.to_str().unwrap(), utc_mapping.to_str().unwrap());
    assert_eq!(named, with_z);
    // Without the mapping's zone the same text is Dutch local time: case 173688 then starts on
    // Monday 3 October.
    let dutch_local = elapsed(&test, NL, local_log.to_str().unwrap(), &data("bpic2012-mapping.yaml"));
    assert_eq!(case(&dutch_local, "173688"), 4);
    let bad_mapping = test.file("bad-mapping.yaml", &format!("{mapping}zone: Europe/Amsterdm\n"));
    let output = Test::new()
        .args(["audit", local_log.to_str().unwrap(), "--workflow", &data("bpic2012.yaml")])
        .args([
            "--mapping",
            bad_mapping.to_str().unwrap(),
            "--calendar-file",
            test.file("nl.yaml", NL).to_str().unwrap(),
        ])
        .run();
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("did you mean `Europe/Amsterdam`?"), "{}", output.stderr);
}
