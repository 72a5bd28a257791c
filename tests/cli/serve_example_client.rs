//! The Python example client (`examples/python/client.py`, standard library only) against a real
//! server: it opens a case, acts with retries and reads its timing.

use super::serve_cases::{admin_token, key};
use super::serve_harness::Server;

#[test]
fn the_python_example_client_opens_acts_and_reads_timing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    admin_token(&db);
    let token = key(&db, &["--name", "办件系统", "--grant", "administrative-license:officer"]);
    let server = Server::start(&db, &[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python/client.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg("PY-1")
        .env("RENEWFLOW_URL", &server.base)
        .env("RENEWFLOW_TOKEN", &token)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("opened PY-1"), "{stdout}");
    assert!(stdout.contains("refused: refused: role `officer` may not take action `grant`"), "{stdout}");
    // 中秋 and 国庆 2026 do not count; Saturday 10-10, a makeup working day, does.
    assert!(stdout.contains("decision: 9 of 20 wd used, due 2026-10-27, ok"), "{stdout}");
    assert!(stdout.contains("acceptance: 1 of 5 wd used"), "{stdout}");
}
