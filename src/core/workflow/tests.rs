//! One case per validation rule: edits to one small valid workflow in, the exact problems out
//! (line:column: message), through one helper. Reforms likewise: a reform file over a small base
//! served from memory, the problems out as file:line:column: message, or the loaded result.

#![allow(clippy::needless_raw_string_hashes)] // snippets and snapshots are pasted as written

use super::{
    ActionId, ClockId, ClockSpan, Cut, EXTENDS_DEPTH_MAX, NoExtends, Percent, Rounding, SourceReader, StateId,
    StateKind, TransitionId, Workflow, load_workflow,
};
use crate::core::calendar::{Calendars, Period, PeriodUnit};

/// A valid workflow; each case edits it.
const BASE: &str = r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  clear: {type: bool}
  kind: {type: enum, values: [a, b]}
  area: {type: decimal}
states:
  received: {}
  deciding: {}
  done: {final: true}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: deciding, to: done, by: head}
"#;

/// Every problem in `BASE` with `replacements` made and `appended` added, as
/// `line:column: message`, or `ok`.
fn check(replacements: &[(&str, &str)], appended: &str) -> String {
    let mut yaml = BASE.to_owned();
    for (from, to) in replacements {
        assert!(yaml.contains(from), "the edit `{from}` does not apply");
        yaml = yaml.replacen(from, to, 1);
    }
    yaml.push_str(appended);
    match load_workflow("w.yaml", &yaml, &mut NoExtends, &Calendars::builtin()) {
        Ok(_) => "ok".to_owned(),
        Err(error) => error
            .problems()
            .iter()
            .map(|problem| format!("{}:{}: {}", problem.line, problem.column, problem.message))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn base_is_valid() {
    assert_eq!(check(&[], ""), "ok");
}

#[test]
fn unknown_state() {
    let problems = check(&[(r#"to: done, by: head"#, r#"to: dnoe, by: head"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:42: unknown state `dnoe`; did you mean `done`?"#);
}

/// Issue 23, item 11: a name beyond `NAME_CHARS_MAX`, defined or referred to, alone or in a
/// list, is a problem at its place quoting only its start; a reference to a long name one edit
/// away from a defined one is answered without comparing the two (the whole edit-distance table
/// for two 30 000-character names would take 7 GB).
#[test]
fn issue_23_names_beyond_the_limit() {
    let at_limit = "s".repeat(super::NAME_CHARS_MAX);
    let defined = "x".repeat(30_000);
    let typo = format!("{}y", "x".repeat(29_999));
    let problems = check(
        &[
            ("  deciding: {}", &format!("  deciding: {{}}\n  {at_limit}: {{}}\n  ? {defined}\n  : {{}}")),
            ("to: deciding, by: officer", &format!("to: {typo}, by: [officer, {typo}]")),
        ],
        "",
    );
    insta::assert_snapshot!(problems, @r#"
    13:5: `xxxxxxxxxxxxxxxxxxxxxxxx…` is 30000 characters long, beyond the limit of 128
    17:42: `xxxxxxxxxxxxxxxxxxxxxxxx…` is 30000 characters long, beyond the limit of 128
    17:30058: `xxxxxxxxxxxxxxxxxxxxxxxx…` is 30000 characters long, beyond the limit of 128
    17:42: unknown state `xxxxxxxxxxxxxxxxxxxxxxxx…`
    17:30058: unknown role `xxxxxxxxxxxxxxxxxxxxxxxx…`
    "#);
}

/// A list's own span is only its start: a name in it is found up to the list's end, flow or block.
#[test]
fn unknown_names_in_lists() {
    let problems = check(
        &[
            (
                r#"from: received, to: deciding, by: officer}"#,
                r#"from: [received, recieved], to: deciding, by: [officer, offcer]}"#,
            ),
            (
                r#"  - {action: decide, from: deciding, to: done, by: head}"#,
                "  - action: decide\n    from:\n      - deciding  # 审查\n\n      - decidng\n    to: done\n    by: head",
            ),
        ],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"
    14:39: unknown state `recieved`; did you mean `received`?
    14:78: unknown role `offcer`; did you mean `officer`?
    19:9: unknown state `decidng`; did you mean `deciding`?
    "#);
}

#[test]
fn unknown_role() {
    let problems = check(&[(r#"by: head"#, r#"by: haed"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:52: unknown role `haed`; did you mean `head`?"#);
}

#[test]
fn unknown_attribute_in_guard() {
    let problems = check(&[(r#"by: head}"#, r#"by: head, if: cleer}"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:62: unknown attribute `cleer`; did you mean `clear`?"#);
}

#[test]
fn guard_type_error() {
    let problems = check(&[(r#"by: head}"#, r#"by: head, if: area}"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:62: attribute `area` is a decimal, not a bool; compare it with a value"#);
}

#[test]
fn guard_syntax_error() {
    let problems = check(&[(r#"by: head}"#, r#"by: head, if: clear and (}"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:73: expected an attribute, found the end of the guard"#);
}

#[test]
fn unknown_enum_value() {
    let problems = check(&[(r#"by: head}"#, r#"by: head, if: kind == c}"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"15:70: `kind` has no value `c`; expected `a` or `b`"#);
}

#[test]
fn unreachable_state() {
    let problems = check(
        &[(
            r#"  done: {final: true}
"#,
            r#"  done: {final: true}
  orphan: {}
"#,
        )],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"13:3: state `orphan` cannot be reached from `received`"#);
}

#[test]
fn never_finishes() {
    let problems = check(
        &[(
            r#"  done: {final: true}
"#,
            r#"  done: {final: true}
  stuck: {}
"#,
        )],
        r#"  - {action: park, from: deciding, to: stuck, by: head}
"#,
    );
    insta::assert_snapshot!(problems, @r#"13:3: a case in state `stuck` can never finish"#);
}

#[test]
fn region_without_final() {
    let problems = check(
        &[
            (
                r#"  deciding: {}
"#,
                r#"  deciding:
    parallel:
      one: {states: {work: {}, finished: {final: true}}}
      two: {states: {look: {}}}
    done: done
"#,
            ),
            (r#"from: deciding, to: done"#, r#"from: work, to: finished"#),
        ],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"14:7: region `two` has no final state"#);
}

#[test]
fn ambiguous_action() {
    let problems = check(
        &[],
        r#"  - {action: decide, from: deciding, to: received, by: head, if: clear}
"#,
    );
    insta::assert_snapshot!(problems, @r#"16:14: action `decide` is ambiguous in state `deciding`: the transitions at lines 15 and 16 can both be taken"#);
}

#[test]
fn exclusive_guards_are_fine() {
    let problems = check(
        &[(r#"by: head}"#, r#"by: head, if: clear}"#)],
        r#"  - {action: decide, from: deciding, to: received, by: head, if: not clear}
"#,
    );
    insta::assert_snapshot!(problems, @r#"ok"#);
}

#[test]
fn clock_over_unknown_state() {
    let problems = check(
        &[],
        r#"clocks:
  decision: {limit: 20 wd, from: decidign, until: done}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:34: unknown state `decidign`; did you mean `deciding`?"#);
}

#[test]
fn pause_outside_span() {
    let problems = check(
        &[],
        r#"clocks:
  decision: {limit: 20 wd, from: deciding, until: done, paused_in: {received: {basis: 行政许可法 第45条}}}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:69: pause state `received` lies outside the span of clock `decision`"#);
}

#[test]
fn percentage_out_of_range() {
    let problems = check(
        &[],
        r#"clocks:
  decision: {limit: 20 wd, from: deciding, until: done, warn_at: [150%]}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:67: percentage `150%` is outside 0–100 %"#);
}

#[test]
fn duplicate_key() {
    let problems = check(
        &[(
            r#"  deciding: {}
"#,
            r#"  deciding: {}
  deciding: {}
"#,
        )],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"12:3: duplicate key `deciding`"#);
}

#[test]
fn unknown_key() {
    let problems = check(
        &[(
            r#"version: '1'"#,
            r#"version: '1'
vresion: '2'"#,
        )],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"3:1: unknown field `vresion`; did you mean `version`?"#);
}

/// Issue 24, item 5: a misspelled key no longer hides the other problems of its file. Each
/// unknown key gets its suggestion (or the list of keys when none is near), a misspelled key
/// stands for the required key it suggests, and a required key missing outright is reported.
#[test]
fn every_unknown_key_is_reported_with_the_other_problems() {
    let problems = check(
        &[
            ("{action: accept, from: received,", "{action: accept, from: recieved,"),
            ("to: done, by: head}", "to: done, by: haed}"),
        ],
        r#"clocks:
  decision: {limt: 20 wd, from: deciding, until: done}
  acceptance: {limit: 5 wd, over: received, paused_in: {deciding: {bassis: x}}}
  review: {over: deciding, colour: red}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    17:14: unknown field `limt`; did you mean `limit`?
    18:68: unknown field `bassis`; did you mean `basis`?
    19:28: unknown field `colour`; expected one of `title`, `stage`, `matter`, `basis`, `limit`, `promised`, `from`, `until`, `over`, `paused_in`, `restart`, `extensions`, `within`, `warn_at`, `warn_before`
    19:11: missing field `limit`
    14:28: unknown state `recieved`; did you mean `received`?
    15:52: unknown role `haed`; did you mean `head`?
    "#);
}

#[test]
fn unknown_calendar() {
    let problems = check(&[(r#"calendar: cn-mainland"#, r#"calendar: cn-mainlnd"#)], r#""#);
    insta::assert_snapshot!(problems, @r#"3:11: unknown calendar `cn-mainlnd`; did you mean `cn-mainland`?"#);
}

#[test]
fn promised_longer_than_limit() {
    let problems = check(
        &[],
        r#"clocks:
  decision: {limit: 20 wd, from: deciding, until: done, promised: 25 wd}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:67: promised limit `25 wd` is longer than the limit `20 wd`"#);
}

#[test]
fn bad_period() {
    let problems = check(
        &[],
        r#"clocks:
  decision: {limit: twenty wd, from: deciding, until: done}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:21: `twenty wd` is not a period; write an amount and a unit, as in `20 wd` or `3 months`"#);
}

#[test]
fn compound_without_done() {
    let problems = check(
        &[
            (
                r#"  deciding: {}
"#,
                r#"  deciding: {states: {step: {}, over: {final: true}}}
"#,
            ),
            (r#"from: deciding, to: done"#, r#"from: step, to: over"#),
        ],
        r#""#,
    );
    insta::assert_snapshot!(problems, @r#"11:3: compound state `deciding` needs a `done` state"#);
}

#[test]
fn final_with_outgoing() {
    let problems = check(
        &[],
        r#"  - {action: reopen, from: done, to: received, by: head}
"#,
    );
    insta::assert_snapshot!(problems, @r#"16:28: final state `done` has an outgoing transition `reopen`"#);
}

#[test]
fn clock_cycle() {
    let problems = check(
        &[],
        r#"clocks:
  a: {limit: 5 wd, from: deciding, within: b}
  b: {limit: 9 wd, from: deciding, within: a}
"#,
    );
    insta::assert_snapshot!(problems, @r#"17:44: clocks run within each other in a cycle: a → b → a"#);
}

/// A step into a compound state at a child other than its first skips the children before it:
/// their clocks are not on the path.
#[test]
fn longest_path_enters_a_compound_where_the_step_leads() {
    let yaml = r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人}
attributes:
  full: {type: bool}
states:
  received: {}
  stage:
    states:
      early: {}
      late: {}
      finished: {final: true}
    done: closed
  closed: {final: true}
transitions:
  - {action: accept, from: received, to: stage, by: officer, if: full}
  - {action: accept, from: received, to: late, by: officer, if: not full}
  - {action: next, from: early, to: late, by: officer}
  - {action: finish, from: late, to: finished, by: officer}
clocks:
  early_step: {matter: true, limit: 30 wd, over: early}
  late_step: {matter: true, limit: 5 wd, over: late}
"#;
    let workflow = load_workflow("w.yaml", yaml, &mut NoExtends, &Calendars::builtin()).unwrap();
    let paths: Vec<String> = super::critical_paths(&workflow)
        .iter()
        .map(|path| format!("{:?}: {} wd via {}", path.profile, path.working_days, path.states.join(" > ")))
        .collect();
    insta::assert_snapshot!(paths.join("\n"), @r#"
    [("full", "false")]: 5 wd via received > stage > late > finished > closed
    [("full", "true")]: 35 wd via received > stage > early > late > finished > closed
    "#);
}

// Reforms: a base served from memory as `base.yaml`, a reform file `reform.yaml` that extends it,
// and every problem as `file:line:column: message`, so each case shows which file a problem is in.

/// A valid base for reforms: `plan` then `planning`, two compound states in series (the shape
/// `parallelize` takes), each the stage of its clocks.
const REFORM_BASE: &str = r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  clear: {type: bool}
  urgent: {type: bool}
stages: {plan: 计划, planning: 规划}
states:
  received: {}
  plan:
    title: 计划审批
    states:
      plan_review: {title: 计划审查}
      plan_done: {final: true}
    done: planning
  planning:
    states:
      planning_review: {}
      publicity: {}
      planning_done: {final: true}
    done: issued
  issued: {final: true}
  rejected: {final: true}
transitions:
  - {action: accept, from: received, to: plan, by: officer}
  - {action: approve_plan, from: plan_review, to: plan_done, by: head}
  - {action: publish, from: planning_review, to: publicity, by: officer}
  - {action: approve_planning, from: publicity, to: planning_done, by: head}
  - {action: reject, from: planning, to: rejected, by: head}
clocks:
  plan_check: {stage: plan, matter: true, limit: 20 wd, promised: 15 wd, over: plan_review}
  plan_stage: {stage: plan, limit: 30 wd, over: plan}
  planning_check:
    stage: planning
    matter: true
    limit: 10 wd
    from: planning_review
    until: planning_done
    paused_in: {publicity: {basis: 公示}}
  overall: {limit: 90 cd, from: received, until: issued}
"#;

/// Files served to `extends` by name, from memory; any other name cannot be read.
struct Files(Vec<(String, String)>);

impl SourceReader for Files {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        self.0
            .iter()
            .find(|(name, _)| name == path)
            .map(|(name, text)| (name.clone(), text.clone()))
            .ok_or_else(|| "no such file".to_owned())
    }
}

/// `REFORM_BASE` as the file `base.yaml`.
fn base_file() -> (String, String) {
    ("base.yaml".to_owned(), REFORM_BASE.to_owned())
}

/// `REFORM_BASE` with `edits` made.
fn reform_base(edits: &[(&str, &str)]) -> String {
    let mut yaml = REFORM_BASE.to_owned();
    for (from, to) in edits {
        assert!(yaml.contains(from), "the edit `{from}` does not apply");
        yaml = yaml.replacen(from, to, 1);
    }
    yaml
}

/// Loads `text` as `name` with `files` readable; the problems as `file:line:column: message`.
fn load_with(files: &[(&str, &str)], name: &str, text: &str) -> Result<Workflow, String> {
    let mut reader = Files(files.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned())).collect());
    load_workflow(name, text, &mut reader, &Calendars::builtin())
        .map_err(|error| error.problems().iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
}

/// Loads `reform` as `reform.yaml` over `REFORM_BASE` with `base_edits` made, as `base.yaml`.
fn load_reform(base_edits: &[(&str, &str)], reform: &str) -> Result<Workflow, String> {
    load_with(&[("base.yaml", &reform_base(base_edits))], "reform.yaml", reform)
}

/// Every problem, as `file:line:column: message`, or `ok`.
fn check_reform(base_edits: &[(&str, &str)], reform: &str) -> String {
    match load_reform(base_edits, reform) {
        Ok(_) => "ok".to_owned(),
        Err(problems) => problems,
    }
}

fn loaded(reform: &str) -> Workflow {
    load_reform(&[], reform).unwrap_or_else(|problems| panic!("the reform is refused:\n{problems}"))
}

/// States (indented by nesting, with kind, title and `done`), transitions and clocks, one a line.
fn outline(workflow: &Workflow) -> String {
    let name = |id: StateId| workflow.state(id).name.clone();
    let names = |ids: &[StateId]| ids.iter().map(|id| name(*id)).collect::<Vec<_>>().join(", ");
    let mut lines = Vec::new();
    for id in workflow.state_ids() {
        let state = workflow.state(id);
        let depth = workflow.ancestors(id).count() - 1;
        let kind = match &state.kind {
            StateKind::Atomic => String::new(),
            StateKind::Final => " (final)".to_owned(),
            StateKind::Compound { done: None, .. } => " (region)".to_owned(),
            StateKind::Compound { done: Some(done), .. } => format!(" (compound, done {})", name(*done)),
            StateKind::Parallel { done, .. } => format!(" (parallel, done {})", name(*done)),
        };
        let title = state.title.as_ref().map_or(String::new(), |title| format!(" {title}"));
        lines.push(format!("{}{}{title}{kind}", "  ".repeat(depth), state.name));
    }
    for transition in workflow.transitions() {
        let guard = transition
            .guard
            .as_ref()
            .map_or(String::new(), |guard| format!(" if {}", guard.render(workflow.attributes())));
        let action = &workflow.action(transition.action).name;
        lines.push(format!("{action}: {} -> {}{guard}", names(&transition.from), name(transition.to)));
    }
    for clock in workflow.clocks() {
        let span = match &clock.span {
            ClockSpan::Between { from, until } => format!("{} until {}", names(from), names(until)),
            ClockSpan::Over(states) => format!("over {}", names(states)),
        };
        let pauses: Vec<StateId> = clock.pauses.iter().map(|pause| pause.state).collect();
        let paused = if pauses.is_empty() { String::new() } else { format!(", paused in {}", names(&pauses)) };
        lines.push(format!("clock {} {}: {span}{paused}", clock.name, clock.limit));
    }
    lines.join("\n")
}

/// Each clock's limit, promised limit and the cuts that made them.
fn limits(workflow: &Workflow) -> String {
    use std::fmt::Write as _;
    let promised =
        |promised: Option<Period>| promised.map_or(String::new(), |promised| format!(", promised {promised}"));
    let mut lines = Vec::new();
    for clock in workflow.clocks() {
        let mut line = format!("{}: {}{}", clock.name, clock.limit, promised(clock.promised));
        for cut in &clock.cuts {
            let by = if cut.by_name { "clock" } else { "stage" };
            let (percent, rounding, before) = (cut.percent, cut.rounding.name(), cut.limit_before);
            let _ = write!(line, "; cut {percent} {rounding} by {by} from {before}{}", promised(cut.promised_before));
        }
        lines.push(line);
    }
    lines.join("\n")
}

#[test]
fn reform_base_is_valid() {
    let base = load_with(&[], "base.yaml", REFORM_BASE).unwrap();
    insta::assert_snapshot!(outline(&base), @r#"
    received
    plan 计划审批 (compound, done planning)
      plan_review 计划审查
      plan_done (final)
    planning (compound, done issued)
      planning_review
      publicity
      planning_done (final)
    issued (final)
    rejected (final)
    accept: received -> plan
    approve_plan: plan_review -> plan_done
    publish: planning_review -> publicity
    approve_planning: publicity -> planning_done
    reject: planning -> rejected
    clock plan_check 20 wd: over plan_review
    clock plan_stage 30 wd: over plan
    clock planning_check 10 wd: planning_review until planning_done, paused in publicity
    clock overall 90 cd: received until issued
    "#);
}

#[test]
fn reform_without_changes_is_valid() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform: {title: r}
"#,
    );
    insta::assert_snapshot!(problems, @r#"ok"#);
}

#[test]
fn cut_names_a_clock_the_base_lacks() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: nearest
  cut:
    clocks: {plan_chek: 10%}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:7:14: the base has no clock `plan_chek`; did you mean `plan_check`?"#);
}

#[test]
fn cut_names_a_stage_the_base_lacks() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: nearest
  cut:
    stages: {plann: 10%}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:7:14: the base has no stage `plann`; did you mean `plan`?"#);
}

/// A cut of p % leaves L × (100 − p) / 100, made whole by the rounding rule; the promised limit is
/// cut alike. `plan: 63%` hits both clocks of the stage; `planning_check` is cut by name.
#[test]
fn cut_rounds_by_the_rule() {
    let cases = [
        (
            "nearest",
            "plan_check: 7 wd, promised 6 wd; cut 63% nearest by stage from 20 wd, promised 15 wd\n\
             plan_stage: 11 wd; cut 63% nearest by stage from 30 wd\n\
             planning_check: 6 wd; cut 45% nearest by clock from 10 wd\n\
             overall: 90 cd",
        ),
        (
            "up",
            "plan_check: 8 wd, promised 6 wd; cut 63% up by stage from 20 wd, promised 15 wd\n\
             plan_stage: 12 wd; cut 63% up by stage from 30 wd\n\
             planning_check: 6 wd; cut 45% up by clock from 10 wd\n\
             overall: 90 cd",
        ),
        (
            "down",
            "plan_check: 7 wd, promised 5 wd; cut 63% down by stage from 20 wd, promised 15 wd\n\
             plan_stage: 11 wd; cut 63% down by stage from 30 wd\n\
             planning_check: 5 wd; cut 45% down by clock from 10 wd\n\
             overall: 90 cd",
        ),
    ];
    for (rounding, expected) in cases {
        let workflow = loaded(&format!(
            "extends: base.yaml\nversion: '2'\nreform:\n  title: r\n  rounding: {rounding}\n  cut:\n    stages: {{plan: 63%}}\n    clocks: {{planning_check: 45%}}\n"
        ));
        assert_eq!(limits(&workflow), expected, "rounding {rounding}");
        assert_eq!(workflow.lineage()[0].rounding.map(Rounding::name), Some(rounding));
    }
}

#[test]
fn cut_of_a_clock_replaces_its_stage_cut() {
    let workflow = loaded(
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: nearest
  cut:
    stages: {plan: 63%}
    clocks: {plan_check: 10%}
"#,
    );
    let plan_check = workflow.clock(workflow.clock_named("plan_check").unwrap());
    assert_eq!(
        plan_check.cuts,
        [Cut {
            percent: Percent::parse("10%").unwrap(),
            rounding: Rounding::Nearest,
            limit_before: Period::new(20, PeriodUnit::WorkingDays),
            promised_before: Some(Period::new(15, PeriodUnit::WorkingDays)),
            by_name: true,
        }]
    );
    insta::assert_snapshot!(limits(&workflow), @r#"
    plan_check: 18 wd, promised 14 wd; cut 10% nearest by clock from 20 wd, promised 15 wd
    plan_stage: 11 wd; cut 63% nearest by stage from 30 wd
    planning_check: 10 wd
    overall: 90 cd
    "#);
}

/// A promised limit is never cut below 1: 15 wd − 95 % is 0.75, rounded down to 0, kept at 1.
#[test]
fn cut_never_leaves_a_promised_limit_below_one() {
    let workflow = loaded(
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: down
  cut:
    clocks: {plan_check: 95%}
"#,
    );
    let plan_check = workflow.clock(workflow.clock_named("plan_check").unwrap());
    assert_eq!(plan_check.limit, Period::new(1, PeriodUnit::WorkingDays));
    assert_eq!(plan_check.promised, Some(Period::new(1, PeriodUnit::WorkingDays)));
}

/// A stage's cut applies to its clocks whatever their unit.
#[test]
fn cut_of_a_stage_cuts_a_month_clock() {
    let workflow = load_reform(
        &[("  plan_stage: {", "  plan_expiry: {stage: plan, limit: 6 months, from: plan}\n  plan_stage: {")],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: nearest
  cut:
    stages: {plan: 50%}
"#,
    )
    .unwrap();
    insta::assert_snapshot!(limits(&workflow), @r#"
    plan_check: 10 wd, promised 8 wd; cut 50% nearest by stage from 20 wd, promised 15 wd
    plan_expiry: 3 months; cut 50% nearest by stage from 6 months
    plan_stage: 15 wd; cut 50% nearest by stage from 30 wd
    planning_check: 10 wd
    overall: 90 cd
    "#);
}

#[test]
fn cut_percentage_out_of_range() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: nearest
  cut:
    stages: {plan: 120%}
    clocks: {planning_check: -5%}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    reform.yaml:7:20: percentage `120%` is outside 0–100 %
    reform.yaml:8:30: percentage `-5%` is outside 0–100 %
    "#);
}

#[test]
fn cut_that_leaves_no_time() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: down
  cut:
    clocks: {planning_check: 95%}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:7:14: cutting clock `planning_check` (10 wd) by 95% leaves no time"#);
}

#[test]
fn cut_without_rounding() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  cut: {stages: {plan: 10%}}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:5:8: a reform with cuts needs `rounding`"#);
}

/// A block value's own place is an empty span at the start of its first line: a problem with the
/// whole value (a block `cut:` without `rounding`, a block of a key a reform cannot set) points at
/// its key instead, and the line and column are where the span starts.
#[test]
fn whole_value_problems_in_block_style_point_at_the_key() {
    let reform = "extends: base.yaml\nversion: '2'\nstates:\n  extra: {}\nreform:\n  title: r\n  cut:  # 强区放权\n\n    stages: {plan: 10%}\n";
    let error = load_workflow("reform.yaml", reform, &mut Files(vec![base_file()]), &Calendars::builtin()).unwrap_err();
    let shown: Vec<String> = error
        .problems()
        .iter()
        .map(|problem| {
            let (offset, length) = problem.span.unwrap();
            let line = reform[..offset].matches('\n').count() + 1;
            let column = reform[..offset].rsplit('\n').next().unwrap().chars().count() + 1;
            format!("{problem} (span at {line}:{column}: `{}`)", &reform[offset..offset + length])
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"), @r#"
    reform.yaml:7:3: a reform with cuts needs `rounding` (span at 7:3: `cut`)
    reform.yaml:3:1: `states` cannot be set in a file that extends another; use `reform.add_states` (span at 3:1: `states`)
    "#);
}

#[test]
fn cut_with_unknown_rounding() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  rounding: half
  cut:
    stages: {plan: 10%}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:5:13: unknown rounding `half`; expected `nearest`, `up` or `down`"#);
}

#[test]
fn parallelize_without_when() {
    let workflow = loaded(
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review, title: 并联审批}
"#,
    );
    insta::assert_snapshot!(outline(&workflow), @r#"
    received
    review 并联审批 (parallel, done issued)
      review.plan 计划审批 (region)
        review.plan_review 计划审查
        review.plan_done (final)
      review.planning (region)
        review.planning_review
        review.publicity
        review.planning_done (final)
    issued (final)
    rejected (final)
    accept: received -> review
    approve_plan: review.plan_review -> review.plan_done
    publish: review.planning_review -> review.publicity
    approve_planning: review.publicity -> review.planning_done
    reject: review.planning -> rejected
    clock plan_check 20 wd: over review.plan_review
    clock plan_stage 30 wd: over review.plan
    clock planning_check 10 wd: review.planning_review until review.planning_done, paused in review.publicity
    clock overall 90 cd: received until issued
    "#);
    let parallelized = &workflow.lineage()[0].parallelized;
    assert_eq!(parallelized.len(), 1);
    assert_eq!(workflow.state(parallelized[0].state).name, "review");
    assert_eq!(parallelized[0].sequence, ["plan", "planning"]);
    assert_eq!(parallelized[0].when, None);
}

#[test]
fn parallelize_with_when() {
    let workflow = load_reform(
        &[(r#"to: plan, by: officer}"#, r#"to: plan, by: officer, if: not urgent}"#)],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review, when: clear}
"#,
    )
    .unwrap();
    insta::assert_snapshot!(outline(&workflow), @r#"
    received
    plan 计划审批 (compound, done planning)
      plan_review 计划审查
      plan_done (final)
    planning (compound, done issued)
      planning_review
      publicity
      planning_done (final)
    review (parallel, done issued)
      review.plan 计划审批 (region)
        review.plan_review 计划审查
        review.plan_done (final)
      review.planning (region)
        review.planning_review
        review.publicity
        review.planning_done (final)
    issued (final)
    rejected (final)
    accept: received -> plan if not urgent and not clear
    accept: received -> review if not urgent and clear
    approve_plan: plan_review -> plan_done
    approve_plan: review.plan_review -> review.plan_done
    publish: planning_review -> publicity
    publish: review.planning_review -> review.publicity
    approve_planning: publicity -> planning_done
    approve_planning: review.publicity -> review.planning_done
    reject: planning -> rejected
    reject: review.planning -> rejected
    clock plan_check 20 wd: over plan_review, review.plan_review
    clock plan_stage 30 wd: over plan, review.plan
    clock planning_check 10 wd: planning_review, review.planning_review until planning_done, review.planning_done, paused in publicity, review.publicity
    clock overall 90 cd: received until issued
    "#);
    let parallelized = &workflow.lineage()[0].parallelized[0];
    assert_eq!(workflow.state(parallelized.state).name, "review");
    assert_eq!(parallelized.when.as_ref().map(|when| when.render(workflow.attributes())).as_deref(), Some("clear"));
}

#[test]
fn parallelize_sequence_too_short() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:18: `sequence` needs at least two states"#);
}

/// An unknown state in `sequence` is reported alone: rule 1 (same level, `done` names the next
/// state) is not checked for that entry, since it would only repeat the unknown name.
#[test]
fn parallelize_an_unknown_state() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planing], as: review}
    - {sequence: [plna, planning], as: review2}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    reform.yaml:6:25: unknown state `planing`; did you mean `planning`?
    reform.yaml:7:19: unknown state `plna`; did you mean `plan`?
    "#);
}

/// `when` goes into the serial guards, the entry's and the lineage's, but is checked once.
#[test]
fn parallelize_when_with_an_unknown_attribute() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review, when: claer}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:54: unknown attribute `claer`; did you mean `clear`?"#);
}

#[test]
fn parallelize_name_taken() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: issued}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:40: state `issued` already exists"#);
}

#[test]
fn parallelize_a_state_that_is_not_compound() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [received, plan], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:19: `received` must be a compound state with `done` to be made parallel; wrap a single step in one"#);
}

#[test]
fn parallelize_states_not_in_series() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [planning, plan], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:29: `planning` is followed by `issued`, not `plan`"#);
}

#[test]
fn parallelize_states_at_different_levels() {
    let problems = check_reform(
        &[(
            r#"  planning:
    states:
      planning_review: {}
      publicity: {}
      planning_done: {final: true}
    done: issued
"#,
            r#"  later:
    states:
      planning:
        states:
          planning_review: {}
          publicity: {}
          planning_done: {final: true}
        done: later_done
      later_done: {final: true}
    done: issued
"#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:25: `plan` and `planning` are not at the same level"#);
}

#[test]
fn parallelize_a_transition_back_across_the_sequence() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: send_back, from: planning_review, to: plan, by: head}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:30:52: transition `send_back` goes from `planning` into `plan`; steps between the states of a sequence cannot run in parallel"#);
}

#[test]
fn parallelize_a_transition_from_inside_and_outside() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: withdraw, from: [plan_review, received], to: rejected, by: officer}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:30:14: transition `withdraw` starts both inside and outside `plan`; split it to make the sequence parallel"#);
}

/// Every `from` counts, whatever its place in the list.
#[test]
fn parallelize_a_transition_from_outside_and_inside() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: withdraw, from: [received, plan_review], to: rejected, by: officer}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:30:14: transition `withdraw` starts both inside and outside `plan`; split it to make the sequence parallel"#);
}

/// A transition from two sequence states may leave the sequence (its copy leaves `P` from either
/// region), but not end inside it.
#[test]
fn parallelize_a_transition_from_two_sequence_states() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: withdraw, from: [plan_review, planning_review], to: rejected, by: officer}
  - {action: skip, from: [plan_review, publicity], to: plan_done, by: officer}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:31:14: transition `skip` starts in both `plan` and `planning` and ends inside the sequence; split it to make the sequence parallel"#);
}

/// Rule 3: a forward step from inside `plan` straight into `planning` ends region `review.plan`,
/// through the final state `review.plan-done` added for it.
#[test]
fn parallelize_a_forward_step_ends_its_region() {
    let workflow = load_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: fast, from: plan_review, to: planning, by: head}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    )
    .unwrap();
    insta::assert_snapshot!(outline(&workflow), @r#"
    received
    review (parallel, done issued)
      review.plan 计划审批 (region)
        review.plan_review 计划审查
        review.plan_done (final)
        review.plan-done (final)
      review.planning (region)
        review.planning_review
        review.publicity
        review.planning_done (final)
    issued (final)
    rejected (final)
    accept: received -> review
    approve_plan: review.plan_review -> review.plan_done
    publish: review.planning_review -> review.publicity
    approve_planning: review.publicity -> review.planning_done
    fast: review.plan_review -> review.plan-done
    reject: review.planning -> rejected
    clock plan_check 20 wd: over review.plan_review
    clock plan_stage 30 wd: over review.plan
    clock planning_check 10 wd: review.planning_review until review.planning_done, paused in review.publicity
    clock overall 90 cd: received until issued
    "#);
}

/// Rule 7: the regions run at once, so one action in two sequence states becomes ambiguous.
#[test]
fn parallelize_makes_an_action_of_two_states_ambiguous() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: return, from: plan_review, to: received, by: head}
  - {action: return, from: planning_review, to: received, by: head}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:31:14: action `return` is ambiguous with `review.plan_review` and `review.planning_review` active: the transitions at lines 30 and 31 can both be taken"#);
}

/// Rule 4: without `when`, only `plan` may be entered from outside the sequence; the problem is at
/// the transition's `to`.
#[test]
fn parallelize_an_entry_into_a_later_state_without_when() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: skip_plan, from: received, to: planning, by: officer}
  - {action: skip, from: received, to: plan_done, by: head}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    base.yaml:30:45: transition `skip_plan` enters `planning`, which `parallelize` turns into a region of `review`; only the first state of the sequence, `plan`, may be entered from outside
    base.yaml:31:40: transition `skip` enters `plan_done`, inside `plan`, which `parallelize` turns into a region of `review`; only the first state of the sequence, `plan`, may be entered from outside
    "#);
}

#[test]
fn parallelize_an_entry_into_a_later_state_with_when() {
    let problems = check_reform(
        &[(
            r#"  - {action: reject, "#,
            r#"  - {action: skip_plan, from: received, to: planning, by: head}
  - {action: reject, "#,
        )],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  parallelize:
    - {sequence: [plan, planning], as: review, when: clear}
"#,
    );
    insta::assert_snapshot!(problems, @r#"ok"#);
}

#[test]
fn drop_and_add_states_and_transitions() {
    let workflow = loaded(
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_transitions:
    - {action: reject, from: planning}
  drop_states: [rejected]
  add_states: {withdrawn: {title: 撤回, final: true}}
  add_transitions:
    - {action: withdraw, from: [plan, planning], to: withdrawn, by: officer}
"#,
    );
    insta::assert_snapshot!(outline(&workflow), @r#"
    received
    plan 计划审批 (compound, done planning)
      plan_review 计划审查
      plan_done (final)
    planning (compound, done issued)
      planning_review
      publicity
      planning_done (final)
    issued (final)
    withdrawn 撤回 (final)
    accept: received -> plan
    approve_plan: plan_review -> plan_done
    publish: planning_review -> publicity
    approve_planning: publicity -> planning_done
    withdraw: plan, planning -> withdrawn
    clock plan_check 20 wd: over plan_review
    clock plan_stage 30 wd: over plan
    clock planning_check 10 wd: planning_review until planning_done, paused in publicity
    clock overall 90 cd: received until issued
    "#);
}

#[test]
fn drop_a_state_drops_its_transitions() {
    let workflow = loaded(
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_states: [rejected]
"#,
    );
    insta::assert_snapshot!(outline(&workflow), @r#"
    received
    plan 计划审批 (compound, done planning)
      plan_review 计划审查
      plan_done (final)
    planning (compound, done issued)
      planning_review
      publicity
      planning_done (final)
    issued (final)
    accept: received -> plan
    approve_plan: plan_review -> plan_done
    publish: planning_review -> publicity
    approve_planning: publicity -> planning_done
    clock plan_check 20 wd: over plan_review
    clock plan_stage 30 wd: over plan
    clock planning_check 10 wd: planning_review until planning_done, paused in publicity
    clock overall 90 cd: received until issued
    "#);
}

#[test]
fn drop_an_unknown_state() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_states: [rejeted]
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:5:17: unknown state `rejeted`; did you mean `rejected`?"#);
}

/// A refused drop leaves the draft as it was: no problem follows from the state being gone.
#[test]
fn drop_a_state_a_clock_names() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_states: [publicity]
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:5:17: cannot drop state `publicity`: clock `planning_check` names `publicity`"#);
}

/// A `done`, the workflow's `initial` and a compound's `initial` hold a state like a clock does;
/// each holder is named once.
#[test]
fn drop_a_state_something_names() {
    let no_overall = ("  overall: {limit: 90 cd, from: received, until: issued}\n", "");
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[no_overall], "issued"),
        (&[no_overall, ("states:\n  received", "initial: received\nstates:\n  received")], "received"),
        (
            &[("    states:\n      plan_review", "    initial: plan_review\n    states:\n      plan_review")],
            "plan_review",
        ),
    ];
    let problems: Vec<String> = cases
        .iter()
        .map(|(edits, state)| {
            check_reform(
                edits,
                &format!("extends: base.yaml\nversion: '2'\nreform:\n  title: r\n  drop_states: [{state}]\n"),
            )
        })
        .collect();
    insta::assert_snapshot!(problems.join("\n"), @r#"
    reform.yaml:5:17: cannot drop state `issued`: `done` of `planning` names `issued`
    reform.yaml:5:17: cannot drop state `received`: the workflow's `initial` names `received`
    reform.yaml:5:17: cannot drop state `plan_review`: `initial` of `plan` names `plan_review`
    reform.yaml:5:17: cannot drop state `plan_review`: clock `plan_check` names `plan_review`
    "#);
}

#[test]
fn drop_an_unknown_transition() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_transitions:
    - {action: reject, from: planning_review}
    - {action: reject, from: planning, to: issued}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    reform.yaml:6:7: the base has no transition `reject` from `planning_review`
    reform.yaml:7:7: the base has no transition `reject` from `planning` to `issued`
    "#);
}

#[test]
fn add_a_transition_to_a_dropped_state() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_states: [rejected]
  add_transitions:
    - {action: refuse, from: plan, to: rejected, by: head}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:7:40: unknown state `rejected`"#);
}

#[test]
fn drop_a_transition_that_leaves_a_state_unreachable() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_transitions:
    - {action: reject, from: planning}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:24:3: state `rejected` cannot be reached from `received`"#);
}

#[test]
fn add_a_state_twice() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  add_states: {issued: {final: true}}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:5:16: state `issued` is declared twice"#);
}

#[test]
fn add_a_transition_with_an_unknown_role() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  add_transitions:
    - {action: refuse, from: plan, to: rejected, by: haed}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:54: unknown role `haed`; did you mean `head`?"#);
}

#[test]
fn problem_in_the_base_is_reported_in_the_base() {
    let problems = check_reform(
        &[(r#"to: plan_done, by: head}"#, r#"to: plan_done, by: haed}"#)],
        r#"extends: base.yaml
version: '2'
reform: {title: r}
"#,
    );
    insta::assert_snapshot!(problems, @r#"base.yaml:27:66: unknown role `haed`; did you mean `head`?"#);
}

/// A base with a problem stops the checks of the reform's `reform` block (they need the base's
/// states and clocks); the reform's own file-level problems (here a key a reform cannot set) are
/// still reported.
#[test]
fn a_broken_base_stops_the_reform_block() {
    let problems = check_reform(
        &[(r#"to: plan_done, by: head}"#, r#"to: plan_done, by: haed}"#)],
        r#"extends: base.yaml
version: '2'
roles: {clerk: 办事员}
reform:
  title: r
  drop_states: [rejeted]
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    base.yaml:27:66: unknown role `haed`; did you mean `head`?
    reform.yaml:3:8: `roles` cannot be set in a file that extends another
    "#);
}

/// A missing `version` is reported with everything else: the base and the reform block are still
/// checked.
#[test]
fn reform_without_version_is_still_checked() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
reform:
  title: r
  drop_states: [rejeted]
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    reform.yaml:1:1: missing field `version`
    reform.yaml:4:17: unknown state `rejeted`; did you mean `rejected`?
    "#);
}

/// The summary names the file that was loaded, the reform, not the base it extends.
#[test]
fn problems_of_a_reform_are_counted_under_the_reform() {
    let reform = r#"extends: base.yaml
version: '2'
reform:
  title: r
  drop_states: [rejeted]
  drop_transitions:
    - {action: nope, from: plan}
"#;
    let error = load_workflow("reform.yaml", reform, &mut Files(vec![base_file()]), &Calendars::builtin()).unwrap_err();
    assert_eq!(error.file(), "reform.yaml");
    insta::assert_snapshot!(error.to_string(), @r#"workflow `reform.yaml` has 2 problems"#);
}

/// An ambiguity between a transition of the reform and one of its base names the other file.
#[test]
fn ambiguity_across_files_names_each_file() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
reform:
  title: r
  add_transitions:
    - {action: publish, from: planning_review, to: planning_done, by: officer}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:6:16: action `publish` is ambiguous in state `planning_review`: the transitions at line 28 of `base.yaml` and line 6 can both be taken"#);
}

#[test]
fn extends_a_missing_file() {
    let problems = check_reform(
        &[],
        r#"extends: bsae.yaml
version: '2'
reform: {title: r}
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:1:10: cannot read `bsae.yaml`: no such file"#);
}

#[test]
fn extends_itself() {
    let reform = "extends: reform.yaml\nversion: '2'\nreform: {title: r}\n";
    let problems = load_with(&[("reform.yaml", reform)], "reform.yaml", reform).unwrap_err();
    insta::assert_snapshot!(problems, @r#"reform.yaml:1:10: `reform.yaml` extends itself"#);
}

#[test]
fn extends_cycle() {
    let a = "extends: b.yaml\nversion: '2'\nreform: {title: a}\n";
    let b = "extends: a.yaml\nversion: '3'\nreform: {title: b}\n";
    let problems = load_with(&[("a.yaml", a), ("b.yaml", b)], "a.yaml", a).unwrap_err();
    insta::assert_snapshot!(problems, @r#"b.yaml:1:10: `a.yaml` extends itself through `b.yaml`"#);
}

/// `r1.yaml` extends `r2.yaml` … extends `r<reforms>.yaml` extends `base.yaml`.
fn chain(reforms: usize) -> Result<Workflow, String> {
    let texts: Vec<(String, String)> = (1..=reforms)
        .map(|index| {
            let next = if index == reforms { "base.yaml".to_owned() } else { format!("r{}.yaml", index + 1) };
            (format!("r{index}.yaml"), format!("extends: {next}\nversion: '{index}'\nreform: {{title: r{index}}}\n"))
        })
        .collect();
    let mut files: Vec<(&str, &str)> = texts.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect();
    files.push(("base.yaml", REFORM_BASE));
    load_with(&files, "r1.yaml", &texts[0].1)
}

#[test]
fn extends_chain_at_the_depth_limit() {
    let workflow = chain(EXTENDS_DEPTH_MAX - 1).unwrap();
    assert_eq!(workflow.lineage().len(), EXTENDS_DEPTH_MAX - 1);
    assert_eq!(workflow.version(), "1");
}

#[test]
fn extends_chain_too_deep() {
    let problems = chain(EXTENDS_DEPTH_MAX).unwrap_err();
    insta::assert_snapshot!(problems, @r#"r8.yaml:1:10: `extends` chains are at most 8 files deep"#);
}

#[test]
fn reform_sets_a_key_of_the_base() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
workflow: other
version: '2'
states: {extra: {}}
reform: {title: r}
"#,
    );
    insta::assert_snapshot!(problems, @r#"
    reform.yaml:2:11: `workflow` cannot be set in a file that extends another; a reform keeps its base's id
    reform.yaml:4:9: `states` cannot be set in a file that extends another; use `reform.add_states`
    "#);
}

#[test]
fn extends_without_reform() {
    let problems = check_reform(
        &[],
        r#"extends: base.yaml
version: '2'
"#,
    );
    insta::assert_snapshot!(problems, @r#"reform.yaml:1:10: a file with `extends` needs a `reform` block"#);
}

#[test]
fn reform_without_extends() {
    let problems = check(&[], "reform: {title: r}\n");
    insta::assert_snapshot!(problems, @r#"16:9: `reform` needs `extends`: name the workflow it changes"#);
}

#[test]
fn reform_remembers_its_base() {
    let base = load_with(&[], "base.yaml", REFORM_BASE).unwrap();
    let reform = loaded(
        r#"extends: base.yaml
version: '2'
title: 改革后
reform:
  title: 改革
  rounding: nearest
  cut:
    stages: {plan: 10%}
"#,
    );
    assert_eq!((reform.id(), reform.version(), reform.title()), ("w", "2", Some("改革后")));
    let lineage = &reform.lineage()[0];
    assert_eq!(reform.lineage().len(), 1);
    assert_eq!((lineage.base_id.as_str(), lineage.base_version.as_str()), ("w", "1"));
    assert_eq!(lineage.base_content_hash(), base.content_hash());
    assert_eq!(lineage.reform_title, "改革");
    assert_eq!(lineage.rounding, Some(Rounding::Nearest));
    assert_ne!(reform.content_hash(), base.content_hash());
    assert!(base.lineage().is_empty());
}

/// Problems from `load_workflow` on `text`, as `line:column: message`.
fn problems_of(text: &str) -> String {
    match load_workflow("w.yaml", text, &mut NoExtends, &Calendars::builtin()) {
        Ok(_) => "ok".to_owned(),
        Err(error) => error
            .problems()
            .iter()
            .map(|problem| format!("{}:{}: {}", problem.line, problem.column, problem.message))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn lone_carriage_returns_break_lines_as_in_yaml() {
    let with_newlines = BASE.replace("to: done, by: head", "to: dnoe, by: head");
    let with_returns = with_newlines.replace('\n', "\r");
    assert_eq!(problems_of(&with_returns), problems_of(&with_newlines));
    insta::assert_snapshot!(problems_of(&with_returns), @"15:42: unknown state `dnoe`; did you mean `done`?");
}

#[test]
fn names_values_and_same_action_transitions_are_capped() {
    let values: Vec<String> = (0..=super::ENUM_VALUES_MAX).map(|index| format!("v{index}")).collect();
    let enum_values = check(&[("values: [a, b]", &format!("values: [{}]", values.join(", ")))], "");
    assert!(enum_values.starts_with("7:30: enum attribute `kind` has 257 values; at most 256"), "{enum_values}");

    let roles: Vec<String> = (0..=super::NAMES_MAX).map(|index| format!("r{index}: R")).collect();
    let many_roles = check(
        &[(
            "roles: {officer: 承办人, head: 负责人}",
            &format!("roles: {{officer: 承办人, head: 负责人, {}}}", roles.join(", ")),
        )],
        "",
    );
    assert_eq!(many_roles.lines().count(), 1, "{many_roles}");
    assert!(many_roles.ends_with("a workflow may have at most 4096 roles"), "{many_roles}");

    let same: String = (0..=super::TRANSITIONS_PER_ACTION_MAX)
        .map(|_| "  - {action: decide, from: deciding, to: done, by: head}\n")
        .collect();
    let same_action = check(&[], &same.replacen("transitions:\n", "", 0));
    let first = same_action.lines().find(|line| line.contains("taken by")).unwrap_or_default().to_owned();
    assert!(first.ends_with("action `decide` is taken by 258 transitions; at most 256"), "{same_action}");
}

/// The lookup the core asks on every step agrees with the definition it is made from, on the
/// shipped Longgang flows (nested compound states, parallel regions, reform cuts).
#[test]
fn the_lookup_agrees_with_the_definition() {
    use super::critical_path_tests::Shipped;
    let calendars = Calendars::builtin();
    for (name, text) in [
        ("longgang-2016.yaml", include_str!("../../../workflows/longgang-2016.yaml")),
        ("longgang-2017.yaml", include_str!("../../../workflows/longgang-2017.yaml")),
    ] {
        let workflow = load_workflow(name, text, &mut Shipped, &calendars).unwrap();
        let walked = |inner: StateId| std::iter::successors(Some(inner), |id| workflow.state(*id).parent);
        for inner in workflow.state_ids() {
            assert_eq!(workflow.depth(inner), walked(inner).count() - 1);
            for outer in workflow.state_ids() {
                assert_eq!(workflow.is_within(inner, outer), walked(inner).any(|id| id == outer));
                assert_eq!(workflow.within_set(inner).contains(outer), workflow.is_within(inner, outer));
            }
            // Entering a state enters leaves inside it, each atomic or final, each once.
            let leaves = workflow.entered_leaves(inner);
            assert!(!leaves.is_empty());
            for (index, leaf) in leaves.iter().enumerate() {
                assert!(workflow.is_within(*leaf, inner));
                assert!(matches!(workflow.state(*leaf).kind, StateKind::Atomic | StateKind::Final));
                assert!(!leaves[..index].contains(leaf));
            }
            let started: Vec<ClockId> = (0..workflow.clocks().len())
                .map(|index| ClockId(index as u16))
                .filter(|clock| workflow.clock(*clock).span.start_states().contains(&inner))
                .collect();
            assert_eq!(workflow.clocks_started_by(inner), &started[..]);
            let state = workflow.state(inner);
            assert_eq!(workflow.is_final(inner), state.kind == StateKind::Final);
            assert_eq!(workflow.is_top_final(inner), state.kind == StateKind::Final && state.parent.is_none());
            let pauses_some_clock =
                workflow.clocks().iter().any(|clock| clock.pauses.iter().any(|pause| pause.state == inner));
            assert_eq!(workflow.pause_states().contains(inner), pauses_some_clock);
        }
        for (index, action) in workflow.actions().iter().enumerate() {
            let id = ActionId(index as u16);
            assert_eq!(workflow.action_named(&action.name), Some(id));
            let taking: Vec<TransitionId> = (0..workflow.transitions().len())
                .map(|index| TransitionId(index as u16))
                .filter(|transition| workflow.transition(*transition).action == id)
                .collect();
            assert_eq!(workflow.transitions_of(id), &taking[..]);
        }
        assert_eq!(workflow.action_named("no-such-action"), None);
        // Each move leaves the source's highest ancestor whose parent holds the target (or its
        // top-level state), and enters the target's leaves with their ancestors below that
        // parent, outermost first.
        let mut moves = Vec::new();
        for (index, transition) in workflow.transitions().iter().enumerate() {
            for source in &transition.from {
                moves.push((*source, transition.to, workflow.transition_move(TransitionId(index as u16), *source)));
            }
        }
        for state in workflow.state_ids() {
            match &workflow.state(state).kind {
                StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => {
                    moves.push((state, *done, workflow.done_move(state)));
                }
                _ => assert!(workflow.done_move(state).is_none()),
            }
        }
        let mut opening: Vec<StateId> =
            workflow.entered_leaves(workflow.initial()).iter().flat_map(|leaf| walked(*leaf)).collect();
        opening.sort_unstable_by_key(|state| (workflow.depth(*state), *state));
        opening.dedup();
        assert_eq!(workflow.opening_entered(), &opening[..]);
        for (source, target, plan) in moves {
            let plan = plan.unwrap();
            assert_eq!(plan.target, target);
            assert!(workflow.is_within(source, plan.root));
            assert_eq!(plan.stop, workflow.state(plan.root).parent);
            assert!(plan.stop.is_none_or(|stop| workflow.is_within(target, stop)));
            // Below the root, no parent on the way up holds the target.
            for state in walked(source).take_while(|state| *state != plan.root) {
                assert!(!workflow.state(state).parent.is_some_and(|parent| workflow.is_within(target, parent)));
            }
            let mut entered: Vec<StateId> = workflow
                .entered_leaves(target)
                .iter()
                .flat_map(|leaf| walked(*leaf).take_while(|state| Some(*state) != plan.stop))
                .collect();
            entered.sort_unstable_by_key(|state| (workflow.depth(*state), *state));
            entered.dedup();
            assert_eq!(&plan.entered[..], &entered[..]);
        }
        let paused: Vec<ClockId> = (0..workflow.clocks().len())
            .map(|index| ClockId(index as u16))
            .filter(|clock| !workflow.clock(*clock).pauses.is_empty())
            .collect();
        assert!(!paused.is_empty());
        assert_eq!(workflow.clocks_with_pauses(), &paused[..]);
    }
}

/// The steps that can be a case's first after its opening: from the initial configuration, and
/// not into a top-level final state (a ticket closed on its first row would count 0 days).
#[test]
fn steps_leaving_the_initial_configuration_without_ending_the_case() {
    let helpdesk = include_str!("../../../tests/data/logs/helpdesk.yaml");
    let workflow = load_workflow("helpdesk.yaml", helpdesk, &mut NoExtends, &Calendars::builtin()).unwrap();
    let opens = |action: &str| workflow.leaves_initial_without_ending(workflow.action_named(action).unwrap());
    assert!(opens("assign"));
    // `close` leaves `inserted`, but for the final `closed`; `take` does not leave `inserted`.
    assert!(!opens("close"));
    assert!(!opens("take"));
}
