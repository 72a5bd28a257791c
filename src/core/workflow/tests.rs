//! One case per validation rule: edits to one small valid workflow in, the exact problems out
//! (line:column: message), through one helper.

#![allow(clippy::needless_raw_string_hashes)] // snippets and snapshots are pasted as written

use super::{NoExtends, load_workflow};
use crate::core::calendar::Calendars;

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
    insta::assert_snapshot!(problems, @r#"16:14: action `decide` is ambiguous in state `deciding`: transitions 2 and 3 can both be taken"#);
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
    insta::assert_snapshot!(problems, @r#"3:1: unknown field `vresion`, expected one of extends, workflow, version, title, calendar, roles, actions, attributes, stages, initial, states, transitions, clocks, reform"#);
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
