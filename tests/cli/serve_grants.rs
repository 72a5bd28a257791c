//! `renewflow serve` and identities: who may read, act, supervise and administer, as the API
//! keys' grants say; the actor recorded is the key's holder; a revoked key stops at once.

use serde_json::json;

use super::serve_cases::{admin_token, key, open_licence};
use super::serve_harness::{Answer, Server, cli};

struct Keys {
    admin: String,
    officer: String,
    head: String,
    supervisor: String,
    other: String,
}

fn started() -> (tempfile::TempDir, Server, Keys) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let admin = admin_token(&db);
    cli(&db, &["workflow", "deploy", concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2016.yaml")]);
    let keys = Keys {
        admin,
        officer: key(&db, &["--name", "承办人甲", "--organ", "龙岗区", "--grant", "administrative-license:officer"]),
        head: key(&db, &["--name", "负责人乙", "--grant", "administrative-license:head"]),
        supervisor: key(&db, &["--name", "监察室", "--supervisor", "--grant", "administrative-license"]),
        other: key(&db, &["--name", "另一流程", "--grant", "longgang-renewal:applicant"]),
    };
    (directory, Server::start(&db, &[]), keys)
}

fn act(server: &Server, token: &str, version: u64, key: &str, action: &str, role: &str) -> Answer {
    let body = json!({"action": action, "role": role, "at": "2026-09-22T10:00:00+08:00"});
    let version = format!("\"{version}\"");
    server.post("/v1/cases/XK-1/actions", Some(token), &[("If-Match", &version), ("Idempotency-Key", key)], &body)
}

#[test]
fn a_key_acts_only_in_its_granted_roles_and_is_recorded_as_its_holder() {
    let (_directory, server, keys) = started();
    open_licence(&server, &keys.officer, "XK-1");
    let as_head = act(&server, &keys.officer, 1, "a", "accept", "head");
    assert_eq!((as_head.status, as_head.problem().as_str()), (403, "grant-missing"), "{as_head:?}");
    assert_eq!(as_head.json()["granted_roles"], json!(["officer"]));
    let accepted = act(&server, &keys.officer, 1, "b", "accept", "officer");
    assert_eq!(accepted.status, 200, "{accepted:?}");
    assert_eq!(accepted.json()["events"][0]["actor"], "承办人甲");
    // The head may not accept, and the workflow (not the grant) says so: its role is granted.
    let refused = act(&server, &keys.head, 2, "c", "order_hearing", "head");
    assert_eq!((refused.status, refused.problem().as_str()), (409, "role-not-permitted"));
    let history = server.get("/v1/cases/XK-1/history", Some(&keys.admin)).json();
    assert_eq!(history["version"], 2, "nothing refused was written: {history}");
    // The actions offered are those the caller's roles may take.
    let offered = server.get("/v1/cases/XK-1/actions", Some(&keys.head)).json();
    let names: Vec<&str> = offered["actions"].as_array().unwrap().iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(names, ["extend_decision", "grant", "refuse"], "{offered}");
}

#[test]
fn a_supervisor_reads_every_case_of_its_workflows_and_writes_nothing() {
    let (_directory, server, keys) = started();
    open_licence(&server, &keys.officer, "XK-1");
    assert_eq!(server.get("/v1/cases/XK-1/timing?as_of=2026-09-30", Some(&keys.supervisor)).status, 200);
    assert_eq!(server.get("/v1/watch?as_of=2026-12-31", Some(&keys.supervisor)).status, 200);
    let listed = server.get("/v1/cases", Some(&keys.supervisor)).json();
    assert_eq!(listed["cases"].as_array().map(Vec::len), Some(1), "{listed}");
    let written = act(&server, &keys.supervisor, 1, "s", "accept", "officer");
    assert_eq!((written.status, written.problem().as_str()), (403, "supervisor-writes"));
    let opened = server.post(
        "/v1/cases",
        Some(&keys.supervisor),
        &[("Idempotency-Key", "s2")],
        &json!({"workflow": "administrative-license"}),
    );
    assert_eq!((opened.status, opened.problem().as_str()), (403, "supervisor-writes"));
    let offered = server.get("/v1/cases/XK-1/actions", Some(&keys.supervisor)).json();
    assert_eq!(offered["actions"], json!([]));
    // Not an administrator: no deploying, no keys, no verify.
    for path in ["/v1/keys", "/v1/verify", "/v1/check"] {
        let refused = server.get(path, Some(&keys.supervisor));
        assert_eq!((refused.status, refused.problem().as_str()), (403, "admin-required"), "{path}");
    }
    let deploy = server.post("/v1/workflows", Some(&keys.officer), &[], &json!({"file": "x.yaml", "source": "x"}));
    assert_eq!((deploy.status, deploy.problem().as_str()), (403, "admin-required"));
}

#[test]
fn a_key_reads_nothing_of_a_workflow_it_has_no_grant_for() {
    let (_directory, server, keys) = started();
    open_licence(&server, &keys.officer, "XK-1");
    for path in ["/v1/cases/XK-1", "/v1/cases/XK-1/timing", "/v1/cases/XK-1/history", "/v1/cases/XK-1/actions"] {
        let refused = server.get(path, Some(&keys.other));
        assert_eq!((refused.status, refused.problem().as_str()), (403, "grant-missing"), "{path}");
    }
    let listed = server.get("/v1/cases?workflow=administrative-license", Some(&keys.other));
    assert_eq!(listed.status, 403);
    let own = server.get("/v1/cases", Some(&keys.other)).json();
    assert_eq!(own["cases"], json!([]), "its only workflow has no case");
    let watch = server.get("/v1/watch?as_of=2026-12-31", Some(&keys.other)).json();
    assert_eq!(watch["total"], 0, "the licence case is red by then, but not this key's: {watch}");
    let workflows = server.get("/v1/workflows", Some(&keys.other)).json();
    let names: Vec<&str> =
        workflows["workflows"].as_array().unwrap().iter().filter_map(|w| w["workflow"].as_str()).collect();
    assert_eq!(names, ["longgang-renewal"]);
}

#[test]
fn a_revoked_key_stops_working_at_once() {
    let (_directory, server, keys) = started();
    open_licence(&server, &keys.officer, "XK-1");
    let listed = server.get("/v1/keys", Some(&keys.admin)).json();
    let officer = listed["keys"].as_array().unwrap().iter().find(|key| key["name"] == "承办人甲").unwrap();
    assert!(officer.get("token").is_none() && officer.get("token_sha256").is_none(), "{officer}");
    let id = officer["id"].as_str().unwrap();
    let revoked = server.post(&format!("/v1/keys/{id}/revoke"), Some(&keys.admin), &[], &json!({}));
    assert_eq!(revoked.status, 200, "{revoked:?}");
    assert_eq!(revoked.json()["revoked_by"], "admin");
    let refused = act(&server, &keys.officer, 1, "late", "accept", "officer");
    assert_eq!((refused.status, refused.problem().as_str()), (401, "unauthorized"));
    // Refused before its body was read, the connection is closed, and the answer says so: a
    // client that reused it would send its next request into a closed socket.
    assert_eq!(refused.header("connection"), Some("close"), "{refused:?}");
    let again = server.post(&format!("/v1/keys/{id}/revoke"), Some(&keys.admin), &[], &json!({}));
    assert_eq!((again.status, again.problem().as_str()), (409, "key-revoked"));
    // The revocation is in the key log, which verifies.
    let verify = server.get("/v1/verify", Some(&keys.admin)).json();
    assert_eq!(verify["verifies"], true, "{verify}");
}

#[test]
fn a_key_revoked_on_the_command_line_stops_working_while_serving() {
    let (directory, server, keys) = started();
    // The service has seen the key, and keeps its principal.
    open_licence(&server, &keys.officer, "XK-1");
    assert_eq!(server.get("/v1/cases/XK-1", Some(&keys.officer)).status, 200);
    let db = directory.path().join("cases.db");
    let listed = cli(&db, &["key", "list", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let id = listed.as_array().unwrap().iter().find(|key| key["name"] == "承办人甲").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(&db, &["key", "revoke", &id]);
    // The service reads the key log's length twice a second: within a few polls, it refuses.
    let started = std::time::Instant::now();
    let status = loop {
        let status = server.get("/v1/cases/XK-1", Some(&keys.officer)).status;
        if status != 200 || started.elapsed() > std::time::Duration::from_secs(5) {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status, 401, "a key revoked on the command line still worked after 5 s");
    assert_eq!(server.get("/v1/cases/XK-1", Some(&keys.head)).status, 200, "other keys still work");
}
