//! `CsvLog`: an event log in CSV, read record by record (memory does not grow with the file).
//! UTF-8 with or without a BOM, CRLF or LF, RFC 4180 quoting; a record that cannot be read is
//! reported with its row and reading goes on.

use std::io::Read;

use super::log_event::{ColumnIndexes, LogColumns, LogEvent, UnreadableRow};
use super::row_batch::{RowBatch, RowSource, RowSpans, shard_of};

/// The rows of a CSV log.
pub struct CsvLog<R: Read> {
    reader: csv::Reader<R>,
    columns: ColumnIndexes,
    record: csv::ByteRecord,
    row: u64,
    failed: bool,
    /// The batch `next` reads one row into.
    one: RowBatch,
}

impl<R: Read> CsvLog<R> {
    /// Reads the header and finds the fields in it.
    ///
    /// # Errors
    ///
    /// A message when the header cannot be read or lacks a case id, activity or timestamp column.
    pub fn new(input: R, columns: &LogColumns, attributes: &[&str]) -> Result<CsvLog<R>, String> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
        let header = reader.byte_headers().map_err(|error| format!("the header cannot be read: {error}"))?;
        let header: Vec<String> = header
            .iter()
            .map(|field| String::from_utf8_lossy(field).trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err("the log is empty: it has no header row".to_owned());
        }
        let columns = columns.locate(&header, attributes)?;
        Ok(CsvLog { reader, columns, record: csv::ByteRecord::new(), row: 0, failed: false, one: RowBatch::new() })
    }

    /// Reads the next record into the part of `parts` its case falls to, as row `position` of
    /// the whole batch; false at the end of the file.
    fn read_into_parts(&mut self, parts: &mut [RowBatch], position: u32) -> bool {
        if self.failed {
            return false;
        }
        let shards = parts.len();
        let part = match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return false,
            Ok(true) => {
                self.row += 1;
                // The whole record checked as UTF-8 at once; fields are then slices of it.
                let whole = std::str::from_utf8(self.record.as_slice()).ok();
                let case_id = field(&self.record, whole, self.columns.case_id).ok().flatten();
                let part = &mut parts[shard_of(case_id.unwrap_or_default(), shards)];
                let mark = part.mark();
                match self.event_into(part, whole) {
                    Ok(()) => part,
                    Err((case_id, message)) => {
                        part.rewind(mark);
                        let part = &mut parts[shard_of(case_id.as_deref().unwrap_or_default(), shards)];
                        part.push_unreadable(self.row, case_id.as_deref(), &message);
                        part
                    }
                }
            }
            Err(error) => {
                self.row += 1;
                // An I/O error ends the file; anything else is this record's problem.
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    self.failed = true;
                }
                let part = &mut parts[shard_of("", shards)];
                part.push_unreadable(self.row, None, &error.to_string());
                part
            }
        };
        part.push_position(position);
        true
    }

    /// Appends the record just read to `batch`, or says why it cannot be read (with its case
    /// id when it got that far).
    fn event_into(&self, batch: &mut RowBatch, whole: Option<&str>) -> Result<(), (Option<String>, String)> {
        let field = |index: usize| {
            field(&self.record, whole, index).map_err(|()| (None, format!("field {} is not UTF-8 text", index + 1)))
        };
        let case_id_text = field(self.columns.case_id)?.ok_or_else(|| (None, "the row has no case id".to_owned()))?;
        let missing = |what: &str| (Some(case_id_text.to_owned()), format!("the row has no {what}"));
        let activity = field(self.columns.activity)?.ok_or_else(|| missing("activity"))?;
        let timestamp = field(self.columns.timestamp)?.ok_or_else(|| missing("timestamp"))?;
        let optional = |index: Option<usize>| match index {
            Some(index) => field(index),
            None => Ok(None),
        };
        let (role, resource, workflow) =
            (optional(self.columns.role)?, optional(self.columns.resource)?, optional(self.columns.workflow)?);
        let case_id = batch.text(case_id_text);
        let spans = RowSpans {
            activity: batch.text(activity),
            timestamp: batch.text(timestamp),
            role: role.map(|role| batch.text(role)),
            resource: resource.map(|resource| batch.text(resource)),
            workflow: workflow.map(|workflow| batch.text(workflow)),
        };
        let first_cell = batch.cell_count();
        for (index, attribute) in &self.columns.attributes {
            if let Some(value) = field(*index)? {
                let value = batch.text(value);
                batch.cell(attribute, value);
            }
        }
        batch.push_spans(self.row, case_id, spans, first_cell);
        Ok(())
    }
}

/// Field `index` of `record`, trimmed, `None` when absent or blank; `Err` when it is not UTF-8.
/// `whole` is the record's text when all of it is UTF-8: the field is then a slice of it (on
/// character boundaries, or it is not text of its own), else the field is checked alone.
fn field<'r>(record: &'r csv::ByteRecord, whole: Option<&'r str>, index: usize) -> Result<Option<&'r str>, ()> {
    let text = match whole {
        Some(whole) => match record.range(index) {
            None => return Ok(None),
            Some(range) => whole.get(range).ok_or(())?,
        },
        None => match record.get(index) {
            None => return Ok(None),
            Some(bytes) => std::str::from_utf8(bytes).map_err(|_| ())?,
        },
    };
    Ok(Some(trimmed(text)).filter(|text| !text.is_empty()))
}

/// `text` without surrounding whitespace; a field that starts and ends with a printable ASCII
/// character (most do) is returned as it is, without the Unicode whitespace walk.
fn trimmed(text: &str) -> &str {
    let printable = |byte: Option<&u8>| byte.is_some_and(|byte| (0x21..0x7f).contains(byte));
    if printable(text.as_bytes().first()) && printable(text.as_bytes().last()) { text } else { text.trim() }
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
