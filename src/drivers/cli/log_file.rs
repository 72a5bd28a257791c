//! `LogFile`: the guard under an audit log's readers. A run of more than
//! `LOG_RECORD_BYTES_MAX` bytes without a break (a line break; `>` in XES, which may be written
//! on one line) stops the reading with the line it is on, so a file of zeros ends in an error
//! naming its line instead of a buffer growing until memory runs out. It reads what the
//! readers read, so a compressed log is guarded on its decompressed bytes.
//!
//! The readers of the library turn a read error into an `AUD011` that ends the log; the driver
//! asks `LogFile`'s [`Overrun`] afterwards and refuses the whole audit instead, since rows after
//! such a run cannot be trusted to be rows. A read error of the input (a gzip stream corrupt in
//! the middle) is kept there too, with the line it interrupted.

use std::io::{self, Read};
use std::sync::{Arc, OnceLock};

use crate::audit::{LOG_RECORD_BYTES_MAX, LineCount};

/// What ends a run of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Breaks {
    /// LF or CR (CSV, where a lone CR ends a record).
    Lines,
    /// LF only (JSON Lines).
    Feeds,
    /// `>` (XES).
    Xml,
}

/// A log's input, counting its lines (as an editor does) and the bytes since the last break.
pub(crate) struct LogFile<R> {
    input: R,
    breaks: Breaks,
    /// Line breaks read so far.
    lines: LineCount,
    /// Bytes read since the last break, and the line where they start.
    run_bytes: usize,
    run_line: u64,
    /// What the input is, for a message on a read error ("the gzip stream").
    what: &'static str,
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

impl<R: Read> LogFile<R> {
    /// Guards `input`, whose runs end at `breaks`; `what` names it in a read error's message.
    pub(crate) fn new(input: R, breaks: Breaks, what: &'static str) -> (LogFile<R>, Overrun) {
        let overrun = Overrun::default();
        let log = LogFile {
            input,
            breaks,
            lines: LineCount::default(),
            run_bytes: 0,
            run_line: 1,
            what,
            overrun: overrun.clone(),
        };
        (log, overrun)
    }

    /// Counts what `read` just read, and whether the run since the last break is too long.
    fn note(&mut self, chunk: &[u8]) -> Result<(), String> {
        let last = match self.breaks {
            Breaks::Lines => memchr::memrchr2(b'\n', b'\r', chunk),
            Breaks::Feeds => memchr::memrchr(b'\n', chunk),
            Breaks::Xml => memchr::memrchr(b'>', chunk),
        };
        match last {
            Some(last) => {
                self.lines.advance(&chunk[..=last]);
                self.run_bytes = chunk.len() - last - 1;
                self.run_line = self.lines.breaks + 1;
                self.lines.advance(&chunk[last + 1..]);
            }
            None => {
                self.lines.advance(chunk);
                self.run_bytes += chunk.len();
            }
        }
        if self.run_bytes <= LOG_RECORD_BYTES_MAX {
            return Ok(());
        }
        Err(if self.breaks == Breaks::Xml {
            format!("line {}: more than {LOG_RECORD_BYTES_MAX} bytes without a `>`", self.run_line)
        } else {
            format!("line {} is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes", self.run_line)
        })
    }

    /// Keeps `message` as why the reading stopped (the first one wins), as an error.
    fn stop(&self, message: String) -> io::Error {
        let message = self.overrun.0.get_or_init(|| message);
        io::Error::new(io::ErrorKind::InvalidData, message.clone())
    }
}

impl<R: Read> Read for LogFile<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if let Some(message) = self.overrun.get() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message.to_owned()));
        }
        let read = match self.input.read(buffer) {
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return Err(error),
            Err(error) => {
                let line = self.lines.breaks + 1;
                return Err(self.stop(format!("{} cannot be read from line {line} on: {error}", self.what)));
            }
        };
        self.note(&buffer[..read]).map_err(|message| self.stop(message))?;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(breaks: Breaks) -> LogFile<&'static [u8]> {
        LogFile::new(&b""[..], breaks, "the log").0
    }

    #[test]
    fn a_run_without_a_break_is_refused_at_the_line_it_starts_on() {
        let mut lines = log(Breaks::Lines);
        assert_eq!(lines.note(b"a,b\nc,d\n"), Ok(()));
        assert_eq!(lines.note(&vec![b'x'; LOG_RECORD_BYTES_MAX]), Ok(()));
        assert_eq!(lines.note(b"x"), Err(format!("line 3 is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes")));
        // A lone CR ends a line of CSV, and a CRLF read in two pieces is one line break.
        let mut returns = log(Breaks::Lines);
        assert_eq!(returns.note(b"a,b\rc,d\r"), Ok(()));
        assert_eq!(returns.note(b"\ne,f\r"), Ok(()));
        assert_eq!(
            returns.note(&vec![b'x'; LOG_RECORD_BYTES_MAX + 1]),
            Err(format!("line 4 is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes"))
        );
        // JSON Lines end at LF only.
        let mut feeds = log(Breaks::Feeds);
        assert_eq!(feeds.note(b"{}\n{}\r"), Ok(()));
        assert_eq!(
            feeds.note(&vec![b'\r'; LOG_RECORD_BYTES_MAX]),
            Err(format!("line 2 is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes"))
        );
        let mut xml = log(Breaks::Xml);
        assert_eq!(xml.note(b"<log>\n<trace>"), Ok(()));
        assert_eq!(xml.note(&vec![b'\n'; LOG_RECORD_BYTES_MAX]), Ok(()));
        assert_eq!(xml.note(b"\n"), Err(format!("line 2: more than {LOG_RECORD_BYTES_MAX} bytes without a `>`")));
    }

    #[test]
    fn long_logs_of_short_lines_pass() {
        let mut lines = log(Breaks::Lines);
        let block = "x,y,z\n".repeat(100_000);
        for _ in 0..10 {
            assert_eq!(lines.note(block.as_bytes()), Ok(()));
        }
        assert_eq!(lines.lines.breaks, 1_000_000);
    }

    /// Fails after its bytes, as a gzip stream corrupt in the middle does.
    struct Failing(&'static [u8]);

    impl Read for Failing {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "corrupt deflate stream"));
            }
            let count = buffer.len().min(self.0.len());
            buffer[..count].copy_from_slice(&self.0[..count]);
            self.0 = &self.0[count..];
            Ok(count)
        }
    }

    #[test]
    fn a_read_error_stops_the_reading_with_its_line() {
        let (mut log, overrun) = LogFile::new(Failing(b"h\na\nb"), Breaks::Lines, "the gzip stream");
        let mut bytes = Vec::new();
        let error = log.read_to_end(&mut bytes).unwrap_err();
        assert_eq!(bytes, b"h\na\nb");
        let expected = "the gzip stream cannot be read from line 3 on: corrupt deflate stream";
        assert_eq!(error.to_string(), expected);
        assert_eq!(overrun.get(), Some(expected));
        assert_eq!(log.read(&mut [0; 4]).unwrap_err().to_string(), expected);
    }
}
