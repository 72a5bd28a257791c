//! `renewflow serve`: cases over HTTP, answered and refused as the engine decides, with the
//! problems, versions and idempotency answers clients rely on.

use std::path::Path;

use serde_json::json;

use super::serve_harness::{Answer, Server, cli};

pub(crate) const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

/// Deploys the licence flow into `db` and gives an administrator's token with every role of it.
pub(crate) fn admin_token(db: &Path) -> String {
    cli(db, &["workflow", "deploy", LICENCE]);
    key(db, &["--name", "admin", "--admin", "--grant", "administrative-license:applicant,officer,head,government"])
}

/// Creates a key with `args` and gives its token.
pub(crate) fn key(db: &Path, args: &[&str]) -> String {
    let created = cli(db, &[&["key", "create", "--format", "json"], args].concat());
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    created["token"].as_str().unwrap().to_owned()
}

/// Opens licence case `number` on 2026-09-21 and asserts it was created.
pub(crate) fn open_licence(server: &Server, token: &str, number: &str) -> Answer {
    let body = json!({
        "workflow": "administrative-license", "number": number, "at": "2026-09-21T09:30:00+08:00",
        "attributes": {"joint_handling": false},
    });
    let opened = server.post("/v1/cases", Some(token), &[("Idempotency-Key", &format!("open-{number}"))], &body);
    assert_eq!(opened.status, 201, "{opened:?}");
    opened
}

fn act(server: &Server, token: &str, case: &str, version: u64, key: &str, body: &serde_json::Value) -> Answer {
    let version = format!("\"{version}\"");
    server.post(
        &format!("/v1/cases/{case}/actions"),
        Some(token),
        &[("If-Match", &version), ("Idempotency-Key", key)],
        body,
    )
}

fn started() -> (tempfile::TempDir, Server, String) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Server::start(&db, &[]);
    (directory, server, token)
}

#[test]
fn only_healthz_answers_without_a_key() {
    let (_directory, server, _token) = started();
    let health = server.get("/healthz", None);
    assert_eq!((health.status, health.json()["status"].as_str()), (200, Some("ok")));
    for path in ["/v1/cases", "/v1/watch", "/v1/workflows", "/v1/cases/XK-1/timing", "/v1/calendars"] {
        let refused = server.get(path, None);
        assert_eq!((refused.status, refused.problem().as_str()), (401, "unauthorized"), "{path}");
        assert_eq!(refused.header("www-authenticate"), Some("Bearer realm=\"renewflow\""));
        let wrong = server.get(path, Some("rfk_not-a-key"));
        assert_eq!((wrong.status, wrong.problem().as_str()), (401, "unauthorized"), "{path}");
    }
    let opened =
        server.post("/v1/cases", None, &[("Idempotency-Key", "k")], &json!({"workflow": "administrative-license"}));
    assert_eq!(opened.status, 401);
    assert!(cli(&server.db, &["case", "list", "--format", "json"]).trim() == "[]", "nothing was written");
}

#[test]
fn a_case_opens_once_per_key_and_its_retry_gets_the_same_bytes() {
    let (_directory, server, token) = started();
    let opened = open_licence(&server, &token, "XK-1");
    let body = opened.json();
    assert_eq!((body["number"].as_str(), body["version"].as_u64()), (Some("XK-1"), Some(1)));
    assert_eq!(opened.header("etag"), Some("\"1\""));
    assert_eq!(opened.header("location"), Some(format!("/v1/cases/{}", body["id"].as_str().unwrap()).as_str()));
    assert_eq!(body["events"][0]["actor"], "admin", "the actor is the key's holder");
    assert!(opened.header("idempotent-replayed").is_none());
    let retried = open_licence(&server, &token, "XK-1");
    assert_eq!(retried.body, opened.body, "byte for byte");
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    // The same key with another request is refused, and nothing is written.
    let other = json!({"workflow": "administrative-license", "number": "XK-2", "at": "2026-09-21T09:30:00+08:00"});
    let reused = server.post("/v1/cases", Some(&token), &[("Idempotency-Key", "open-XK-1")], &other);
    assert_eq!((reused.status, reused.problem().as_str()), (422, "idempotency-key-reused"), "{reused:?}");
    let listed = server.get("/v1/cases", Some(&token)).json();
    assert_eq!(listed["cases"].as_array().map(Vec::len), Some(1), "{listed}");
}

#[test]
fn a_write_needs_its_key_and_the_version_it_read() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    let no_version = server.post("/v1/cases/XK-1/actions", Some(&token), &[("Idempotency-Key", "a")], &accept);
    assert_eq!((no_version.status, no_version.problem().as_str()), (428, "if-match-required"));
    let no_key = server.post("/v1/cases/XK-1/actions", Some(&token), &[("If-Match", "\"1\"")], &accept);
    assert_eq!((no_key.status, no_key.problem().as_str()), (400, "idempotency-key-required"));
    let bad_version =
        server.post("/v1/cases/XK-1/actions", Some(&token), &[("If-Match", "1"), ("Idempotency-Key", "a")], &accept);
    assert_eq!((bad_version.status, bad_version.problem().as_str()), (400, "bad-request"));
    let accepted = act(&server, &token, "XK-1", 1, "a", &accept);
    assert_eq!((accepted.status, accepted.header("etag")), (200, Some("\"2\"")), "{accepted:?}");
    let stale = act(&server, &token, "XK-1", 1, "b", &json!({"action": "grant", "role": "head"}));
    assert_eq!((stale.status, stale.problem().as_str()), (412, "stale-version"));
    assert_eq!((stale.json()["current_version"].as_u64(), stale.header("etag")), (Some(2), Some("\"2\"")));
    // The retry of the accepted request, though its version is stale now, gets its answer.
    let retried = act(&server, &token, "XK-1", 1, "a", &accept);
    assert_eq!((retried.status, retried.body.as_str()), (200, accepted.body.as_str()));
    let shown = server.get("/v1/cases/XK-1", Some(&token));
    assert_eq!((shown.header("etag"), shown.json()["active"][0].as_str()), (Some("\"2\""), Some("deciding")));
}

#[test]
fn every_refusal_of_the_core_is_a_problem_with_its_detail() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let refused = |body: serde_json::Value| act(&server, &token, "XK-1", 1, "k", &body);
    let unknown = refused(json!({"action": "acept", "role": "officer"}));
    assert_eq!((unknown.status, unknown.problem().as_str()), (422, "unknown-action"));
    assert_eq!(unknown.json()["did_you_mean"], "accept");
    let here = refused(json!({"action": "grant", "role": "head"}));
    assert_eq!((here.status, here.problem().as_str()), (409, "not-allowed-here"));
    assert_eq!(here.json()["active"], json!(["received"]));
    assert!(here.json()["allowed"].as_array().unwrap().contains(&json!("accept")), "{}", here.body);
    let role = refused(json!({"action": "accept", "role": "head"}));
    assert_eq!((role.status, role.problem().as_str()), (409, "role-not-permitted"));
    assert_eq!(role.json()["roles"], json!(["officer"]));
    let value = refused(json!({"action": "accept", "role": "officer", "attributes": {"joint_handling": "perhaps"}}));
    assert_eq!((value.status, value.problem().as_str()), (422, "bad-value"));
    let attribute = refused(json!({"action": "accept", "role": "officer", "attributes": {"joint": true}}));
    assert_eq!((attribute.status, attribute.problem().as_str()), (422, "unknown-attribute"));
    // A role no key can hold is refused by the grants before the engine is asked.
    let unknown_role = refused(json!({"action": "accept", "role": "clerk"}));
    assert_eq!((unknown_role.status, unknown_role.problem().as_str()), (403, "grant-missing"));
    assert_eq!(unknown_role.json()["role"], "clerk");
    let before = refused(json!({"action": "accept", "role": "officer", "at": "2026-09-20T10:00:00+08:00"}));
    assert_eq!((before.status, before.problem().as_str()), (409, "backwards"));
    let outside = refused(json!({"action": "accept", "role": "officer", "at": "2003-01-02T10:00:00+08:00"}));
    assert_eq!((outside.status, outside.problem().as_str()), (409, "backwards"), "{outside:?}");
    // An extension before its clock has started, and one decided after its limit.
    let early = refused(json!({"action": "extend_decision", "role": "head", "at": "2026-09-21T11:00:00+08:00"}));
    assert_eq!((early.status, early.problem().as_str()), (409, "clock-not-running"), "{early:?}");
    assert_eq!(
        (early.json()["clock"].as_str(), early.json()["clock_status"].as_str()),
        (Some("decision"), Some("not started"))
    );
    // Accept, extend once, then the second extension is over the cap.
    let accepted = refused(json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"}));
    assert_eq!(accepted.status, 200, "{accepted:?}");
    let late = act(
        &server,
        &token,
        "XK-1",
        2,
        "late-extension",
        &json!({"action": "extend_decision", "role": "head", "at": "2026-12-30T10:00:00+08:00"}),
    );
    assert_eq!((late.status, late.problem().as_str()), (409, "clock-breached"), "{late:?}");
    assert_eq!(late.json()["clock"], "decision");
    let extend = json!({"action": "extend_decision", "role": "head", "at": "2026-09-23T10:00:00+08:00"});
    assert_eq!(act(&server, &token, "XK-1", 2, "e1", &extend).status, 200);
    let again = act(&server, &token, "XK-1", 3, "e2", &extend);
    assert_eq!((again.status, again.problem().as_str()), (409, "extension-cap"), "{again:?}");
    assert_eq!(again.json()["clock"], "decision");
    // A finished case refuses everything.
    let withdraw = json!({"action": "withdraw", "role": "applicant", "at": "2026-09-24T10:00:00+08:00"});
    assert_eq!(act(&server, &token, "XK-1", 3, "w", &withdraw).status, 200);
    let finished = act(&server, &token, "XK-1", 4, "late", &json!({"action": "grant", "role": "head"}));
    assert_eq!((finished.status, finished.problem().as_str()), (409, "finished"));
    let missing = act(&server, &token, "XK-404", 1, "x", &withdraw);
    assert_eq!((missing.status, missing.problem().as_str()), (404, "unknown-case"));
    // Nothing refused was written: open, accept, extend, withdraw.
    assert_eq!(server.get("/v1/cases/XK-1/history", Some(&token)).json()["version"], 4);
}

const PERMIT_BASE: &str = r"workflow: permit
version: '1'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人}
attributes:
  complete: {type: bool}
  area: {type: decimal}
states:
  received: {}
  deciding: {}
  granted: {final: true}
transitions:
  - {action: accept, from: received, to: deciding, by: officer, if: complete}
  - {action: grant, from: deciding, to: granted, by: head, if: area <= 5}
clocks:
  decision: {limit: 20 wd, from: deciding, until: granted}
";

const PERMIT_REFORM: &str = r"version: '2'
extends: base/permit.yaml
reform:
  title: 审批时限压缩
  rounding: nearest
  cut: {clocks: {decision: 50%}}
";

#[test]
fn a_workflow_deploys_with_its_extends_sent_and_its_guards_refuse_with_values() {
    let (_directory, server, token) = started();
    let deploy = |body: serde_json::Value| server.post("/v1/workflows", Some(&token), &[], &body);
    let missing = deploy(json!({"file": "permit-2.yaml", "source": PERMIT_REFORM}));
    assert_eq!((missing.status, missing.problem().as_str()), (422, "workflow-invalid"), "{missing:?}");
    let problem = &missing.json()["problems"][0];
    assert_eq!((problem["file"].as_str(), problem["line"].as_u64()), (Some("permit-2.yaml"), Some(2)), "{problem}");
    assert!(problem["message"].as_str().unwrap().contains("was not sent"), "{problem}");
    let body = json!({"file": "permit-2.yaml", "source": PERMIT_REFORM, "extends": {"base/permit.yaml": PERMIT_BASE}});
    let deployed = deploy(body.clone());
    assert_eq!(deployed.status, 201, "{deployed:?}");
    assert_eq!(deployed.json()["version"], "2");
    assert_eq!(deploy(body).status, 200, "the same content again is not new");
    let shown = server.get("/v1/workflows/permit/versions/2", Some(&token)).json();
    assert_eq!(shown["content_hash_verified"], true);
    assert_eq!(shown["files"].as_array().map(Vec::len), Some(2), "{shown}");
    let listed = server.get("/v1/workflows", Some(&token)).json();
    assert!(listed["workflows"].as_array().unwrap().iter().any(|row| row["workflow"] == "permit"), "{listed}");
    // A key for the new workflow, made over HTTP by the administrator.
    let created = server.post(
        "/v1/keys",
        Some(&token),
        &[],
        &json!({"name": "permits", "grants": [{"workflow": "permit", "roles": ["officer", "head"]}]}),
    );
    assert_eq!(created.status, 201, "{created:?}");
    let token = created.json()["token"].as_str().unwrap().to_owned();
    let opened = server.post(
        "/v1/cases",
        Some(&token),
        &[("Idempotency-Key", "p1")],
        &json!({"workflow": "permit", "number": "P-1", "at": "2026-03-02T09:00:00+08:00", "attributes": {"area": 7.5}}),
    );
    assert_eq!(opened.status, 201, "{opened:?}");
    let refused = act(
        &server,
        &token,
        "P-1",
        1,
        "a",
        &json!({"action": "accept", "role": "officer", "at": "2026-03-03T09:00:00+08:00"}),
    );
    assert_eq!((refused.status, refused.problem().as_str()), (409, "guard-false"), "{refused:?}");
    assert_eq!(refused.json()["guards"], json!(["`complete`"]));
    assert_eq!(refused.json()["values"], json!({"complete": "unset"}));
    let accepted = act(
        &server,
        &token,
        "P-1",
        1,
        "a",
        &json!({"action": "accept", "role": "officer", "at": "2026-03-03T09:00:00+08:00", "attributes": {"complete": true}}),
    );
    assert_eq!(accepted.status, 200, "{accepted:?}");
    let version = accepted.json()["version"].as_u64().unwrap();
    let grant = act(
        &server,
        &token,
        "P-1",
        version,
        "g",
        &json!({"action": "grant", "role": "head", "at": "2026-03-04T09:00:00+08:00"}),
    );
    assert_eq!(grant.json()["values"], json!({"area": "7.5"}), "{grant:?}");
    // The reform's cut limit: 10 working days, not 20.
    let timing = server.get("/v1/cases/P-1/timing?as_of=2026-03-04", Some(&token)).json();
    assert_eq!(timing["clocks"][0]["limit"], "10 wd", "{timing}");
}

#[test]
fn malformed_requests_are_problems_and_change_nothing() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let headers = [("Content-Type", "application/json"), ("If-Match", "\"1\""), ("Idempotency-Key", "m")];
    let syntax = server.post_raw("/v1/cases/XK-1/actions", Some(&token), &headers, "{\"action\": \n  oops}");
    assert_eq!((syntax.status, syntax.problem().as_str()), (400, "bad-request"));
    assert_eq!((syntax.json()["line"].as_u64(), syntax.json()["column"].as_u64()), (Some(2), Some(3)));
    let unknown_field = server.post_raw(
        "/v1/cases/XK-1/actions",
        Some(&token),
        &headers,
        r#"{"action": "accept", "role": "officer", "actor": "someone else"}"#,
    );
    assert_eq!(
        (unknown_field.status, unknown_field.problem().as_str()),
        (400, "bad-request"),
        "the actor is never taken from the body"
    );
    let text = server.post_raw(
        "/v1/cases/XK-1/actions",
        Some(&token),
        &[("Content-Type", "text/plain"), ("If-Match", "\"1\""), ("Idempotency-Key", "m")],
        "accept",
    );
    assert_eq!((text.status, text.problem().as_str()), (415, "unsupported-media-type"));
    let huge = format!(r#"{{"text": "{}", "role": "officer"}}"#, "x".repeat(70 * 1024));
    let large = server.post_raw("/v1/cases/XK-1/notes", Some(&token), &headers, &huge);
    assert_eq!((large.status, large.problem().as_str()), (413, "body-too-large"));
    let route = server.get("/v1/nothing", Some(&token));
    assert_eq!((route.status, route.problem().as_str()), (404, "not-found"));
    let method = server.post("/v1/watch", Some(&token), &[], &json!({}));
    assert_eq!((method.status, method.problem().as_str()), (405, "method-not-allowed"));
    let page = server.get("/v1/cases?limit=5000", Some(&token));
    assert_eq!((page.status, page.problem().as_str()), (400, "bad-request"));
    let date = server.get("/v1/cases/XK-1/timing?as_of=tomorrow", Some(&token));
    assert_eq!((date.status, date.problem().as_str()), (400, "bad-request"));
    let type_page = server.get("/problems/stale-version", None);
    assert_eq!(type_page.status, 200);
    assert!(type_page.body.contains("412"), "{}", type_page.body);
    assert_eq!(server.get("/v1/cases/XK-1", Some(&token)).json()["events"], 1);
}

#[test]
fn timing_history_actions_and_the_watch_list_read_the_store() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00", "note": "材料齐全"});
    let accepted = act(&server, &token, "XK-1", 1, "a", &accept);
    assert_eq!(accepted.json()["version"], 3, "the action and its note: {accepted:?}");
    assert_eq!(accepted.json()["events"][1]["text"], "材料齐全");
    // 中秋 and 国庆 2026 do not count; Saturday 10-10, a makeup working day, does.
    let timing = server.get("/v1/cases/XK-1/timing?as_of=2026-10-12", Some(&token)).json();
    let decision = timing["clocks"].as_array().unwrap().iter().find(|clock| clock["clock"] == "decision").unwrap();
    assert_eq!((decision["elapsed"].as_i64(), decision["limit"].as_str()), (Some(9), Some("20 wd")), "{decision}");
    let cli_timing: serde_json::Value = serde_json::from_str(&cli(
        &server.db,
        &["case", "timing", "XK-1", "--as-of", "2026-10-12", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(cli_timing["clocks"], timing["clocks"], "the same document as the command line's");
    let history = server.get("/v1/cases/XK-1/history", Some(&token)).json();
    assert_eq!(history["chain"]["verifies"], true);
    assert_eq!(history["events"].as_array().map(Vec::len), Some(3));
    assert_eq!(history["events"][2]["hash"].as_str().map(str::len), Some(64));
    let available = server.get("/v1/cases/XK-1/actions", Some(&token)).json();
    let names: Vec<&str> =
        available["actions"].as_array().unwrap().iter().filter_map(|action| action["action"].as_str()).collect();
    assert!(names.contains(&"grant") && names.contains(&"extend_decision") && !names.contains(&"accept"), "{names:?}");
    // By 2026-12-31 the decision clock (due 2026-10-27) is red.
    let watch = server.get("/v1/watch?as_of=2026-12-31", Some(&token)).json();
    assert_eq!(watch["total"], 1, "{watch}");
    assert_eq!((watch["rows"][0]["number"].as_str(), watch["rows"][0]["level"].as_str()), (Some("XK-1"), Some("red")));
}

#[test]
fn the_case_list_pages_with_a_cursor() {
    let (_directory, server, token) = started();
    for number in ["XK-1", "XK-2", "XK-3"] {
        open_licence(&server, &token, number);
    }
    let first = server.get("/v1/cases?limit=2", Some(&token)).json();
    let numbers: Vec<&str> =
        first["cases"].as_array().unwrap().iter().filter_map(|case| case["number"].as_str()).collect();
    assert_eq!(numbers, ["XK-1", "XK-2"]);
    let next = first["next"].as_str().unwrap();
    let second = server.get(&format!("/v1/cases?limit=2&after={next}"), Some(&token)).json();
    assert_eq!(second["cases"][0]["number"], "XK-3");
    assert!(second["next"].is_null());
    let intake = server.get("/v1/cases?state=intake", Some(&token)).json();
    assert_eq!(intake["cases"].as_array().map(Vec::len), Some(3));
    let wrong = server.get("/v1/cases?state=intak", Some(&token));
    assert_eq!((wrong.status, wrong.problem().as_str()), (422, "unknown-state"));
}

#[test]
fn the_watch_list_kept_follows_every_write_to_the_store() {
    let (_directory, server, token) = started();
    let numbers = |watch: &serde_json::Value| -> Vec<String> {
        watch["rows"].as_array().unwrap().iter().filter_map(|row| row["number"].as_str().map(str::to_owned)).collect()
    };
    open_licence(&server, &token, "XK-1");
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    act(&server, &token, "XK-1", 1, "a1", &accept);
    let first = server.get("/v1/watch?as_of=2026-12-31", Some(&token)).json();
    assert_eq!(numbers(&first), ["XK-1"], "{first}");
    // Asked again with nothing written: the same list.
    assert_eq!(server.get("/v1/watch?as_of=2026-12-31", Some(&token)).json(), first);
    // A write through the service shows at once.
    open_licence(&server, &token, "XK-2");
    act(&server, &token, "XK-2", 1, "a2", &accept);
    let second = server.get("/v1/watch?as_of=2026-12-31", Some(&token)).json();
    assert_eq!((second["total"].as_u64(), numbers(&second)), (Some(2), vec!["XK-1".to_owned(), "XK-2".to_owned()]));
    let red = server.get("/v1/watch?as_of=2026-12-31&level=red&limit=1", Some(&token)).json();
    assert_eq!((red["total"].as_u64(), red["next_offset"].as_u64()), (Some(2), Some(1)), "{red}");
    // First pages are kept as answered, one per page size, and never answer another page.
    let red_again = server.get("/v1/watch?as_of=2026-12-31&level=red&limit=1", Some(&token)).json();
    assert_eq!(red_again, red);
    let red_whole = server.get("/v1/watch?as_of=2026-12-31&level=red", Some(&token)).json();
    assert_eq!(numbers(&red_whole), ["XK-1", "XK-2"], "{red_whole}");
    let red_next = server.get("/v1/watch?as_of=2026-12-31&level=red&limit=1&offset=1", Some(&token)).json();
    assert_eq!(numbers(&red_next), ["XK-2"], "{red_next}");
    // So does one by another process: the command line refuses XK-1 while the service runs.
    cli(
        &server.db,
        &["case", "act", "XK-1", "refuse", "--role", "head", "--actor", "负责人", "--at", "2026-09-30T10:00:00+08:00"],
    );
    let third = server.get("/v1/watch?as_of=2026-12-31", Some(&token)).json();
    assert_eq!(numbers(&third), ["XK-2"], "a finished case leaves the list: {third}");
}

#[test]
fn attributes_are_set_and_cleared_in_a_role_and_bad_ones_refused() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let set = |version: u64, key: &str, body: &serde_json::Value| {
        let version = format!("\"{version}\"");
        server.post(
            "/v1/cases/XK-1/attributes",
            Some(&token),
            &[("If-Match", &version), ("Idempotency-Key", key)],
            body,
        )
    };
    let at = "2026-09-21T10:00:00+08:00";
    let changed = set(1, "s1", &json!({"role": "officer", "at": at, "set": {"joint_handling": true}}));
    assert_eq!((changed.status, changed.header("etag")), (200, Some("\"2\"")), "{changed:?}");
    let shown = server.get("/v1/cases/XK-1", Some(&token)).json();
    assert_eq!(shown["attributes"]["joint_handling"], "true", "{shown}");
    let cleared = set(2, "s2", &json!({"role": "officer", "at": at, "set": {"joint_handling": null}}));
    assert_eq!(cleared.status, 200, "{cleared:?}");
    let shown = server.get("/v1/cases/XK-1", Some(&token)).json();
    assert!(shown["attributes"].get("joint_handling").is_none_or(serde_json::Value::is_null), "{shown}");
    let empty = set(3, "s3", &json!({"role": "officer", "set": {}}));
    assert_eq!((empty.status, empty.problem().as_str()), (400, "bad-request"), "{empty:?}");
    let unknown = set(3, "s4", &json!({"role": "officer", "set": {"joint": true}}));
    assert_eq!((unknown.status, unknown.problem().as_str()), (422, "unknown-attribute"), "{unknown:?}");
    let bad = set(3, "s5", &json!({"role": "officer", "set": {"joint_handling": "perhaps"}}));
    assert_eq!((bad.status, bad.problem().as_str()), (422, "bad-value"), "{bad:?}");
    let stale = set(1, "s6", &json!({"role": "officer", "set": {"joint_handling": false}}));
    assert_eq!((stale.status, stale.problem().as_str()), (412, "stale-version"), "{stale:?}");
    // Nothing refused was written: open, set, clear.
    assert_eq!(server.get("/v1/cases/XK-1/history", Some(&token)).json()["version"], 3);
}

/// A permit workflow whose first version has a `clerk`, which its second drops.
const PERMIT_WITH_CLERK: &str = r"workflow: permit
version: '0'
calendar: cn-mainland
roles: {officer: 承办人, head: 负责人, clerk: 文书}
states:
  received: {}
  granted: {final: true}
transitions:
  - {action: grant, from: received, to: granted, by: [officer, clerk]}
";

#[test]
fn a_number_in_two_workflows_is_ambiguous_and_a_role_dropped_by_a_version_is_unknown() {
    let (_directory, server, token) = started();
    let deploy = |file: &str, source: &str| {
        let deployed = server.post("/v1/workflows", Some(&token), &[], &json!({"file": file, "source": source}));
        assert_eq!(deployed.status, 201, "{deployed:?}");
    };
    deploy("permit-0.yaml", PERMIT_WITH_CLERK);
    deploy(
        "permit-1.yaml",
        &PERMIT_WITH_CLERK.replace("'0'", "'1'").replace(", clerk: 文书", "").replace(", clerk]", "]"),
    );
    // A key may hold `clerk`: a deployed version has it.
    let created = server.post(
        "/v1/keys",
        Some(&token),
        &[],
        &json!({"name": "permits", "grants": [{"workflow": "permit", "roles": ["officer", "clerk"]}]}),
    );
    assert_eq!(created.status, 201, "{created:?}");
    let clerk = created.json()["token"].as_str().unwrap().to_owned();
    let opened = server.post(
        "/v1/cases",
        Some(&clerk),
        &[("Idempotency-Key", "permit-open")],
        &json!({"workflow": "permit", "number": "XK-1", "at": "2026-09-21T09:30:00+08:00"}),
    );
    assert_eq!(opened.status, 201, "{opened:?}");
    // The case is on version 1, which has no clerk.
    let grant = json!({"action": "grant", "role": "clerk", "at": "2026-09-22T10:00:00+08:00"});
    let unknown = act(&server, &clerk, "XK-1", 1, "clerk-grant", &grant);
    assert_eq!((unknown.status, unknown.problem().as_str()), (422, "unknown-role"), "{unknown:?}");
    assert_eq!(unknown.json()["role"], "clerk");
    // XK-1 in the licence workflow too: the number alone no longer names one case.
    open_licence(&server, &token, "XK-1");
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    let ambiguous = act(&server, &token, "XK-1", 1, "accept", &accept);
    assert_eq!((ambiguous.status, ambiguous.problem().as_str()), (409, "ambiguous-case"), "{ambiguous:?}");
    assert!(ambiguous.json()["detail"].as_str().unwrap().contains("permit"), "{ambiguous:?}");
    let shown = server.get("/v1/cases/XK-1", Some(&token));
    assert_eq!((shown.status, shown.problem().as_str()), (409, "ambiguous-case"), "{shown:?}");
    // By its id it is one case.
    let id = opened.json()["id"].as_str().unwrap().to_owned();
    let granted = act(&server, &clerk, &id, 1, "officer-grant", &json!({"action": "grant", "role": "officer"}));
    assert_eq!(granted.status, 200, "{granted:?}");
}

#[test]
fn a_case_row_changed_behind_the_service_is_an_internal_problem_and_nothing_is_written() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let connection = rusqlite::Connection::open(&server.db).unwrap();
    connection.execute("UPDATE cases SET head_hash = ?1 WHERE number = 'XK-1'", ["0".repeat(64)]).unwrap();
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    let refused = act(&server, &token, "XK-1", 1, "accept", &accept);
    assert_eq!((refused.status, refused.problem().as_str()), (500, "internal"), "{refused:?}");
    assert!(refused.json()["detail"].as_str().unwrap().contains("renewflow verify"), "{refused:?}");
    let events: i64 = connection.query_row("SELECT count(*) FROM events", [], |row| row.get(0)).unwrap();
    assert_eq!(events, 1, "only the opening");
}
