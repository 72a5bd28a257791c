//! The wall clock the long-running loops read (the warning sweeper, the delivery loop, the
//! service): the system's, or, for tests, one read from a file, so a test moves a running
//! server's date by rewriting the file. The core and the engine never read either: instants come
//! with each request.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};

/// Where "now" comes from.
pub(crate) trait WallClock: Send + Sync {
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The system's clock, at +08:00 (China Standard Time), as the command line stamps instants.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SystemClock;

impl WallClock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&super::cli::default_zone())
    }
}

/// The most bytes of a clock file read: one instant and a line break.
const CLOCK_FILE_BYTES_MAX: usize = 256;

/// A clock that reads an RFC 3339 instant (`2026-10-28T09:00:00+08:00`) from a file on every
/// call, for tests. A file that cannot be read or does not hold an instant gives the system's
/// time, with a warning in the log, so a test that breaks its file sees it.
#[derive(Clone, Debug)]
pub(crate) struct FileClock {
    path: PathBuf,
}

impl FileClock {
    pub(crate) fn new(path: PathBuf) -> FileClock {
        FileClock { path }
    }

    /// The instant in the file.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is too long, or does not hold an RFC 3339 instant.
    pub(crate) fn read(&self) -> anyhow::Result<DateTime<FixedOffset>> {
        let text = super::cli::read_text(&self.path, CLOCK_FILE_BYTES_MAX)?;
        DateTime::parse_from_rfc3339(text.trim()).map_err(|error| {
            anyhow::anyhow!("clock file `{}` does not hold an RFC 3339 instant: {error}", self.path.display())
        })
    }
}

impl WallClock for FileClock {
    fn now(&self) -> DateTime<FixedOffset> {
        match self.read() {
            Ok(now) => now,
            Err(error) => {
                tracing::warn!("{error:#}; using the system's clock");
                SystemClock.now()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FileClock, WallClock};

    #[test]
    fn a_file_clock_reads_its_file_on_every_call() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("now");
        std::fs::write(&path, "2026-10-28T09:00:00+08:00\n").unwrap();
        let clock = FileClock::new(path.clone());
        assert_eq!(clock.now().to_rfc3339(), "2026-10-28T09:00:00+08:00");
        std::fs::write(&path, "2026-10-29T09:00:00+08:00").unwrap();
        assert_eq!(clock.now().to_rfc3339(), "2026-10-29T09:00:00+08:00");
        std::fs::write(&path, "tomorrow").unwrap();
        assert!(clock.read().is_err());
    }
}
