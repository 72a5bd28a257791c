//! Bulk modes: `calendar between --stdin` and `calendar add --stdin`.
//!
//! The contract other tools script against: one input line in, one output line out, in order.
//! A bad line stops the run with exit 2, naming the line number and its text; the lines before
//! it have been answered. Empty input gives empty output. Answers beyond the calendar's data
//! under `--beyond-data weekends-only` carry a tab and `provisional` after the value.
//!
//! Parsing and formatting are done by hand on bytes: the whole process must beat
//! `numpy.busday_count` on pre-parsed arrays, so I/O and parsing dominate, not the lookup.

use super::output::Output;
use std::io::{Read, Write};
use std::os::fd::AsFd;

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate};

use crate::core::calendar::{BeyondData, CalendarError, Period, PeriodUnit, Reckoned, Reckoner, parse_iso_ymd};

/// Largest input read from stdin, in bytes (about 45 million pairs).
pub(crate) const BULK_INPUT_BYTES_MAX: u64 = 1 << 30;

pub(crate) fn between(reckoner: &Reckoner<'_>, output: &Output) -> anyhow::Result<()> {
    let input = read_stdin()?;
    let calendar = reckoner.calendar();
    let strict = reckoner_is_strict(reckoner);
    // The common line, `YYYY-MM-DD YYYY-MM-DD\n`, goes straight to the day table; anything
    // else (other spacing, CRLF, errors, dates beyond the data) takes the general path below.
    let fast = |line: &[u8; FIXED_PAIR_BYTES], out: &mut Vec<u8>| {
        if !strict || !matches!(line[10], b' ' | b'\t' | b',') {
            return false;
        }
        let (Some(from), Some(to)) = (parse_iso_ymd(&line[..10]), parse_iso_ymd(&line[11..])) else { return false };
        let Some(count) = calendar.working_days_between_ymd(from, to) else { return false };
        push_integer(out, count);
        true
    };
    run_lines(&input, output, 8, fast, |line, out| {
        let (first, second) = split_pair(line).ok_or(LineError::Shape("two dates, YYYY-MM-DD"))?;
        let (from, to) = (parse_date(first)?, parse_date(second)?);
        let reckoned = if strict {
            Reckoned { value: calendar.working_days_between(from, to)?, provisional: false }
        } else {
            reckoner.working_days_between(from, to)?
        };
        push_integer(out, reckoned.value);
        push_provisional(out, reckoned.provisional);
        Ok(())
    })
}

pub(crate) fn add(reckoner: &Reckoner<'_>, unit: PeriodUnit, output: &Output) -> anyhow::Result<()> {
    let input = read_stdin()?;
    run_lines(
        &input,
        output,
        11,
        |_: &[u8; FIXED_PAIR_BYTES], _: &mut Vec<u8>| false,
        |line, out| {
            let (first, second) =
                split_pair(line).ok_or(LineError::Shape("a date and an amount, as in `2026-01-05 20`"))?;
            let start = parse_date(first)?;
            let amount = std::str::from_utf8(second)
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
                .ok_or(LineError::Shape("an integer amount after the date"))?;
            let reckoned = reckoner.period_end(start, Period::new(amount, unit))?;
            push_date(out, reckoned.value.end);
            push_provisional(out, reckoned.provisional);
            Ok(())
        },
    )
}

/// Under `Refuse` the calendar's own `working_days_between` is the same answer by a shorter path.
fn reckoner_is_strict(reckoner: &Reckoner<'_>) -> bool {
    reckoner.beyond_data() == BeyondData::Refuse
}

/// Length of `YYYY-MM-DD YYYY-MM-DD`.
const FIXED_PAIR_BYTES: usize = 21;

fn read_stdin() -> anyhow::Result<Vec<u8>> {
    // Size the buffer from the file behind stdin when there is one, to read without regrowing.
    let size_hint = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| std::fs::File::from(fd).metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map_or(0, |metadata| metadata.len().min(BULK_INPUT_BYTES_MAX) as usize);
    let mut input = Vec::with_capacity(size_hint + 1);
    std::io::stdin().lock().take(BULK_INPUT_BYTES_MAX + 1).read_to_end(&mut input).context("reading stdin")?;
    anyhow::ensure!(
        input.len() as u64 <= BULK_INPUT_BYTES_MAX,
        "stdin is beyond the limit of {BULK_INPUT_BYTES_MAX} bytes"
    );
    Ok(input)
}

/// Why one line could not be answered.
enum LineError {
    Shape(&'static str),
    Date,
    Calendar(CalendarError),
}

impl From<CalendarError> for LineError {
    fn from(error: CalendarError) -> LineError {
        LineError::Calendar(error)
    }
}

/// Inputs smaller than this are answered on one thread; thread start-up would cost more.
const PARALLEL_BYTES_MIN: usize = 1 << 20;
/// Most threads one bulk run uses.
const THREADS_MAX: usize = 8;

/// Answers every line, in order, and stops at the first bad line: the answers before it are
/// written, then the error names the line. `fast` may answer a line of exactly
/// `FIXED_PAIR_BYTES` bytes and return `true`; otherwise `answer` does, or says why it cannot.
/// Large inputs are cut at line boundaries and answered on several threads; the output is the
/// same byte for byte.
fn run_lines(
    input: &[u8],
    output: &Output,
    bytes_per_answer: usize,
    fast: impl Fn(&[u8; FIXED_PAIR_BYTES], &mut Vec<u8>) -> bool + Sync,
    answer: impl Fn(&[u8], &mut Vec<u8>) -> Result<(), LineError> + Sync,
) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(THREADS_MAX);
    let chunks =
        if input.len() >= PARALLEL_BYTES_MIN && threads > 1 { split_at_lines(input, threads) } else { vec![input] };
    let answered: Vec<Chunk> = if chunks.len() == 1 {
        vec![answer_chunk(input, bytes_per_answer, &fast, &answer)]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = chunks
                .iter()
                .map(|chunk| scope.spawn(|| answer_chunk(chunk, bytes_per_answer, &fast, &answer)))
                .collect();
            workers.into_iter().map(|worker| worker.join().expect("internal: a bulk worker panicked")).collect()
        })
    };
    let mut stdout = output.writer();
    let mut lines_before = 0;
    let mut failure = None;
    for chunk in answered {
        match stdout.write_all(&chunk.out) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            result => result.context("writing stdout")?,
        }
        if let Some((line_in_chunk, line, error)) = chunk.failure {
            failure = Some(describe(lines_before + line_in_chunk, &line, error));
            break;
        }
        lines_before += chunk.lines;
    }
    match stdout.flush() {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => return Err(error).context("writing stdout"),
        _ => {}
    }
    failure.map_or(Ok(()), Err)
}

/// One chunk's answers, how many lines it held, and its first bad line (number within the
/// chunk, text, reason).
struct Chunk {
    out: Vec<u8>,
    lines: usize,
    failure: Option<(usize, Vec<u8>, LineError)>,
}

/// Cuts `input` into about `parts` pieces, each ending just after a newline (or at the end).
fn split_at_lines(input: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::with_capacity(parts);
    let mut rest = input;
    for part in (1..parts).rev() {
        let target = rest.len() / (part + 1);
        let Some(newline) = rest[target..].iter().position(|byte| *byte == b'\n') else { break };
        let (chunk, tail) = rest.split_at(target + newline + 1);
        chunks.push(chunk);
        rest = tail;
    }
    if !rest.is_empty() || chunks.is_empty() {
        chunks.push(rest);
    }
    chunks
}

fn answer_chunk(
    input: &[u8],
    bytes_per_answer: usize,
    fast: &impl Fn(&[u8; FIXED_PAIR_BYTES], &mut Vec<u8>) -> bool,
    answer: &impl Fn(&[u8], &mut Vec<u8>) -> Result<(), LineError>,
) -> Chunk {
    let mut out = Vec::with_capacity(input.len() / 20 * bytes_per_answer + 64);
    let mut rest = input;
    let mut lines = 0_usize;
    while !rest.is_empty() {
        lines += 1;
        if let Some((line, [b'\n', tail @ ..])) = rest.split_first_chunk::<FIXED_PAIR_BYTES>()
            && fast(line, &mut out)
        {
            out.push(b'\n');
            rest = tail;
            continue;
        }
        let line_end = rest.iter().position(|byte| *byte == b'\n').unwrap_or(rest.len());
        let raw_line = &rest[..line_end];
        rest = rest.get(line_end + 1..).unwrap_or_default();
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if let Err(error) = answer(line, &mut out) {
            return Chunk { out, lines, failure: Some((lines, line.to_vec(), error)) };
        }
        out.push(b'\n');
    }
    Chunk { out, lines, failure: None }
}

fn describe(line_number: usize, line: &[u8], error: LineError) -> anyhow::Error {
    let text = String::from_utf8_lossy(line);
    let text: String = text.chars().take(120).collect();
    match error {
        LineError::Shape(expected) => anyhow::anyhow!("line {line_number}: `{text}` is not {expected}"),
        LineError::Date => anyhow::anyhow!("line {line_number}: `{text}` has a date that is not YYYY-MM-DD"),
        LineError::Calendar(error) => anyhow::anyhow!("line {line_number}: `{text}`: {error}"),
    }
}

/// Splits `A B` (space, tab or comma between, surrounding blanks ignored) into its two fields.
fn split_pair(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let is_blank = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = line.iter().position(|byte| !is_blank(byte))?;
    let line = &line[start..];
    let end = line.iter().rposition(|byte| !is_blank(byte))? + 1;
    let line = &line[..end];
    let first_end = line.iter().position(|byte| is_blank(byte) || *byte == b',')?;
    let mut rest = &line[first_end..];
    while let [first, tail @ ..] = rest {
        if is_blank(first) { rest = tail } else { break }
    }
    if let [b',', tail @ ..] = rest {
        rest = tail;
        while let [first, tail @ ..] = rest {
            if is_blank(first) { rest = tail } else { break }
        }
    }
    let second_is_single = !rest.is_empty() && !rest.iter().any(|byte| is_blank(byte) || *byte == b',');
    second_is_single.then_some((&line[..first_end], rest))
}

/// Parses `YYYY-MM-DD` from bytes without allocating.
fn parse_date(field: &[u8]) -> Result<NaiveDate, LineError> {
    let (year, month, day) = parse_iso_ymd(field).ok_or(LineError::Date)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(LineError::Date)
}

/// "00".."99": two digits per lookup.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends a decimal integer. Working-day counts over the data stay below 10,000, so that case
/// takes two table lookups; larger values take the general loop.
#[inline]
fn push_integer(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    let magnitude = value.unsigned_abs();
    let pair = |index: u64| &DIGIT_PAIRS[index as usize * 2..index as usize * 2 + 2];
    match magnitude {
        0..=9 => out.push(b'0' + magnitude as u8),
        10..=99 => out.extend_from_slice(pair(magnitude)),
        100..=999 => {
            out.push(b'0' + (magnitude / 100) as u8);
            out.extend_from_slice(pair(magnitude % 100));
        }
        1000..=9999 => {
            out.extend_from_slice(pair(magnitude / 100));
            out.extend_from_slice(pair(magnitude % 100));
        }
        _ => {
            let mut digits = [0_u8; 20];
            let mut position = digits.len();
            let mut rest = magnitude;
            while rest > 0 {
                position -= 1;
                digits[position] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            out.extend_from_slice(&digits[position..]);
        }
    }
}

fn push_date(out: &mut Vec<u8>, date: NaiveDate) {
    let year = date.year();
    if (0..=9999).contains(&year) {
        let year = year as u32;
        let (month, day) = (date.month(), date.day());
        let digits =
            [year / 1000, year / 100 % 10, year / 10 % 10, year % 10, 0, month / 10, month % 10, 0, day / 10, day % 10];
        for (index, digit) in digits.into_iter().enumerate() {
            out.push(if index == 4 || index == 7 { b'-' } else { b'0' + digit as u8 });
        }
    } else {
        out.extend_from_slice(date.to_string().as_bytes());
    }
}

fn push_provisional(out: &mut Vec<u8>, provisional: bool) {
    if provisional {
        out.extend_from_slice(b"\tprovisional");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pairs() {
        let split = |text: &str| {
            split_pair(text.as_bytes())
                .map(|(a, b)| (String::from_utf8_lossy(a).into_owned(), String::from_utf8_lossy(b).into_owned()))
        };
        let pair = Some(("2026-01-01".to_owned(), "2026-02-01".to_owned()));
        assert_eq!(split("2026-01-01 2026-02-01"), pair);
        assert_eq!(split("2026-01-01\t2026-02-01"), pair);
        assert_eq!(split("2026-01-01,2026-02-01"), pair);
        assert_eq!(split(" 2026-01-01 ,  2026-02-01 "), pair);
        assert_eq!(split("2026-01-01"), None);
        assert_eq!(split("2026-01-01 2026-02-01 x"), None);
        assert_eq!(split(""), None);
    }

    #[test]
    fn splits_at_line_boundaries() {
        let input = b"aa\nbbbb\nc\ndddddd\ne\n";
        for parts in 1..6 {
            let chunks = split_at_lines(input, parts);
            assert_eq!(chunks.concat(), input.to_vec(), "{parts} parts");
            assert!(chunks.iter().all(|chunk| chunk.ends_with(b"\n")), "{parts} parts: {chunks:?}");
        }
    }

    #[test]
    fn formats_numbers_and_dates() {
        let mut out = Vec::new();
        push_integer(&mut out, -1234);
        out.push(b' ');
        push_integer(&mut out, 0);
        out.push(b' ');
        for value in [7, 42, 305, 5812, 10_000, -99_999, i64::MIN] {
            push_integer(&mut out, value);
            out.push(b' ');
        }
        push_date(&mut out, NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-1234 0 7 42 305 5812 10000 -99999 -9223372036854775808 2026-03-09"
        );
    }
}
