//! `LogEvent`: one row of an event log, as the log wrote it (names not yet resolved), and
//! `LogColumns`, which column of the log holds which field and which cells mean "no value".

use std::fmt::Write as _;

use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::core::suggest::nearest;

/// Longest line or record of a log, in bytes: the readers refuse a longer one (and the rest of
/// the log), so a log of zeros or one huge quoted field cannot fill memory.
pub const LOG_RECORD_BYTES_MAX: usize = 1 << 20;

/// One event as read from a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    /// Where the row is in the log, as an editor's "go to line" finds it: the line the record
    /// starts on (CSV: the header is line 1; LF, CRLF and a lone CR each end a line), the line
    /// (JSON Lines, blank lines counted), or the event's position counting events from 1 (XES,
    /// whose events span lines).
    pub row: u64,
    pub case_id: String,
    pub activity: String,
    pub timestamp: String,
    pub role: Option<String>,
    pub resource: Option<String>,
    /// The workflow id the row belongs to, when the log has a `workflow` column.
    pub workflow: Option<String>,
    /// The event's `lifecycle:transition` (`complete`, `start`, …), when the log has one.
    pub lifecycle: Option<String>,
    /// The instant the case opened, when the log gives one per case (the mapping's
    /// `columns.opened_at`, such as `case:startdate`).
    pub opened_at: Option<String>,
    /// (column, value) for every attribute column, non-empty cells only.
    pub attributes: Vec<(String, String)>,
}

/// A row that cannot be read, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableRow {
    /// As `LogEvent::row`.
    pub row: u64,
    /// The case, when the row got as far as naming one.
    pub case_id: Option<String>,
    pub message: String,
}

/// The names of the fields in a log, by the process-mining conventions unless a mapping file
/// names others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogColumns {
    pub case_id: Vec<String>,
    pub activity: Vec<String>,
    pub timestamp: Vec<String>,
    pub role: Vec<String>,
    pub resource: Vec<String>,
    pub workflow: Vec<String>,
    pub lifecycle: Vec<String>,
    /// None by default: only a mapping names it.
    pub opened_at: Vec<String>,
    /// Columns that set attributes: (column, attribute).
    pub attributes: Vec<(String, String)>,
    /// Cells that mean "no value" (a mapping's `missing`, trimmed: `NULL`, `-`): such a cell is
    /// read as an empty one.
    pub missing: Vec<String>,
    /// The columns a mapping file names, which a CSV log's header must have. JSON Lines and XES
    /// are not checked: they have no header, and a key may be absent from one event (a role only
    /// on the steps that need one) and present in the next.
    pub mapped: Vec<MappedColumn>,
}

/// A column a mapping file names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedColumn {
    /// The mapping file.
    pub file: String,
    /// Where the file names it: `columns.role`, `attributes`.
    pub key: String,
    pub column: String,
}

/// Longest name, in characters, a message quotes whole (a header may be anything).
const QUOTED_CHARS_MAX: usize = 80;

/// Most columns a message lists.
const LISTED_COLUMNS_MAX: usize = 12;

impl Default for LogColumns {
    fn default() -> LogColumns {
        let names = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect();
        LogColumns {
            case_id: names(&["case_id", "case:concept:name", "case"]),
            activity: names(&["activity", "concept:name"]),
            timestamp: names(&["timestamp", "time:timestamp", "time"]),
            role: names(&["org:role", "role"]),
            resource: names(&["org:resource", "resource", "actor"]),
            workflow: names(&["workflow", "case:workflow"]),
            lifecycle: names(&["lifecycle:transition", "lifecycle"]),
            opened_at: Vec::new(),
            attributes: Vec::new(),
            missing: Vec::new(),
            mapped: Vec::new(),
        }
    }
}

/// Where each field is in a header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ColumnIndexes {
    pub(crate) case_id: usize,
    pub(crate) activity: usize,
    pub(crate) timestamp: usize,
    pub(crate) role: Option<usize>,
    pub(crate) resource: Option<usize>,
    pub(crate) workflow: Option<usize>,
    pub(crate) lifecycle: Option<usize>,
    pub(crate) opened_at: Option<usize>,
    /// (index, attribute name)
    pub(crate) attributes: Vec<(usize, String)>,
    /// As `LogColumns::missing`.
    pub(crate) missing: Vec<String>,
}

impl ColumnIndexes {
    /// Whether a cell (trimmed, not empty) means "no value".
    pub(crate) fn is_missing(&self, cell: &str) -> bool {
        self.missing.iter().any(|missing| missing == cell)
    }
}

impl LogColumns {
    /// Whether a value (trimmed) means "no value": empty, or one of `missing`.
    pub(crate) fn is_missing(&self, value: &str) -> bool {
        value.is_empty() || self.missing.iter().any(|missing| missing == value)
    }

    /// Finds the fields in `header`. Attribute columns are those the mapping names, and any
    /// column named after one of `attributes` (also as `case:<name>`).
    ///
    /// # Errors
    ///
    /// A message naming the missing field and the header, when a case id, activity or timestamp
    /// column is missing, or a column the mapping names is.
    pub(crate) fn locate(&self, header: &[String], attributes: &[&str]) -> Result<ColumnIndexes, String> {
        let find = |names: &[String]| {
            names.iter().find_map(|name| header.iter().position(|column| column.trim().eq_ignore_ascii_case(name)))
        };
        let columns = || {
            let mut listed: Vec<String> =
                header.iter().take(LISTED_COLUMNS_MAX).map(|name| format!("`{}`", quoted(name))).collect();
            if header.len() > LISTED_COLUMNS_MAX {
                listed.push(format!("and {} more", header.len() - LISTED_COLUMNS_MAX));
            }
            listed.join(", ")
        };
        for mapped in &self.mapped {
            let found = if mapped.key == "attributes" {
                header.iter().any(|column| column.trim() == mapped.column)
            } else {
                find(std::slice::from_ref(&mapped.column)).is_some()
            };
            if !found {
                let mut message = format!(
                    "the mapping `{}` names column `{}` (under `{}`), which the log's header does not have",
                    mapped.file,
                    quoted(&mapped.column),
                    mapped.key
                );
                match nearest(&mapped.column, header.iter().map(String::as_str)) {
                    Some(near) => {
                        let _ = write!(message, "; did you mean `{}`?", quoted(near));
                    }
                    None => {
                        let _ = write!(message, "; its columns are {}", columns());
                    }
                }
                return Err(message);
            }
        }
        let required = |names: &[String], what: &str| {
            find(names).ok_or_else(|| {
                format!(
                    "the log has no {what} column (looked for {}); its columns are {}. Name it in a mapping file \
                     under `columns`",
                    names.iter().map(|name| format!("`{}`", quoted(name))).collect::<Vec<_>>().join(", "),
                    columns()
                )
            })
        };
        let case_id = required(&self.case_id, "case id")?;
        let activity = required(&self.activity, "activity")?;
        let timestamp = required(&self.timestamp, "timestamp")?;
        let mut located = ColumnIndexes {
            case_id,
            activity,
            timestamp,
            role: find(&self.role),
            resource: find(&self.resource),
            workflow: find(&self.workflow),
            lifecycle: find(&self.lifecycle),
            opened_at: find(&self.opened_at),
            attributes: Vec::new(),
            missing: self.missing.clone(),
        };
        for (index, column) in header.iter().enumerate() {
            let column = column.trim();
            if let Some((_, attribute)) = self.attributes.iter().find(|(name, _)| name == column) {
                located.attributes.push((index, attribute.clone()));
            } else if let Some(attribute) =
                attributes.iter().find(|name| column == **name || column.strip_prefix("case:") == Some(**name))
            {
                located.attributes.push((index, (*attribute).to_owned()));
            }
        }
        Ok(located)
    }
}

/// A name from a log as a message quotes it: escaped, and cut to its first characters when long.
fn quoted(name: &str) -> String {
    let shown = escape_unprintable(name, LineBreaks::Escaped);
    if shown.chars().nth(QUOTED_CHARS_MAX).is_none() {
        return shown.into_owned();
    }
    let start: String = shown.chars().take(QUOTED_CHARS_MAX - 1).collect();
    format!("{start}…")
}
