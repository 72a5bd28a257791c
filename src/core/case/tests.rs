//! The engine through one helper: a workflow, a script of dated commands, a date; out come the
//! events or the refusal of each command, and every started clock's timing as of the date.

#![allow(clippy::needless_raw_string_hashes)] // snippets and snapshots are pasted as written

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Command, CommandKind, Event, EventKind, Opening, Replay, open, step, timing, timing_as_of};
use crate::core::calendar::{Calendars, WorkingCalendar};
use crate::core::workflow::{NoExtends, Workflow, load_workflow};

/// A licence: acceptance with 补正, a decision paused by 听证, extended once by the head.
const LICENCE: &str = r#"workflow: licence
version: '1'
calendar: cn-mainland
roles: {applicant: 申请人, officer: 承办人, head: 负责人}
attributes:
  complete: {type: bool}
  area: {type: decimal}
states:
  received: {}
  correction: {}
  deciding: {}
  hearing: {}
  granted: {final: true}
  refused: {final: true}
transitions:
  - {action: ask_correction, from: received, to: correction, by: officer}
  - {action: resubmit, from: correction, to: received, by: applicant}
  - {action: accept, from: received, to: deciding, by: officer, if: complete}
  - {action: order_hearing, from: deciding, to: hearing, by: officer}
  - {action: close_hearing, from: hearing, to: deciding, by: officer}
  - {action: grant, from: deciding, to: granted, by: head, if: area <= 5}
  - {action: refuse, from: deciding, to: refused, by: head}
clocks:
  acceptance:
    limit: 5 wd
    from: received
    until: [deciding, refused]
    paused_in: {correction: {basis: 补正}}
    restart: {actions: [resubmit]}
  decision:
    limit: 20 wd
    promised: 10 wd
    from: deciding
    until: [granted, refused]
    paused_in: {hearing: {basis: 第45条, max: 20 wd}}
    extensions: [{by: 10 wd, times: 1, action: extend, by_role: head}]
    warn_at: [80%]
    warn_before: [2 wd]
  publicity:
    limit: 30 cd
    from: received
  stalled:
    limit: 1 months
    from: deciding
    until: [granted, refused]
"#;

/// A review with two regions in parallel, each with its own clock, and one clock over both.
const REVIEW: &str = r#"workflow: review
version: '1'
calendar: cn-mainland
roles: {officer: 承办人}
states:
  submitted: {}
  review:
    parallel:
      plan:
        states:
          plan_checking: {}
          plan_notice: {}
          plan_done: {final: true}
      planning:
        states:
          planning_checking: {}
          planning_notice: {}
          planning_done: {final: true}
    done: approved
  approved: {final: true}
transitions:
  - {action: start, from: submitted, to: review, by: officer}
  - {action: publish_plan, from: plan_checking, to: plan_notice, by: officer}
  - {action: finish_plan, from: plan_notice, to: plan_done, by: officer}
  - {action: publish_planning, from: planning_checking, to: planning_notice, by: officer}
  - {action: finish_planning, from: planning_notice, to: planning_done, by: officer}
clocks:
  plan_clock: {limit: 10 wd, over: plan, paused_in: {plan_notice: {basis: 公示}}}
  plan_step: {limit: 5 wd, from: plan_checking, until: plan_done, paused_in: {plan_notice: {basis: 公示}}}
  planning_clock: {limit: 10 wd, over: planning, paused_in: {planning_notice: {basis: 公示}}}
  review_clock:
    limit: 15 wd
    over: review
    paused_in: {plan_notice: {basis: 公示}, planning_notice: {basis: 公示}}
"#;

fn instant(date: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{date}T09:00:00+08:00")).unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn load(yaml: &str) -> Workflow {
    load_workflow("w.yaml", yaml, &mut NoExtends, &Calendars::builtin()).unwrap()
}

/// One script line: `DATE open [k=v…]`, `DATE ROLE ACTION [k=v…]`, `DATE ROLE set k=v|k=`, or
/// `DATE ROLE note TEXT`.
fn command(line: &str) -> (DateTime<FixedOffset>, Option<Command>, Vec<(String, String)>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = instant(words[0]);
    let pairs = |words: &[&str]| -> Vec<(String, String)> {
        words
            .iter()
            .map(|word| {
                let (key, value) = word.split_once('=').unwrap();
                (key.to_owned(), value.to_owned())
            })
            .collect()
    };
    if words[1] == "open" {
        return (at, None, pairs(&words[2..]));
    }
    let kind = match words[2] {
        "set" => CommandKind::SetAttributes {
            attributes: pairs(&words[3..])
                .into_iter()
                .map(|(key, value)| (key, (!value.is_empty()).then_some(value)))
                .collect(),
        },
        "note" => CommandKind::Note { text: words[3..].join(" ") },
        action => CommandKind::Act { action: action.to_owned(), attributes: pairs(&words[3..]) },
    };
    (at, Some(Command { at, actor: "张三".to_owned(), role: words[1].to_owned(), kind }), Vec::new())
}

fn describe(workflow: &Workflow, event: &Event) -> String {
    match &event.kind {
        EventKind::Opened { attributes } => format!("opened ({} attributes)", attributes.len()),
        EventKind::AttributeSet { attribute, value } => {
            let declared = workflow.attribute(*attribute);
            let shown = value.as_ref().map_or_else(|| "unset".to_owned(), |value| value.render(&declared.kind));
            format!("set {} = {shown}", declared.name)
        }
        EventKind::Acted { transition, source, .. } => {
            let taken = workflow.transition(*transition);
            let action = &workflow.action(taken.action).name;
            format!("{action}: {} → {}", workflow.state(*source).name, workflow.state(taken.to).name)
        }
        EventKind::Done { state } => format!("done of {} (by {:?})", workflow.state(*state).name, event.actor),
        EventKind::Extended { clock, .. } => format!("extended {}", workflow.clock(*clock).name),
        EventKind::Noted { text } => format!("note {text}"),
    }
}

/// Runs `script` on `yaml` and reports each line's outcome, then the timing as of `as_of`.
fn check(yaml: &str, script: &str, as_of: &str) -> String {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let workflow = load(yaml);
    let mut replay = Replay::new(&workflow);
    let mut history: Vec<Event> = Vec::new();
    let mut out = Vec::new();
    for line in script.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let (at, command, attributes) = command(line);
        let result = match command {
            None => open(&workflow, calendar, &Opening { at, actor: "张三".to_owned(), attributes }),
            Some(command) => step(&workflow, calendar, &replay, &command),
        };
        match result {
            Ok(events) => {
                for event in &events {
                    replay.apply(&workflow, event, calendar.zone()).unwrap();
                    out.push(format!("{}: {}", &line[..10], describe(&workflow, event)));
                }
                history.extend(events);
            }
            Err(rejection) => out.push(format!("{}: refused: {rejection}", &line[..10])),
        }
    }
    assert_eq!(Replay::fold(&workflow, &history, calendar.zone()).unwrap(), replay, "fold differs from one by one");
    out.push(report(&workflow, calendar, &replay, date(as_of)));
    out.join("\n")
}

fn report(workflow: &Workflow, calendar: &WorkingCalendar, replay: &Replay, as_of: NaiveDate) -> String {
    let timing = timing(workflow, calendar, replay, as_of).unwrap();
    let mut lines = vec![format!(
        "as of {as_of}: {} wd since opening, paused {} cd / {} wd",
        timing.elapsed_working_days, timing.paused_days, timing.paused_working_days
    )];
    for clock in timing.clocks.iter().filter(|clock| clock.runs > 0) {
        let name = &workflow.clock(clock.clock).name;
        let Some(limit) = &clock.statutory else { continue };
        let due = limit.due.date().map_or_else(|| format!("{:?}", limit.due), |due| due.to_string());
        let mut line = format!(
            "{name}: {} {} {}/{} due {due} {}% {}",
            clock.status.name(),
            clock.elapsed,
            clock.count_unit.symbol(),
            limit.limit,
            limit.used_basis_points / 100,
            limit.level.name(),
        );
        if let Some(promised) = &clock.promised {
            let _ = write!(line, ", promised {} {}", promised.limit, promised.level.name());
        }
        if clock.paused_days > 0 {
            let _ = write!(line, ", paused {} cd", clock.paused_days);
        }
        lines.push(line);
    }
    lines.join("\n")
}

#[test]
fn a_licence_granted_in_time() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=true area=3
         2026-03-04 officer accept
         2026-03-16 head grant",
        "2026-03-20",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (2 attributes)
    2026-03-04: accept: received → deciding
    2026-03-16: grant: deciding → granted
    as of 2026-03-20: 10 wd since opening, paused 0 cd / 0 wd
    acceptance: met 2 wd/5 wd due 2026-03-09 40% ok
    decision: met 8 wd/20 wd due 2026-04-01 40% ok, promised 10 wd ok
    publicity: met 14 cd/30 cd due 2026-04-01 46% ok
    stalled: met 12 cd/1 month due 2026-04-07 35% ok
    "#);
}

#[test]
fn refusals_say_why_and_change_nothing() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=false
         2026-03-03 officer grant
         2026-03-03 officer acept
         2026-03-03 applicant accept
         2026-03-03 officer accept
         2026-03-03 offcer accept
         2026-03-03 officer accept complete=maybe
         2026-03-03 officer accept colour=red
         2026-03-03 head extend
         2026-03-03 officer accept complete=true
         2026-03-02 officer order_hearing
         2026-03-04 head grant
         2030-01-04 head extend
         2026-03-05 head grant area=4.5
         2026-03-06 officer note too late",
        "2026-03-06",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (1 attributes)
    2026-03-03: refused: action `grant` is not allowed in `received`; allowed here: `accept`, `ask_correction`
    2026-03-03: refused: unknown action `acept`; did you mean `accept`?
    2026-03-03: refused: role `applicant` may not take action `accept`; it needs `officer`
    2026-03-03: refused: action `accept` needs `complete`; the case has complete = false
    2026-03-03: refused: unknown role `offcer`; did you mean `officer`?
    2026-03-03: refused: attribute `complete`: expected `true` or `false`, found `maybe`
    2026-03-03: refused: unknown attribute `colour`
    2026-03-03: refused: clock `decision` is not started; only a running or paused clock can be extended
    2026-03-03: set complete = true
    2026-03-03: accept: received → deciding
    2026-03-02: refused: 2026-03-02T09:00:00+08:00 is before the case's last event (2026-03-03T09:00:00+08:00)
    2026-03-04: refused: action `grant` needs `area <= 5`; the case has area = unset
    2030-01-04: refused: 2030-01-04 is outside the data of calendar `cn-mainland` (2004-01-01 to 2026-12-31); add year 2030 from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or count it provisionally with `--beyond-data statutory`
    2026-03-05: set area = 4.5
    2026-03-05: grant: deciding → granted
    2026-03-06: refused: the case is finished (in `granted`)
    as of 2026-03-06: 3 wd since opening, paused 0 cd / 0 wd
    acceptance: met 1 wd/5 wd due 2026-03-09 20% ok
    decision: met 2 wd/20 wd due 2026-03-31 10% ok, promised 10 wd ok
    publicity: met 3 cd/30 cd due 2026-04-01 10% ok
    stalled: met 2 cd/1 month due 2026-04-03 6% ok
    "#);
}

#[test]
fn correction_pauses_and_resubmission_restarts_the_acceptance_clock() {
    // 补正 from Friday 03-06 to Wednesday 03-11; the resubmission restarts the count.
    let out = check(
        LICENCE,
        "2026-03-02 open complete=false
         2026-03-06 officer ask_correction
         2026-03-11 applicant resubmit complete=true
         2026-03-13 officer accept",
        "2026-03-13",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (1 attributes)
    2026-03-06: ask_correction: received → correction
    2026-03-11: set complete = true
    2026-03-11: resubmit: correction → received
    2026-03-13: accept: received → deciding
    as of 2026-03-13: 9 wd since opening, paused 5 cd / 3 wd
    acceptance: met 2 wd/5 wd due 2026-03-18 40% ok
    decision: running 0 wd/20 wd due 2026-04-13 0% ok, promised 10 wd ok
    publicity: running 11 cd/30 cd due 2026-04-01 36% ok
    stalled: running 0 cd/1 month due 2026-04-13 0% ok
    "#);
}

#[test]
fn a_hearing_pauses_the_decision_and_a_same_day_pause_costs_nothing() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=true area=1
         2026-03-02 officer accept
         2026-03-04 officer order_hearing
         2026-03-04 officer close_hearing
         2026-03-09 officer order_hearing
         2026-03-20 officer close_hearing",
        "2026-03-24",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (2 attributes)
    2026-03-02: accept: received → deciding
    2026-03-04: order_hearing: deciding → hearing
    2026-03-04: close_hearing: hearing → deciding
    2026-03-09: order_hearing: deciding → hearing
    2026-03-20: close_hearing: hearing → deciding
    as of 2026-03-24: 16 wd since opening, paused 11 cd / 9 wd
    acceptance: met 0 wd/5 wd due 2026-03-09 0% ok
    decision: running 7 wd/20 wd due 2026-04-13 35% ok, promised 10 wd ok, paused 11 cd
    publicity: running 22 cd/30 cd due 2026-04-01 73% ok
    stalled: running 22 cd/1 month due 2026-04-02 70% ok
    "#);
}

#[test]
fn extension_once_then_capped_and_a_breach_turns_red() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=true area=9
         2026-03-02 officer accept
         2026-03-26 head extend
         2026-03-27 head extend",
        "2026-04-17",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (2 attributes)
    2026-03-02: accept: received → deciding
    2026-03-26: extended decision
    2026-03-27: refused: clock `decision` has already been extended by `extend` once, as often as allowed
    as of 2026-04-17: 33 wd since opening, paused 0 cd / 0 wd
    acceptance: met 0 wd/5 wd due 2026-03-09 0% ok
    decision: breached 33 wd/30 wd due 2026-04-14 110% red, promised 10 wd red
    publicity: breached 46 cd/30 cd due 2026-04-01 153% red
    stalled: breached 46 cd/1 month due 2026-04-02 148% red
    "#);
}

#[test]
fn warnings_before_the_limit_and_past_the_promise() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=true
         2026-03-02 officer accept",
        "2026-03-26",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (1 attributes)
    2026-03-02: accept: received → deciding
    as of 2026-03-26: 18 wd since opening, paused 0 cd / 0 wd
    acceptance: met 0 wd/5 wd due 2026-03-09 0% ok
    decision: running 18 wd/20 wd due 2026-03-30 90% yellow, promised 10 wd red
    publicity: running 24 cd/30 cd due 2026-04-01 80% ok
    stalled: running 24 cd/1 month due 2026-04-02 77% ok
    "#);
}

#[test]
fn an_extension_after_the_limit_is_refused() {
    let out = check(
        LICENCE,
        "2026-03-02 open complete=true
         2026-03-02 officer accept
         2026-04-02 head extend",
        "2026-04-02",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (1 attributes)
    2026-03-02: accept: received → deciding
    2026-04-02: refused: clock `decision` is past its limit; an extension must be decided within it
    as of 2026-04-02: 23 wd since opening, paused 0 cd / 0 wd
    acceptance: met 0 wd/5 wd due 2026-03-09 0% ok
    decision: breached 23 wd/20 wd due 2026-03-30 115% red, promised 10 wd red
    publicity: breached 31 cd/30 cd due 2026-04-01 103% red
    stalled: running 31 cd/1 month due 2026-04-02 100% ok
    "#);
}

#[test]
fn parallel_regions_start_together_and_done_is_its_own_event() {
    // Both regions in 公示 from 03-09: the review clock pauses only then, not while one is. The
    // plan's own step clock pauses as soon as its region is in 公示, whatever the other does.
    let out = check(
        REVIEW,
        "2026-03-02 open
         2026-03-02 officer start
         2026-03-04 officer publish_plan
         2026-03-09 officer publish_planning
         2026-03-16 officer finish_plan
         2026-03-18 officer finish_planning",
        "2026-03-18",
    );
    insta::assert_snapshot!(out, @r#"
    2026-03-02: opened (0 attributes)
    2026-03-02: start: submitted → review
    2026-03-04: publish_plan: plan_checking → plan_notice
    2026-03-09: publish_planning: planning_checking → planning_notice
    2026-03-16: finish_plan: plan_notice → plan_done
    2026-03-18: finish_planning: planning_notice → planning_done
    2026-03-18: done of review (by None)
    as of 2026-03-18: 12 wd since opening, paused 14 cd / 10 wd
    plan_clock: met 2 wd/10 wd due 2026-03-26 20% ok, paused 12 cd
    plan_step: met 2 wd/5 wd due 2026-03-19 40% ok, paused 12 cd
    planning_clock: met 5 wd/10 wd due 2026-03-25 50% ok, paused 9 cd
    review_clock: met 5 wd/15 wd due 2026-04-01 33% ok, paused 9 cd
    "#);
}

#[test]
fn timing_as_of_an_earlier_date_folds_only_what_had_happened() {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let workflow = load(LICENCE);
    let mut replay = Replay::new(&workflow);
    let mut history = Vec::new();
    let opening = Opening {
        at: instant("2026-03-02"),
        actor: "a".to_owned(),
        attributes: vec![("complete".to_owned(), "true".to_owned())],
    };
    let steps = [("2026-03-04", "officer", "accept"), ("2026-03-10", "officer", "order_hearing")];
    for event in open(&workflow, calendar, &opening).unwrap() {
        replay.apply(&workflow, &event, calendar.zone()).unwrap();
        history.push(event);
    }
    let mut snapshots = Vec::new();
    for (day, role, action) in steps {
        let command = Command {
            at: instant(day),
            actor: "a".to_owned(),
            role: role.to_owned(),
            kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
        };
        snapshots.push((date(day), timing(&workflow, calendar, &replay, date(day)).unwrap()));
        for event in step(&workflow, calendar, &replay, &command).unwrap() {
            replay.apply(&workflow, &event, calendar.zone()).unwrap();
            history.push(event);
        }
    }
    // As of the day before each step, the whole history gives what the prefix gave.
    for (day, expected) in snapshots {
        let before = day.pred_opt().unwrap();
        let from_history = timing_as_of(&workflow, calendar, &history, before).unwrap();
        let from_prefix = {
            let prefix: Vec<Event> = history.iter().filter(|event| event.at.date_naive() <= before).cloned().collect();
            timing(&workflow, calendar, &Replay::fold(&workflow, &prefix, calendar.zone()).unwrap(), before).unwrap()
        };
        assert_eq!(from_history, from_prefix);
        assert_ne!(from_history.as_of, expected.as_of);
    }
}

mod properties {
    use proptest::prelude::*;

    use super::super::{
        Act, ClockStatus, Command, CommandKind, EventRecord, Opening, Replay, act_in_place, open, open_in_place, step,
        step_in_place, timing, timing_as_of,
    };
    use super::{LICENCE, REVIEW, instant, load};
    use crate::core::calendar::{Calendars, PeriodUnit, WorkingCalendar};
    use crate::core::case::Event;
    use crate::core::workflow::Workflow;

    /// One random command: days after the previous one, a role, an action (or a set, or a
    /// note), and an attribute value to set with it.
    type Draw = (u8, usize, usize, Option<(usize, usize)>);

    fn draws() -> impl Strategy<Value = Vec<Draw>> {
        prop::collection::vec(
            (0_u8..4, 0_usize..8, 0_usize..16, prop::option::weighted(0.3, (0_usize..4, 0_usize..4))),
            0..40,
        )
    }

    const VALUES: [&str; 4] = ["true", "false", "3", "7.5"];

    fn run(workflow: &Workflow, draws: &[Draw]) -> Result<(), TestCaseError> {
        let calendars = Calendars::builtin();
        let calendar = calendars.get("cn-mainland").unwrap();
        let zone = calendar.zone();
        let mut at = instant("2026-03-02");
        let mut replay = Replay::new(workflow);
        let mut history = Vec::new();
        let opening = Opening { at, actor: "a".to_owned(), attributes: Vec::new() };
        for event in open(workflow, calendar, &opening).unwrap() {
            replay.apply(workflow, &event, zone).unwrap();
            history.push(event);
        }
        // (events so far, the replay then) at the end of each day
        let mut days = Vec::new();
        for (gap, role, action, set) in draws {
            let next = at + chrono::Duration::days(i64::from(*gap));
            if next.date_naive() != at.date_naive() {
                days.push((at.date_naive(), replay.clone()));
            }
            at = next;
            let roles = workflow.roles();
            let actions = workflow.actions();
            let role = roles[role % roles.len()].name.clone();
            let attributes: Vec<(String, String)> = set
                .filter(|_| !workflow.attributes().is_empty())
                .map(|(attribute, value)| {
                    let attributes = workflow.attributes();
                    (attributes[attribute % attributes.len()].name.clone(), VALUES[value].to_owned())
                })
                .into_iter()
                .collect();
            let kind = match action % (actions.len() + 2) {
                index if index < actions.len() => CommandKind::Act { action: actions[index].name.clone(), attributes },
                index if index == actions.len() => CommandKind::Note { text: "n".to_owned() },
                _ => CommandKind::SetAttributes {
                    attributes: attributes.into_iter().map(|(name, value)| (name, Some(value))).collect(),
                },
            };
            same_by_ids(
                workflow,
                calendar,
                &replay,
                &Command { at, actor: "a".to_owned(), role: role.clone(), kind: kind.clone() },
                &history[0],
            )?;
            let command = Command { at, actor: "a".to_owned(), role, kind };
            if let Ok(events) = step(workflow, calendar, &replay, &command) {
                for event in events {
                    replay.apply(workflow, &event, zone).unwrap();
                    history.push(event);
                }
                prop_assert!(replay.configuration().done_due(workflow).is_none(), "a `done` was left due");
            }
        }
        days.push((at.date_naive(), replay.clone()));
        prop_assert_eq!(&Replay::fold(workflow, &history, zone).unwrap(), &replay);
        // A replay used before and opened again folds the history as a new one does.
        let mut reused = replay.clone();
        let opened = open_in_place(workflow, calendar, &mut reused, &opening).unwrap();
        prop_assert_eq!(&opened[..], &history[..opened.len()]);
        for event in &history[opened.len()..] {
            reused.apply(workflow, event, zone).unwrap();
        }
        prop_assert_eq!(&reused, &replay);
        // Every event survives its stored form: names out, the same record back in.
        let mut reread = Vec::new();
        for event in &history {
            let record = EventRecord::of(workflow, event);
            let parsed = EventRecord::parse(&record.canonical_json()).unwrap();
            prop_assert_eq!(&parsed, &record);
            reread.push(parsed.to_event(workflow).unwrap());
        }
        prop_assert_eq!(&Replay::fold(workflow, &reread, zone).unwrap(), &replay);
        for (day, then) in &days {
            let one_by_one = timing(workflow, calendar, then, *day).unwrap();
            let folded = timing_as_of(workflow, calendar, &history, *day).unwrap();
            prop_assert_eq!(&one_by_one, &folded, "as of {}", day);
            for ((clock, declared), track) in one_by_one.clocks.iter().zip(workflow.clocks()).zip(then.clocks()) {
                // The simulator's lean figures are the full timing's.
                let lean = crate::core::case::clock_breaches(calendar, declared, track, *day).unwrap();
                let red = |limit: &Option<crate::core::case::LimitTiming>| {
                    limit.as_ref().is_some_and(|limit| limit.level == crate::core::case::Level::Red)
                };
                let full = clock.started_on.map(|_| (clock.elapsed, red(&clock.statutory), red(&clock.promised)));
                prop_assert_eq!(lean, full, "{:?}", clock);
                prop_assert!(clock.elapsed >= 0 && clock.paused_days >= 0);
                let Some(limit) = &clock.statutory else { continue };
                if clock.count_unit == PeriodUnit::WorkingDays {
                    let over = clock.elapsed > limit.limit.amount;
                    prop_assert_eq!(over, clock.status == ClockStatus::Breached, "{:?}", clock);
                }
            }
        }
        Ok(())
    }

    /// The same action by ids gives the same events, or the same refusal, and the same replay.
    fn same_by_ids(
        workflow: &Workflow,
        calendar: &WorkingCalendar,
        replay: &Replay,
        named: &Command,
        first: &Event,
    ) -> Result<(), TestCaseError> {
        let CommandKind::Act { action, attributes } = &named.kind else { return Ok(()) };
        if !attributes.is_empty() {
            return Ok(());
        }
        let act = Act {
            at: named.at,
            actor: &named.actor,
            role: workflow.role_named(&named.role).unwrap(),
            action: workflow.action_named(action).unwrap(),
        };
        let (mut by_name, mut by_id) = (replay.clone(), replay.clone());
        let expected = step_in_place(workflow, calendar, &mut by_name, named);
        let mut events = vec![first.clone()];
        let got = act_in_place(workflow, calendar, &mut by_id, &act, &mut events);
        match expected {
            Ok(expected) => {
                prop_assert!(got.is_ok());
                prop_assert_eq!(&events[1..], &expected[..]);
            }
            Err(expected) => {
                prop_assert_eq!(got, Err(expected));
                prop_assert_eq!(events.len(), 1, "a refusal appends nothing");
            }
        }
        prop_assert_eq!(&by_id, &by_name);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn licence_fold_equals_one_by_one(draws in draws()) {
            run(&load(LICENCE), &draws)?;
        }

        #[test]
        fn review_fold_equals_one_by_one(draws in draws()) {
            run(&load(REVIEW), &draws)?;
        }
    }
}

/// The stored form and its hashes are pinned: a change here breaks every stored chain.
#[test]
fn stored_form_and_hash_chain_are_pinned() {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let workflow = load(LICENCE);
    let opening = Opening {
        at: instant("2026-03-02"),
        actor: "张三".to_owned(),
        attributes: vec![("complete".to_owned(), "true".to_owned()), ("area".to_owned(), "2.50".to_owned())],
    };
    let mut replay = Replay::new(&workflow);
    let mut history = open(&workflow, calendar, &opening).unwrap();
    for event in &history {
        replay.apply(&workflow, event, calendar.zone()).unwrap();
    }
    let accept = Command {
        at: instant("2026-03-03"),
        actor: "李四".to_owned(),
        role: "officer".to_owned(),
        kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    };
    history.extend(step(&workflow, calendar, &replay, &accept).unwrap());
    let mut previous = super::GENESIS_HASH;
    let mut lines = Vec::new();
    for (sequence, event) in history.iter().enumerate() {
        let canonical = super::EventRecord::of(&workflow, event).canonical_json();
        previous = super::event_hash(&previous, "case-1", sequence as u64, &canonical);
        lines.push(format!("{canonical}\n{}", crate::core::workflow::hex(&previous)));
    }
    insta::assert_snapshot!(lines.join("\n"), @r#"
    {"at":"2026-03-02T09:00:00+08:00","actor":"张三","role":null,"kind":"opened","attributes":[["complete",true],["area","2.5"]]}
    4d9b49f99c244bc78ce706cf8a84a890221ef4f040515d973ae42779e1a30b89
    {"at":"2026-03-03T09:00:00+08:00","actor":"李四","role":"officer","kind":"acted","action":"accept","from":"received","to":"deciding"}
    0393dba7ef54ed87a4d565a6c22653e0830a52615d26592bb69ed1b1bba2b0d3
    "#);
}

#[test]
fn any_change_to_an_event_changes_its_hash() {
    let record = r#"{"at":"2026-03-03T09:00:00+08:00","actor":"李四","role":"officer","kind":"acted","action":"accept","from":"received","to":"deciding"}"#;
    let hash = super::event_hash(&super::GENESIS_HASH, "c", 1, record);
    assert_ne!(hash, super::event_hash(&super::GENESIS_HASH, "c", 2, record));
    assert_ne!(hash, super::event_hash(&super::GENESIS_HASH, "d", 1, record));
    assert_ne!(hash, super::event_hash(&[1; 32], "c", 1, record));
    assert_ne!(hash, super::event_hash(&super::GENESIS_HASH, "c", 1, &record.replace("李四", "王五")));
}

/// Folds `script` (as [`check`] runs it) and returns the replay.
fn folded(workflow: &Workflow, calendar: &WorkingCalendar, script: &str) -> Replay {
    let mut replay = Replay::new(workflow);
    for line in script.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let (at, command, attributes) = command(line);
        let events = match command {
            None => open(workflow, calendar, &Opening { at, actor: "张三".to_owned(), attributes }),
            Some(command) => step(workflow, calendar, &replay, &command),
        }
        .unwrap();
        for event in &events {
            replay.apply(workflow, event, calendar.zone()).unwrap();
        }
    }
    replay
}

#[test]
fn a_pause_past_its_max_is_an_overrun_counted_in_its_unit() {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let workflow = load(LICENCE);
    let decision = workflow.clock_named("decision").unwrap();
    let overruns = |script: &str, as_of: &str| {
        let replay = folded(&workflow, calendar, script);
        super::pause_overruns(calendar, workflow.clock(decision), &replay.clocks()[decision.index()], date(as_of))
            .unwrap()
    };
    let start = "2026-03-02 open complete=true area=1
                 2026-03-02 officer accept
                 2026-03-04 officer order_hearing";
    // 20 wd from Wednesday 03-04 end on Wednesday 04-01; resuming that day is within the max.
    assert!(overruns(&format!("{start}\n2026-04-01 officer close_hearing"), "2026-04-01").is_empty());
    // Resuming on Tuesday 04-07 (清明 04-04..04-06 off) is 3 wd past it: 04-02, 04-03, 04-07.
    let late = overruns(&format!("{start}\n2026-04-07 officer close_hearing"), "2026-04-07");
    assert_eq!(late.len(), 1);
    assert_eq!(
        (late[0].from, late[0].to, late[0].allowed_until),
        (date("2026-03-04"), date("2026-04-07"), date("2026-04-01"))
    );
    assert_eq!(late[0].over, 3);
    // A pause still open is counted to the date asked about.
    let open_pause = overruns(start, "2026-04-02");
    assert_eq!(open_pause.len(), 1);
    assert_eq!((open_pause[0].to, open_pause[0].over), (date("2026-04-02"), 1));
}

/// An action by ids this workflow does not have is refused, and nothing moves.
#[test]
fn an_act_by_unknown_ids_is_refused_and_changes_nothing() {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let workflow = load(LICENCE);
    let attributes = vec![("complete".to_owned(), "true".to_owned())];
    let opening = Opening { at: instant("2026-03-02"), actor: "a".to_owned(), attributes };
    let mut replay = Replay::new(&workflow);
    let mut events = super::open_in_place(&workflow, calendar, &mut replay, &opening).unwrap();
    let before = (replay.clone(), events.clone());
    let officer = workflow.role_named("officer").unwrap();
    let accept = workflow.action_named("accept").unwrap();
    let at = instant("2026-03-03");
    let unknown_role = crate::core::workflow::RoleId(u16::MAX);
    let unknown_action = crate::core::workflow::ActionId(u16::MAX);
    for act in [
        super::Act { at, actor: "a", role: unknown_role, action: accept },
        super::Act { at, actor: "a", role: officer, action: unknown_action },
    ] {
        let refused = super::act_in_place(&workflow, calendar, &mut replay, &act, &mut events);
        assert!(
            matches!(refused, Err(super::Rejection::UnknownRole { .. } | super::Rejection::UnknownAction { .. })),
            "{refused:?}"
        );
        assert_eq!((&replay, &events), (&before.0, &before.1));
    }
    let act = super::Act { at, actor: "a", role: officer, action: accept };
    super::act_in_place(&workflow, calendar, &mut replay, &act, &mut events).unwrap();
    assert_eq!(events.len(), before.1.len() + 1);
    assert!(
        matches!(events.last().map(|event| &event.kind), Some(EventKind::Acted { action, .. }) if *action == accept)
    );
}

/// Each state's region is the child of the parallel state it lies in (itself, or the ancestor
/// that is); states outside the parallel state have none.
#[test]
fn regions_are_the_children_of_the_parallel_state() {
    let workflow = load(REVIEW);
    let region =
        |name: &str| workflow.region_of(workflow.state_named(name).unwrap()).map(|id| workflow.state(id).name.as_str());
    for (state, expected) in [
        ("submitted", None),
        ("review", None),
        ("plan", Some("plan")),
        ("plan_notice", Some("plan")),
        ("planning_done", Some("planning")),
        ("approved", None),
    ] {
        assert_eq!(region(state), expected, "{state}");
    }
}

#[test]
fn available_actions_follow_the_active_states_and_open_clocks() {
    let workflow = load(LICENCE);
    let calendar = Calendars::builtin();
    let calendar = calendar.require("cn-mainland").unwrap();
    let opening = Opening { at: instant("2026-03-02"), actor: "窗口".to_owned(), attributes: Vec::new() };
    let mut replay = Replay::new(&workflow);
    for event in open(&workflow, calendar, &opening).unwrap() {
        replay.apply(&workflow, &event, calendar.zone()).unwrap();
    }
    let offered = super::available_actions(&workflow, &replay);
    let names: Vec<&str> = offered.iter().map(|action| action.action.as_str()).collect();
    assert_eq!(names, ["accept", "ask_correction"]);
    // `accept` needs `complete`, unset so far: offered, but its guard does not hold yet.
    assert_eq!((offered[0].guard_holds, offered[0].reads.as_slice()), (false, &["complete".to_owned()][..]));
    assert_eq!(offered[1].roles, ["officer"]);
    let (at, accept, _) = command("2026-03-03 officer accept complete=true");
    let events = step(&workflow, calendar, &replay, &accept.unwrap()).unwrap();
    assert!(at <= events[0].at);
    for event in &events {
        replay.apply(&workflow, event, calendar.zone()).unwrap();
    }
    let offered = super::available_actions(&workflow, &replay);
    let names: Vec<&str> = offered.iter().map(|action| action.action.as_str()).collect();
    // The decision clock is open, so its extension is offered beside the transitions.
    assert_eq!(names, ["extend", "grant", "order_hearing", "refuse"]);
    assert_eq!(offered[0].extends.as_deref(), Some("decision"));
    assert_eq!(offered[0].roles, ["head"]);
}

#[test]
fn a_case_waits_on_the_roles_that_move_it_on_not_on_those_that_only_end_it() {
    let workflow = load(include_str!("../../../workflows/administrative-license.yaml"));
    let state = |name: &str| workflow.state_named(name).unwrap();
    let waiting =
        |names: &[&str]| super::waiting_on(&workflow, &names.iter().map(|name| state(name)).collect::<Vec<_>>());
    // Received: the officer accepts, asks for corrections or refuses to accept (a final state
    // inside intake, which moves the case on to `closed`); the applicant can only withdraw,
    // which ends the case.
    assert_eq!(waiting(&["received"]), ["officer"]);
    assert_eq!(waiting(&["correction"]), ["applicant"]);
    // Deciding: the head decides (a refusal is a final state inside `decided`), the officer may
    // order a hearing or an expert review.
    assert_eq!(waiting(&["deciding"]), ["head", "officer"]);
    assert_eq!(waiting(&["granted"]), ["officer"]);
    assert!(waiting(&["withdrawn"]).is_empty(), "nothing leads out of a finished case");
}
