//! `renewflow serve` under concurrent clients, SIGTERM and `kill -9`: one winner per version,
//! one write per idempotency key, nothing acknowledged lost.

use std::sync::Arc;

use serde_json::json;

use super::serve_cases::{admin_token, open_licence};
use super::serve_harness::{Server, cli};

#[test]
fn sixteen_clients_with_one_version_give_one_winner() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Arc::new(Server::start(&db, &[]));
    open_licence(&server, &token, "XK-1");
    let threads: Vec<_> = (0..16)
        .map(|client| {
            let (server, token) = (Arc::clone(&server), token.clone());
            std::thread::spawn(move || {
                let key = format!("accept-{client}");
                let body = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
                server.post(
                    "/v1/cases/XK-1/actions",
                    Some(&token),
                    &[("If-Match", "\"1\""), ("Idempotency-Key", &key)],
                    &body,
                )
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|thread| thread.join().unwrap()).collect();
    let won: Vec<_> = answers.iter().filter(|answer| answer.status == 200).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for lost in answers.iter().filter(|answer| answer.status != 200) {
        assert_eq!((lost.status, lost.problem().as_str()), (412, "stale-version"), "{lost:?}");
        assert_eq!(lost.json()["current_version"], 2);
        assert_eq!(lost.header("etag"), Some("\"2\""));
    }
    let history = server.get("/v1/cases/XK-1/history", Some(&token)).json();
    assert_eq!(history["version"], 2);
    assert_eq!(history["chain"]["verifies"], true);
}

#[test]
fn one_key_sent_sixteen_times_at_once_writes_once() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Arc::new(Server::start(&db, &[]));
    open_licence(&server, &token, "XK-1");
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (server, token) = (Arc::clone(&server), token.clone());
            std::thread::spawn(move || {
                let body = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
                let headers = [("If-Match", "\"1\""), ("Idempotency-Key", "the-one-accept")];
                server.post("/v1/cases/XK-1/actions", Some(&token), &headers, &body)
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|thread| thread.join().unwrap()).collect();
    assert!(answers.iter().all(|answer| answer.status == 200), "{answers:?}");
    assert!(answers.iter().all(|answer| answer.body == answers[0].body), "{answers:?}");
    assert_eq!(answers.iter().filter(|answer| answer.header("idempotent-replayed").is_none()).count(), 1);
    let history = server.get("/v1/cases/XK-1/history", Some(&token)).json();
    assert_eq!(history["version"], 2, "one accept recorded: {history}");
}

/// What one load client saw: the writes acknowledged (case number, version after the write) and
/// the write it was sending when the server went away, if any.
struct Seen {
    acknowledged: Vec<(String, u64)>,
    unanswered: Option<(String, u64)>,
    refused: Vec<String>,
}

/// Drives cases from several threads until the server goes away.
fn load(server: &Arc<Server>, token: &str, clients: usize, prefix: &str) -> Vec<std::thread::JoinHandle<Seen>> {
    (0..clients)
        .map(|client| {
            let (server, token, prefix) = (Arc::clone(server), token.to_owned(), prefix.to_owned());
            std::thread::spawn(move || {
                let mut seen = Seen { acknowledged: Vec::new(), unanswered: None, refused: Vec::new() };
                for case in 0.. {
                    let number = format!("{prefix}{client}-{case}");
                    let body = json!({"workflow": "administrative-license", "number": number, "at": "2026-09-21T09:30:00+08:00", "attributes": {"joint_handling": false}});
                    let key = format!("open-{number}");
                    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
                    let accept_key = format!("accept-{number}");
                    let writes = [
                        ("/v1/cases".to_owned(), vec![("Idempotency-Key", key.as_str())], body, 1),
                        (format!("/v1/cases/{number}/actions"), vec![("If-Match", "\"1\""), ("Idempotency-Key", accept_key.as_str())], accept, 2),
                    ];
                    for (path, headers, body, version) in writes {
                        let answer = server.post(&path, Some(&token), &headers, &body);
                        match answer.status {
                            200 | 201 => seen.acknowledged.push((number.clone(), version)),
                            0 => {
                                seen.unanswered = Some((number, version));
                                return seen;
                            }
                            _ => {
                                seen.refused.push(answer.body);
                                return seen;
                            }
                        }
                    }
                }
                seen
            })
        })
        .collect()
}

/// The version of each case in the store, read with the CLI.
fn stored_versions(db: &std::path::Path) -> std::collections::HashMap<String, u64> {
    let listed: serde_json::Value = serde_json::from_str(&cli(db, &["case", "list", "--format", "json"])).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|case| (case["number"].as_str().unwrap().to_owned(), case["events"].as_u64().unwrap()))
        .collect()
}

#[test]
fn sigterm_under_load_cuts_no_request_off() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Arc::new(Server::start(&db, &[]));
    let pid = server.child.id().to_string();
    let workers = load(&server, &token, 8, "T");
    std::thread::sleep(std::time::Duration::from_millis(800));
    std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let seen: Vec<Seen> = workers.into_iter().map(|worker| worker.join().unwrap()).collect();
    // The server stops by itself once the requests in flight are answered and the writer drained.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.log().contains("renewflow serve: stopped") {
        assert!(std::time::Instant::now() < deadline, "the server did not stop: {}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let stored = stored_versions(&db);
    let acknowledged: Vec<&(String, u64)> = seen.iter().flat_map(|seen| &seen.acknowledged).collect();
    assert!(acknowledged.len() > 16, "the load ran: {} writes", acknowledged.len());
    for (number, version) in &acknowledged {
        assert!(stored.get(number).is_some_and(|stored| stored >= version), "{number} lost version {version}");
    }
    for seen in &seen {
        // A refusal while stopping is a `shutting-down` problem, never a cut-off answer.
        for body in &seen.refused {
            assert!(body.contains("shutting-down"), "{body}");
        }
        // A write that got no answer was never taken up: taken up, it would have been answered.
        if let Some((number, version)) = &seen.unanswered {
            assert!(stored.get(number).is_none_or(|stored| stored < version), "{number} v{version} landed unanswered");
        }
    }
    cli(&db, &["verify"]);
}

#[test]
fn kill_9_under_load_loses_nothing_acknowledged() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let mut acknowledged: Vec<(String, u64)> = Vec::new();
    for round in 0..5 {
        let server = Arc::new(Server::start(&db, &[]));
        let workers = load(&server, &token, 8, &format!("K{round}"));
        std::thread::sleep(std::time::Duration::from_millis(300 + 100 * round));
        let pid = server.child.id().to_string();
        std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        acknowledged.extend(workers.into_iter().flat_map(|worker| worker.join().unwrap().acknowledged));
        // The next round's clients use new numbers: the cases of this one stay as they are.
        let stored = stored_versions(&db);
        for (number, version) in &acknowledged {
            assert!(
                stored.get(number).is_some_and(|stored| stored >= version),
                "round {round}: {number} lost v{version}"
            );
        }
        cli(&db, &["verify"]);
    }
    assert!(acknowledged.len() > 40, "the load ran: {} writes", acknowledged.len());
}

/// Another process holds the store's write lock past the store's wait (10 s): the write is
/// refused as `busy`, writes nothing, and the same request succeeds once the lock is let go.
#[test]
fn a_write_lock_held_elsewhere_past_the_wait_is_busy_and_writes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Server::start(&db, &[]);
    open_licence(&server, &token, "XK-1");
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    let headers = [("If-Match", "\"1\""), ("Idempotency-Key", "accept")];
    let refused = server.post("/v1/cases/XK-1/actions", Some(&token), &headers, &accept);
    assert_eq!((refused.status, refused.problem().as_str()), (503, "busy"), "{refused:?}");
    assert!(refused.json()["detail"].as_str().unwrap().contains("nothing was written"), "{refused:?}");
    holder.execute_batch("ROLLBACK").unwrap();
    let accepted = server.post("/v1/cases/XK-1/actions", Some(&token), &headers, &accept);
    assert_eq!((accepted.status, accepted.json()["version"].as_u64()), (200, Some(2)), "{accepted:?}");
    assert_eq!(accepted.header("idempotent-replayed"), None, "the refused request wrote nothing to replay");
}
