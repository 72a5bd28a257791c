//! A `renewflow serve` started for a test on a free port of 127.0.0.1, with a blocking HTTP
//! client. The server is killed when the harness is dropped.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value as Json;

/// A running server.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) db: PathBuf,
    agent: ureq::Agent,
    /// The server's stderr after its first line, read on a thread so the pipe never fills.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

/// An answer: status, headers and body.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Json {
        serde_json::from_str(&self.body).unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The problem's `type` slug, after checking the answer is a problem document.
    pub(crate) fn problem(&self) -> String {
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{self:?}");
        let document = self.json();
        assert_eq!(document["status"].as_u64(), Some(u64::from(self.status)), "{document}");
        let kind = document["type"].as_str().unwrap_or_default();
        kind.strip_prefix("/problems/").unwrap_or(kind).to_owned()
    }
}

/// The binary under test.
pub(crate) fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_renewflow"))
}

/// Runs the binary on `db` and returns its stdout, asserting it exits 0.
pub(crate) fn cli(db: &Path, args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(args)
        .arg("--db")
        .arg(db)
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .env_remove("RENEWFLOW_DB")
        .env_remove("RENEWFLOW_BEYOND_DATA")
        .env_remove("RENEWFLOW_CALENDAR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Runs the binary with no store, in the repository (for its shipped workflows), and returns
/// its stdout, asserting it exits 0.
pub(crate) fn cli_in_repository(args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("RENEWFLOW_DB")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

impl Server {
    /// Starts `renewflow serve` on `db` with `extra` arguments and waits until it listens.
    pub(crate) fn start(db: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(binary())
            .arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("renewflow serve: listening on ")
            .unwrap_or_else(|| panic!("the server did not start: {line}"))
            .to_owned();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).is_ok_and(|read| read > 0) {
                kept.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Server { child, base, db: db.to_owned(), agent, log }
    }

    /// What the server wrote to stderr after its first line.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// A `GET` with the token (if any).
    pub(crate) fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer(request.call())
    }

    /// A `POST` of a JSON body with the token and extra headers.
    pub(crate) fn post(&self, path: &str, token: Option<&str>, headers: &[(&str, &str)], body: &Json) -> Answer {
        self.post_raw(path, token, &[&[("Content-Type", "application/json")], headers].concat(), &body.to_string())
    }

    /// A `POST` of `body` as given.
    pub(crate) fn post_raw(&self, path: &str, token: Option<&str>, headers: &[(&str, &str)], body: &str) -> Answer {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send(body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The answer; a transport error (no answer at all) is status 0 with the error as its body.
fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = match result {
        Ok(response) => response,
        Err(error) => return Answer { status: 0, headers: Vec::new(), body: error.to_string() },
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Answer { status, headers, body }
}
