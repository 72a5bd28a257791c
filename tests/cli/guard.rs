//! Runs the binary under a memory and a time guard: `prlimit --as` caps its address space (an
//! allocation past it fails and the process aborts, exit 134), and a process still running at
//! the deadline is killed and the test fails. The bounds are generous: they catch a read of
//! gigabytes or a hang, not a slow run.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space a guarded run may use. A debug build of the binary runs its tests in a fifth
/// of it.
pub(crate) const ADDRESS_SPACE_BYTES_MAX: u64 = 512 << 20;

pub(crate) struct Guarded {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// Whether the deadline passed and the process was killed.
    pub(crate) timed_out: bool,
    pub(crate) elapsed: Duration,
    /// The largest peak resident memory (`VmHWM`) seen while polling; a run shorter than the
    /// polling interval may end before it is seen (then 0).
    pub(crate) peak_rss_kib: u64,
}

impl Guarded {
    /// Asserts the run ended by itself with `code`, and returns its stderr.
    pub(crate) fn expect_code(&self, code: i32, what: &str) -> &str {
        assert!(!self.timed_out, "{what}: still running after {:.1?}, killed", self.elapsed);
        assert_eq!(self.code, Some(code), "{what}: stdout {:?}\nstderr {:?}", self.stdout, self.stderr);
        &self.stderr
    }
}

/// Runs `renewflow args` in `directory` under the guards, killing it after `deadline`.
pub(crate) fn run_guarded(directory: &Path, args: &[&str], deadline: Duration) -> Guarded {
    let mut command = Command::new("prlimit");
    command
        .arg(format!("--as={ADDRESS_SPACE_BYTES_MAX}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_renewflow"))
        .args(args)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        // One malloc arena per thread would reserve 64 MiB of address space each.
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("RENEWFLOW_CALENDAR")
        .env_remove("RENEWFLOW_DB")
        .env_remove("RENEWFLOW_BEYOND_DATA")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().expect("`prlimit` (util-linux) runs the binary under a memory limit");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut timed_out = false;
    let mut peak_rss_kib = 0;
    let status_file = format!("/proc/{}/status", child.id());
    let status = loop {
        peak_rss_kib = peak_rss_kib.max(peak_rss(&status_file));
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    Guarded {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        timed_out,
        elapsed,
        peak_rss_kib,
    }
}

/// `VmHWM` of a running process, in KiB (0 once it has gone).
fn peak_rss(status_file: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string(status_file) else { return 0 };
    let line = status.lines().find(|line| line.starts_with("VmHWM:"));
    line.and_then(|line| line.split_whitespace().nth(1)).and_then(|kib| kib.parse().ok()).unwrap_or(0)
}
