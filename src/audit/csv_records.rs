//! `CsvRecords`: the records of a CSV log, split exactly as the `csv` crate splits them (RFC 4180
//! quoting; CR, LF or CRLF ends a record; blank lines are skipped; a UTF-8 BOM before the first
//! record is dropped), but cheaply on the lines most logs are made of. A line with no quote is
//! split at its commas eight bytes at a time, whether it ends in LF, CRLF or a lone CR; only the
//! first record and lines with a quote go through `csv_core`'s state machine, which may run them
//! over several lines. Quotes and carriage returns are looked for across the block, not line by
//! line (most blocks have none, or only at line ends), and a line feed only up to the next of
//! them, so each byte is looked at about once however the lines end (a search per line to the
//! end of the block made lone-CR logs quadratic).
//!
//! Each record knows the line it starts on, as an editor numbers lines: LF, CRLF and a lone CR
//! each end one line, and a quoted field over several lines moves the next record down as many.
//!
//! The input is read in blocks of whole lines. A block that is all UTF-8 is checked once and
//! kept as a `String`, so its lines are text without a check of their own.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

use super::line_count::LineCount;
use super::log_event::LOG_RECORD_BYTES_MAX;

/// Bytes read from the input at a time (a block grows only for a longer line).
const BLOCK_BYTES: usize = 1 << 18;

/// A reader of CSV records.
pub(crate) struct CsvRecords<R> {
    input: R,
    block_bytes: usize,
    /// Whole lines read and not yet all split, from `start` on.
    block: Block,
    start: usize,
    /// The first quote or carriage return in the block at or after `start` when it was looked
    /// for (the block's length when there is none); `None` in a new block.
    special: Option<usize>,
    /// Line breaks read so far.
    lines: LineCount,
    /// The line the current record starts on, from 1.
    record_line: u64,
    /// What was read after the block's last line break: the start of a line still being read.
    tail: Vec<u8>,
    /// The input has ended (or failed).
    eof: bool,
    /// The error that ended the input, returned once the lines read before it are split.
    error: Option<io::Error>,
    core: csv_core::Reader,
    /// Whether `core` has read the first record (the header: it drops a BOM before it).
    core_started: bool,
    /// Where the current record's bytes are.
    current: Current,
    /// A record `core` read: its fields' bytes one after another, and where each field ends.
    parsed: Vec<u8>,
    parsed_ends: Vec<usize>,
    /// The current record's fields, as ranges of its bytes.
    fields: Vec<(usize, usize)>,
}

/// Lines of the input: text when all of them are UTF-8.
enum Block {
    Text(String),
    Bytes(Vec<u8>),
}

#[derive(Clone, Copy)]
enum Current {
    /// `block[start..end]`.
    Line { start: usize, end: usize },
    /// `parsed[..len]`.
    Parsed { len: usize },
}

/// One record, borrowed from its reader.
pub(crate) struct Record<'r> {
    bytes: &'r [u8],
    fields: &'r [(usize, usize)],
    /// The whole record as text, when all of it is UTF-8.
    text: Option<&'r str>,
    /// Whether the record is one line split at its commas (then each field of `text` is text).
    line: bool,
    /// The line it starts on, from 1.
    start_line: u64,
}

impl<R: Read> CsvRecords<R> {
    pub(crate) fn new(input: R) -> CsvRecords<R> {
        CsvRecords::with_block_bytes(input, BLOCK_BYTES)
    }

    /// A reader that reads about `block_bytes` at a time (small ones test the seams).
    fn with_block_bytes(input: R, block_bytes: usize) -> CsvRecords<R> {
        CsvRecords {
            block_bytes: block_bytes.max(1),
            input,
            block: Block::Bytes(Vec::new()),
            start: 0,
            special: None,
            lines: LineCount::default(),
            record_line: 0,
            tail: Vec::new(),
            eof: false,
            error: None,
            core: csv_core::Reader::new(),
            core_started: false,
            current: Current::Parsed { len: 0 },
            parsed: vec![0; 1024],
            parsed_ends: vec![0; 32],
            fields: Vec::new(),
        }
    }

    /// The next record, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// The error that ended the input, after every whole line read before it. The line it
    /// interrupted is lost, and so is the rest of the input.
    pub(crate) fn read(&mut self) -> io::Result<Option<Record<'_>>> {
        let found = if self.core_started { self.read_line() } else { self.read_parsed() };
        if !found {
            return self.error.take().map_or(Ok(None), Err);
        }
        let start_line = self.record_line;
        Ok(Some(match self.current {
            Current::Line { start, end } => match &self.block {
                Block::Text(text) => {
                    let text = text.get(start..end).unwrap_or_default();
                    Record { bytes: text.as_bytes(), fields: &self.fields, text: Some(text), line: true, start_line }
                }
                Block::Bytes(bytes) => {
                    let bytes = bytes.get(start..end).unwrap_or_default();
                    let text = std::str::from_utf8(bytes).ok();
                    Record { bytes, fields: &self.fields, text, line: true, start_line }
                }
            },
            Current::Parsed { len } => {
                let bytes = &self.parsed[..len];
                Record { bytes, fields: &self.fields, text: std::str::from_utf8(bytes).ok(), line: false, start_line }
            }
        }))
    }

    /// The line after the last line break read (where an error that ends the input is).
    pub(crate) fn next_line(&self) -> u64 {
        self.lines.breaks + 1
    }

    /// Splits the next line at its commas when it needs no more; else hands it to `core`.
    fn read_line(&mut self) -> bool {
        loop {
            let block = self.block.bytes();
            let start = self.start;
            if start == block.len() {
                if !self.more_to_read() {
                    return false;
                }
                self.fill();
                continue;
            }
            if self.lines.after_cr() {
                self.lines.forget_cr();
                if block[start] == b'\n' {
                    // The LF of a CRLF whose CR ended the record `core` read last: counted with it.
                    self.start += 1;
                    continue;
                }
            }
            let special = match self.special {
                Some(special) if special >= start => special,
                _ => {
                    let special =
                        memchr::memchr2(b'"', b'\r', &block[start..]).map_or(block.len(), |offset| start + offset);
                    self.special = Some(special);
                    special
                }
            };
            // An LF is looked for only up to the quote or CR, so a log of lone-CR lines is not
            // searched to the end of its block for each line. A block holds whole lines (a CR is
            // never its last byte while more may follow), but for the last line of the input.
            let (end, next) = match memchr::memchr(b'\n', &block[start..special]) {
                Some(offset) => (start + offset, start + offset + 1),
                None if special == block.len() => (special, special),
                None if block[special] == b'"' => return self.read_parsed(),
                None => {
                    let crlf = block.get(special + 1) == Some(&b'\n');
                    (special, special + 1 + usize::from(crlf))
                }
            };
            let line_break = u64::from(next > end);
            self.start = next;
            if end == start {
                // A blank line: no record.
                self.lines.breaks += line_break;
                continue;
            }
            split_at_commas(&block[start..end], &mut self.fields);
            self.current = Current::Line { start, end };
            self.record_line = self.lines.breaks + 1;
            self.lines.breaks += line_break;
            return true;
        }
    }

    /// Reads one record with `core` from `start`, over as many lines as it takes.
    fn read_parsed(&mut self) -> bool {
        self.core_started = true;
        let (mut written, mut ended) = (0, 0);
        // Whether the record's first byte was read (`core` skips the blank lines before it).
        let mut started = false;
        // Bytes of a byte-order mark at the input's start still to be read: `core` drops them, so
        // they do not start the record (a first block holds a whole first line, so all of a mark).
        let (mut bom_left, mut bom_checked) = (0, false);
        loop {
            if self.start == self.block.bytes().len() && self.more_to_read() {
                self.fill();
                continue;
            }
            if !bom_checked {
                bom_checked = true;
                let at_start = self.lines.breaks == 0 && self.start == 0;
                if at_start && self.block.bytes().starts_with(&[0xef, 0xbb, 0xbf]) {
                    bom_left = 3;
                }
            }
            // Given nothing (only at the end of the input), `core` ends the record.
            let (result, read, wrote, ends) = self.core.read_record(
                &self.block.bytes()[self.start..],
                &mut self.parsed[written..],
                &mut self.parsed_ends[ended..],
            );
            let consumed = &self.block.bytes()[self.start..self.start + read];
            if started {
                self.lines.advance(consumed);
            } else {
                let bom = bom_left.min(read);
                bom_left -= bom;
                let blank = consumed[bom..]
                    .iter()
                    .position(|byte| !matches!(byte, b'\r' | b'\n'))
                    .map_or(read, |blank| bom + blank);
                self.lines.advance(&consumed[..blank]);
                if blank < read {
                    started = true;
                    self.record_line = self.lines.breaks + 1;
                }
                self.lines.advance(&consumed[blank..]);
            }
            self.start += read;
            written += wrote;
            ended += ends;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if self.parsed.len() >= LOG_RECORD_BYTES_MAX => {
                    // One quoted field can run over any number of lines: the record ends the input.
                    let message = format!("a record is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes");
                    self.error = Some(io::Error::new(io::ErrorKind::InvalidData, message));
                    self.eof = true;
                    self.tail.clear();
                    self.start = self.block.bytes().len();
                    return false;
                }
                ReadRecordResult::OutputFull => self.parsed.resize(self.parsed.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.parsed_ends.resize(self.parsed_ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    if !started {
                        self.record_line = self.lines.breaks + 1;
                    }
                    self.fields.clear();
                    let mut from = 0;
                    for end in &self.parsed_ends[..ended] {
                        self.fields.push((from, *end));
                        from = *end;
                    }
                    self.current = Current::Parsed { len: written };
                    return true;
                }
                ReadRecordResult::End => return false,
            }
        }
    }

    /// Whether there is input left after the block.
    fn more_to_read(&self) -> bool {
        !self.eof || !self.tail.is_empty()
    }

    /// Starts a new block (the old one is split): the tail, then more of the input up to its
    /// last line break (all of it at the end of the input). An error ends the input; the block
    /// keeps the whole lines read before it.
    fn fill(&mut self) {
        let mut bytes = match std::mem::replace(&mut self.block, Block::Bytes(Vec::new())) {
            Block::Text(text) => text.into_bytes(),
            Block::Bytes(bytes) => bytes,
        };
        bytes.clear();
        bytes.append(&mut self.tail);
        self.start = 0;
        self.special = None;
        let mut searched = 0;
        let cut = loop {
            if let Some(last) = memchr::memrchr2(b'\n', b'\r', &bytes[searched..]) {
                let at = searched + last;
                if bytes[at] == b'\n' || at + 1 < bytes.len() || self.eof {
                    break at + 1;
                }
                // A CR last in what was read: an LF may follow it, and a CRLF is not cut in two.
                if let Some(before) = memchr::memrchr2(b'\n', b'\r', &bytes[searched..at]) {
                    break searched + before + 1;
                }
            }
            if self.eof {
                break bytes.len();
            }
            if bytes.len() > LOG_RECORD_BYTES_MAX {
                // No line break in all of it: the line ends the input, unread.
                let message = format!("a line is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes");
                self.error = Some(io::Error::new(io::ErrorKind::InvalidData, message));
                self.eof = true;
                bytes.clear();
                break 0;
            }
            // Search again from a CR left last, as it may end a line yet.
            searched = match bytes.last() {
                Some(b'\r') => bytes.len() - 1,
                _ => bytes.len(),
            };
            let limit = self.block_bytes.max(bytes.len()) as u64;
            match (&mut self.input).take(limit).read_to_end(&mut bytes) {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(error) => {
                    self.eof = true;
                    self.error = Some(error);
                    // The line the error interrupted is dropped with the rest of the input.
                    let cut = memchr::memrchr2(b'\n', b'\r', &bytes).map_or(0, |last| last + 1);
                    bytes.truncate(cut);
                    break cut;
                }
            }
        };
        self.tail.extend_from_slice(&bytes[cut..]);
        bytes.truncate(cut);
        self.block = match String::from_utf8(bytes) {
            Ok(text) => Block::Text(text),
            Err(error) => Block::Bytes(error.into_bytes()),
        };
    }
}

/// Splits `line`, which has no quote and no carriage return, at its commas into `fields`, eight
/// bytes at a time.
fn split_at_commas(line: &[u8], fields: &mut Vec<(usize, usize)>) {
    fields.clear();
    let mut from = 0;
    let mut words = line.chunks_exact(8);
    let mut at = 0;
    let mut word = |bytes: [u8; 8], at: usize, fields: &mut Vec<(usize, usize)>| {
        let mut commas = zero_bytes(u64::from_le_bytes(bytes) ^ COMMAS);
        while commas != 0 {
            let comma = at + (commas.trailing_zeros() / 8) as usize;
            fields.push((from, comma));
            from = comma + 1;
            commas &= commas - 1;
        }
    };
    for chunk in words.by_ref() {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        word(bytes, at, fields);
        at += 8;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        // Padded with zero bytes, which match nothing.
        let mut bytes = [0; 8];
        bytes[..rest.len()].copy_from_slice(rest);
        word(bytes, at, fields);
    }
    fields.push((from, line.len()));
}

const COMMAS: u64 = u64::from_le_bytes([b','; 8]);

/// `0x80` in each byte of the result where `word`'s byte is zero, `0x00` elsewhere (exact:
/// nothing carries from one byte to the next).
fn zero_bytes(word: u64) -> u64 {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((word & LOW_SEVEN) + LOW_SEVEN) | word | LOW_SEVEN)
}

impl Block {
    fn bytes(&self) -> &[u8] {
        match self {
            Block::Text(text) => text.as_bytes(),
            Block::Bytes(bytes) => bytes,
        }
    }
}

impl<'r> Record<'r> {
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `index`'s bytes.
    pub(crate) fn get(&self, index: usize) -> Option<&'r [u8]> {
        let (start, end) = *self.fields.get(index)?;
        self.bytes.get(start..end)
    }

    /// Field `index`'s range in the record's bytes.
    pub(crate) fn range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        self.fields.get(index).map(|(start, end)| *start..*end)
    }

    /// The whole record as text, when all of it is UTF-8 (its fields are ranges of it).
    pub(crate) fn text(&self) -> Option<&'r str> {
        self.text
    }

    /// The line of the input the record starts on, from 1 (LF, CRLF and a lone CR end a line).
    pub(crate) fn start_line(&self) -> u64 {
        self.start_line
    }

    /// The whole record as text, when it is one line split at its commas: then each field is
    /// text of its own (a comma is never inside a character), and its ranges are where the
    /// field is in the text.
    pub(crate) fn line(&self) -> Option<&'r str> {
        self.text.filter(|_| self.line)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::CsvRecords;

    /// Every record's fields, as the `csv` crate reads them (flexible, no header).
    fn by_csv(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut records = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            records.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        records
    }

    /// Every record's fields, as `CsvRecords` reads them through blocks of `block_bytes`;
    /// checks on the way that a record's text, when it has one, holds its fields.
    fn by_records(input: impl std::io::Read, block_bytes: usize) -> std::io::Result<Vec<Vec<Vec<u8>>>> {
        let mut reader = CsvRecords::with_block_bytes(input, block_bytes);
        let mut records = Vec::new();
        while let Some(record) = reader.read()? {
            let fields: Vec<Vec<u8>> = (0..record.len()).map(|index| record.get(index).unwrap().to_vec()).collect();
            if let Some(text) = record.text() {
                for (index, field) in fields.iter().enumerate() {
                    assert_eq!(&text.as_bytes()[record.range(index).unwrap()], &field[..]);
                }
            }
            if let Some(line) = record.line() {
                for index in 0..record.len() {
                    assert!(line.get(record.range(index).unwrap()).is_some(), "field {index} of {line:?} is not text");
                }
            }
            records.push(fields);
        }
        Ok(records)
    }

    /// The line each record starts on, as `CsvRecords` reads them through blocks of `block_bytes`.
    fn lines_by_records(input: impl std::io::Read, block_bytes: usize) -> Vec<u64> {
        let mut reader = CsvRecords::with_block_bytes(input, block_bytes);
        let mut lines = Vec::new();
        while let Some(record) = reader.read().unwrap() {
            lines.push(record.start_line());
        }
        lines
    }

    /// The line each record starts on, the slow and plain way: a leading byte-order mark dropped,
    /// every line break made an LF, then
    /// `csv_core`'s quoting followed byte by byte (a quote opens a quoted field only first in a
    /// field; `""` inside is a quote; after the closing quote the field goes on unquoted).
    fn lines_by_hand(bytes: &[u8]) -> Vec<u64> {
        // A byte-order mark at the start is no text of the first line (the `csv` crate drops it).
        let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
        let mut normal = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            match (bytes[index], bytes.get(index + 1)) {
                (b'\r', Some(b'\n')) => index += 1,
                (b'\r', _) => {
                    normal.push(b'\n');
                    index += 1;
                    continue;
                }
                _ => {}
            }
            normal.push(bytes[index]);
            index += 1;
        }
        let (mut lines, mut line) = (Vec::new(), 1);
        let (mut in_record, mut field_start, mut quoted, mut quote_seen) = (false, true, false, false);
        for byte in normal {
            if quoted {
                match (byte, quote_seen) {
                    (b'"', false) => quote_seen = true,
                    (b'"', true) => quote_seen = false,
                    (_, true) => quoted = false,
                    _ => {}
                }
                if quoted {
                    line += u64::from(byte == b'\n');
                    continue;
                }
            }
            match byte {
                b'\n' => {
                    line += 1;
                    (in_record, field_start) = (false, true);
                }
                _ if !in_record => {
                    lines.push(line);
                    in_record = true;
                    (quoted, quote_seen, field_start) = (byte == b'"', false, byte == b',');
                }
                b',' => field_start = true,
                b'"' if field_start => (quoted, quote_seen, field_start) = (true, false, false),
                _ => field_start = false,
            }
        }
        lines
    }

    #[test]
    fn records_know_the_line_they_start_on() {
        let cases: [(&[u8], &[u64]); 7] = [
            (b"h\na\nb\n", &[1, 2, 3]),
            (b"h\r\na\r\n\r\nb", &[1, 2, 4]),
            (b"h\ra\r\rb\r", &[1, 2, 4]),
            (b"\n\nh\na,\"two\nlines\"\nb\n", &[3, 4, 6]),
            (b"h\na,\"cr\rcrlf\r\nlf\nend\"\r\nb\r", &[1, 2, 6]),
            (b"h\r\n\"q\"\r\n\r\nb\r\n", &[1, 2, 4]),
            (b"\xef\xbb\xbfh\n\n\na", &[1, 4]),
        ];
        for (bytes, expected) in cases {
            assert_eq!(lines_by_hand(bytes), expected, "{bytes:?} by hand");
            for block_bytes in [1, 2, 3, 7, 64, super::BLOCK_BYTES] {
                assert_eq!(lines_by_records(bytes, block_bytes), expected, "{bytes:?} in blocks of {block_bytes}");
                let trickle = Trickle { bytes, step: 2 };
                assert_eq!(lines_by_records(trickle, block_bytes), expected, "{bytes:?} trickled");
            }
        }
    }

    #[test]
    fn lone_cr_crlf_and_lf_line_ends_read_alike() {
        let lf = "case_id,activity\nA,\"sub\nmit\"\n\nB,review\nC,\"a \"\"b\"\"\"\n".repeat(500);
        let lines = lines_by_hand(lf.as_bytes());
        assert_eq!(&lines[..6], [1, 2, 5, 6, 7, 8]);
        for line_end in ["\n", "\r\n", "\r"] {
            let other = lf.replace('\n', line_end);
            // The same records, but for the line break quoted in the second.
            let expected = by_csv(lf.replace("sub\nmit", "submit").as_bytes());
            let expected_line = format!("A,\"sub{line_end}mit\"");
            for block_bytes in [5, 4096] {
                let same = other.replace(&expected_line, "A,submit");
                assert_eq!(by_records(same.as_bytes(), block_bytes).unwrap(), expected, "{line_end:?}");
                assert_eq!(lines_by_records(other.as_bytes(), block_bytes), lines, "{line_end:?}");
            }
        }
    }

    /// Returns its bytes a few at a time, as a pipe may.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let count = self.step.min(buffer.len()).min(self.bytes.len());
            buffer[..count].copy_from_slice(&self.bytes[..count]);
            self.bytes = &self.bytes[count..];
            Ok(count)
        }
    }

    #[test]
    fn splits_as_the_csv_crate_does() {
        let cases: [&[u8]; 12] = [
            b"case_id,activity\nA,submit\nB,review\n",
            b"\xef\xbb\xbfcase_id,activity\r\nA,submit\r\n\r\nB,review",
            b"a,b\n\"q,1\",x\nc,\"line\nbreak\"\nd,e\n",
            b"a,b\rc,d\r\re,f\n",
            b"a,b\nab\"c,d\n\"\"\n,\n,,\n",
            b"h\n\xc3,\xa9\n\xff,ok\n\xe9\xbe\x99\xe5\xb2\x97,\xe5\x8d\x95\xe5\x85\x83\n",
            b"h\n  padded  , \t\n",
            b"",
            b"\n\n\r\n",
            b"h\nlast line without a break",
            b"h\n\"unterminated, quote\nnext,row\n",
            b"h\nx\r",
        ];
        for bytes in cases {
            for block_bytes in [1, 2, 3, 7, 64, super::BLOCK_BYTES] {
                assert_eq!(
                    by_records(bytes, block_bytes).unwrap(),
                    by_csv(bytes),
                    "{bytes:?} in blocks of {block_bytes}"
                );
                let trickle = Trickle { bytes, step: 3 };
                assert_eq!(by_records(trickle, block_bytes).unwrap(), by_csv(bytes), "{bytes:?} trickled");
            }
        }
    }

    #[test]
    fn a_line_longer_than_a_block_grows_it() {
        let long = format!("h\n{},{}\nnext,row\n", "x".repeat(5000), "y".repeat(3000));
        let records = by_records(long.as_bytes(), 64).unwrap();
        assert_eq!(records, by_csv(long.as_bytes()));
        assert_eq!(records[1][0].len(), 5000);
    }

    /// Fails after its bytes.
    struct Failing<'a>(&'a [u8]);

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let count = buffer.len().min(self.0.len());
            buffer[..count].copy_from_slice(&self.0[..count]);
            self.0 = &self.0[count..];
            Ok(count)
        }
    }

    #[test]
    fn an_error_comes_after_the_whole_lines_read_before_it() {
        let mut reader = CsvRecords::with_block_bytes(Failing(b"h\na,1\nb,2\nc,"), 4);
        let mut fields = Vec::new();
        let error = loop {
            match reader.read() {
                Ok(Some(record)) => fields.push(record.get(0).unwrap().to_vec()),
                Ok(None) => panic!("the input ended without its error"),
                Err(error) => break error,
            }
        };
        assert_eq!(fields, [b"h".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(error.to_string(), "the disk went away");
        assert!(matches!(reader.read(), Ok(None)));
    }

    #[test]
    fn a_line_or_record_beyond_the_limit_ends_the_input() {
        let limit = super::LOG_RECORD_BYTES_MAX;
        let zeros = [b"h\na,1\n".as_slice(), &vec![0; limit + 10]].concat();
        let quoted = [b"h\na,1\nb,\"".as_slice(), &b"x\n".repeat(limit)].concat();
        for (bytes, what) in [(zeros, "a line"), (quoted, "a record")] {
            let mut reader = CsvRecords::new(&bytes[..]);
            let mut fields = Vec::new();
            let error = loop {
                match reader.read() {
                    Ok(Some(record)) => fields.push(record.get(0).unwrap().to_vec()),
                    Ok(None) => panic!("{what}: the input ended without an error"),
                    Err(error) => break error,
                }
            };
            assert_eq!(fields, [b"h".to_vec(), b"a".to_vec()], "{what}");
            assert_eq!(error.to_string(), format!("{what} is longer than the limit of {limit} bytes"));
            assert!(matches!(reader.read(), Ok(None)), "{what}");
        }
    }

    /// A byte-order mark is no text of the first line: a blank first line after one moves the
    /// first record to line 2, however the input is cut (proptest found it in 1-byte blocks).
    #[test]
    fn a_blank_line_after_a_byte_order_mark_counts() {
        for bytes in [b"\xef\xbb\xbf\ra".as_slice(), b"\xef\xbb\xbf\r\na", b"\xef\xbb\xbf\na,b\nc"] {
            for block_bytes in [1, 2, 3, 64] {
                assert_eq!(lines_by_records(bytes, block_bytes), lines_by_hand(bytes), "{bytes:?} in {block_bytes}");
                assert_eq!(lines_by_records(bytes, block_bytes)[0], 2, "{bytes:?} in {block_bytes}");
            }
        }
    }

    /// Bytes rich in what CSV treats specially.
    fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop::sample::select(vec![
            b'a', b'b', b' ', b',', b',', b'"', b'"', b'\r', b'\n', b'\n', 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xff, 0xe9,
        ]);
        proptest::collection::vec(byte, 0..200)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any bytes, read in blocks of any size and trickled in: the records the `csv` crate
        /// reads, field for field.
        #[test]
        fn any_bytes_split_as_the_csv_crate_does(bytes in csv_bytes(), block_bytes in 1_usize..40, step in 1_usize..9) {
            let expected = by_csv(&bytes);
            prop_assert_eq!(&by_records(&bytes[..], block_bytes).unwrap(), &expected);
            prop_assert_eq!(&by_records(Trickle { bytes: &bytes, step }, block_bytes).unwrap(), &expected);
        }

        /// Any bytes: each record starts on the line an editor shows it on.
        #[test]
        fn any_bytes_give_the_lines_an_editor_shows(bytes in csv_bytes(), block_bytes in 1_usize..40, step in 1_usize..9) {
            let expected = lines_by_hand(&bytes);
            prop_assert_eq!(&lines_by_records(&bytes[..], block_bytes), &expected);
            prop_assert_eq!(&lines_by_records(Trickle { bytes: &bytes, step }, block_bytes), &expected);
        }
    }
}
