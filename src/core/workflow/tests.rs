//! One case per validation rule: a YAML snippet in, the exact problems out (line:column:
//! message), through one helper.

#![allow(clippy::needless_raw_string_hashes)] // snippets and snapshots are pasted as written

use super::{NoExtends, load_workflow};
use crate::core::calendar::Calendars;

/// Every problem as `line:column: message`, or `ok`.
fn check(yaml: &str) -> String {
    match load_workflow("w.yaml", yaml, &mut NoExtends, &Calendars::builtin()) {
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
fn unknown_state() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: dnoe, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:42: unknown state `dnoe`; did you mean `done`?"#);
}

#[test]
fn unknown_role() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: haed}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:52: unknown role `haed`; did you mean `head`?"#);
}

#[test]
fn unknown_attribute_in_guard() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: head, if: cleer}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:62: unknown attribute `cleer`; did you mean `clear`?"#);
}

#[test]
fn guard_type_error() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: head, if: area}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:62: attribute `area` is a decimal, not a bool; compare it with a value"#);
}

#[test]
fn guard_syntax_error() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: head, if: clear and (}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:73: expected an attribute, found the end of the guard"#);
}

#[test]
fn unknown_enum_value() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: head, if: kind == c}
"#;
    insta::assert_snapshot!(check(yaml), @r#"15:70: `kind` has no value `c`; its values are `a` or `b`"#);
}

#[test]
fn unreachable_state() {
    let yaml = r#"workflow: w
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
  orphan: {}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: deciding, to: done, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"13:3: state `orphan` cannot be reached from `received`"#);
}

#[test]
fn never_finishes() {
    let yaml = r#"workflow: w
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
  stuck: {}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: deciding, to: done, by: head}
  - {action: park, from: deciding, to: stuck, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"13:3: a case in state `stuck` can never finish"#);
}

#[test]
fn region_without_final() {
    let yaml = r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  clear: {type: bool}
  kind: {type: enum, values: [a, b]}
  area: {type: decimal}
states:
  received: {}
  deciding:
    parallel:
      one: {states: {work: {}, finished: {final: true}}}
      two: {states: {look: {}}}
    done: done
  done: {final: true}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: work, to: finished, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"14:7: region `two` has no final state"#);
}

#[test]
fn ambiguous_action() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: received, by: head, if: clear}
"#;
    insta::assert_snapshot!(check(yaml), @r#"16:14: action `decide` is ambiguous in state `deciding`: transitions 2 and 3 can both be taken"#);
}

#[test]
fn exclusive_guards_are_fine() {
    let yaml = r#"workflow: w
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
  - {action: decide, from: deciding, to: done, by: head, if: clear}
  - {action: decide, from: deciding, to: received, by: head, if: not clear}
"#;
    insta::assert_snapshot!(check(yaml), @r#"ok"#);
}

#[test]
fn clock_over_unknown_state() {
    let yaml = r#"workflow: w
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
clocks:
  decision: {limit: 20 wd, from: decidign, until: done}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:34: unknown state `decidign`; did you mean `deciding`?"#);
}

#[test]
fn pause_outside_span() {
    let yaml = r#"workflow: w
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
clocks:
  decision: {limit: 20 wd, from: deciding, until: done, paused_in: {received: {basis: 行政许可法 第45条}}}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:69: pause state `received` lies outside the span of clock `decision`"#);
}

#[test]
fn percentage_out_of_range() {
    let yaml = r#"workflow: w
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
clocks:
  decision: {limit: 20 wd, from: deciding, until: done, warn_at: [150%]}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:67: percentage `150%` is outside 0–100 %"#);
}

#[test]
fn duplicate_key() {
    let yaml = r#"workflow: w
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
  deciding: {}
  done: {final: true}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: deciding, to: done, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"12:3: duplicate key `deciding`"#);
}

#[test]
fn unknown_key() {
    let yaml = r#"workflow: w
version: '1'
vresion: '2'
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
    insta::assert_snapshot!(check(yaml), @r#"3:1: unknown field `vresion`, expected one of extends, workflow, version, title, calendar, roles, actions, attributes, stages, initial, states, transitions, clocks, reform"#);
}

#[test]
fn unknown_calendar() {
    let yaml = r#"workflow: w
version: '1'
calendar: cn-mainlnd
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
    insta::assert_snapshot!(check(yaml), @r#"3:11: unknown calendar `cn-mainlnd`; did you mean `cn-mainland`?"#);
}

#[test]
fn promised_longer_than_limit() {
    let yaml = r#"workflow: w
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
clocks:
  decision: {limit: 20 wd, from: deciding, until: done, promised: 25 wd}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:67: promised limit `25 wd` is longer than the limit `20 wd`"#);
}

#[test]
fn bad_period() {
    let yaml = r#"workflow: w
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
clocks:
  decision: {limit: twenty wd, from: deciding, until: done}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:21: `twenty wd` is not a period; write an amount and a unit, as in `20 wd` or `3 months`"#);
}

#[test]
fn compound_without_done() {
    let yaml = r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  clear: {type: bool}
  kind: {type: enum, values: [a, b]}
  area: {type: decimal}
states:
  received: {}
  deciding: {states: {step: {}, over: {final: true}}}
  done: {final: true}
transitions:
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: step, to: over, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"11:3: compound state `deciding` needs a `done` state"#);
}

#[test]
fn final_with_outgoing() {
    let yaml = r#"workflow: w
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
  - {action: reopen, from: done, to: received, by: head}
"#;
    insta::assert_snapshot!(check(yaml), @r#"16:28: final state `done` has an outgoing transition `reopen`"#);
}

#[test]
fn clock_cycle() {
    let yaml = r#"workflow: w
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
clocks:
  a: {limit: 5 wd, from: deciding, within: b}
  b: {limit: 9 wd, from: deciding, within: a}
"#;
    insta::assert_snapshot!(check(yaml), @r#"17:44: clocks `a` and `b` run within each other
18:44: clocks `b` and `a` run within each other"#);
}
