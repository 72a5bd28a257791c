//! `CsvLog`: an event log in CSV, read record by record (memory does not grow with the file).
//! UTF-8 with or without a BOM, LF, CRLF or lone-CR line ends, RFC 4180 quoting; a record that
//! cannot be read is reported with its row (the line it starts on) and reading goes on.

use std::io::Read;

use super::csv_records::{CsvRecords, Record};
use super::log_event::{ColumnIndexes, LogColumns, LogEvent, UnreadableRow};
use super::log_row::{Span, trimmed_bounds, trimmed_range};
use super::row_batch::{RowBatch, RowSource, RowSpans, shard_of};

/// The rows of a CSV log.
pub struct CsvLog<R: Read> {
    records: CsvRecords<R>,
    columns: ColumnIndexes,
    row: u64,
    failed: bool,
    /// The batch `next` reads one row into.
    one: RowBatch,
}

/// Why a record cannot be a row: its case id when it got that far, and the reason.
type Unreadable = (Option<String>, String);

impl<R: Read> CsvLog<R> {
    /// Reads the header and finds the fields in it.
    ///
    /// # Errors
    ///
    /// A message when the header cannot be read or lacks a case id, activity or timestamp column.
    pub fn new(input: R, columns: &LogColumns, attributes: &[&str]) -> Result<CsvLog<R>, String> {
        let mut records = CsvRecords::new(input);
        let header: Vec<String> = match records.read() {
            Ok(Some(header)) => (0..header.len())
                .map(|index| {
                    let name = String::from_utf8_lossy(header.get(index).unwrap_or_default());
                    name.trim_start_matches('\u{feff}').trim().to_owned()
                })
                .collect(),
            Ok(None) => Vec::new(),
            Err(error) => return Err(format!("the header cannot be read: {error}")),
        };
        if header.iter().all(String::is_empty) {
            return Err("the log is empty: it has no header row".to_owned());
        }
        let columns = columns.locate(&header, attributes)?;
        Ok(CsvLog { records, columns, row: 0, failed: false, one: RowBatch::new() })
    }

    /// Reads the next record into the part of `parts` its case falls to, as row `position` of
    /// the whole batch; false at the end of the file.
    fn read_into_parts(&mut self, parts: &mut [RowBatch], position: u32) -> bool {
        if self.failed {
            return false;
        }
        let shards = parts.len();
        let part = match self.records.read() {
            Ok(None) => return false,
            Ok(Some(record)) => {
                self.row = record.start_line();
                let read = match record.line() {
                    Some(line) if self.columns.missing.is_empty() => {
                        line_into::<false>(&self.columns, self.row, line, &record, parts)
                    }
                    Some(line) => line_into::<true>(&self.columns, self.row, line, &record, parts),
                    None => record_into(&self.columns, self.row, &record, parts),
                };
                match read {
                    Ok(shard) => &mut parts[shard],
                    Err((case_id, message)) => {
                        let part = &mut parts[shard_of(case_id.as_deref().unwrap_or_default(), shards)];
                        part.push_unreadable(self.row, case_id.as_deref(), &message);
                        part
                    }
                }
            }
            Err(error) => {
                // An I/O error ends the file, on the line it interrupted.
                self.row = self.records.next_line();
                self.failed = true;
                let part = &mut parts[shard_of("", shards)];
                part.push_unreadable(self.row, None, &error.to_string());
                part
            }
        };
        part.push_position(position);
        true
    }
}

/// Appends `record`, one line split at its commas (`line` is its text), to the part of `parts`
/// its case falls to, as row `row`: the line is copied once, and its fields are spans of the
/// copy. The part's index, or why the line cannot be a row (then nothing was appended).
///
/// `PLACEHOLDERS` when some cells mean "no value" (`columns.missing`): the loop most logs run
/// is compiled without the check (with it, a closure per field was no longer inlined: 13 %
/// slower).
fn line_into<const PLACEHOLDERS: bool>(
    columns: &ColumnIndexes,
    row: u64,
    line: &str,
    record: &Record<'_>,
    parts: &mut [RowBatch],
) -> Result<usize, Unreadable> {
    let field = |index: usize| {
        let range = record.range(index)?;
        trimmed_range(line, range)
            .filter(|&(from, to)| from != to && !(PLACEHOLDERS && columns.is_missing(&line[from..to])))
    };
    let case = field(columns.case_id).ok_or_else(|| (None, "the row has no case id".to_owned()))?;
    let case_id = &line[case.0..case.1];
    let missing = |what: &str| (Some(case_id.to_owned()), format!("the row has no {what}"));
    let activity = field(columns.activity).ok_or_else(|| missing("activity"))?;
    let timestamp = field(columns.timestamp).ok_or_else(|| missing("timestamp"))?;
    let shard = shard_of(case_id, parts.len());
    let part = &mut parts[shard];
    let base = part.text(line).start;
    let at = |offset: usize| base.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
    let span = |(from, to): (usize, usize)| Span { start: at(from), end: at(to) };
    let optional = |index: Option<usize>| index.and_then(field).map(span);
    let spans = RowSpans {
        activity: span(activity),
        timestamp: span(timestamp),
        role: optional(columns.role),
        resource: optional(columns.resource),
        workflow: optional(columns.workflow),
        lifecycle: optional(columns.lifecycle),
        opened_at: optional(columns.opened_at),
    };
    let first_cell = part.cell_count();
    for (slot, (index, attribute)) in columns.attributes.iter().enumerate() {
        if let Some(value) = field(*index) {
            part.cell_named(slot, attribute, span(value));
        }
    }
    part.push_spans(row, span(case), spans, first_cell);
    Ok(shard)
}

/// Appends `record`, which `csv_core` read or which is not all text, to the part of `parts` its
/// case falls to, as row `row`. The part's index, or why the record cannot be a row (then
/// nothing was appended).
fn record_into(
    columns: &ColumnIndexes,
    row: u64,
    record: &Record<'_>,
    parts: &mut [RowBatch],
) -> Result<usize, Unreadable> {
    let case = trimmed_field(record, columns.case_id, columns);
    let case_id = case.ok().flatten().map_or("", |(_, text)| text);
    let shard = shard_of(case_id, parts.len());
    let part = &mut parts[shard];
    let mark = part.mark();
    event_into(columns, row, record, case, part).inspect_err(|_| part.rewind(mark))?;
    Ok(shard)
}

/// Appends `record` to `batch` as row `row`, or says why it cannot be read (with its case id
/// when it got that far); `case` is its case id field (`trimmed_field`). A record that is all
/// text is copied whole, once, and its fields are spans of the copy; otherwise each field used
/// is checked and copied alone.
fn event_into(
    columns: &ColumnIndexes,
    row: u64,
    record: &Record<'_>,
    case: Result<Option<(usize, &str)>, ()>,
    batch: &mut RowBatch,
) -> Result<(), Unreadable> {
    let base = record.text().map(|text| batch.text(text).start);
    let not_text = |index: usize| (None, format!("field {} is not UTF-8 text", index + 1));
    let field = |index: usize, batch: &mut RowBatch| {
        let field = trimmed_field(record, index, columns).map_err(|()| not_text(index))?;
        Ok(field.map(|field| field_span(field, base, batch)))
    };
    let case = case.map_err(|()| not_text(columns.case_id))?.map(|field| field_span(field, base, batch));
    let case_id = case.ok_or_else(|| (None, "the row has no case id".to_owned()))?;
    let missing =
        |what: &str, batch: &RowBatch| (Some(batch.span_text(case_id).to_owned()), format!("the row has no {what}"));
    let activity = field(columns.activity, batch)?.ok_or_else(|| missing("activity", batch))?;
    let timestamp = field(columns.timestamp, batch)?.ok_or_else(|| missing("timestamp", batch))?;
    let mut optional = |index: Option<usize>| match index {
        Some(index) => field(index, batch),
        None => Ok(None),
    };
    let spans = RowSpans {
        activity,
        timestamp,
        role: optional(columns.role)?,
        resource: optional(columns.resource)?,
        workflow: optional(columns.workflow)?,
        lifecycle: optional(columns.lifecycle)?,
        opened_at: optional(columns.opened_at)?,
    };
    let first_cell = batch.cell_count();
    for (slot, (index, attribute)) in columns.attributes.iter().enumerate() {
        if let Some(value) = field(*index, batch)? {
            batch.cell_named(slot, attribute, value);
        }
    }
    batch.push_spans(row, case_id, spans, first_cell);
    Ok(())
}

/// A field (`trimmed_field`: where it starts in the record, its text) as a span of `batch`'s
/// text. With `base`, the whole record is text and was copied to `base`: the field is a span of
/// the copy; otherwise the field alone is copied.
fn field_span((offset, text): (usize, &str), base: Option<u32>, batch: &mut RowBatch) -> Span {
    match base {
        Some(base) => {
            let at = |offset: usize| base.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
            Span { start: at(offset), end: at(offset + text.len()) }
        }
        None => batch.text(text),
    }
}

/// Field `index` of `record`, trimmed, with where it starts in the record's text; `None` when
/// absent, blank or a cell that means "no value" (`columns.missing`), `Err` when it is not
/// UTF-8. When the whole record is text the field is a slice of it (on character boundaries, or
/// it is not text of its own); otherwise the field is checked alone.
fn trimmed_field<'r>(
    record: &Record<'r>,
    index: usize,
    columns: &ColumnIndexes,
) -> Result<Option<(usize, &'r str)>, ()> {
    let (start, text) = match record.text() {
        Some(whole) => {
            let Some(range) = record.range(index) else { return Ok(None) };
            (range.start, whole.get(range).ok_or(())?)
        }
        None => {
            let Some(bytes) = record.get(index) else { return Ok(None) };
            (0, std::str::from_utf8(bytes).map_err(|_| ())?)
        }
    };
    let (from, to) = trimmed_bounds(text);
    Ok((from != to && !columns.is_missing(&text[from..to])).then(|| (start + from, &text[from..to])))
}

impl<R: Read> RowSource for CsvLog<R> {
    fn fill(&mut self, batch: &mut RowBatch, rows_max: usize) {
        for _ in 0..rows_max {
            let position = u32::try_from(batch.len()).unwrap_or(u32::MAX);
            if !self.read_into_parts(std::slice::from_mut(batch), position) {
                break;
            }
        }
    }

    /// Each record straight into its part: no copy through `staging`.
    fn fill_parts(&mut self, _staging: &mut RowBatch, parts: &mut [RowBatch], rows_max: usize) {
        parts.iter_mut().for_each(RowBatch::clear);
        if parts.is_empty() {
            return;
        }
        for position in 0..u32::try_from(rows_max).unwrap_or(u32::MAX) {
            if !self.read_into_parts(parts, position) {
                break;
            }
        }
    }
}

/// One row at a time, as `LogEvent`s (readers that want no batches; the audit reads batches).
impl<R: Read> Iterator for CsvLog<R> {
    type Item = Result<LogEvent, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut one = std::mem::take(&mut self.one);
        one.clear();
        self.fill(&mut one, 1);
        let row = (!one.is_empty()).then(|| one.view(0).to_owned_row());
        self.one = one;
        row
    }
}
