//! `LogEvent`: one row of an event log, as the log wrote it (names not yet resolved), and
//! `LogColumns`, which column of the log holds which field.

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
    /// Columns that set attributes: (column, attribute).
    pub attributes: Vec<(String, String)>,
}

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
            attributes: Vec::new(),
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
    /// (index, attribute name)
    pub(crate) attributes: Vec<(usize, String)>,
}

impl LogColumns {
    /// Finds the fields in `header`. Attribute columns are those the mapping names, and any
    /// column named after one of `attributes` (also as `case:<name>`).
    ///
    /// # Errors
    ///
    /// A message naming the missing field and the header, when a case id, activity or timestamp
    /// column is missing.
    pub(crate) fn locate(&self, header: &[String], attributes: &[&str]) -> Result<ColumnIndexes, String> {
        let find = |names: &[String]| {
            names.iter().find_map(|name| header.iter().position(|column| column.trim().eq_ignore_ascii_case(name)))
        };
        let required = |names: &[String], what: &str| {
            find(names).ok_or_else(|| {
                format!(
                    "the log has no {what} column (looked for {}); its columns are {}. Name it in a mapping file \
                     under `columns`",
                    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", "),
                    header.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
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
            attributes: Vec::new(),
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
