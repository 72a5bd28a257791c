//! Supervision statistics over a small store of licence cases handled by two organs: who each
//! case, clock and card counts for, on-time shares, medians and periods. Expected figures are
//! counted on the calendar and from the warnings on record here, not read from the statistics.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{
    Engine, Grain, Grant, GroupFigures, Grouping, KeyRequest, Principal, SupervisionQuery, WarningKind, WarningQuery,
    api_token, token_sha256,
};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::NoExtends;
use crate::engine::CaseOpening;
use crate::store::SqliteStore;

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
const WORKFLOW: &str = "administrative-license";

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn working_days_between(from: &str, to: &str) -> i64 {
    Calendars::builtin().get("cn-mainland").unwrap().working_days_between(day(from), day(to)).unwrap()
}

/// The same, as a median is given.
fn as_median(from: &str, to: &str) -> f64 {
    f64::from(i32::try_from(working_days_between(from, to)).unwrap())
}

fn key(engine: &mut Engine<SqliteStore>, name: &str, organ: &str, roles: &[&str], seed: u8, supervisor: bool) {
    engine
        .create_key(&KeyRequest {
            name: name.to_owned(),
            organ: Some(organ.to_owned()),
            grants: vec![Grant {
                workflow: WORKFLOW.to_owned(),
                roles: roles.iter().map(|role| (*role).to_owned()).collect(),
            }],
            supervisor,
            admin: false,
            token_sha256: token_sha256(&api_token(&[seed; 32])),
            created_by: "管理员".to_owned(),
            at: at("2017-01-03T09:00:00+08:00"),
        })
        .unwrap();
}

fn open(engine: &mut Engine<SqliteStore>, number: &str, on: &str, actor: &str) {
    engine
        .open_case(&CaseOpening {
            workflow: WORKFLOW.to_owned(),
            version: None,
            number: Some(number.to_owned()),
            at: at(&format!("{on}T09:30:00+08:00")),
            actor: actor.to_owned(),
            attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
            idempotency_key: None,
        })
        .unwrap();
}

fn act(engine: &mut Engine<SqliteStore>, number: &str, on: &str, actor: &str, role: &str, action: &str) {
    let command = Command {
        at: at(&format!("{on}T10:00:00+08:00")),
        actor: actor.to_owned(),
        role: role.to_owned(),
        kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
    };
    let version = engine.find_case(number).unwrap().version;
    engine.act(number, &command, version, None).unwrap();
}

/// Two organs: 甲 of A局 (officer), 乙 of B局 (officer and head), and a supervisor. Case L1 runs
/// to its certificate in time but for the certificate; L2 is accepted late and its decision
/// runs past its limit. Cards are swept on 2017-04-13 and 2017-06-30.
fn store() -> (Engine<SqliteStore>, Principal) {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2017-01-03T09:00:00+08:00")).unwrap();
    key(&mut engine, "甲", "A局", &["officer"], 1, false);
    key(&mut engine, "乙", "B局", &["officer", "head"], 2, false);
    key(&mut engine, "监察员", "监察室", &[], 3, true);
    open(&mut engine, "L1", "2017-03-01", "甲");
    act(&mut engine, "L1", "2017-03-02", "甲", "officer", "accept");
    act(&mut engine, "L1", "2017-03-10", "乙", "head", "grant");
    open(&mut engine, "L2", "2017-04-05", "甲");
    engine.sweep_warnings(day("2017-04-13"), at("2017-04-13T08:00:00+08:00")).unwrap();
    act(&mut engine, "L2", "2017-04-20", "乙", "officer", "accept");
    act(&mut engine, "L1", "2017-05-02", "甲", "officer", "issue_certificate");
    engine.sweep_warnings(day("2017-06-30"), at("2017-06-30T08:00:00+08:00")).unwrap();
    let supervisor = engine.keys().unwrap().into_iter().find(|key| key.name == "监察员").unwrap().principal();
    (engine, supervisor)
}

fn query(grain: Grain, grouping: Grouping) -> SupervisionQuery {
    SupervisionQuery { year: 2017, grain, grouping, workflow: None, as_of: day("2017-06-30") }
}

fn figures<'a>(groups: &'a [GroupFigures], period: &str, group: &str) -> &'a GroupFigures {
    groups
        .iter()
        .find(|figures| figures.period == period && figures.group.as_deref() == Some(group))
        .unwrap_or_else(|| panic!("no figures for {group} in {period}: {groups:#?}"))
}

/// The cards on record for `clock` of `number` in `period`: (yellow, red).
fn cards(engine: &Engine<SqliteStore>, number: &str, clock: &str, period: &str) -> (u64, u64) {
    let warnings = engine.warnings(&WarningQuery::default()).unwrap();
    let count = |kind: WarningKind| {
        warnings
            .iter()
            .filter(|warning| warning.number == number && warning.clock == clock && warning.kind == kind)
            .filter(|warning| Grain::Quarter.period_of(warning.applies_on) == period)
            .count() as u64
    };
    (count(WarningKind::Yellow), count(WarningKind::Red))
}

#[test]
fn each_organ_answers_for_the_clocks_it_stopped_and_the_cards_on_them() {
    let (mut engine, supervisor) = store();
    let statistics = engine.supervision(&supervisor, &query(Grain::Quarter, Grouping::Organ)).unwrap();
    assert_eq!(statistics.cases_counted, 2);
    let groups = &statistics.groups;
    // First quarter: L1 opened and accepted by 甲 (A局) in 1 wd of 5, granted by 乙 (B局).
    let a = figures(groups, "2017-Q1", "A局");
    assert_eq!((a.cases_handled, a.timeliness.finished, a.timeliness.statutory_on_time), (1, 1, 1));
    assert_eq!(a.median_working_days, Some(as_median("2017-03-01", "2017-03-02")));
    let b = figures(groups, "2017-Q1", "B局");
    assert_eq!((b.cases_handled, b.timeliness.finished, b.timeliness.statutory_on_time), (1, 1, 1));
    assert_eq!(b.median_working_days, Some(as_median("2017-03-02", "2017-03-10")));
    // L1's certificate (10 wd from 03-10) went yellow and red before 甲 issued it: 甲's cards,
    // in the quarter they are dated; A局 finished it late in the second quarter.
    let (yellow, red) = cards(&engine, "L1", "certificate", "2017-Q1");
    assert!(red == 1, "the certificate's red card is dated in the first quarter");
    assert_eq!((a.timeliness.yellow_cards, a.timeliness.red_cards), (yellow, red));
    let a2 = figures(groups, "2017-Q2", "A局");
    assert_eq!(
        (a2.cases_handled, a2.timeliness.finished, a2.timeliness.statutory_on_time),
        (2, 1, 0),
        "L2 opened, L1 certified"
    );
    assert_eq!(a2.median_working_days, Some(as_median("2017-03-10", "2017-05-02")));
    // L2 accepted by 乙 after its 5 wd: B局's, with its acceptance cards. L2's decision still runs
    // past its limit with no one's stop: its cards count for every organ whose keys may act on it.
    let b2 = figures(groups, "2017-Q2", "B局");
    assert_eq!((b2.cases_handled, b2.timeliness.finished, b2.timeliness.statutory_on_time), (1, 1, 0));
    let (acceptance_yellow, acceptance_red) = cards(&engine, "L2", "acceptance", "2017-Q2");
    let (decision_yellow, decision_red) = cards(&engine, "L2", "decision", "2017-Q2");
    assert!(acceptance_red == 1 && decision_red == 1, "both went red");
    assert_eq!(
        (b2.timeliness.yellow_cards, b2.timeliness.red_cards),
        (acceptance_yellow + decision_yellow, acceptance_red + decision_red)
    );
    assert_eq!((a2.timeliness.yellow_cards, a2.timeliness.red_cards), (decision_yellow, decision_red));
    // No promised limits in this workflow: nothing judged against one.
    assert!(groups.iter().all(|figures| figures.timeliness.promised_judged == 0));
    // The supervisor's key acts on nothing and answers for nothing.
    assert!(groups.iter().all(|figures| figures.group.as_deref() != Some("监察室")));
}

#[test]
fn roles_handlers_months_and_clocks_are_counted_the_same_way() {
    let (mut engine, supervisor) = store();
    let by_role = engine.supervision(&supervisor, &query(Grain::Month, Grouping::Role)).unwrap();
    // An opening records no role; accepting is the officer's, granting the head's.
    let officer = figures(&by_role.groups, "2017-03", "officer");
    assert_eq!((officer.cases_handled, officer.timeliness.finished), (1, 1));
    let head = figures(&by_role.groups, "2017-03", "head");
    assert_eq!((head.cases_handled, head.timeliness.finished, head.timeliness.statutory_on_time), (1, 1, 1));
    assert!(by_role.groups.iter().all(|figures| figures.group.is_some()), "{:#?}", by_role.groups);
    let by_handler = engine.supervision(&supervisor, &query(Grain::Month, Grouping::Handler)).unwrap();
    let jia = figures(&by_handler.groups, "2017-05", "甲");
    assert_eq!((jia.cases_handled, jia.timeliness.finished, jia.timeliness.statutory_on_time), (1, 1, 0));
    // Per clock: the acceptance clock finished twice, once in time (L1, 1 wd) and once late
    // (L2); its median is the middle of the two.
    let quarters = engine.supervision(&supervisor, &query(Grain::Quarter, Grouping::Organ)).unwrap();
    let acceptance: Vec<_> = quarters.clocks.iter().filter(|figures| figures.clock == "acceptance").collect();
    assert_eq!(acceptance.iter().map(|figures| figures.timeliness.finished).sum::<u64>(), 2);
    let late = acceptance.iter().find(|figures| figures.period == "2017-Q2").unwrap();
    assert_eq!((late.timeliness.finished, late.timeliness.statutory_on_time), (1, 0));
    assert_eq!(late.max_elapsed, Some(working_days_between("2017-04-05", "2017-04-20")));
    assert_eq!(late.unit, "wd");
    // Another year has nothing in it.
    let empty =
        engine.supervision(&supervisor, &SupervisionQuery { year: 2016, ..query(Grain::Month, Grouping::Role) });
    let empty = empty.unwrap();
    assert!(empty.groups.is_empty() && empty.clocks.is_empty() && empty.cases_counted == 0, "{empty:#?}");
}

#[test]
fn a_key_counts_only_the_workflows_it_may_read() {
    let (mut engine, _) = store();
    let outsider = Principal {
        key_id: "key_000000000000".to_owned(),
        name: "他区监察员".to_owned(),
        organ: None,
        grants: vec![Grant { workflow: "longgang-renewal".to_owned(), roles: Vec::new() }],
        supervisor: true,
        admin: false,
    };
    let statistics = engine.supervision(&outsider, &query(Grain::Quarter, Grouping::Organ)).unwrap();
    assert_eq!(statistics.cases_counted, 0);
    assert!(statistics.groups.is_empty() && statistics.clocks.is_empty());
}
