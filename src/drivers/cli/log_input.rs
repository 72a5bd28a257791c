//! `LogInput`: an audit log opened for reading, gzip-compressed or not, and its format. A file
//! that starts with gzip's magic bytes (1f 8b) is decompressed as it is read, whatever its name,
//! so memory stays flat; the format comes from `--log-format`, else from the extension (under a
//! `.gz`: `x.xes.gz` is XES), else from the first bytes of the (decompressed) content. A file
//! that is not a readable log at all (named `.gz` but not compressed, a gzip header that cannot
//! be read, binary, a first line that is not UTF-8) is refused here, before any row is read, with
//! a short message that never quotes the file's bytes.
//!
//! Only decompression and sniffing live here; opening the file is `regular_file`'s business and
//! the rows are the library readers'.

use std::io::{self, BufReader, Cursor, Read};
use std::path::Path;

/// Bytes looked at to tell the format and that the file is text: enough for a header.
const SNIFF_BYTES: usize = 8 << 10;

/// The formats of an event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Csv,
    Jsonl,
    Xes,
}

/// A log's bytes (decompressed), its format, and whether it was compressed.
pub(crate) struct LogInput {
    pub(crate) bytes: Box<dyn Read + Send>,
    pub(crate) format: LogFormat,
    pub(crate) compressed: bool,
}

impl LogInput {
    /// Reads `file`, the bytes of the log at `path` (which names it), in `format` if given.
    ///
    /// # Errors
    ///
    /// A message (without the file's name, which the caller adds) when the file is named `.gz`
    /// but is not gzip-compressed, its gzip header or first bytes cannot be read, or it is not a
    /// text log.
    pub(crate) fn new(file: Box<dyn Read + Send>, path: &Path, format: Option<LogFormat>) -> Result<LogInput, String> {
        let (head, raw) = peek(file, SNIFF_BYTES).map_err(|error| format!("it cannot be read: {error}"))?;
        let (named_gz, named) = format_from_name(path);
        let compressed = head.starts_with(&[0x1f, 0x8b]);
        if named_gz && !compressed {
            return Err(
                "it is named `.gz` but is not gzip-compressed (it does not start with the bytes 1f 8b)".to_owned()
            );
        }
        let (head, bytes): (Vec<u8>, Box<dyn Read + Send>) = if compressed {
            let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, raw));
            let (head, bytes) =
                peek(decoder, SNIFF_BYTES).map_err(|error| format!("it cannot be decompressed as gzip: {error}"))?;
            (head, Box::new(bytes))
        } else {
            (head, Box::new(raw))
        };
        expect_text(&head)?;
        let format = format.or(named).unwrap_or_else(|| format_from_content(&head));
        Ok(LogInput { bytes, format, compressed })
    }
}

/// An input whose first bytes were read, that reads them again first.
type Peeked<R> = io::Chain<Cursor<Vec<u8>>, R>;

/// Reads up to `limit` bytes from `input`, and gives them back with `input` that reads them
/// again first.
fn peek<R: Read>(mut input: R, limit: usize) -> io::Result<(Vec<u8>, Peeked<R>)> {
    let mut head = Vec::with_capacity(limit);
    (&mut input).take(limit as u64).read_to_end(&mut head)?;
    Ok((head.clone(), Cursor::new(head).chain(input)))
}

/// Whether `path` ends in `.gz`, and the format its extension (under the `.gz`) names.
fn format_from_name(path: &Path) -> (bool, Option<LogFormat>) {
    let name = path.file_name().map(|name| name.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let (gz, name) = match name.strip_suffix(".gz") {
        Some(stem) => (true, stem),
        None => (false, name.as_str()),
    };
    let format = match Path::new(name).extension().and_then(|extension| extension.to_str()) {
        Some("csv") => Some(LogFormat::Csv),
        Some("jsonl" | "ndjson") => Some(LogFormat::Jsonl),
        Some("xes") => Some(LogFormat::Xes),
        _ => None,
    };
    (gz, format)
}

/// The format the first bytes show: XES when they are `<?xml` or `<log` (after a BOM and white
/// space), JSON Lines when `{`, otherwise CSV.
fn format_from_content(head: &[u8]) -> LogFormat {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let text = text.trim_ascii_start();
    if text.starts_with(b"<?xml") || text.starts_with(b"<log") {
        LogFormat::Xes
    } else if text.starts_with(b"{") {
        LogFormat::Jsonl
    } else {
        LogFormat::Csv
    }
}

/// Refuses a head that is not text: a NUL byte anywhere in it, or a first line that is not UTF-8
/// (a line cut off at the end of the head may end in part of a character).
fn expect_text(head: &[u8]) -> Result<(), String> {
    if let Some(at) = memchr::memchr(0, head) {
        return Err(format!("it is not a text log: byte {at} is a NUL (binary, or UTF-16?)"));
    }
    let line_end = memchr::memchr2(b'\n', b'\r', head);
    let first_line = &head[..line_end.unwrap_or(head.len())];
    match std::str::from_utf8(first_line) {
        Ok(_) => Ok(()),
        Err(error) if error.error_len().is_none() && line_end.is_none() => Ok(()),
        Err(error) => Err(format!(
            "its first line is not UTF-8 text (byte {} is 0x{:02x}); save the log as UTF-8",
            error.valid_up_to(),
            first_line[error.valid_up_to()]
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_under_gz_names_the_format() {
        let format = |name: &str| format_from_name(Path::new(name));
        assert_eq!(format("log.XES.gz"), (true, Some(LogFormat::Xes)));
        assert_eq!(format("log.csv"), (false, Some(LogFormat::Csv)));
        assert_eq!(format("log.ndjson.gz"), (true, Some(LogFormat::Jsonl)));
        assert_eq!(format("log.gz"), (true, None));
        assert_eq!(format("log.txt"), (false, None));
    }

    #[test]
    fn the_content_names_the_format_when_the_name_does_not() {
        assert_eq!(format_from_content(b"\xef\xbb\xbf  <?xml version=\"1.0\"?>"), LogFormat::Xes);
        assert_eq!(format_from_content(b"\n<log xes.version=\"1.0\">"), LogFormat::Xes);
        assert_eq!(format_from_content(b" {\"case_id\": 1}"), LogFormat::Jsonl);
        assert_eq!(format_from_content(b"case_id,activity"), LogFormat::Csv);
        assert_eq!(format_from_content(b""), LogFormat::Csv);
    }

    #[test]
    fn binary_and_a_first_line_not_utf8_are_refused() {
        assert_eq!(expect_text(b"a,b\n\xff,ok\n"), Ok(()));
        // A character cut off by the end of the head.
        assert_eq!(expect_text("案件".as_bytes().split_last().unwrap().1), Ok(()));
        assert_eq!(
            expect_text(b"ELF\x02\x01\x00"),
            Err("it is not a text log: byte 5 is a NUL (binary, or UTF-16?)".to_owned())
        );
        assert_eq!(
            expect_text(b"case\xb0\xb8,b\n"),
            Err("its first line is not UTF-8 text (byte 4 is 0xb0); save the log as UTF-8".to_owned())
        );
    }
}
