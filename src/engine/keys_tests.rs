//! API keys through the engine: creation and its checks, revocation, the principal a token
//! names, and what `verify` finds when keys or their log are changed behind the engine.

use chrono::{DateTime, FixedOffset};

use super::{ApiKey, Engine, EngineError, Grant, KeyError, KeyRequest, KeyTextError, api_token, token_sha256};
use crate::core::calendar::Calendars;
use crate::core::workflow::NoExtends;
use crate::store::{SqliteStore, Store};

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
const WORKFLOW: &str = "administrative-license";

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn engine() -> Engine<SqliteStore> {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    engine
}

fn grant(workflow: &str, roles: &[&str]) -> Grant {
    Grant { workflow: workflow.to_owned(), roles: roles.iter().map(|role| (*role).to_owned()).collect() }
}

/// A request for a handler's key named `name`, whose token is 32 bytes of `seed`.
fn request(name: &str, seed: u8) -> KeyRequest {
    KeyRequest {
        name: name.to_owned(),
        organ: None,
        grants: vec![grant(WORKFLOW, &["officer"])],
        supervisor: false,
        admin: false,
        token_sha256: token_sha256(&api_token(&[seed; 32])),
        created_by: "管理员".to_owned(),
        at: at("2026-12-10T10:00:00+08:00"),
    }
}

fn key_error(result: Result<ApiKey, EngineError>) -> KeyError {
    match result {
        Err(EngineError::Key(error)) => error,
        other => panic!("expected a key error, got {other:?}"),
    }
}

#[test]
fn a_key_is_created_listed_and_names_its_principal_until_revoked() {
    let mut engine = engine();
    let token = api_token(&[1; 32]);
    let key =
        engine.create_key(&KeyRequest { organ: Some("某区行政审批局".to_owned()), ..request("承办人甲", 1) }).unwrap();
    assert!(key.id.starts_with("key_") && key.id.len() == 16, "{}", key.id);
    assert_eq!(engine.keys().unwrap(), vec![key.clone()]);
    let principal = engine.principal(&token).unwrap().expect("the token names the key");
    assert_eq!((principal.key_id.as_str(), principal.name.as_str()), (key.id.as_str(), "承办人甲"));
    assert_eq!(principal.organ.as_deref(), Some("某区行政审批局"));
    assert_eq!(principal.grants, vec![grant(WORKFLOW, &["officer"])]);
    assert!(!principal.supervisor && !principal.admin);
    assert_eq!(engine.principal(&api_token(&[2; 32])).unwrap(), None, "another token names nobody");
    assert_eq!(engine.principal("").unwrap(), None);

    let revoked = engine.revoke_key(&key.id, "管理员", at("2026-12-11T10:00:00+08:00")).unwrap();
    assert_eq!(revoked.revoked_at.as_deref(), Some("2026-12-11T10:00:00+08:00"));
    assert_eq!(revoked.revoked_by.as_deref(), Some("管理员"));
    assert_eq!(engine.principal(&token).unwrap(), None, "a revoked key names nobody, at once");
    assert_eq!(engine.keys().unwrap(), vec![revoked]);
    assert!(engine.verify().unwrap().is_empty());
}

#[test]
fn only_the_tokens_hash_is_stored() {
    let mut engine = engine();
    let token = api_token(&[3; 32]);
    engine.create_key(&request("甲", 3)).unwrap();
    let stored: String =
        engine.store().connection().query_row("SELECT token_sha256 FROM api_keys", [], |row| row.get(0)).unwrap();
    assert_eq!(stored, token_sha256(&token));
    assert_ne!(stored, token);
    let log: String =
        engine.store().connection().query_row("SELECT record FROM key_log", [], |row| row.get(0)).unwrap();
    assert!(!log.contains(&token) && log.contains(&stored));
}

#[test]
fn a_name_or_organ_must_be_printable_text() {
    let mut engine = engine();
    let bad = |error: KeyError| match error {
        KeyError::BadText { field, reason, .. } => (field, reason),
        other => panic!("{other:?}"),
    };
    assert_eq!(bad(key_error(engine.create_key(&request("", 1)))), ("name", KeyTextError::Empty));
    let long = "名".repeat(129);
    assert_eq!(bad(key_error(engine.create_key(&request(&long, 1)))), ("name", KeyTextError::TooLong { chars: 129 }));
    let organ = KeyRequest { organ: Some("局\u{1b}[2J".to_owned()), ..request("甲", 1) };
    assert_eq!(
        bad(key_error(engine.create_key(&organ))),
        ("organ", KeyTextError::Control { character: '\u{1b}', position: 2 })
    );
    let blank_actor = KeyRequest { created_by: " ".to_owned(), ..request("甲", 1) };
    assert!(matches!(engine.create_key(&blank_actor), Err(EngineError::NoActor)));
    let bad_hash = KeyRequest { token_sha256: api_token(&[1; 32]), ..request("甲", 1) };
    assert!(matches!(key_error(engine.create_key(&bad_hash)), KeyError::BadTokenHash(_)));
    assert!(engine.keys().unwrap().is_empty(), "a refused key writes nothing");
    assert!(engine.store().key_log().unwrap().is_empty());
}

#[test]
fn grants_name_deployed_workflows_and_their_roles() {
    let mut engine = engine();
    let with = |grants: Vec<Grant>| KeyRequest { grants, ..request("甲", 1) };
    let error = key_error(engine.create_key(&with(vec![grant("administrative-licence", &["officer"])])));
    assert_eq!(
        error.to_string(),
        "workflow `administrative-licence` is not deployed; did you mean `administrative-license`?; a grant names a \
         deployed workflow"
    );
    let error = key_error(engine.create_key(&with(vec![grant(WORKFLOW, &["officer", "haed"])])));
    assert_eq!(
        error.to_string(),
        "no deployed version of workflow `administrative-license` has a role `haed`; did you mean `head`? (its \
         roles: `applicant`, `officer`, `head`, `government`)"
    );
    let twice = with(vec![grant(WORKFLOW, &["officer"]), grant(WORKFLOW, &["head"])]);
    assert!(matches!(key_error(engine.create_key(&twice)), KeyError::GrantedTwice { .. }));
    assert_eq!(key_error(engine.create_key(&with(Vec::new()))), KeyError::NothingGranted);
    // Roles repeated are kept once; a grant without roles reads.
    let key = engine.create_key(&with(vec![grant(WORKFLOW, &["officer", "head", "officer"])])).unwrap();
    assert_eq!(key.grants, vec![grant(WORKFLOW, &["officer", "head"])]);
    let reader = KeyRequest { grants: vec![grant(WORKFLOW, &[])], ..request("乙", 2) };
    let principal = engine.create_key(&reader).unwrap().principal();
    assert!(principal.may_read(WORKFLOW) && principal.check_open(WORKFLOW).is_err());
}

/// A role any deployed version declares may be granted: cases run on every version, and the
/// newest need not have it.
#[test]
fn a_role_of_an_older_version_may_be_granted() {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    let older = LICENCE
        .replace("version: \"2019.1\"", "version: \"2018.1\"")
        .replace("  government: 本级人民政府负责人\n", "  government: 本级人民政府负责人\n  auditor: 审计\n");
    assert_ne!(older, LICENCE);
    engine.deploy("administrative-license.yaml", &older, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-06-01T09:00:00+08:00")).unwrap();
    assert!(engine.workflow(2).unwrap().role_named("auditor").is_none(), "the newest has no `auditor`");
    let key = engine.create_key(&KeyRequest { grants: vec![grant(WORKFLOW, &["auditor"])], ..request("甲", 1) });
    assert_eq!(key.unwrap().grants, vec![grant(WORKFLOW, &["auditor"])]);
}

#[test]
fn a_supervisor_reads_and_an_administrator_needs_no_grant() {
    let mut engine = engine();
    let supervisor = KeyRequest { supervisor: true, ..request("监察", 1) };
    let error = key_error(engine.create_key(&supervisor));
    assert_eq!(
        error.to_string(),
        "a supervisor's key reads cases and never acts, so its grant of workflow `administrative-license` takes no \
         roles (given: `officer`)"
    );
    let supervisor = KeyRequest { grants: vec![grant(WORKFLOW, &[])], ..supervisor };
    let principal = engine.create_key(&supervisor).unwrap().principal();
    assert!(principal.supervisor && principal.may_read(WORKFLOW) && principal.check_act(WORKFLOW, "officer").is_err());
    let admin = KeyRequest { grants: Vec::new(), admin: true, ..request("运维", 2) };
    let principal = engine.create_key(&admin).unwrap().principal();
    assert!(principal.admin && principal.grants.is_empty() && principal.check_admin("deploying").is_ok());
}

#[test]
fn a_name_is_unique_among_keys_not_revoked() {
    let mut engine = engine();
    let first = engine.create_key(&request("甲", 1)).unwrap();
    let error = key_error(engine.create_key(&request("甲", 2)));
    assert_eq!(error, KeyError::NameTaken { name: "甲".to_owned(), id: first.id.clone() });
    assert!(EngineError::Key(error).is_refusal());
    engine.revoke_key("甲", "管理员", at("2026-12-11T09:00:00+08:00")).unwrap();
    let second = engine.create_key(&request("甲", 2)).unwrap();
    assert_ne!(second.id, first.id);
    // The name now names the key not revoked.
    let revoked = engine.revoke_key("甲", "管理员", at("2026-12-12T09:00:00+08:00")).unwrap();
    assert_eq!(revoked.id, second.id);
    assert!(engine.verify().unwrap().is_empty());
}

#[test]
fn revoking_twice_or_an_unknown_key_is_refused() {
    let mut engine = engine();
    let key = engine.create_key(&request("承办人甲", 1)).unwrap();
    engine.revoke_key(&key.id, "管理员", at("2026-12-11T10:00:00+08:00")).unwrap();
    let log = engine.store().key_log().unwrap();
    for reference in [key.id.as_str(), "承办人甲"] {
        let error = key_error(engine.revoke_key(reference, "另一人", at("2026-12-12T10:00:00+08:00")));
        assert_eq!(
            error.to_string(),
            format!("key `{}` (`承办人甲`) was revoked already, at 2026-12-11T10:00:00+08:00 by 管理员", key.id)
        );
        assert!(error.is_refusal());
    }
    let error = key_error(engine.revoke_key("承办人乙", "管理员", at("2026-12-12T10:00:00+08:00")));
    assert_eq!(error.to_string(), "no key `承办人乙`; did you mean `承办人甲`?");
    assert!(!error.is_refusal());
    assert!(matches!(engine.revoke_key(&key.id, "", at("2026-12-12T10:00:00+08:00")), Err(EngineError::NoActor)));
    assert_eq!(engine.store().key_log().unwrap(), log, "a refused revocation writes nothing");
    // Behind the engine's back, the database itself refuses a second revocation.
    let again = "UPDATE api_keys SET revoked_at = '2026-12-13T10:00:00+08:00', revoked_by = '某人'";
    assert!(engine.store().connection().execute(again, []).is_err());
}

/// The triggers keep keys and their log as written; with them dropped, `verify` names the edit.
#[test]
fn verify_names_keys_and_records_changed_behind_the_engine() {
    let mut engine = engine();
    let key = engine.create_key(&request("甲", 1)).unwrap();
    engine.create_key(&request("乙", 2)).unwrap();
    let connection = engine.store().connection();
    for refused in [
        "UPDATE api_keys SET admin = 1",
        "UPDATE api_keys SET revoked_at = 'x'",
        "DELETE FROM api_keys",
        "UPDATE key_log SET record = '{}'",
        "DELETE FROM key_log",
    ] {
        assert!(connection.execute(refused, []).is_err(), "{refused}");
    }
    connection.execute_batch("DROP TRIGGER api_keys_change_only_by_revocation").unwrap();
    connection.execute("UPDATE api_keys SET admin = 1 WHERE name = '甲'", []).unwrap();
    let broken = engine.verify().unwrap();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].number, format!("API key `{}`", key.id));
    assert_eq!(broken[0].reason, "its row differs from the key log: admin is true, the log records false");
    connection.execute("UPDATE api_keys SET admin = 0 WHERE name = '甲'", []).unwrap();
    assert!(engine.verify().unwrap().is_empty());

    connection.execute_batch("DROP TRIGGER key_log_is_never_updated; DROP TRIGGER key_log_is_never_deleted").unwrap();
    connection.execute("UPDATE key_log SET record = replace(record, '\"admin\":false', '\"admin\":true')", []).unwrap();
    let reasons: Vec<String> = engine.verify().unwrap().into_iter().map(|broken| broken.reason).collect();
    assert_eq!(reasons[0], "its hash does not match its content", "{reasons:?}");
    connection.execute("UPDATE key_log SET record = replace(record, '\"admin\":true', '\"admin\":false')", []).unwrap();
    connection.execute("DELETE FROM key_log WHERE sequence = 0", []).unwrap();
    let broken = engine.verify().unwrap();
    assert_eq!(broken[0].reason, "a record before it is missing");
    assert!(broken.iter().any(|found| found.reason == "the key log has no record of its creation"), "{broken:?}");
}

/// A key deleted with its trigger dropped is named from the log that created it.
#[test]
fn verify_names_a_deleted_key() {
    let mut engine = engine();
    let key = engine.create_key(&request("甲", 1)).unwrap();
    let connection = engine.store().connection();
    connection.execute_batch("DROP TRIGGER api_keys_are_never_deleted; DELETE FROM api_keys").unwrap();
    let broken = engine.verify().unwrap();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].number, format!("key log record 0 (`{}`)", key.id));
    assert_eq!(broken[0].reason, "the key log creates it, and its row is missing (deleted behind the engine)");
}
