//! `LogFile`: an audit log opened for streaming. Only a regular file is opened, and a run of
//! more than `LOG_RECORD_BYTES_MAX` bytes without a break (a line break; `>` in XES, which may
//! be written on one line) stops the reading with the line it is on, so a file of zeros ends in
//! an error naming its line instead of a buffer growing until memory runs out.
//!
//! The readers of the library turn a read error into an `AUD011` that ends the log; the driver
//! asks `LogFile`'s [`Overrun`] afterwards and refuses the whole audit instead, since rows after
//! such a run cannot be trusted to be rows.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::audit::LOG_RECORD_BYTES_MAX;

/// An opened log, counting its lines and the bytes since the last break.
pub(crate) struct LogFile {
    file: File,
    /// The byte that ends a run: `\n`, or `>` in XML.
    break_byte: u8,
    /// Line breaks read so far.
    lines: u64,
    /// Bytes read since the last break, and the line where they start.
    run_bytes: usize,
    run_line: u64,
    overrun: Overrun,
}

/// Why reading a log stopped early, when it did: shared by the reader and the driver.
#[derive(Clone, Default)]
pub(crate) struct Overrun(Arc<OnceLock<String>>);

impl Overrun {
    /// The problem that stopped the reading, if one did.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

impl LogFile {
    /// Opens `path`, a regular file; `xml` when its runs end at `>` rather than at line breaks.
    ///
    /// # Errors
    ///
    /// As `regular_file::open_regular`.
    pub(crate) fn open(path: &Path, xml: bool) -> io::Result<(LogFile, Overrun)> {
        let (file, _) = super::regular_file::open_regular(path)?;
        let overrun = Overrun::default();
        let log = LogFile {
            file,
            break_byte: if xml { b'>' } else { b'\n' },
            lines: 0,
            run_bytes: 0,
            run_line: 1,
            overrun: overrun.clone(),
        };
        Ok((log, overrun))
    }

    /// Counts what `read` just read, and whether the run since the last break is too long.
    fn note(&mut self, chunk: &[u8]) -> Result<(), String> {
        let breaks = memchr::memchr_iter(b'\n', chunk).count() as u64;
        match memchr::memrchr(self.break_byte, chunk) {
            Some(last) => {
                self.run_bytes = chunk.len() - last - 1;
                let before = if self.break_byte == b'\n' {
                    breaks
                } else {
                    memchr::memchr_iter(b'\n', &chunk[..last]).count() as u64
                };
                self.run_line = self.lines + before + 1;
            }
            None => self.run_bytes += chunk.len(),
        }
        self.lines += breaks;
        if self.run_bytes <= LOG_RECORD_BYTES_MAX {
            return Ok(());
        }
        Err(if self.break_byte == b'\n' {
            format!("line {} is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes", self.run_line)
        } else {
            format!("line {}: more than {LOG_RECORD_BYTES_MAX} bytes without a `>`", self.run_line)
        })
    }
}

impl Read for LogFile {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if let Some(message) = self.overrun.get() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message.to_owned()));
        }
        let read = self.file.read(buffer)?;
        match self.note(&buffer[..read]) {
            Ok(()) => Ok(read),
            Err(message) => {
                let message = self.overrun.0.get_or_init(|| message);
                Err(io::Error::new(io::ErrorKind::InvalidData, message.clone()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(xml: bool) -> LogFile {
        let file = File::open("/dev/null").unwrap();
        let break_byte = if xml { b'>' } else { b'\n' };
        LogFile { file, break_byte, lines: 0, run_bytes: 0, run_line: 1, overrun: Overrun::default() }
    }

    #[test]
    fn a_run_without_a_break_is_refused_at_the_line_it_starts_on() {
        let mut lines = log(false);
        assert_eq!(lines.note(b"a,b\nc,d\n"), Ok(()));
        assert_eq!(lines.note(&vec![b'x'; LOG_RECORD_BYTES_MAX]), Ok(()));
        assert_eq!(lines.note(b"x"), Err(format!("line 3 is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes")));
        let mut xml = log(true);
        assert_eq!(xml.note(b"<log>\n<trace>"), Ok(()));
        assert_eq!(xml.note(&vec![b'\n'; LOG_RECORD_BYTES_MAX]), Ok(()));
        assert_eq!(xml.note(b"\n"), Err(format!("line 2: more than {LOG_RECORD_BYTES_MAX} bytes without a `>`")));
    }

    #[test]
    fn long_logs_of_short_lines_pass() {
        let mut lines = log(false);
        let block = "x,y,z\n".repeat(100_000);
        for _ in 0..10 {
            assert_eq!(lines.note(block.as_bytes()), Ok(()));
        }
        assert_eq!(lines.lines, 1_000_000);
    }
}
