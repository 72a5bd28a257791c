//! `renewflow audit --mapping` (issue 25, item 4): a mapped column the log's header lacks is
//! refused with a suggestion, and the mapping's `missing` cells read as empty ones.

use serde_json::Value as Json;

use crate::test::Test;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

const LOG: &str = "编号,环节,时间,岗 位,联合办理\nM-1,收件,2026-03-02 09:00,窗口,NULL\nM-1,受理,2026-03-03,-,-\n\
                   M-1,审批通过,2026-03-10,局长,\nM-1,发证,NULL,窗口,\n";

const MAPPING: &str = "activities:\n  受理: accept\n  审批通过: grant\n  发证: issue_certificate\nopening: [收件]\n\
                       roles:\n  窗口: officer\n  局长: head\n";

fn audit(columns: &str, extra: &str) -> (i32, Json, String) {
    let test = Test::new();
    let log = test.file("log.csv", LOG);
    let mapping = test.file("mapping.yaml", &format!("{columns}{MAPPING}{extra}"));
    let output = test
        .args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--mapping", mapping.to_str().unwrap()])
        .args(["--format", "json", "--as-of", "2026-03-20"])
        .run();
    (output.code, serde_json::from_str(&output.stdout).unwrap_or(Json::Null), output.stderr)
}

#[test]
fn a_mapped_column_the_header_lacks_is_refused_with_the_nearest_one() {
    let columns = "columns: {case_id: 编号, activity: 环节, timestamp: 时间, role: 岗位}\n";
    let (code, _, stderr) = audit(columns, "");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("mapping.yaml` names column `岗位` (under `columns.role`), which the log's header does not have; did you mean `岗 位`?"),
        "{stderr}"
    );
    let attributes = "columns: {case_id: 编号, activity: 环节, timestamp: 时间, role: 岗 位}\nattributes:\n  是否联合办理: joint_handling\n";
    let (code, _, stderr) = audit(attributes, "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("names column `是否联合办理` (under `attributes`)"), "{stderr}");
    assert!(stderr.contains("did you mean `联合办理`?"), "{stderr}");
    // Nothing near: the header is listed.
    let far = "columns: {case_id: 编号, activity: 环节, timestamp: 时间, resource: handler}\n";
    let (code, _, stderr) = audit(far, "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("its columns are `编号`, `环节`, `时间`, `岗 位`, `联合办理`"), "{stderr}");
}

#[test]
fn placeholder_cells_are_empty_cells() {
    let columns = "columns: {case_id: 编号, activity: 环节, timestamp: 时间, role: 岗 位}\nattributes:\n  联合办理: joint_handling\n";
    // Without `missing`, `-` is a role the workflow lacks and a bool that is not one (line 3), and
    // `NULL` a timestamp that is not one (line 5).
    let (code, report, stderr) = audit(columns, "");
    assert_eq!(code, 1, "{stderr}");
    let codes = |report: &Json| -> Vec<(String, Option<u64>)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| (finding["code"].as_str().unwrap().to_owned(), finding["row"].as_u64()))
            .collect()
    };
    let before = codes(&report);
    for found in [("AUD003", 3), ("AUD011", 3), ("AUD011", 5)] {
        assert!(before.contains(&(found.0.to_owned(), Some(found.1))), "{found:?}: {before:?}");
    }
    // With it: no role (replayed as a permitted one), no attribute, and a row without a timestamp.
    let (code, report, stderr) = audit(columns, "missing: [NULL, \"-\"]\n");
    assert_eq!(code, 1, "{stderr}");
    let after = codes(&report);
    assert!(!after.iter().any(|(code, _)| code == "AUD003"), "{after:?}");
    assert_eq!(
        after.iter().filter(|(code, _)| code == "AUD011").collect::<Vec<_>>(),
        [&("AUD011".to_owned(), Some(5))]
    );
    let message =
        &report["findings"].as_array().unwrap().iter().find(|finding| finding["code"] == "AUD011").unwrap()["message"];
    assert!(message.as_str().unwrap().contains("no timestamp"), "{message}");
}
