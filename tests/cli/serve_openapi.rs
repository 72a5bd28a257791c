//! The service's OpenAPI document: the committed `docs/openapi.json` is what the code generates
//! (`renewflow openapi`), byte for byte, and what a running server answers at `/openapi.json`.

use std::process::Command;

use super::serve_harness::{Server, binary};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

const REGENERATE: &str = "docs/openapi.json is not what the code generates; regenerate it with \
    `cargo run --quiet -- openapi > docs/openapi.json` and commit it";

fn committed() -> String {
    std::fs::read_to_string(COMMITTED).unwrap_or_else(|error| panic!("reading {COMMITTED}: {error}; {REGENERATE}"))
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let output = Command::new(binary()).arg("openapi").env_remove("RENEWFLOW_DB").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let generated = String::from_utf8(output.stdout).unwrap();
    // Not `assert_eq!`: a diff of two 100 KiB documents helps nobody; the message says what to do.
    assert!(generated == committed(), "{REGENERATE}");
}

#[test]
fn the_server_answers_the_committed_document_without_a_key() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start(&directory.path().join("cases.db"), &[]);
    let answer = server.get("/openapi.json", None);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.body == committed(), "{REGENERATE}");
    let document = answer.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
}
