//! `GET /v1/events`: committed writes streamed as Server-Sent Events to the callers who may read
//! them; streams end when the server shuts down.

use std::io::{BufRead as _, BufReader};
use std::sync::mpsc;

use super::serve_cases::{admin_token, open_licence};
use super::serve_harness::Server;

/// Opens an event stream with `token` and sends each `(event, data)` it reads to the channel.
pub(crate) fn subscribe(server: &Server, token: &str) -> mpsc::Receiver<(String, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let response = agent
        .get(format!("{}/v1/events", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept", "text/event-stream")
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("content-type").and_then(|value| value.to_str().ok()), Some("text/event-stream"));
    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(response.into_body().into_reader());
        let (mut event, mut line) = (String::new(), String::new());
        while lines.read_line(&mut line).is_ok_and(|read| read > 0) {
            if let Some(name) = line.trim_end().strip_prefix("event: ") {
                name.clone_into(&mut event);
            } else if let Some(data) = line.trim_end().strip_prefix("data: ")
                && sender.send((event.clone(), data.to_owned())).is_err()
            {
                return;
            }
            line.clear();
        }
        let _ = sender.send(("end".to_owned(), String::new()));
    });
    received
}

#[test]
fn committed_writes_are_streamed_and_streams_end_on_shutdown() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let token = admin_token(&db);
    let server = Server::start(&db, &[]);
    let stream = subscribe(&server, &token);
    // The subscription is made once the answer's head came back; the write follows it.
    open_licence(&server, &token, "XK-1");
    let (event, data) = stream.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(event, "case");
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!((data["number"].as_str(), data["version"].as_u64()), (Some("XK-1"), Some(1)), "{data}");
    assert_eq!(
        (data["workflow"].as_str(), data["events"][0].as_str()),
        (Some("administrative-license"), Some("opened"))
    );
    // A retry writes nothing and streams nothing.
    open_licence(&server, &token, "XK-1");
    assert!(stream.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "a replay is not a change");
    // SIGTERM ends the stream, and the server stops though a stream was open.
    let pid = server.child.id().to_string();
    std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let (end, _) = stream.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(end, "end");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log().contains("renewflow serve: stopped") {
        assert!(std::time::Instant::now() < deadline, "the server did not stop: {}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
