//! `renewflow serve` as e-supervision (电子监察) sees it: across a simulated date change the
//! sweeper issues the right warnings once each, across restarts; each is streamed to dashboards
//! and delivered, signed, to a webhook, and tried again when the receiver fails.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value as Json, json};

use super::serve_cases::{admin_token, open_licence};
use super::serve_events::subscribe;
use super::serve_harness::Server;

const SECRET: &str = "a-secret-of-more-than-16-bytes";

/// One request a receiver got: its headers (lower-case names) and body.
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }
}

/// A receiver on 127.0.0.1 that answers `statuses` in turn (200 after them), one request per
/// connection.
fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().take(64).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut headers, mut line) = (Vec::new(), String::new());
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.trim_end().split_once(':') {
                    headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
                }
            }
            let length =
                headers.iter().find(|(name, _)| name == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            kept.lock().unwrap().push(Received { headers, body });
            let status = statuses.get(index).copied().unwrap_or(200);
            let answer = format!("HTTP/1.1 {status} Answer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, received)
}

/// Whether `received` carries a valid signature: HMAC-SHA256 of `{t}.{body}` with the secret.
fn signed(received: &Received) -> bool {
    let header = received.header("renewflow-signature");
    let Some((t, v1)) = header.split_once(',') else { return false };
    let (Some(t), Some(v1)) = (t.strip_prefix("t="), v1.strip_prefix("v1=")) else { return false };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&received.body);
    let expected = mac.finalize().into_bytes().iter().fold(String::new(), |mut text, byte| {
        use std::fmt::Write as _;
        let _ = write!(text, "{byte:02x}");
        text
    });
    expected == v1
}

fn set_clock(path: &std::path::Path, instant: &str) {
    std::fs::write(path, instant).unwrap();
}

/// Waits until `ready` holds, for at most 20 s.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn warnings(server: &Server, token: &str) -> Vec<Json> {
    server.get("/v1/warnings", Some(token)).json()["warnings"].as_array().unwrap().clone()
}

#[test]
fn warnings_are_issued_once_each_across_dates_and_restarts_and_delivered_signed() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let clock = directory.path().join("now.txt");
    set_clock(&clock, "2026-09-21T09:00:00+08:00");
    let token = admin_token(&db);
    let clock_arg = clock.to_str().unwrap();
    let server = Server::start(&db, &["--clock-file", clock_arg]);
    // The receiver fails the first delivery; the retry succeeds.
    let (url, received) = receiver(vec![500]);
    let hook = server.post("/v1/webhooks", Some(&token), &[], &json!({"url": url, "secret": SECRET}));
    assert_eq!(hook.status, 201, "{hook:?}");
    assert!(!hook.body.contains(SECRET), "the secret is never shown");
    open_licence(&server, &token, "XK-1");
    let accept = json!({"action": "accept", "role": "officer", "at": "2026-09-22T10:00:00+08:00"});
    let accepted = server.post(
        "/v1/cases/XK-1/actions",
        Some(&token),
        &[("If-Match", "\"1\""), ("Idempotency-Key", "a")],
        &accept,
    );
    assert_eq!(accepted.status, 200);
    assert!(warnings(&server, &token).is_empty(), "nothing is due on 2026-09-21");
    let stream = subscribe(&server, &token);

    // 2026-10-20: the decision clock (20 wd from 09-22, yellow at 50 %) is yellow, not red.
    set_clock(&clock, "2026-10-20T09:00:00+08:00");
    wait_for("the yellow card", || !warnings(&server, &token).is_empty());
    let issued = warnings(&server, &token);
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!((issued[0]["kind"].as_str(), issued[0]["clock"].as_str()), (Some("yellow"), Some("decision")));
    // Dashboards got it as an event.
    let (event, data) = stream.recv_timeout(Duration::from_secs(10)).unwrap();
    let data: Json = serde_json::from_str(&data).unwrap();
    assert_eq!((event.as_str(), data["id"].clone()), ("warning", issued[0]["id"].clone()), "{data}");
    // The first attempt failed (500); an hour on, the backoff lets the retry go, and it lands.
    wait_for("the first attempt", || !received.lock().unwrap().is_empty());
    set_clock(&clock, "2026-10-20T10:00:00+08:00");
    wait_for("the retry", || received.lock().unwrap().len() >= 2);
    {
        let got = received.lock().unwrap();
        let id = issued[0]["id"].to_string();
        for attempt in got.iter().take(2) {
            assert!(signed(attempt), "a valid signature: {:?}", attempt.headers);
            assert_eq!(attempt.header("renewflow-warning-id"), id, "the same warning, to de-duplicate on");
        }
        assert_eq!(
            (got[0].header("renewflow-delivery-attempt"), got[1].header("renewflow-delivery-attempt")),
            ("1", "2")
        );
    }
    let deliveries = server.get("/v1/webhooks/deliveries", Some(&token)).json();
    assert_eq!(deliveries["deliveries"][0]["status"], "delivered", "{deliveries}");

    // 2026-11-30: red. Restarted, the server issues nothing again.
    set_clock(&clock, "2026-11-30T09:00:00+08:00");
    wait_for("the red card", || warnings(&server, &token).len() == 2);
    drop(server);
    let server = Server::start(&db, &["--clock-file", clock_arg]);
    set_clock(&clock, "2026-12-01T09:00:00+08:00");
    std::thread::sleep(Duration::from_millis(2500));
    let issued = warnings(&server, &token);
    let kinds: Vec<&str> = issued.iter().filter_map(|warning| warning["kind"].as_str()).collect();
    assert_eq!(kinds, ["yellow", "red"], "each crossing once, across restarts: {issued:?}");
    wait_for("the red card's delivery", || received.lock().unwrap().len() >= 3);
    assert!(signed(&received.lock().unwrap()[2]));
}

#[test]
fn a_webhook_is_removed_once_by_an_administrator_and_an_unknown_one_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Server::start(&db, &[]);
    let hook =
        server.post("/v1/webhooks", Some(&token), &[], &json!({"url": "http://127.0.0.1:9/hook", "secret": SECRET}));
    assert_eq!(hook.status, 201, "{hook:?}");
    let id = hook.json()["id"].as_i64().unwrap();
    let officer = super::serve_cases::key(&db, &["--name", "officer", "--grant", "administrative-license:officer"]);
    let path = format!("/v1/webhooks/{id}/remove");
    let refused = server.post(&path, Some(&officer), &[], &json!({}));
    assert_eq!((refused.status, refused.problem().as_str()), (403, "admin-required"), "{refused:?}");
    let removed = server.post(&path, Some(&token), &[], &json!({}));
    assert_eq!((removed.status, removed.json()["removed_now"].as_bool()), (200, Some(true)), "{removed:?}");
    assert!(removed.json()["webhook"]["removed_at"].is_string(), "{removed:?}");
    let again = server.post(&path, Some(&token), &[], &json!({}));
    assert_eq!((again.status, again.json()["removed_now"].as_bool()), (200, Some(false)), "{again:?}");
    let unknown = server.post(&format!("/v1/webhooks/{}/remove", id + 100), Some(&token), &[], &json!({}));
    assert_eq!((unknown.status, unknown.problem().as_str()), (404, "unknown-webhook"), "{unknown:?}");
    let listed = server.get("/v1/webhooks", Some(&token)).json();
    assert!(listed.to_string().contains("removed_at"), "{listed}");
}

/// Sends `head` on `stream`, then (after a pause long enough for a server that does not wait
/// for it to answer) `body`, and reads one answer.
fn slow_post(stream: &mut std::net::TcpStream, head: &str, body: &str) -> String {
    use std::io::{Read as _, Write as _};
    stream.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // A server that answered before the body and closed would reset this write or the read.
    let _ = stream.write_all(body.as_bytes());
    let mut answer = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                answer.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&answer);
                if let Some((head, rest)) = text.split_once("\r\n\r\n")
                    && let Some(length) = head
                        .lines()
                        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned))
                    && rest.len() >= length.trim().parse::<usize>().unwrap()
                {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_refusal_that_needs_no_body_still_reads_it_and_keeps_the_connection() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let _admin = admin_token(&db);
    let officer = super::serve_cases::key(&db, &["--name", "officer", "--grant", "administrative-license:officer"]);
    let server = Server::start(&db, &[]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    // The body comes after the head, as a client writing them separately sends it: the refusal
    // waits for it, and the connection carries the next request.
    for path in ["/v1/webhooks/1/remove", "/v1/keys/nobody/revoke"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {officer}\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n"
        );
        let answer = slow_post(&mut stream, &head, "{}");
        assert!(answer.starts_with("HTTP/1.1 403"), "{path}: {answer}");
        assert!(answer.contains("admin-required"), "{answer}");
        assert!(!answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    }
}
