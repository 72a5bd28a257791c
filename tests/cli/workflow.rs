//! `renewflow workflow …` against the shipped flows in `workflows/`.

use std::collections::HashSet;

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

/// The published Longgang 2017 figures (docs/legal-basis.md §7.1) from the two shipped files.
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

/// `workflow validate --format json` on one file: its states, transitions and clocks counts.
fn validated_counts(file: &str) -> (u64, u64, u64) {
    let output = Test::new().args(["workflow", "validate", file, "--format", "json"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let results: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let result = &results[0];
    let count = |key: &str| result[key].as_u64().unwrap_or_else(|| panic!("no `{key}` in {result}"));
    (count("states"), count("transitions"), count("clocks"))
}

fn describe(file: &str, format: &str) -> String {
    let output = Test::new().args(["workflow", "describe", file, "--format", format]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    output.stdout
}

/// The nodes a Graphviz text declares (`id [..];`) and the edges it draws (`from -> to ..;`).
fn dot_graph(dot: &str) -> (HashSet<String>, Vec<(String, String)>) {
    let mut nodes = HashSet::new();
    let mut edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some((from, rest)) = line.split_once(" -> ") {
            let to = rest.split([' ', ';', '[']).next().unwrap();
            edges.push((from.to_owned(), to.to_owned()));
        } else if let Some((node, _)) = line.split_once(" [")
            && !node.contains(' ')
            && !["node", "edge", "graph"].contains(&node)
        {
            nodes.insert(node.to_owned());
        }
    }
    (nodes, edges)
}

/// Whether every `{` outside quotes is closed by a `}`, never closing one that is not open.
fn braces_balance(text: &str) -> bool {
    let (mut depth, mut quoted) = (0_i64, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !quoted
}

/// The text of the cluster `subgraph cluster_s<index> { … }`, up to its closing brace.
fn dot_cluster(dot: &str, index: usize) -> Option<&str> {
    let start = dot.find(&format!("subgraph cluster_s{index} {{"))?;
    let mut depth = 0;
    for (offset, c) in dot[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return Some(&dot[start..=start + offset]),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn describe_dot_is_a_whole_graph(name: &str, parallel_states: usize) {
    let file = shipped(name);
    let dot = describe(&file, "dot");
    let json: serde_json::Value = serde_json::from_str(&describe(&file, "json")).unwrap();
    let states = json["states"].as_array().unwrap();
    assert!(dot.starts_with("digraph "), "{dot}");
    assert!(braces_balance(&dot), "unbalanced braces:\n{dot}");
    let (nodes, edges) = dot_graph(&dot);
    assert_eq!(nodes.len(), states.len() + 1, "one node per state and the start point: {nodes:?}");
    assert_eq!(edges.len() as u64, dot.matches(" -> ").count() as u64);
    for (from, to) in &edges {
        assert!(nodes.contains(from) && nodes.contains(to), "edge {from} -> {to} names an undeclared node");
    }
    let index_of = |name: &serde_json::Value| states.iter().position(|state| state["name"] == *name).unwrap();
    let mut parallels = 0;
    for (index, state) in states.iter().enumerate() {
        let kind = state["kind"].as_str().unwrap();
        if kind != "compound" && kind != "parallel" {
            continue;
        }
        let cluster = dot_cluster(&dot, index).unwrap_or_else(|| panic!("no cluster for `{}`", state["name"]));
        if kind == "parallel" {
            parallels += 1;
            assert!(cluster.lines().nth(1).unwrap().contains("style=dashed;"), "{cluster}");
            let regions = state["children"].as_array().unwrap();
            assert!(regions.len() >= 2, "{state}");
            for region in regions {
                let region = index_of(region);
                assert!(
                    cluster.contains(&format!("subgraph cluster_s{region} {{")),
                    "region s{region} not in\n{cluster}"
                );
            }
        }
    }
    assert_eq!(parallels, parallel_states, "parallel states in {name}");
}

#[test]
fn describe_dot_of_the_reformed_longgang_flow() {
    describe_dot_is_a_whole_graph("longgang-2017.yaml", 1);
}

#[test]
fn describe_dot_of_the_licence_flow() {
    describe_dot_is_a_whole_graph("administrative-license.yaml", 0);
}

#[test]
fn describe_json_counts_match_validate() {
    for name in ["longgang-2017.yaml", "administrative-license.yaml"] {
        let file = shipped(name);
        let json: serde_json::Value = serde_json::from_str(&describe(&file, "json")).unwrap();
        let count =
            |key: &str| json[key].as_array().unwrap_or_else(|| panic!("no `{key}` list in {name}")).len() as u64;
        assert_eq!((count("states"), count("transitions"), count("clocks")), validated_counts(&file), "{name}");
        assert_eq!(json["lineage"].as_array().unwrap().is_empty(), name == "administrative-license.yaml", "{name}");
    }
}

/// Splits one CSV line, with `"…"` cells holding commas and `""` for a quote.
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

fn compare_longgang(format: &str) -> String {
    let output = Test::new()
        .args([
            "workflow",
            "compare",
            &shipped("longgang-2016.yaml"),
            &shipped("longgang-2017.yaml"),
            "--format",
            format,
        ])
        .run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    output.stdout
}

#[test]
fn compare_as_csv_has_a_row_per_matter_summing_to_141() {
    let csv = compare_longgang("csv");
    let mut lines = csv.lines();
    let header = csv_cells(lines.next().unwrap());
    assert_eq!(
        header,
        ["stage", "matter", "title", "before", "after", "cut_percent", "saved_working_days", "rounding"]
    );
    let rows: Vec<Vec<String>> = lines.map(csv_cells).collect();
    assert_eq!(rows.len(), 27);
    assert!(rows.iter().all(|row| row.len() == header.len() && row[7] == "nearest"), "{csv}");
    let saved: i64 = rows.iter().map(|row| row[6].parse::<i64>().unwrap()).sum();
    assert_eq!(saved, 141);
}

#[test]
fn compare_as_markdown_states_the_141_total() {
    let markdown = compare_longgang("markdown");
    assert!(markdown.starts_with("# Statutory comparison: longgang-renewal 2016.1 → 2017.1\n"), "{markdown}");
    assert!(markdown.contains("\n27 matters, 141 working days saved in total"), "{markdown}");
    for heading in ["## Stages", "## Parallel review", "## Longest legal path", "## Matters"] {
        assert!(markdown.contains(&format!("\n{heading}\n")), "no {heading}:\n{markdown}");
    }
    let matters = &markdown[markdown.find("\n## Matters\n").unwrap()..];
    let rows: Vec<&str> = matters.lines().filter(|line| line.starts_with('|')).collect();
    assert_eq!(rows[0], "| stage | matter | title | before | after | cut | saved (wd) |");
    assert_eq!(rows[1], "| --- | --- | --- | --- | --- | --- | --- |");
    let saved: i64 = rows[2..]
        .iter()
        .map(|row| row.trim_matches('|').rsplit('|').next().unwrap().trim().parse::<i64>().unwrap())
        .sum();
    assert_eq!((rows.len() - 2, saved), (27, 141));
    for line in markdown.lines().filter(|line| line.starts_with('|')) {
        assert!(line.ends_with(" |"), "{line}");
    }
}

/// Issue 24, item 1: two unrelated workflows share no stage or matter, so a comparison would
/// report every stage as a 100 % cut; it is refused instead.
#[test]
fn compare_refuses_two_different_workflows() {
    let output = Test::new()
        .args(["workflow", "compare", &shipped("longgang-2016.yaml"), &shipped("administrative-license.yaml")])
        .run();
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(output.stdout.is_empty(), "{}", output.stdout);
    assert!(
        output.stderr.contains(
            "cannot compare workflow `longgang-renewal` with workflow `administrative-license`: compare two \
             versions of one workflow"
        ),
        "{}",
        output.stderr
    );
}

/// Issue 24, item 1: the licence's two decision clocks are alternatives: the stage's sum (65 wd)
/// is shown as a sum, beside the 45 wd one case can face; the path never leaves a final state.
#[test]
fn compare_shows_what_one_case_faces_beside_each_stage_sum() {
    let licence = shipped("administrative-license.yaml");
    let output = Test::new().args(["workflow", "compare", &licence, &licence, "--format", "json"]).run();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let decision = report["stages"].as_array().unwrap().iter().find(|row| row["stage"] == "decision").unwrap();
    assert_eq!(decision["figure"], "sum_of_matters");
    assert_eq!(decision["before_working_days"], 65);
    assert_eq!(decision["before_one_case_working_days"], 45);
    assert_eq!(decision["sum_applies_to_one_case"], false);
    for path in report["critical_path"]["base"].as_array().unwrap() {
        let states: Vec<&str> = path["states"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(!states.contains(&"not_accepted"), "{states:?}");
    }

    let table = Test::new().args(["workflow", "compare", &licence, &licence]).run();
    assert_eq!(table.code, 0, "{}", table.stderr);
    let row = table.stdout.lines().find(|line| line.contains("审查与决定")).unwrap();
    let cells: Vec<&str> = row.trim_matches(['│', ' ']).split_whitespace().collect();
    assert_eq!(cells, ["decision", "审查与决定", "2", "65", "65", "0.0", "%", "no", "45", "45"]);
}

/// Issue 24, item 5: three mistakes in one file (an unknown key, a state and a role misspelled),
/// all reported with their suggestions; and on a line with Chinese text before the problem, the
/// summary's `line:column` and the snippet's are the same, both counted in characters.
#[test]
fn every_problem_is_shown_with_one_column_in_summary_and_snippet() {
    let test = Test::new();
    let path = test.file(
        "cjk.yaml",
        "workflow: w\nversion: '1'\ncalendar: cn-mainland\nroles: {officer: 承办人}\n\
         states: {received: {}, done: {final: true}}\ntransitions:\n  \
         - {action: accept, title: 受理审查通过, from: recieved, to: done, by: oficer}\n\
         clocks:\n  c: {limt: 5 wd, from: received, until: done}\n",
    );
    let output = test.args(["workflow", "validate", path.to_str().unwrap()]).run();
    assert_eq!(output.code, 2, "{}", output.stderr);
    let file = path.to_str().unwrap();
    let summaries: Vec<&str> = output
        .stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("× ")?.strip_prefix(file)?.strip_prefix(':'))
        .collect();
    let snippets: Vec<&str> = output
        .stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("╭─[")?.strip_prefix(file)?.strip_prefix(':'))
        .collect();
    assert_eq!(
        summaries,
        [
            "9:7: unknown field `limt`; did you mean `limit`?",
            "7:43: unknown state `recieved`; did you mean `received`?",
            "7:67: unknown role `oficer`; did you mean `officer`?",
        ],
        "{}",
        output.stderr
    );
    assert_eq!(snippets, ["9:7]", "7:43]", "7:67]"], "{}", output.stderr);
}

/// Limits taken from a case's attributes are checked like everything else: every problem at its
/// line and column, at once.
#[test]
fn limits_taken_from_attributes_are_checked_at_load() {
    let test = Test::new();
    let file = test.file(
        "bad.yaml",
        "workflow: x\nversion: \"1\"\ntitle: t\ncalendar: cn-mainland\nroles: {o: O}\nactions: {a: A}\n\
         attributes:\n  note: {type: text}\n  days: {type: integer}\nstates:\n  s: {}\n  e: {final: true}\n\
         initial: s\ntransitions:\n  - {action: a, from: s, to: e, by: o}\nclocks:\n\
         \x20 c:\n    limit: {attribute: dayz, unit: cd}\n    over: s\n\
         \x20 d:\n    limit: {attribute: note}\n    over: s\n\
         \x20 f:\n    limit: {due: note, unit: months}\n    over: s\n\
         \x20 g:\n    limit: {attribute: days}\n    promised: 3 wd\n    over: s\n",
    );
    let output = test.args(["workflow", "validate", file.to_str().unwrap()]).run();
    assert_eq!(output.code, 2, "{}", output.stdout);
    for expected in [
        "bad.yaml:18:12: `dayz` is not an attribute of the workflow; did you mean `days`?",
        "bad.yaml:21:12: attribute `note` must be an `integer` to give a limit",
        "bad.yaml:24:12: a limit up to a due date is counted in `wd` or `cd`, not `months`",
        "bad.yaml:28:15: promised limit `3 wd` is written, while the limit is taken from each case",
    ] {
        assert!(output.stderr.contains(expected), "{expected}\n{}", output.stderr);
    }
}

/// A reform cannot cut a limit each case sets: there is no figure to cut.
#[test]
fn a_reform_cannot_cut_a_limit_set_per_case() {
    let test = Test::new();
    test.file(
        "base.yaml",
        "workflow: x\nversion: \"1\"\ntitle: t\ncalendar: cn-mainland\nroles: {o: O}\nactions: {a: A}\n\
         attributes:\n  days: {type: integer}\nstates:\n  s: {}\n  e: {final: true}\ninitial: s\n\
         transitions:\n  - {action: a, from: s, to: e, by: o}\nclocks:\n\
         \x20 g:\n    limit: {attribute: days}\n    over: s\n",
    );
    let reform = test.file(
        "reform.yaml",
        "extends: base.yaml\nversion: \"2\"\nreform:\n  title: cut\n  rounding: nearest\n  cut:\n    clocks: {g: 50%}\n",
    );
    let output = test.args(["workflow", "validate", reform.to_str().unwrap()]).run();
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output.stderr.contains("clock `g` takes its limit from each case's attribute; a reform cannot cut it"),
        "{}",
        output.stderr
    );
}
