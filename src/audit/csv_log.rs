//! `CsvLog`: an event log in CSV, read record by record (memory does not grow with the file).
//! UTF-8 with or without a BOM, CRLF or LF, RFC 4180 quoting; a record that cannot be read is
//! reported with its row and reading goes on.

use std::io::Read;

use super::log_event::{ColumnIndexes, LogColumns, LogEvent, UnreadableRow};

/// The rows of a CSV log.
pub struct CsvLog<R: Read> {
    reader: csv::Reader<R>,
    columns: ColumnIndexes,
    record: csv::ByteRecord,
    row: u64,
    failed: bool,
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
        Ok(CsvLog { reader, columns, record: csv::ByteRecord::new(), row: 0, failed: false })
    }

    fn event(&self) -> Result<LogEvent, UnreadableRow> {
        let row = self.row;
        let unreadable = |case_id: Option<&str>, message: String| UnreadableRow {
            row,
            case_id: case_id.map(str::to_owned),
            message,
        };
        let field = |index: usize| -> Result<Option<&str>, UnreadableRow> {
            match self.record.get(index) {
                None => Ok(None),
                Some(bytes) => std::str::from_utf8(bytes)
                    .map(|text| Some(text.trim()).filter(|text| !text.is_empty()))
                    .map_err(|_| unreadable(None, format!("field {} is not UTF-8 text", index + 1))),
            }
        };
        let case_id = field(self.columns.case_id)?
            .ok_or_else(|| unreadable(None, "the row has no case id".to_owned()))?
            .to_owned();
        let activity = field(self.columns.activity)?
            .ok_or_else(|| unreadable(Some(&case_id), "the row has no activity".to_owned()))?
            .to_owned();
        let timestamp = field(self.columns.timestamp)?
            .ok_or_else(|| unreadable(Some(&case_id), "the row has no timestamp".to_owned()))?
            .to_owned();
        let optional = |index: Option<usize>| -> Result<Option<String>, UnreadableRow> {
            Ok(match index {
                Some(index) => field(index)?.map(str::to_owned),
                None => None,
            })
        };
        let mut attributes = Vec::new();
        for (index, attribute) in &self.columns.attributes {
            if let Some(value) = field(*index)? {
                attributes.push((attribute.clone(), value.to_owned()));
            }
        }
        Ok(LogEvent {
            row,
            case_id,
            activity,
            timestamp,
            role: optional(self.columns.role)?,
            resource: optional(self.columns.resource)?,
            workflow: optional(self.columns.workflow)?,
            attributes,
        })
    }
}

impl<R: Read> Iterator for CsvLog<R> {
    type Item = Result<LogEvent, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.row += 1;
                Some(self.event())
            }
            Err(error) => {
                self.row += 1;
                // An I/O error ends the file; anything else is this record's problem.
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    self.failed = true;
                }
                Some(Err(UnreadableRow { row: self.row, case_id: None, message: error.to_string() }))
            }
        }
    }
}
