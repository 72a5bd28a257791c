//! A small builder for running the binary: `Test::new().args([..]).stdin(..).run()`.

use std::path::PathBuf;

use assert_cmd::Command;

pub(crate) struct Test {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
    env_removed: Vec<String>,
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
        Test {
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
            env_removed: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
        }
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

    /// Runs without `key` in the environment.
    pub(crate) fn env_remove(mut self, key: &str) -> Test {
        self.env_removed.push(key.to_owned());
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
            .env_remove("RUST_LOG")
            // The actor defaults to the operating-system user: the same one whoever runs the tests.
            .env("USER", "tester");
        for key in &self.env_removed {
            command.env_remove(key);
        }
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

/// The arguments a `--help` text lists without a description: an entry line (`  <CASE>`,
/// `      --role <ROLE>`) with no text beside it and none indented below it.
pub(crate) fn undescribed_arguments(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut undescribed = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let entry = line.trim_start();
        if !(2..=6).contains(&indent) || !(entry.starts_with('-') || entry.starts_with('<')) {
            continue;
        }
        let beside = entry.contains("  ");
        let below = lines.get(index + 1).is_some_and(|next| {
            let next_indent = next.len() - next.trim_start().len();
            next_indent >= 10 && !next.trim().is_empty()
        });
        if !beside && !below {
            undescribed.push(entry.to_owned());
        }
    }
    undescribed
}
