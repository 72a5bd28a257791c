//! The engine over an in-memory SQLite store: deploy, open, act, refuse, conflict, retry.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{CaseOpening, Engine, EngineError};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::NoExtends;
use crate::store::{SqliteStore, Store};

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn engine() -> Engine<SqliteStore> {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    engine
}

fn opening(number: &str, key: Option<&str>) -> CaseOpening {
    CaseOpening {
        workflow: "administrative-license".to_owned(),
        version: None,
        number: Some(number.to_owned()),
        at: at("2026-03-02T09:00:00+08:00"),
        actor: "窗口".to_owned(),
        attributes: Vec::new(),
        idempotency_key: key.map(str::to_owned),
    }
}

fn act(action: &str, role: &str, day: &str) -> Command {
    Command {
        at: at(&format!("{day}T10:00:00+08:00")),
        actor: "承办人甲".to_owned(),
        role: role.to_owned(),
        kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
    }
}

/// Every row of every table, as text: two equal dumps mean nothing was written.
fn dump(engine: &Engine<SqliteStore>) -> String {
    let connection = engine.store().connection();
    let mut out = String::new();
    for table in [
        "deployments",
        "cases",
        "events",
        "idempotency_answers",
        "case_number_sequences",
        "open_clocks",
        "imports",
        "imported_cases",
    ] {
        let mut statement = connection.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).unwrap();
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|index| row.get_ref(index).map(|value| format!("{value:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            let _ = writeln!(out, "{table}: {}", row.unwrap().join(" | "));
        }
    }
    out
}

#[test]
fn a_case_runs_to_its_end_and_keeps_its_chain() {
    let mut engine = engine();
    let opened = engine.open_case(&opening("A-1", None)).unwrap();
    assert_eq!(opened.version, 1);
    let accepted = engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, None).unwrap();
    assert_eq!(accepted.version, 2);
    let granted = engine.act("A-1", &act("grant", "head", "2026-03-10"), 2, None).unwrap();
    assert_eq!(granted.events.len(), 1);
    let (view, timing) = engine.timing("A-1", NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()).unwrap();
    assert_eq!(view.row.version, 3);
    let decision = view.workflow.clock_named("decision").unwrap();
    assert_eq!(timing.clocks[decision.index()].elapsed, 5);
    let events = engine.store().events(&view.row.id).unwrap();
    assert_eq!(events.last().unwrap().hash, view.row.head_hash);
    assert_eq!(events[1].previous_hash, events[0].hash);
}

#[test]
fn a_refused_action_writes_nothing() {
    let mut engine = engine();
    engine.open_case(&opening("A-1", None)).unwrap();
    let before = dump(&engine);
    let refusals = [
        act("grant", "head", "2026-03-03"),
        act("accept", "applicant", "2026-03-03"),
        act("acept", "officer", "2026-03-03"),
        act("accept", "officer", "2026-03-01"),
    ];
    for command in refusals {
        let error = engine.act("A-1", &command, 1, None).unwrap_err();
        assert!(matches!(error, EngineError::Rejected(_)), "{error}");
        assert_eq!(dump(&engine), before, "{error}");
    }
}

#[test]
fn a_stale_version_is_a_conflict_and_a_retry_appends_nothing() {
    let mut engine = engine();
    engine.open_case(&opening("A-1", Some("open-1"))).unwrap();
    let again = engine.open_case(&opening("A-1", Some("open-1"))).unwrap();
    assert!(again.replayed);
    let first = engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, Some("k1")).unwrap();
    let before = dump(&engine);
    let retry = engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, Some("k1")).unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.events, first.events);
    assert_eq!(dump(&engine), before);
    let stale = engine.act("A-1", &act("order_hearing", "officer", "2026-03-04"), 1, None).unwrap_err();
    assert!(matches!(stale, EngineError::Conflict { expected: 1, actual: 2, .. }), "{stale}");
    assert_eq!(dump(&engine), before);
}

/// Issue 24, item 7: the history says who acted, so a library caller must name the actor; an
/// empty or blank one is refused for an opening, an action, a note and an attribute change,
/// and nothing is written.
#[test]
fn an_empty_or_blank_actor_is_refused_and_writes_nothing() {
    let mut engine = engine();
    for actor in ["", "  \t"] {
        let before = dump(&engine);
        let opened = engine.open_case(&CaseOpening { actor: actor.to_owned(), ..opening("A-0", None) });
        assert!(matches!(opened, Err(EngineError::NoActor)), "{opened:?}");
        assert_eq!(dump(&engine), before);
    }
    engine.open_case(&opening("A-1", None)).unwrap();
    let before = dump(&engine);
    let kinds = [
        CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
        CommandKind::Note { text: "材料齐全".to_owned() },
        CommandKind::SetAttributes { attributes: vec![("joint_handling".to_owned(), Some("true".to_owned()))] },
    ];
    for kind in kinds {
        let command = Command { actor: " ".to_owned(), kind, ..act("accept", "officer", "2026-03-03") };
        let error = engine.act("A-1", &command, 1, Some("key")).unwrap_err();
        assert!(matches!(error, EngineError::NoActor), "{error}");
        assert!(error.to_string().contains("name the person"), "{error}");
        assert_eq!(dump(&engine), before);
    }
}

#[test]
fn a_case_number_is_unique_per_workflow() {
    let mut engine = engine();
    engine.open_case(&opening("A-1", None)).unwrap();
    let error = engine.open_case(&opening("A-1", None)).unwrap_err();
    assert!(error.to_string().contains("already used"), "{error}");
}

/// Issue 23, item 12: a number that cannot be shown as it is, or that reads as a case id, is
/// refused before anything is written, also under an idempotency key; the message shows it
/// escaped. An imported history with such a number is refused too.
#[test]
fn a_case_number_that_cannot_be_shown_or_reads_as_an_id_is_refused() {
    use crate::core::case::{CaseNumberError, Opening, open};
    use crate::engine::{CaseHistory, ImportEntry, ImportRequest};

    let mut engine = engine();
    let before = dump(&engine);
    let error = engine.open_case(&opening("A-\x1b[31m1", Some("k"))).unwrap_err();
    assert!(
        matches!(&error, EngineError::BadCaseNumber { reason: CaseNumberError::Control { position: 3, .. }, .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "case number `A-\\u{1b}[31m1` has the control character U+001B at character 3");
    let id = engine.open_case(&opening("A-1", None)).unwrap().case_id;
    let error = engine.open_case(&opening(&id, None)).unwrap_err();
    assert!(matches!(&error, EngineError::BadCaseNumber { reason: CaseNumberError::CaseIdForm, .. }), "{error:?}");
    assert!(!error.is_refusal());

    let deployment = engine.store().latest_deployment("administrative-license").unwrap().unwrap().key;
    let workflow = engine.workflow(deployment).unwrap();
    let calendar = engine.calendars().require(workflow.calendar()).unwrap();
    let core_opening =
        Opening { at: at("2025-12-01T09:00:00+08:00"), actor: "窗口".to_owned(), attributes: Vec::new() };
    let events = open(&workflow, calendar, &core_opening).unwrap();
    let request = ImportRequest {
        deployment,
        log: "log.csv".to_owned(),
        log_hash: "0f".repeat(32),
        as_of: None,
        accept_findings: false,
        at: at("2026-01-05T10:00:00+08:00"),
    };
    let history = CaseHistory { number: "B-\u{202E}1".to_owned(), events, findings: Vec::new() };
    let after_open = dump(&engine);
    let error = engine.import(&request, std::iter::once(ImportEntry::History(history))).unwrap_err();
    assert!(matches!(&error, EngineError::BadCaseNumber { reason: CaseNumberError::Bidi { .. }, .. }), "{error:?}");
    assert_eq!(dump(&engine), after_open);
    assert_ne!(before, after_open);
}

#[test]
fn events_cannot_be_updated_or_deleted_in_the_database() {
    let mut engine = engine();
    engine.open_case(&opening("A-1", None)).unwrap();
    let connection = engine.store().connection();
    let update = connection.execute("UPDATE events SET record = 'x'", []).unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = connection.execute("DELETE FROM events", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
}

/// Opens two cases and moves one on; returns the engine and the moved case's id.
fn two_cases() -> (Engine<SqliteStore>, String) {
    let mut engine = engine();
    let moved = engine.open_case(&opening("A-1", None)).unwrap();
    engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, None).unwrap();
    engine.act("A-1", &act("order_hearing", "officer", "2026-03-04"), 2, None).unwrap();
    engine.open_case(&opening("A-2", None)).unwrap();
    (engine, moved.case_id)
}

/// Tampers with the events table behind the engine's back (dropping the triggers first, as an
/// intruder with the file would) and returns what `verify` says.
fn tampered(sql: &str) -> Vec<(String, Option<u64>, String)> {
    let (engine, case_id) = two_cases();
    assert!(engine.verify().unwrap().is_empty());
    let connection = engine.store().connection();
    connection.execute_batch("DROP TRIGGER events_are_never_updated; DROP TRIGGER events_are_never_deleted;").unwrap();
    connection.execute_batch(&sql.replace("CASE", &case_id)).unwrap();
    engine.verify().unwrap().into_iter().map(|broken| (broken.number, broken.sequence, broken.reason)).collect()
}

#[test]
fn verify_names_the_case_and_the_first_broken_link() {
    let edited = tampered(
        "UPDATE events SET record = replace(record, '承办人甲', '承办人乙') WHERE case_id = 'CASE' AND sequence = 1",
    );
    assert_eq!(edited, [("A-1".to_owned(), Some(1), "its hash does not match its content".to_owned())]);
    let deleted = tampered("DELETE FROM events WHERE case_id = 'CASE' AND sequence = 1");
    assert_eq!(deleted, [("A-1".to_owned(), Some(1), "event 1 is missing (found 2 in its place)".to_owned())]);
    let last = tampered("DELETE FROM events WHERE case_id = 'CASE' AND sequence = 2");
    assert_eq!(last, [("A-1".to_owned(), None, "the case row says 3 events, the history has 2".to_owned())]);
    let reordered = tampered(
        "UPDATE events SET sequence = 9 WHERE case_id = 'CASE' AND sequence = 1; \
         UPDATE events SET sequence = 1 WHERE case_id = 'CASE' AND sequence = 2; \
         UPDATE events SET sequence = 2 WHERE case_id = 'CASE' AND sequence = 9;",
    );
    assert_eq!(
        reordered,
        [("A-1".to_owned(), Some(1), "its previous hash is not the hash of the event before it".to_owned())]
    );
    let inserted = tampered(
        "UPDATE events SET sequence = sequence + 100 WHERE case_id = 'CASE' AND sequence >= 1; \
         UPDATE events SET sequence = sequence - 99 WHERE case_id = 'CASE' AND sequence >= 100; \
         INSERT INTO events SELECT case_id, 1, at, record, previous_hash, hash, hash_algorithm FROM events WHERE case_id = 'CASE' AND sequence = 0;",
    );
    assert_eq!(
        inserted,
        [("A-1".to_owned(), Some(1), "its previous hash is not the hash of the event before it".to_owned())]
    );
}

#[test]
fn check_finds_derived_data_that_differs_from_the_history() {
    let (mut engine, case_id) = two_cases();
    assert!(engine.check().unwrap().is_empty());
    engine
        .store()
        .connection()
        .execute("UPDATE cases SET configuration = '{\"active\":[\"granted\"]}' WHERE id = ?1", [&case_id])
        .unwrap();
    engine.store().connection().execute("DELETE FROM open_clocks WHERE case_id = ?1", [&case_id]).unwrap();
    let mismatches: Vec<String> = engine
        .check()
        .unwrap()
        .into_iter()
        .map(|mismatch| format!("{}: {}", mismatch.number, mismatch.what.split(',').next().unwrap_or_default()))
        .collect();
    assert_eq!(mismatches.len(), 2, "{mismatches:?}");
    assert!(mismatches[0].starts_with("A-1: configuration is {\"active\":[\"granted\"]}"), "{mismatches:?}");
    assert!(mismatches[1].starts_with("A-1: open clocks are []"), "{mismatches:?}");
}

/// An action, a role and a day.
type Step<'a> = (&'a str, &'a str, &'a str);

/// The watch list read from the derived rows equals the one found by folding every case, on
/// every day of a month, for cases left at different points (running, paused in a hearing,
/// extended, breached, finished).
#[test]
fn the_watch_list_from_derived_rows_equals_folding_every_case() {
    let seen = watch_fast_equals_folded(LICENCE);
    assert!(["red", "yellow", "pause over its maximum"].iter().all(|what| seen.contains(what)), "{seen:?}");
    // With a promised limit shorter than the law's, the promised one sets the level first.
    let promised = LICENCE
        .replace("    limit: 20 wd\n    from: deciding", "    limit: 20 wd\n    promised: 12 wd\n    from: deciding");
    assert_ne!(promised, LICENCE);
    let seen = watch_fast_equals_folded(&promised);
    assert!(["by promised", "by statutory"].iter().all(|what| seen.contains(what)), "{seen:?}");
}

/// Runs a fixed script of licence cases under `licence` and checks, day by day, that the watch
/// list from the derived rows equals the one from folding every case, every field included;
/// returns what the lists showed on some day (levels, which limit set them, pauses over).
fn watch_fast_equals_folded(licence: &str) -> std::collections::BTreeSet<&'static str> {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    let script: [(&str, &[Step]); 5] = [
        ("W-1", &[("accept", "officer", "2026-03-03")]),
        ("W-2", &[("accept", "officer", "2026-03-03"), ("order_hearing", "officer", "2026-03-10")]),
        ("W-3", &[("accept", "officer", "2026-03-02"), ("extend_decision", "head", "2026-03-20")]),
        ("W-4", &[]),
        ("W-5", &[("accept", "officer", "2026-03-03"), ("grant", "head", "2026-03-05")]),
    ];
    for (number, steps) in script {
        engine.open_case(&opening(number, None)).unwrap();
        for (version, (action, role, day)) in steps.iter().enumerate() {
            engine.act(number, &act(action, role, day), version as u64 + 1, None).unwrap();
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let first = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
    for as_of in first.iter_days().step_by(2).take(30) {
        let fast = engine.watch(as_of).unwrap();
        let mut slow = Vec::new();
        for number in ["W-1", "W-2", "W-3", "W-4", "W-5"] {
            let id = engine.find_case(number).unwrap().id;
            slow.extend(engine.watch_folded(&id, as_of).unwrap());
        }
        let key = |row: &super::WatchRow| {
            let row = row.clone();
            (row.number, row.clock, row.level, row.level_set_by, row.due_date, row.remaining_working_days)
        };
        let other = |row: &super::WatchRow| {
            let row = row.clone();
            (
                row.number,
                row.clock,
                row.statutory_limit,
                row.promised_limit,
                format!("{:?}", row.pause_over_max),
                row.phase,
            )
        };
        let (mut fast_keys, mut slow_keys): (Vec<_>, Vec<_>) =
            (fast.iter().map(key).collect(), slow.iter().map(key).collect());
        fast_keys.sort();
        slow_keys.sort();
        assert_eq!(fast_keys, slow_keys, "as of {as_of}");
        let (mut fast_other, mut slow_other): (Vec<_>, Vec<_>) =
            (fast.iter().map(other).collect(), slow.iter().map(other).collect());
        fast_other.sort();
        slow_other.sort();
        assert_eq!(fast_other, slow_other, "as of {as_of}");
        for row in &fast {
            seen.insert(row.level);
            match row.level_set_by {
                Some("promised") => seen.insert("by promised"),
                Some(_) => seen.insert("by statutory"),
                None => false,
            };
            if row.pause_over_max.is_some() {
                seen.insert("pause over its maximum");
            }
        }
        assert!(fast.windows(2).all(|pair| pair[0].level == "red" || pair[1].level != "red"), "red first");
    }
    assert!(engine.check().unwrap().is_empty());
    seen
}

#[test]
fn a_remembered_case_moved_on_by_another_engine_is_a_conflict() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("two.db");
    let mut first = Engine::new(SqliteStore::open(&path).unwrap(), Calendars::builtin());
    first.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    let opened = first.open_case(&opening("A-1", None)).unwrap();
    // `first` acts, so it remembers the case at version 2 without reading it again.
    first.act(&opened.case_id, &act("accept", "officer", "2026-03-03"), 1, None).unwrap();
    let mut second = Engine::new(SqliteStore::open(&path).unwrap(), Calendars::builtin());
    second.act(&opened.case_id, &act("order_hearing", "officer", "2026-03-04"), 2, None).unwrap();
    let before = dump(&second);
    // A legal step on the remembered state: the store's version check catches it.
    let stale = first.act(&opened.case_id, &act("order_hearing", "officer", "2026-03-05"), 2, None).unwrap_err();
    assert!(matches!(stale, EngineError::Conflict { expected: 2, actual: 3, .. }), "{stale}");
    // A step refused on the remembered state is a conflict too, not a refusal.
    first.act(&opened.case_id, &act("close_hearing", "officer", "2026-03-06"), 3, None).unwrap();
    second.act(&opened.case_id, &act("order_hearing", "officer", "2026-03-09"), 4, None).unwrap();
    let refused = first.act(&opened.case_id, &act("accept", "officer", "2026-03-09"), 4, None).unwrap_err();
    assert!(matches!(refused, EngineError::Conflict { expected: 4, actual: 5, .. }), "{refused}");
    assert_ne!(dump(&second), before);
    // Each engine goes on from what is stored.
    let next = first.act(&opened.case_id, &act("close_hearing", "officer", "2026-03-10"), 5, None).unwrap();
    assert_eq!(next.version, 6);
    assert!(first.verify().unwrap().is_empty());
    assert!(first.check().unwrap().is_empty(), "derived data written by both engines equals the fold");
}

/// A history the core made for one case, to import (opened and accepted).
fn licence_history(engine: &mut Engine<SqliteStore>, number: &str) -> super::CaseHistory {
    let workflow = engine.workflow(1).unwrap();
    let calendar = engine.calendars().require(workflow.calendar()).unwrap();
    let mut replay = crate::core::case::Replay::new(&workflow);
    let mut events = crate::core::case::open(
        &workflow,
        calendar,
        &crate::core::case::Opening {
            at: at("2026-03-02T09:00:00+08:00"),
            actor: "窗口".to_owned(),
            attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
        },
    )
    .unwrap();
    for event in &events {
        replay.apply(&workflow, event, calendar.zone()).unwrap();
    }
    events.extend(
        crate::core::case::step_in_place(&workflow, calendar, &mut replay, &act("accept", "officer", "2026-03-03"))
            .unwrap(),
    );
    super::CaseHistory { number: number.to_owned(), events, findings: Vec::new() }
}

fn import_request() -> super::ImportRequest {
    super::ImportRequest {
        deployment: 1,
        log: "log.csv".to_owned(),
        log_hash: "00".repeat(32),
        as_of: None,
        accept_findings: false,
        at: at("2026-11-23T09:00:00+08:00"),
    }
}

#[test]
fn an_import_whose_history_does_not_fit_writes_nothing() {
    use super::ImportEntry;
    let mut engine = engine();
    let good = licence_history(&mut engine, "I-1");
    let mut broken = licence_history(&mut engine, "I-2");
    // Without its opening, the history starts with a step from no state.
    broken.events.remove(0);
    let before = dump(&engine);
    let refused = engine
        .import(&import_request(), [ImportEntry::History(good.clone()), ImportEntry::History(broken)].into_iter());
    assert!(matches!(refused, Err(EngineError::History { ref case, .. }) if case == "I-2"), "{refused:?}");
    assert_eq!(dump(&engine), before, "a refused import leaves every table as it was");
    let empty = engine.import(
        &import_request(),
        std::iter::once(ImportEntry::History(super::CaseHistory { events: Vec::new(), ..good.clone() })),
    );
    assert!(matches!(empty, Err(EngineError::History { .. })), "{empty:?}");
    assert_eq!(dump(&engine), before);
    // The good history alone imports, and acts on from where it stopped.
    let row = engine.import(&import_request(), std::iter::once(ImportEntry::History(good))).unwrap();
    assert_eq!((row.imported, row.skipped, row.refused), (1, 0, 0));
    let granted = engine.act("I-1", &act("grant", "head", "2026-03-04"), 2, None).unwrap();
    assert_eq!(granted.version, 3);
    assert!(engine.verify().unwrap().is_empty(), "the chain starts at the first imported event");
}

/// An imported case's chain starts from its import mark: the mark cannot be changed, removed or
/// given to a case opened live without `verify` naming the case's first event.
#[test]
fn verify_finds_an_import_mark_changed_removed_or_forged() {
    use super::ImportEntry;
    let fresh = || {
        let mut engine = engine();
        let mut history = licence_history(&mut engine, "I-1");
        history.findings = vec!["AUD003".to_owned()];
        engine.import(&import_request(), std::iter::once(ImportEntry::History(history))).unwrap();
        engine.open_case(&opening("L-1", None)).unwrap();
        assert!(engine.verify().unwrap().is_empty(), "marked and live cases verify");
        engine
    };
    let broken = |sql: &str| {
        let engine = fresh();
        engine.store().connection().execute_batch(sql).unwrap();
        engine.verify().unwrap().into_iter().map(|broken| (broken.number, broken.sequence, broken.reason)).collect()
    };
    let changed: Vec<_> = broken("UPDATE imported_cases SET findings = '[]'");
    let changed_reason =
        "its previous hash is not the one its import mark gives (the mark or its import was changed, or added)";
    assert_eq!(changed, [("I-1".to_owned(), Some(0), changed_reason.to_owned())]);
    let removed: Vec<_> = broken("DELETE FROM imported_cases");
    let reason = "its previous hash is not the genesis hash (was the case's import mark removed?)";
    assert_eq!(removed, [("I-1".to_owned(), Some(0), reason.to_owned())]);
    let forged: Vec<_> = broken(
        "INSERT INTO imported_cases (case_id, import, findings) \
         SELECT id, 1, '[]' FROM cases WHERE number = 'L-1'",
    );
    assert_eq!(forged, [("L-1".to_owned(), Some(0), changed_reason.to_owned())]);
    let import_edited: Vec<_> = broken("UPDATE imports SET log_hash = 'ff'");
    assert_eq!(import_edited, [("I-1".to_owned(), Some(0), changed_reason.to_owned())], "the log hash is covered");
    // The exported heads catch the same changes.
    let engine = fresh();
    let heads = engine.chain_heads().unwrap();
    engine.store().connection().execute_batch("DELETE FROM imported_cases").unwrap();
    assert_eq!(engine.verify_heads(&heads).unwrap().len(), 1);
}

#[test]
fn a_batch_keeps_the_writes_that_were_refused_apart_and_drops_all_when_one_fails_halfway() {
    let mut engine = engine();
    let before = dump(&engine);
    // A write that fails after it changed rows: the opening's answer cannot be recorded.
    engine
        .store()
        .connection()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON idempotency_answers WHEN NEW.key = 'boom' \
             BEGIN SELECT RAISE(ABORT, 'boom'); END",
        )
        .unwrap();
    engine.begin_batch().unwrap();
    let first = engine.open_case(&opening("XK-1", Some("first"))).unwrap();
    // Refused before it changed anything: the batch goes on.
    assert!(engine.open_case(&opening("XK-1", None)).is_err());
    engine.act(&first.case_id, &act("accept", "officer", "2026-03-03"), first.version, Some("accept")).unwrap();
    // Fails after the case and its events were written.
    assert!(engine.open_case(&opening("XK-2", Some("boom"))).is_err());
    // The batch is broken: nothing more is taken, and nothing of it stands.
    let refused = engine.open_case(&opening("XK-3", None));
    assert!(matches!(&refused, Err(EngineError::Store(_))), "{refused:?}");
    let ended = engine.end_batch(true);
    assert!(ended.is_err(), "a broken batch is not committed");
    assert_eq!(dump(&engine), before, "nothing of a broken batch was written");
    // The next batch starts clean, and a case the broken one opened is not remembered.
    engine.begin_batch().unwrap();
    let again = engine.open_case(&opening("XK-1", Some("first"))).unwrap();
    assert!(!again.replayed, "the key of a rolled-back write is free again");
    engine.end_batch(true).unwrap();
    assert_eq!(engine.cases().unwrap().len(), 1);
    let stale = engine.act(&first.case_id, &act("accept", "officer", "2026-03-03"), 1, None);
    assert!(stale.is_err(), "the rolled-back case is unknown: {stale:?}");
}

/// A store written under schema 9 (events and idempotency answers keyed in place) is brought to
/// schema 10 (rows in append order, keys in indexes) with every row, constraint and trigger kept:
/// its chains verify, a retry still gets its first answer, and the case goes on.
#[test]
fn schema_10_keeps_every_event_and_answer_of_a_schema_9_store() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cases.db");
    let mut engine = Engine::new(SqliteStore::open(&path).unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    engine.open_case(&opening("A-1", Some("open-1"))).unwrap();
    engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, Some("accept-1")).unwrap();
    engine.open_case(&opening("A-2", Some("open-2"))).unwrap();
    let before = dump(&engine);
    drop(engine);
    // Back to schema 9's layout, rows and all, as a store written by the previous build is.
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "BEGIN;
             CREATE TABLE events_9 (case_id TEXT NOT NULL REFERENCES cases(id), sequence INTEGER NOT NULL CHECK (sequence >= 0),
                 at TEXT NOT NULL, record TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
                 hash_algorithm TEXT NOT NULL, PRIMARY KEY (case_id, sequence)) STRICT, WITHOUT ROWID;
             INSERT INTO events_9 SELECT * FROM events;
             DROP TABLE events;
             ALTER TABLE events_9 RENAME TO events;
             CREATE TABLE answers_9 (key TEXT PRIMARY KEY, request TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES cases(id),
                 first_sequence INTEGER NOT NULL CHECK (first_sequence >= 0),
                 version INTEGER NOT NULL CHECK (version > first_sequence)) STRICT, WITHOUT ROWID;
             INSERT INTO answers_9 SELECT * FROM idempotency_answers;
             DROP TABLE idempotency_answers;
             ALTER TABLE answers_9 RENAME TO idempotency_answers;
             PRAGMA user_version = 9;
             COMMIT;",
        )
        .unwrap();
    drop(connection);
    let mut engine = Engine::new(SqliteStore::open(&path).unwrap(), Calendars::builtin());
    let connection = engine.store().connection();
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, 10);
    let without_rowid: i64 = connection
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('events', 'idempotency_answers') AND sql LIKE '%WITHOUT ROWID%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(without_rowid, 0, "both tables keep their rows in append order");
    assert_eq!(dump(&engine), before, "every row is kept");
    assert!(engine.verify().unwrap().is_empty());
    let delete = connection.execute("DELETE FROM events", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let twice = connection
        .execute(
            "INSERT INTO events SELECT case_id, sequence, at, record, previous_hash, hash, hash_algorithm FROM events LIMIT 1",
            [],
        )
        .unwrap_err();
    assert!(twice.to_string().contains("UNIQUE"), "{twice}");
    let replayed = engine.act("A-1", &act("accept", "officer", "2026-03-03"), 1, Some("accept-1")).unwrap();
    assert!(replayed.replayed);
    assert_eq!(replayed.version, 2);
    let reused = engine.act("A-2", &act("accept", "officer", "2026-03-03"), 1, Some("accept-1")).unwrap_err();
    assert!(matches!(reused, EngineError::KeyReused { .. }), "{reused}");
    let moved = engine.act("A-1", &act("order_hearing", "officer", "2026-03-04"), 2, Some("hearing-1")).unwrap();
    assert_eq!(moved.version, 3);
    assert!(engine.verify().unwrap().is_empty());
}
