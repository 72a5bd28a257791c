//! `renewflow serve`: the calendar's queries and installations over HTTP, answered as the
//! command line answers them, and the problems and limits not met elsewhere.

use serde_json::json;

use super::serve_cases::{LICENCE, admin_token, key, open_licence};
use super::serve_harness::{Server, cli};

fn started() -> (tempfile::TempDir, Server, String) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Server::start(&db, &[]);
    (directory, server, token)
}

/// The command line's JSON answer to `args`.
fn cli_json(server: &Server, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&cli(&server.db, &[args, &["--format", "json"]].concat())).unwrap()
}

#[test]
fn calendar_queries_answer_as_the_command_line_does() {
    let (_directory, server, token) = started();
    let reader = key(&server.db, &["--name", "reader", "--grant", "administrative-license"]);
    let day = server.get("/v1/calendars/cn-mainland/days/2026-10-10", Some(&reader));
    assert_eq!(day.status, 200, "{day:?}");
    assert_eq!(day.json()["working"], true, "Saturday 10-10 is a makeup working day");
    assert_eq!(day.json(), cli_json(&server, &["calendar", "check", "2026-10-10"]));
    let between = server.get("/v1/calendars/cn-mainland/between?from=2026-09-22&to=2026-10-12", Some(&reader)).json();
    assert_eq!(between["working_days"], 9);
    assert_eq!(between, cli_json(&server, &["calendar", "between", "2026-09-22", "2026-10-12"]));
    let added = server.get("/v1/calendars/cn-mainland/add?start=2026-09-22&period=20%20wd", Some(&reader)).json();
    assert_eq!(added["end"], "2026-10-27", "{added}");
    let year = server.get("/v1/calendars/cn-mainland/years/2026", Some(&reader)).json();
    assert_eq!((year["working_days"].as_u64(), year["provisional"].as_bool()), (Some(248), Some(false)));
    assert_eq!(year, cli_json(&server, &["calendar", "year", "2026"]));
    let bulk = server.post(
        "/v1/calendars/cn-mainland/between",
        Some(&reader),
        &[],
        &json!({"pairs": [["2026-09-22", "2026-10-12"], ["2026-12-31", "2027-01-08"]], "beyond_data": "refuse"}),
    );
    let results = &bulk.json()["results"];
    assert_eq!(results[0], json!({"working_days": 9, "provisional": false}));
    assert!(results[1]["error"].as_str().unwrap().contains("outside the data"), "{results}");
    // Past the data the store's policy (statutory, for a new store) projects, and says so.
    let projected = server.get("/v1/calendars/cn-mainland/between?from=2026-12-31&to=2027-01-08", Some(&reader)).json();
    assert_eq!(projected["provisional"], true, "{projected}");
    let refused = server.get("/v1/calendars/cn-mainland/days/2003-06-01", Some(&reader));
    assert_eq!((refused.status, refused.problem().as_str()), (422, "date-outside-calendar"));
    let unknown = server.get("/v1/calendars/mars/days/2026-06-01", Some(&reader));
    assert_eq!((unknown.status, unknown.problem().as_str()), (404, "not-found"));
    let policy = server.get("/v1/calendars/cn-mainland/days/2026-06-01?beyond_data=guess", Some(&reader));
    assert_eq!((policy.status, policy.problem().as_str()), (400, "bad-request"));
    let listed = server.get("/v1/calendars", Some(&token)).json();
    assert_eq!(listed["beyond_data"], "statutory", "{listed}");
}

#[test]
fn a_calendar_installs_over_http_with_its_reason_and_readers_count_on_it() {
    let (_directory, server, token) = started();
    let typhoon = "calendar: cn-mainland\nadjustments:\n  - {date: 2026-09-24, kind: rest, reason: 台风停工}\n";
    let install = |body: serde_json::Value| server.post("/v1/calendars/installs", Some(&token), &[], &body);
    let unexplained = install(json!({"name": "typhoon.yaml", "text": typhoon}));
    assert_eq!((unexplained.status, unexplained.problem().as_str()), (422, "reason-required"));
    let bad = install(json!({"name": "bad.yaml", "text": "calendar: cn-mainland\nadjustments: 3\n"}));
    assert_eq!((bad.status, bad.problem().as_str()), (422, "calendar-invalid"), "{bad:?}");
    let before = server.get("/v1/calendars/cn-mainland/days/2026-09-24", Some(&token)).json();
    assert_eq!(before["working"], true);
    let installed = install(json!({"name": "typhoon.yaml", "text": typhoon, "reason": "区防汛指挥部通告"}));
    assert_eq!(installed.status, 201, "{installed:?}");
    // Readers opened before the installation count on the new data at once.
    let after = server.get("/v1/calendars/cn-mainland/days/2026-09-24", Some(&token)).json();
    assert_eq!(after["working"], false, "{after}");
    assert_eq!(install(json!({"name": "typhoon.yaml", "text": typhoon, "reason": "again"})).status, 200);
    let handler = key(&server.db, &["--name", "handler", "--grant", "administrative-license:officer"]);
    let refused =
        server.post("/v1/calendars/installs", Some(&handler), &[], &json!({"name": "t.yaml", "text": typhoon}));
    assert_eq!((refused.status, refused.problem().as_str()), (403, "admin-required"));
    let verify = server.get("/v1/verify", Some(&token)).json();
    let check = server.get("/v1/check", Some(&token)).json();
    assert_eq!(
        (verify["verifies"].as_bool(), check["matches"].as_bool()),
        (Some(true), Some(true)),
        "{verify} {check}"
    );
}

#[test]
fn the_remaining_refusals_are_problems_too() {
    let (_directory, server, token) = started();
    open_licence(&server, &token, "XK-1");
    let open =
        |body: serde_json::Value, key: &str| server.post("/v1/cases", Some(&token), &[("Idempotency-Key", key)], &body);
    let taken =
        open(json!({"workflow": "administrative-license", "number": "XK-1", "at": "2026-09-21T09:30:00+08:00"}), "n2");
    assert_eq!((taken.status, taken.problem().as_str()), (409, "number-taken"));
    let outside =
        open(json!({"workflow": "administrative-license", "number": "XK-2", "at": "2003-06-02T09:30:00+08:00"}), "n3");
    assert_eq!((outside.status, outside.problem().as_str()), (422, "date-outside-calendar"), "{outside:?}");
    let number = open(json!({"workflow": "administrative-license", "number": "bad\u{202e}number"}), "n4");
    assert_eq!((number.status, number.problem().as_str()), (422, "bad-case-number"));
    let version = open(json!({"workflow": "administrative-license", "version": "1999.9"}), "n5");
    assert_eq!((version.status, version.problem().as_str()), (404, "workflow-not-deployed"));
    let when = open(json!({"workflow": "administrative-license", "at": "yesterday"}), "n6");
    assert_eq!((when.status, when.problem().as_str()), (400, "bad-request"));
    let values = open(json!({"workflow": "administrative-license", "attributes": {"joint_handling": [true]}}), "n7");
    assert_eq!((values.status, values.problem().as_str()), (400, "bad-request"));
    // Another version of the licence flow under a taken version number.
    let source = std::fs::read_to_string(LICENCE).unwrap().replace("title: 行政许可（一般程序", "title: 行政许可（改");
    let clash = server.post("/v1/workflows", Some(&token), &[], &json!({"file": "licence.yaml", "source": source}));
    assert_eq!((clash.status, clash.problem().as_str()), (409, "version-taken"), "{clash:?}");
    let keys = |body: serde_json::Value| server.post("/v1/keys", Some(&token), &[], &body);
    let nothing = keys(json!({"name": "nobody"}));
    assert_eq!((nothing.status, nothing.problem().as_str()), (422, "key-invalid"));
    let duplicate = keys(json!({"name": "admin", "admin": true}));
    assert_eq!((duplicate.status, duplicate.problem().as_str()), (409, "key-name-taken"));
    let missing = server.post("/v1/keys/key_000000000000/revoke", Some(&token), &[], &json!({}));
    assert_eq!((missing.status, missing.problem().as_str()), (404, "unknown-key"));
    let hook = server.post("/v1/webhooks", Some(&token), &[], &json!({"url": "ftp://x", "secret": "short"}));
    assert_eq!((hook.status, hook.problem().as_str()), (422, "webhook-invalid"));
    let note = server.post(
        "/v1/cases/XK-1/notes",
        Some(&token),
        &[("If-Match", "\"1\""), ("Idempotency-Key", "note-1")],
        &json!({"text": "申请人来电询问进度", "role": "officer", "at": "2026-09-21T15:00:00+08:00"}),
    );
    assert_eq!((note.status, note.json()["events"][0]["text"].as_str()), (200, Some("申请人来电询问进度")));
    let newest = server.get("/v1/workflows/administrative-license", Some(&token)).json();
    assert_eq!(newest["version"], "2019.1");
}

#[test]
fn a_request_head_over_its_limit_is_refused_and_a_slow_request_is_cut_at_its_time_limit() {
    let (directory, server, token) = started();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let huge = "x".repeat(20 * 1024);
    let answer = agent.get(format!("{}/healthz", server.base)).header("X-Padding", &huge).call();
    // hyper answers 431 to a head over its buffer, or closes the connection.
    match answer {
        Ok(response) => assert_eq!(response.status().as_u16(), 431),
        Err(error) => assert!(error.to_string().to_lowercase().contains("connection"), "{error}"),
    }
    assert_eq!(server.get("/healthz", None).status, 200, "the server still serves");
    drop(server);
    // With a time limit of zero, what needs the store is cut off; what does not still answers.
    let limited = Server::start(&directory.path().join("cases.db"), &["--request-timeout-ms", "0"]);
    assert_eq!(limited.get("/healthz", None).status, 200);
    let cut = limited.get("/v1/cases", Some(&token));
    assert_eq!((cut.status, cut.problem().as_str()), (503, "request-timeout"));
}
