//! What `verify`, `check` and the engine itself catch when a store is changed behind the engine's
//! back: forged rules, case rows that disagree with their chains, orphan events, forged
//! idempotency answers; and keys and numbers under reuse.

use chrono::{DateTime, FixedOffset};

use super::{CaseOpening, Engine, EngineError};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::{NoExtends, load_workflow};
use crate::store::{SqliteStore, Store, StoreError};

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
/// The transition `grant` as shipped, and as a forger would let an officer take it.
const GRANT: &str = "- {action: grant, from: [deciding, joint_deciding], to: granted, by: head}";
const FORGED_GRANT: &str = "- {action: grant, from: [deciding, joint_deciding], to: granted, by: [head, officer]}";

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

/// A store on a file (so a second engine can open it, as a later process would) with the licence
/// deployed.
fn store() -> (tempfile::TempDir, std::path::PathBuf, Engine<SqliteStore>) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cases.db");
    let mut engine = Engine::new(SqliteStore::open(&path).unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    (directory, path, engine)
}

fn reopen(path: &std::path::Path) -> Engine<SqliteStore> {
    Engine::new(SqliteStore::open(path).unwrap(), Calendars::builtin())
}

fn opening(number: Option<&str>, key: Option<&str>) -> CaseOpening {
    CaseOpening {
        workflow: "administrative-license".to_owned(),
        version: None,
        number: number.map(str::to_owned),
        at: at("2026-03-02T09:00:00+08:00"),
        actor: "窗口".to_owned(),
        attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
        idempotency_key: key.map(str::to_owned),
    }
}

fn command(action: &str, role: &str, day: &str) -> Command {
    Command {
        at: at(&format!("{day}T10:00:00+08:00")),
        actor: "承办人甲".to_owned(),
        role: role.to_owned(),
        kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
    }
}

/// A case opened and accepted, so it is `deciding`-bound: A-1 at version 2.
fn accepted(engine: &mut Engine<SqliteStore>, number: &str) -> String {
    let opened = engine.open_case(&opening(Some(number), None)).unwrap();
    engine.act(number, &command("accept", "officer", "2026-03-03"), 1, None).unwrap();
    opened.case_id
}

fn broken(engine: &Engine<SqliteStore>) -> Vec<(String, String)> {
    engine.verify().unwrap().into_iter().map(|broken| (broken.number, broken.reason)).collect()
}

#[test]
fn the_opening_names_the_case_and_the_rules_it_runs_under() {
    let (_directory, _path, mut engine) = store();
    let opened = engine.open_case(&opening(Some("A-1"), None)).unwrap();
    let identity = opened.events[0].identity().expect("the opening names the case");
    let workflow = engine.workflow(1).unwrap();
    assert_eq!(
        (identity.workflow.as_str(), identity.version.as_str(), identity.number.as_str()),
        ("administrative-license", workflow.version(), "A-1")
    );
    assert_eq!(identity.content_hash, workflow.content_hash_hex());
    let stored = engine.store().events(&opened.case_id).unwrap();
    assert!(stored[0].record.contains(&workflow.content_hash_hex()), "the hashed record carries it");
}

#[test]
fn rules_edited_in_the_database_are_refused_when_loaded_and_named_by_verify_and_check() {
    let (_directory, path, mut engine) = store();
    accepted(&mut engine, "A-1");
    assert!(LICENCE.contains(GRANT));
    engine
        .store()
        .connection()
        .execute("UPDATE deployments SET sources = replace(sources, ?1, ?2)", [GRANT, FORGED_GRANT])
        .unwrap();
    let mut later = reopen(&path);
    let grant = later.act("A-1", &command("grant", "officer", "2026-03-04"), 2, None).unwrap_err();
    assert!(matches!(grant, EngineError::DeploymentAltered { .. }), "{grant}");
    assert_eq!(later.case("A-1").unwrap_err().to_string(), grant.to_string());
    let found = broken(&later);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("deployment 1 (administrative-license"), "{found:?}");
    assert!(found[0].1.contains("was changed behind the engine"), "{found:?}");
    let mismatches = later.check().unwrap();
    assert!(mismatches.iter().any(|mismatch| mismatch.number == "A-1"), "{mismatches:?}");

    // The forger also writes the new rules' hash into the deployment: the case's chain still
    // names the rules it was opened under.
    let forged = load_workflow(
        "administrative-license.yaml",
        &LICENCE.replace(GRANT, FORGED_GRANT),
        &mut NoExtends,
        &Calendars::builtin(),
    )
    .unwrap();
    later
        .store()
        .connection()
        .execute("UPDATE deployments SET content_hash = ?1", [forged.content_hash_hex()])
        .unwrap();
    let mut latest = reopen(&path);
    let refused = latest.act("A-1", &command("grant", "officer", "2026-03-04"), 2, None).unwrap_err();
    assert!(refused.to_string().contains("its opening names administrative-license"), "{refused}");
    let found = broken(&latest);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "A-1");
    assert!(found[0].1.contains("its opening names administrative-license"), "{found:?}");
}

#[test]
fn case_rows_that_disagree_with_their_chains_are_named() {
    let (_directory, _path, mut engine) = store();
    accepted(&mut engine, "A-1");
    accepted(&mut engine, "A-2");
    assert!(broken(&engine).is_empty());
    let connection = engine.store().connection();
    let swap_numbers = || {
        connection
            .execute_batch(
                "UPDATE cases SET number = 'swap' WHERE number = 'A-1'; \
                 UPDATE cases SET number = 'A-1' WHERE number = 'A-2'; \
                 UPDATE cases SET number = 'A-2' WHERE number = 'swap';",
            )
            .unwrap();
    };
    swap_numbers();
    let mut found = broken(&engine);
    found.sort();
    assert_eq!(
        found,
        [
            ("A-1".to_owned(), "the case row's number is `A-1`, its opening names `A-2`".to_owned()),
            ("A-2".to_owned(), "the case row's number is `A-2`, its opening names `A-1`".to_owned()),
        ]
    );
    swap_numbers();
    assert!(broken(&engine).is_empty(), "swapped back");
    connection.execute("UPDATE cases SET opened_at = '2026-03-01T09:00:00+08:00' WHERE number = 'A-1'", []).unwrap();
    connection.execute("UPDATE cases SET last_at = '2026-03-09T10:00:00+08:00' WHERE number = 'A-2'", []).unwrap();
    let found = broken(&engine);
    assert_eq!(
        found,
        [
            (
                "A-1".to_owned(),
                "the case row's opening instant is `2026-03-01T09:00:00+08:00`, its opening names `2026-03-02T09:00:00+08:00`"
                    .to_owned()
            ),
            (
                "A-2".to_owned(),
                "the case row's last instant is `2026-03-09T10:00:00+08:00`, its opening names `2026-03-03T10:00:00+08:00`"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn a_case_row_pointed_at_other_rules_is_named() {
    let (_directory, path, mut engine) = store();
    accepted(&mut engine, "A-1");
    let v2 = LICENCE.replacen("version: \"2019.1\"", "version: \"forged\"", 1);
    assert_ne!(v2, LICENCE, "the licence declares a version");
    engine.deploy("administrative-license.yaml", &v2, &mut NoExtends, at("2026-01-06T09:00:00+08:00")).unwrap();
    engine.store().connection().execute("UPDATE cases SET deployment = 2", []).unwrap();
    let found = broken(&reopen(&path));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.starts_with("the case row's deployment 2 is administrative-license forged ("), "{found:?}");
    let refused = reopen(&path).case("A-1").unwrap_err();
    assert!(refused.to_string().contains("its opening names administrative-license"), "{refused}");
}

#[test]
fn events_whose_case_row_is_gone_are_named() {
    let (_directory, _path, mut engine) = store();
    let id = accepted(&mut engine, "A-1");
    let connection = engine.store().connection();
    connection
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; DELETE FROM open_clocks WHERE case_id = '{id}'; DELETE FROM cases WHERE id = '{id}';"
        ))
        .unwrap();
    assert_eq!(
        broken(&engine),
        [("(no case row)".to_owned(), "2 event(s) whose case row is missing (deleted behind the engine)".to_owned())]
    );
}

#[test]
fn a_key_sent_with_another_request_is_refused_and_writes_nothing() {
    let (_directory, _path, mut engine) = store();
    accepted(&mut engine, "A-1");
    accepted(&mut engine, "A-2");
    let first = engine.act("A-1", &command("order_hearing", "officer", "2026-03-04"), 2, Some("k")).unwrap();
    assert!(!first.replayed);
    let retry = engine.act("A-1", &command("order_hearing", "officer", "2026-03-04"), 2, Some("k")).unwrap();
    assert!(retry.replayed);
    assert_eq!((retry.version, &retry.events), (first.version, &first.events), "the same answer");
    let versions =
        |engine: &Engine<SqliteStore>| engine.cases().unwrap().into_iter().map(|case| case.version).collect::<Vec<_>>();
    let before = versions(&engine);
    for (case, action, role, expected) in
        [("A-2", "order_hearing", "officer", 2), ("A-1", "refuse", "head", 3), ("A-1", "order_hearing", "head", 2)]
    {
        let error = engine.act(case, &command(action, role, "2026-03-04"), expected, Some("k")).unwrap_err();
        assert!(matches!(error, EngineError::KeyReused { .. }), "{case} {action} {role}: {error}");
        assert!(error.is_refusal(), "exit 1");
        assert!(error.to_string().contains("was first used for action `order_hearing`"), "{error}");
    }
    let opened = engine.open_case(&opening(Some("A-3"), Some("k"))).unwrap_err();
    assert!(opened.to_string().contains("this request is opening a case of `administrative-license`"), "{opened}");
    assert_eq!(versions(&engine), before, "nothing written");
    assert!(engine.find_case("A-3").is_err());
}

#[test]
fn a_forged_answer_is_not_replayed() {
    let (_directory, path, mut engine) = store();
    accepted(&mut engine, "A-1");
    let other = accepted(&mut engine, "A-2");
    engine.act("A-1", &command("order_hearing", "officer", "2026-03-04"), 2, Some("k")).unwrap();
    engine.act("A-2", &command("order_hearing", "officer", "2026-03-05"), 2, Some("k2")).unwrap();
    let retry = |engine: &mut Engine<SqliteStore>| {
        engine.act("A-1", &command("order_hearing", "officer", "2026-03-04"), 2, Some("k"))
    };
    // The key pointed at the other case's events: they are not this request's.
    let connection = engine.store().connection();
    connection
        .execute(
            "UPDATE idempotency_answers SET case_id = ?1, first_sequence = 2, version = 3 WHERE key = 'k'",
            [&other],
        )
        .unwrap();
    let error = retry(&mut reopen(&path)).unwrap_err();
    assert!(error.to_string().contains("names events of case `A-2` that are not this request's"), "{error}");
    // Pointed past the history.
    connection.execute("UPDATE idempotency_answers SET first_sequence = 7, version = 9 WHERE key = 'k'", []).unwrap();
    let error = retry(&mut reopen(&path)).unwrap_err();
    assert!(matches!(error, EngineError::Store(StoreError::Corrupt(_))), "{error}");
    // Its request rewritten: a retry is refused, never answered with another request's events.
    connection
        .execute(
            "UPDATE idempotency_answers SET request = replace(request, 'order_hearing', 'refuse'), case_id = \
             (SELECT id FROM cases WHERE number = 'A-1'), first_sequence = 2, version = 3 WHERE key = 'k'",
            [],
        )
        .unwrap();
    let error = retry(&mut reopen(&path)).unwrap_err();
    assert!(matches!(error, EngineError::KeyReused { .. }), "{error}");
}

#[test]
fn automatic_numbers_skip_chosen_ones_and_are_never_reused() {
    let (_directory, _path, mut engine) = store();
    engine.open_case(&opening(Some("2026-00002"), None)).unwrap();
    let numbers: Vec<String> = (0..3).map(|_| engine.open_case(&opening(None, None)).unwrap().number).collect();
    assert_eq!(numbers, ["2026-00001", "2026-00003", "2026-00004"]);
}
