//! `JsonLinesLog`: an event log with one JSON object per line, with the same field names as a
//! CSV log. Blank lines are skipped; a line that is not an object is reported with its number.

use std::io::{BufRead, Read as _};

use serde_json::{Map, Value as Json};

use super::log_event::{LOG_RECORD_BYTES_MAX, LogColumns, LogEvent, UnreadableRow};

/// The rows of a JSON Lines log.
pub struct JsonLinesLog<R: BufRead> {
    input: R,
    columns: LogColumns,
    attributes: Vec<String>,
    line: Vec<u8>,
    row: u64,
    failed: bool,
}

impl<R: BufRead> JsonLinesLog<R> {
    /// A reader over `input`; attribute fields are those the mapping names and any named after
    /// one of `attributes` (also as `case:<name>`).
    pub fn new(input: R, columns: &LogColumns, attributes: &[&str]) -> JsonLinesLog<R> {
        JsonLinesLog {
            input,
            columns: columns.clone(),
            attributes: attributes.iter().map(|name| (*name).to_owned()).collect(),
            line: Vec::new(),
            row: 0,
            failed: false,
        }
    }

    fn event(&self, text: &str) -> Result<LogEvent, UnreadableRow> {
        let row = self.row;
        let unreadable = |case_id: Option<&str>, message: String| UnreadableRow {
            row,
            case_id: case_id.map(str::to_owned),
            message,
        };
        let object: Map<String, Json> = match serde_json::from_str(text) {
            Ok(Json::Object(object)) => object,
            Ok(_) => return Err(unreadable(None, "the line is not a JSON object".to_owned())),
            Err(error) => return Err(unreadable(None, format!("the line is not JSON: {error}"))),
        };
        let field = |names: &[String]| -> Option<String> {
            names.iter().find_map(|name| {
                object
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .and_then(|(_, value)| scalar(value))
                    .filter(|text| !self.columns.is_missing(text))
            })
        };
        let case_id =
            field(&self.columns.case_id).ok_or_else(|| unreadable(None, "the line has no case id".to_owned()))?;
        let activity = field(&self.columns.activity)
            .ok_or_else(|| unreadable(Some(&case_id), "the line has no activity".to_owned()))?;
        let timestamp = field(&self.columns.timestamp)
            .ok_or_else(|| unreadable(Some(&case_id), "the line has no timestamp".to_owned()))?;
        let mut attributes = Vec::new();
        for (key, value) in &object {
            let attribute =
                self.columns.attributes.iter().find(|(column, _)| column == key).map(|(_, name)| name.clone()).or_else(
                    || {
                        self.attributes
                            .iter()
                            .find(|name| key == *name || key.strip_prefix("case:") == Some(name.as_str()))
                            .cloned()
                    },
                );
            if let (Some(attribute), Some(value)) =
                (attribute, scalar(value).filter(|text| !self.columns.is_missing(text)))
            {
                attributes.push((attribute, value));
            }
        }
        Ok(LogEvent {
            row,
            case_id,
            activity,
            timestamp,
            role: field(&self.columns.role),
            resource: field(&self.columns.resource),
            workflow: field(&self.columns.workflow),
            lifecycle: field(&self.columns.lifecycle),
            opened_at: field(&self.columns.opened_at),
            attributes,
        })
    }
}

impl<R: BufRead> JsonLinesLog<R> {}

/// A string, number or boolean as text; `None` for anything else.
fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(text) => Some(text.trim().to_owned()),
        Json::Number(number) => Some(number.to_string()),
        Json::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

impl<R: BufRead> Iterator for JsonLinesLog<R> {
    type Item = Result<LogEvent, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            self.line.clear();
            self.row += 1;
            let unreadable = |row, message: String| Some(Err(UnreadableRow { row, case_id: None, message }));
            // One byte past the limit tells a line that is too long from one that is not.
            let limit = LOG_RECORD_BYTES_MAX as u64 + 1;
            match (&mut self.input).take(limit).read_until(b'\n', &mut self.line) {
                Ok(0) => return None,
                Ok(_) if self.line.len() > LOG_RECORD_BYTES_MAX => {
                    // The rest of the line is not read: it could go on forever.
                    self.failed = true;
                    let message = format!("the line is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes");
                    return unreadable(self.row, message);
                }
                Ok(_) => {
                    // Invalid UTF-8 loses the line, not the file.
                    let Ok(text) = std::str::from_utf8(&self.line) else {
                        return unreadable(self.row, "the line is not UTF-8 text".to_owned());
                    };
                    let text = text.trim().trim_start_matches('\u{feff}');
                    if text.is_empty() {
                        continue;
                    }
                    return Some(self.event(text));
                }
                Err(error) => {
                    // A read error ends the file.
                    self.failed = true;
                    return unreadable(self.row, error.to_string());
                }
            }
        }
        None
    }
}
