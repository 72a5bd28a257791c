//! `renewflow key create|list|revoke` (issue 26, item 3): API keys for `renewflow serve`, their
//! token printed once and only its hash stored, and `verify` naming a key changed behind the
//! engine.

use std::path::{Path, PathBuf};

use renewflow::engine::token_sha256;

use crate::test::run_on as run;

const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");
const WORKFLOW: &str = "administrative-license";

/// A store with the licence deployed.
fn store() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    assert_eq!(run(&db, &["workflow", "deploy", LICENCE]).code, 0);
    (directory, db)
}

/// Creates a key with `args` after `key create --format json` and returns its JSON.
fn create(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["key", "create", "--format", "json", "--at", "2026-12-10T10:00:00+08:00"];
    all.extend_from_slice(args);
    let created = run(db, &all);
    assert_eq!(created.code, 0, "{args:?}: {}", created.stderr);
    serde_json::from_str(&created.stdout).unwrap()
}

fn list(db: &Path) -> serde_json::Value {
    let listed = run(db, &["key", "list", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    serde_json::from_str(&listed.stdout).unwrap()
}

fn is_token(text: &str) -> bool {
    text.strip_prefix("rfk_")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')))
}

#[test]
fn a_key_is_created_listed_and_revoked() {
    let (_directory, db) = store();
    let grant = format!("{WORKFLOW}:officer,head");
    let created = run(&db, &["key", "create", "--name", "承办人甲", "--organ", "某区行政审批局", "--grant", &grant]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let token = created.stdout.split_whitespace().find(|word| word.starts_with("rfk_")).expect("the token is shown");
    assert!(is_token(token), "{token}");
    assert!(created.stdout.contains("the token is shown only now"), "{}", created.stdout);
    assert!(created.stdout.contains("administrative-license: officer, head"), "{}", created.stdout);
    let keys = list(&db);
    let id = keys[0]["id"].as_str().unwrap().to_owned();
    assert!(created.stdout.contains(&id), "{}", created.stdout);
    assert_eq!(keys[0]["name"], "承办人甲");
    assert_eq!(keys[0]["organ"], "某区行政审批局");
    assert_eq!(keys[0]["grants"], serde_json::json!([{"workflow": WORKFLOW, "roles": ["officer", "head"]}]));
    assert_eq!(keys[0]["created_by"], "tester", "the operating-system user by default");
    assert_eq!(keys[0]["revoked_at"], serde_json::Value::Null);

    let revoked = run(&db, &["key", "revoke", &id, "--actor", "管理员", "--at", "2026-12-11T09:00:00+08:00"]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    assert!(revoked.stdout.contains("2026-12-11T09:00:00+08:00"), "{}", revoked.stdout);
    let keys = list(&db);
    assert_eq!(
        (keys[0]["revoked_at"].as_str(), keys[0]["revoked_by"].as_str()),
        (Some("2026-12-11T09:00:00+08:00"), Some("管理员"))
    );
    // The name is free again once its key is revoked.
    create(&db, &["--name", "承办人甲", "--grant", WORKFLOW]);
    let csv = run(&db, &["key", "list", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines[0], "id,name,organ,grants,supervisor,admin,created_at,created_by,revoked_at,revoked_by");
    assert_eq!(lines.len(), 3, "{}", csv.stdout);
    assert!(lines[2].contains(r#""[{""workflow"":""administrative-license"",""roles"":[]}]""#), "{}", lines[2]);
    let table = run(&db, &["key", "list"]);
    assert!(table.stdout.contains("administrative-license (read only)"), "{}", table.stdout);
    assert!(table.stderr.contains("2 API keys (1 revoked)"), "{}", table.stderr);
}

/// Clients read the token from `--format json`: exactly the token and the key's fields.
#[test]
fn json_output_is_the_token_and_the_key() {
    let (_directory, db) = store();
    let created = create(&db, &["--name", "监察", "--grant", WORKFLOW, "--supervisor", "--actor", "管理员"]);
    let fields: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = [
        "token",
        "id",
        "name",
        "organ",
        "grants",
        "supervisor",
        "admin",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
    ];
    let mut sorted = fields.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    assert!(is_token(created["token"].as_str().unwrap()), "{created}");
    assert_eq!(created["supervisor"], true);
    assert_eq!(created["admin"], false);
    assert_eq!(created["created_by"], "管理员");
    assert_eq!(created["created_at"], "2026-12-10T10:00:00+08:00");
    let again = create(&db, &["--name", "运维", "--admin"]);
    assert_ne!(again["token"], created["token"], "every token is drawn anew");
    assert_eq!(again["grants"], serde_json::json!([]));
}

/// The store keeps the token's SHA-256 and never the token: not in the database, nor in its
/// write-ahead log, nor in any list.
#[test]
fn only_the_tokens_hash_is_stored() {
    let (directory, db) = store();
    let created = create(&db, &["--name", "甲", "--grant", &format!("{WORKFLOW}:officer")]);
    let token = created["token"].as_str().unwrap().to_owned();
    let hash = token_sha256(&token);
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(directory.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let holds = |needle: &str| stored.windows(needle.len()).any(|window| window == needle.as_bytes());
    assert!(holds(&hash), "the token's hash is stored");
    assert!(!holds(&token), "the token is stored");
    assert!(!holds(&token["rfk_".len()..]), "the token's digits are stored");
    for format in ["table", "json", "csv"] {
        let listed = run(&db, &["key", "list", "--format", format]);
        assert!(!listed.stdout.contains(&token) && !listed.stdout.contains(&hash), "{format}: {}", listed.stdout);
    }
}

#[test]
fn an_unknown_workflow_or_role_is_refused_with_the_nearest_name() {
    let (_directory, db) = store();
    let cases: [(&str, &str); 4] = [
        (
            "administrative-licence:officer",
            "workflow `administrative-licence` is not deployed; did you mean `administrative-license`?",
        ),
        ("administrative-license:haed", "has a role `haed`; did you mean `head`?"),
        ("administrative-license:", "grant `administrative-license:` has an empty role"),
        (":officer", "grant `:officer` names no workflow"),
    ];
    for (grant, message) in cases {
        let output = run(&db, &["key", "create", "--name", "甲", "--grant", grant]);
        assert_eq!(output.code, 2, "{grant}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{grant}: {}", output.stderr);
        assert!(!output.stdout.contains("rfk_"), "{grant}: a token shown for a key not created");
    }
    let nothing = run(&db, &["key", "create", "--name", "甲"]);
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
    assert!(nothing.stderr.contains("a key with no grant may do nothing"), "{}", nothing.stderr);
    let supervisor =
        run(&db, &["key", "create", "--name", "甲", "--supervisor", "--grant", &format!("{WORKFLOW}:officer")]);
    assert_eq!(supervisor.code, 2, "{}", supervisor.stderr);
    assert!(supervisor.stderr.contains("a supervisor's key reads cases and never acts"), "{}", supervisor.stderr);
    assert_eq!(list(&db), serde_json::json!([]), "a refused key writes nothing");
}

#[test]
fn a_name_taken_or_a_key_revoked_twice_is_refused() {
    let (_directory, db) = store();
    let first = create(&db, &["--name", "承办人甲", "--grant", WORKFLOW]);
    let id = first["id"].as_str().unwrap();
    let taken = run(&db, &["key", "create", "--name", "承办人甲", "--grant", WORKFLOW]);
    assert_eq!(taken.code, 1, "{}", taken.stderr);
    assert!(taken.stderr.contains(&format!("key name `承办人甲` is taken by key `{id}`")), "{}", taken.stderr);
    assert!(!taken.stdout.contains("rfk_"), "{}", taken.stdout);
    let by_name = run(&db, &["key", "revoke", "承办人甲", "--actor", "管理员", "--at", "2026-12-11T09:00:00+08:00"]);
    assert_eq!(by_name.code, 0, "{}", by_name.stderr);
    for reference in [id, "承办人甲"] {
        let again = run(&db, &["key", "revoke", reference, "--actor", "另一人"]);
        assert_eq!(again.code, 1, "{}", again.stderr);
        assert!(
            again.stderr.contains(&format!(
                "key `{id}` (`承办人甲`) was revoked already, at 2026-12-11T09:00:00+08:00 by 管理员"
            )),
            "{}",
            again.stderr
        );
    }
    let unknown = run(&db, &["key", "revoke", "承办人乙"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("no key `承办人乙`; did you mean `承办人甲`?"), "{}", unknown.stderr);
    assert_eq!(list(&db).as_array().unwrap().len(), 1);
}

/// The triggers refuse an edit; someone who drops them first is named by `verify` (exit 1).
#[test]
fn verify_names_a_key_or_record_changed_behind_the_engine() {
    let (_directory, db) = store();
    let key = create(&db, &["--name", "承办人甲", "--grant", &format!("{WORKFLOW}:officer")]);
    let id = key["id"].as_str().unwrap();
    assert_eq!(run(&db, &["verify"]).code, 0);
    {
        let connection = rusqlite::Connection::open(&db).unwrap();
        assert!(connection.execute("UPDATE api_keys SET admin = 1", []).is_err());
        connection.execute_batch("DROP TRIGGER api_keys_change_only_by_revocation").unwrap();
        connection.execute("UPDATE api_keys SET admin = 1", []).unwrap();
    }
    let verify = run(&db, &["verify", "--format", "csv"]);
    assert_eq!(verify.code, 1, "{}", verify.stderr);
    assert!(verify.stdout.contains(&format!("API key `{id}`")), "{}", verify.stdout);
    assert!(verify.stdout.contains("admin is true, the log records false"), "{}", verify.stdout);
    {
        let connection = rusqlite::Connection::open(&db).unwrap();
        connection.execute("UPDATE api_keys SET admin = 0", []).unwrap();
        assert!(connection.execute("UPDATE key_log SET key_id = 'key_000000000000'", []).is_err());
        connection.execute_batch("DROP TRIGGER key_log_is_never_updated").unwrap();
        connection.execute("UPDATE key_log SET record = replace(record, '承办人甲', '承办人乙')", []).unwrap();
    }
    let verify = run(&db, &["verify", "--format", "csv"]);
    assert_eq!(verify.code, 1, "{}", verify.stderr);
    assert!(verify.stdout.contains("key log record 0"), "{}", verify.stdout);
    assert!(verify.stdout.contains("its hash does not match its content"), "{}", verify.stdout);
}
