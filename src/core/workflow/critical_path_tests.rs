//! The longest legal paths are legal: each one is replayed through the engine's transition
//! function, step by step, from the opening of a case to its end; and the stage figures say what
//! one case can face.

#![allow(clippy::needless_raw_string_hashes)] // snippets are pasted as written

use chrono::DateTime;

use super::{NoExtends, PathStep, ProfilePath, SourceReader, Workflow, compare, critical_paths, load_workflow};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind, EventKind, Opening, Replay, open_in_place, step_in_place};

/// Reads the shipped flows a shipped flow extends.
pub(super) struct Shipped;

impl SourceReader for Shipped {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        match path {
            "longgang-2016.yaml" => {
                Ok((path.to_owned(), include_str!("../../../workflows/longgang-2016.yaml").to_owned()))
            }
            _ => Err(format!("no `{path}`")),
        }
    }
}

fn shipped(name: &str) -> Workflow {
    let text = match name {
        "administrative-license.yaml" => include_str!("../../../workflows/administrative-license.yaml"),
        "longgang-2016.yaml" => include_str!("../../../workflows/longgang-2016.yaml"),
        "longgang-2017.yaml" => include_str!("../../../workflows/longgang-2017.yaml"),
        _ => panic!("no shipped flow `{name}`"),
    };
    load_workflow(name, text, &mut Shipped, &Calendars::builtin()).unwrap()
}

fn load(yaml: &str) -> Workflow {
    load_workflow("w.yaml", yaml, &mut NoExtends, &Calendars::builtin()).unwrap()
}

/// Opens a case with the path's profile and takes its steps through `step_in_place`, as a user
/// would (by action and role names): each transition must be the one the engine takes, each
/// `done` step must be one the engine took after the step before it, every state the path shows
/// must have been active, and the case must end. `Err` says where the path broke.
fn replay(workflow: &Workflow, path: &ProfilePath) -> Result<(), String> {
    let calendars = Calendars::builtin();
    let calendar = calendars.get(workflow.calendar()).unwrap();
    let at = DateTime::parse_from_rfc3339("2024-03-01T09:00:00+08:00").unwrap();
    let attributes =
        path.profile.iter().filter(|(_, value)| value != "unset").map(|(name, value)| (name.clone(), value.clone()));
    let opening = Opening { at, actor: "a".to_owned(), attributes: attributes.collect() };
    let mut replay = Replay::new(workflow);
    open_in_place(workflow, calendar, &mut replay, &opening).map_err(|rejection| format!("opening: {rejection}"))?;
    let mut seen = replay.configuration().active_states(workflow);
    let mut due: Vec<PathStep> = Vec::new();
    for (index, step) in path.steps.iter().enumerate() {
        let name = |state| workflow.state(state).name.clone();
        match *step {
            PathStep::Done { state } => {
                if due.first() != Some(step) {
                    return Err(format!("step {index}: the `done` of `{}` is not due; due: {due:?}", name(state)));
                }
                due.remove(0);
            }
            PathStep::Transition { transition, source } => {
                if !due.is_empty() {
                    return Err(format!("step {index}: the path skips the `done` steps {due:?}"));
                }
                let declared = workflow.transition(transition);
                let command = Command {
                    at,
                    actor: "a".to_owned(),
                    role: workflow.role(declared.roles[0]).name.clone(),
                    kind: CommandKind::Act {
                        action: workflow.action(declared.action).name.clone(),
                        attributes: Vec::new(),
                    },
                };
                let events = step_in_place(workflow, calendar, &mut replay, &command)
                    .map_err(|rejection| format!("step {index} from `{}`: {rejection}", name(source)))?;
                for event in events {
                    match event.kind {
                        EventKind::Acted { transition: taken, source: from, .. } => {
                            if (taken, from) != (transition, source) {
                                return Err(format!("step {index}: the engine took another transition"));
                            }
                            seen.extend(workflow.transition_move(taken, from).unwrap().entered.iter());
                        }
                        EventKind::Done { state } => {
                            due.push(PathStep::Done { state });
                            seen.extend(workflow.done_move(state).unwrap().entered.iter());
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    if !due.is_empty() {
        return Err(format!("the path ends before the `done` steps {due:?}"));
    }
    if replay.configuration().finished_in(workflow).is_none() {
        return Err("the case has not ended".to_owned());
    }
    match path.states.iter().find(|shown| !seen.iter().any(|state| workflow.state(*state).name == **shown)) {
        Some(never) => Err(format!("the path shows `{never}`, never active")),
        None => Ok(()),
    }
}

fn shown(paths: &[ProfilePath]) -> String {
    let line =
        |path: &ProfilePath| format!("{:?}: {} wd via {}", path.profile, path.working_days, path.states.join(" > "));
    paths.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Issue 24, item 1: the licence flow's path went `received → not_accepted → deciding`, out of a
/// final state. Every path of every shipped flow now replays through the engine.
#[test]
fn every_longest_path_of_the_shipped_flows_replays_through_the_engine() {
    for name in ["administrative-license.yaml", "longgang-2016.yaml", "longgang-2017.yaml"] {
        let workflow = shipped(name);
        let paths = critical_paths(&workflow);
        assert!(!paths.is_empty(), "{name}: no path");
        for path in &paths {
            if let Err(broken) = replay(&workflow, path) {
                panic!("{name}, {:?}: {broken}\n{}", path.profile, path.states.join(" > "));
            }
        }
    }
    insta::assert_snapshot!(shown(&critical_paths(&shipped("administrative-license.yaml"))), @r#"
    [("joint_handling", "false")]: 35 wd via intake > received > deciding > decided > granted > certified > closed
    [("joint_handling", "true")]: 60 wd via intake > received > joint_deciding > decided > granted > certified > closed
    "#);
}

/// A clock on a compound state's final child does not make the path leave from that child: it
/// either ends there (and takes the `done` step) or leaves from where it stands.
#[test]
fn a_path_leaves_a_compound_state_only_from_where_it_stands() {
    let workflow = load(
        r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人}
states:
  intake:
    states:
      received: {}
      refused: {final: true}
    done: closed
  deciding: {}
  closed: {final: true}
transitions:
  - {action: refuse, from: received, to: refused, by: officer}
  - {action: accept, from: received, to: deciding, by: officer}
  - {action: decide, from: deciding, to: closed, by: officer}
clocks:
  refusal: {matter: true, limit: 30 wd, over: refused}
  decision: {matter: true, limit: 20 wd, over: deciding}
"#,
    );
    let paths = critical_paths(&workflow);
    insta::assert_snapshot!(shown(&paths), @"[]: 30 wd via intake > received > refused > closed");
    assert_eq!(replay(&workflow, &paths[0]), Ok(()));
}

/// Through a parallel state every region runs to its end (the slowest one's cost counts); a
/// transition from a compound state itself is taken from wherever the case stands in it.
#[test]
fn paths_through_regions_and_out_of_compound_states_replay() {
    let workflow = load(
        r#"workflow: w
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  fast: {type: bool}
states:
  received: {}
  review:
    parallel:
      plan:
        initial: plan_review
        states:
          plan_review: {}
          plan_done: {final: true}
      planning:
        initial: planning_review
        states:
          planning_review: {}
          planning_notice: {}
          planning_done: {final: true}
    done: issued
  appeal:
    states:
      appeal_review: {}
      appeal_hearing: {}
      appeal_done: {final: true}
    done: issued
  rejection_notice: {}
  issued: {final: true}
  rejected: {final: true}
transitions:
  - {action: accept, from: received, to: review, by: officer, if: fast}
  - {action: accept, from: received, to: appeal, by: officer, if: not fast}
  - {action: approve_plan, from: plan_review, to: plan_done, by: head}
  - {action: publish, from: planning_review, to: planning_notice, by: officer}
  - {action: approve_planning, from: planning_notice, to: planning_done, by: head}
  - {action: hear, from: appeal_review, to: appeal_hearing, by: officer}
  - {action: close, from: appeal_hearing, to: appeal_done, by: officer}
  - {action: reject, from: appeal, to: rejection_notice, by: head}
  - {action: notify, from: rejection_notice, to: rejected, by: officer}
clocks:
  plan_check: {matter: true, limit: 15 wd, over: plan_review}
  planning_check: {matter: true, limit: 10 wd, over: planning_review}
  planning_notice: {matter: true, limit: 10 wd, over: planning_notice}
  appeal_check: {matter: true, limit: 5 wd, over: appeal_review}
  hearing: {matter: true, limit: 40 wd, over: appeal_hearing}
  notice: {matter: true, limit: 30 wd, over: rejection_notice}
"#,
    );
    let paths = critical_paths(&workflow);
    for path in &paths {
        assert_eq!(replay(&workflow, path), Ok(()), "{:?}", path.profile);
    }
    insta::assert_snapshot!(shown(&paths), @r#"
    [("fast", "false")]: 75 wd via received > appeal > appeal_review > appeal_hearing > rejection_notice > rejected
    [("fast", "true")]: 20 wd via received > review > plan > plan_review > plan_done > planning > planning_review > planning_notice > planning_done > issued
    "#);
}

/// Issue 24, item 1: the licence's `decision` (20 wd) and `joint_decision` (45 wd) are
/// alternatives, so the stage's sum, 65 wd, is more than any case faces; Longgang's stages
/// apply all their matters to one case, so their sums (the published figures) are what one case
/// faces.
#[test]
fn a_stage_says_whether_its_sum_is_what_one_case_faces() {
    let licence = shipped("administrative-license.yaml");
    let comparison = compare(&licence, &licence);
    let decision = comparison.stages.iter().find(|row| row.stage == "decision").unwrap();
    assert_eq!((decision.before_working_days, decision.before_one_case_working_days), (65, 45));
    assert_eq!((decision.after_working_days, decision.after_one_case_working_days), (65, 45));
    assert!(!decision.sum_applies_to_one_case());
    let acceptance = comparison.stages.iter().find(|row| row.stage == "acceptance").unwrap();
    assert!(acceptance.sum_applies_to_one_case());

    let comparison = compare(&shipped("longgang-2016.yaml"), &shipped("longgang-2017.yaml"));
    let figures: Vec<(&str, i64, i64, bool)> = comparison
        .stages
        .iter()
        .map(|row| (row.stage.as_str(), row.before_working_days, row.after_working_days, row.sum_applies_to_one_case()))
        .collect();
    assert_eq!(
        figures,
        [
            ("plan", 90, 33, true),
            ("planning", 60, 34, true),
            ("entity", 40, 29, true),
            ("land", 105, 79, true),
            ("design", 85, 64, true)
        ]
    );
}
