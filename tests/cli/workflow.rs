//! `renewflow workflow …` against the shipped flows in `workflows/`.

use crate::test::Test;

fn shipped(name: &str) -> String {
    format!("{}/workflows/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_shipped_workflow_validates() {
    let dir = format!("{}/workflows", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected the shipped flows, found {files:?}");
    let mut test = Test::new().args(["workflow", "validate", "--format", "json"]);
    for file in &files {
        test = test.args([file.as_str()]);
    }
    let output = test.run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let results: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(results.as_array().unwrap().len(), files.len());
    assert!(results.as_array().unwrap().iter().all(|result| result["valid"] == true));
}

/// The published Longgang 2017 figures (DOMAIN.md 7.1) from the two shipped files.
#[test]
fn longgang_comparison_reproduces_the_published_figures() {
    let output = Test::new()
        .args([
            "workflow",
            "compare",
            &shipped("longgang-2016.yaml"),
            &shipped("longgang-2017.yaml"),
            "--format",
            "json",
        ])
        .run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["matters"], 27);
    assert_eq!(report["total_saved_working_days"], 141);
    assert_eq!(report["rounding"], "nearest");
    let published = [("plan", 63.0), ("planning", 43.0), ("entity", 28.0), ("land", 25.0), ("design", 25.0)];
    let stages = report["stages"].as_array().unwrap();
    for (stage, percent) in published {
        let row = stages.iter().find(|row| row["stage"] == stage).unwrap();
        let cut = row["cut_percent"].as_f64().unwrap();
        assert!((cut - percent).abs() <= 0.5, "stage {stage}: cut {cut} %, published {percent} %");
    }
    let parallel = &report["parallel"];
    assert_eq!(parallel["serial_working_days"], 150);
    assert_eq!(parallel["parallel_working_days"], 90);
    assert!((parallel["cut_percent"].as_f64().unwrap() - 40.0).abs() <= 0.5);
    let reform_paths = report["critical_path"]["reform"].as_array().unwrap();
    assert!(reform_paths.len() >= 2, "clear title and not should take different routes");
}

#[test]
fn describe_writes_a_mermaid_state_diagram() {
    let output =
        Test::new().args(["workflow", "describe", &shipped("longgang-2017.yaml"), "--format", "mermaid"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.starts_with("stateDiagram-v2\n"));
    assert!(output.stdout.contains("    --\n"), "the parallel review shows its regions");
}

#[test]
fn a_refused_workflow_exits_2_with_every_problem() {
    let test = Test::new();
    let path = test.file(
        "bad.yaml",
        "workflow: w\nversion: '1'\ncalendar: cn-mainlnd\nroles: {officer: x}\nstates: {a: {}, b: {final: true}}\ntransitions:\n  - {action: go, from: a, to: c, by: officer}\n",
    );
    let output = test.args(["workflow", "validate", path.to_str().unwrap()]).run();
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("unknown calendar `cn-mainlnd`; did you mean `cn-mainland`?"), "{}", output.stderr);
    assert!(output.stderr.contains("unknown state `c`"), "{}", output.stderr);
}
