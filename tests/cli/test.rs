//! A small builder for running the binary: `Test::new().args([..]).stdin(..).run()`.

use std::path::PathBuf;

use assert_cmd::Command;

pub(crate) struct Test {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

/// Runs the binary with `args` and `--db` on `db` (a store several runs share).
pub(crate) fn run_on(db: &std::path::Path, args: &[&str]) -> Output {
    let mut test = Test::new();
    for arg in args {
        test = test.args([arg]);
    }
    test.args(["--db", db.to_str().unwrap()]).run()
}

pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Test {
    pub(crate) fn new() -> Test {
        Test { args: Vec::new(), stdin: None, env: Vec::new(), dir: tempfile::tempdir().unwrap() }
    }

    pub(crate) fn args<const N: usize>(mut self, args: [&str; N]) -> Test {
        self.args.extend(args.iter().map(|arg| (*arg).to_owned()));
        self
    }

    pub(crate) fn stdin(mut self, input: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(input.into());
        self
    }

    pub(crate) fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Writes a file into the test's directory and returns its path.
    pub(crate) fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub(crate) fn run(self) -> Output {
        let mut command = Command::cargo_bin("renewflow").unwrap();
        command
            .current_dir(self.dir.path())
            .env_remove("RENEWFLOW_CALENDAR")
            .env_remove("RENEWFLOW_DB")
            .env_remove("RENEWFLOW_BEYOND_DATA")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command.args(&self.args).write_stdin(self.stdin.unwrap_or_default());
        let output = command.output().unwrap();
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}
