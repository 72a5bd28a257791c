//! `LogRow`: one row of a log as the auditor reads it, borrowed from wherever the reader keeps it
//! (a `RowBatch`'s buffer, or a `LogEvent`), so a row costs the audit no copies.

use super::log_event::{LogEvent, UnreadableRow};

/// `text` without surrounding whitespace (as `str::trim`).
pub(crate) fn trimmed(text: &str) -> &str {
    let (from, to) = trimmed_bounds(text);
    &text[from..to]
}

/// Where `text` is without surrounding whitespace; a field that starts and ends with a
/// printable ASCII character (most do) is taken as it is, without the Unicode whitespace walk.
pub(crate) fn trimmed_bounds(text: &str) -> (usize, usize) {
    let printable = |byte: Option<&u8>| byte.is_some_and(|byte| (0x21..0x7f).contains(byte));
    if printable(text.as_bytes().first()) && printable(text.as_bytes().last()) {
        return (0, text.len());
    }
    let start = text.len() - text.trim_start().len();
    (start, text.trim_end().len().max(start))
}

/// One readable row, borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LogRow<'a> {
    pub(crate) row: u64,
    pub(crate) case_id: &'a str,
    pub(crate) activity: &'a str,
    pub(crate) timestamp: &'a str,
    pub(crate) role: Option<&'a str>,
    pub(crate) resource: Option<&'a str>,
    pub(crate) workflow: Option<&'a str>,
    pub(crate) attributes: RowAttributes<'a>,
}

/// A row as the auditor gets it: readable, or why not.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RowView<'a> {
    Event(LogRow<'a>),
    Unreadable { row: u64, case_id: Option<&'a str>, message: &'a str },
}

/// The (attribute, value) cells of a row.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RowAttributes<'a> {
    Owned(&'a [(String, String)]),
    /// Cells as (name, value) byte ranges of `text`.
    Spans {
        text: &'a str,
        cells: &'a [(Span, Span)],
    },
}

/// A byte range of a batch's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn of(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize).unwrap_or_default()
    }
}

impl<'a> RowAttributes<'a> {
    /// (attribute, value), in the row's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let owned: &'a [(String, String)] = match *self {
            RowAttributes::Owned(pairs) => pairs,
            RowAttributes::Spans { .. } => &[],
        };
        let (text, spans): (&'a str, &'a [(Span, Span)]) = match *self {
            RowAttributes::Owned(_) => ("", &[]),
            RowAttributes::Spans { text, cells } => (text, cells),
        };
        owned
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .chain(spans.iter().map(move |(name, value)| (name.of(text), value.of(text))))
    }

    pub(crate) fn to_owned_pairs(self) -> Vec<(String, String)> {
        self.iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect()
    }
}

impl<'a> RowView<'a> {
    /// A view of a row read into a `LogEvent`.
    pub(crate) fn of(row: &'a Result<LogEvent, UnreadableRow>) -> RowView<'a> {
        match row {
            Ok(event) => RowView::Event(LogRow {
                row: event.row,
                case_id: &event.case_id,
                activity: &event.activity,
                timestamp: &event.timestamp,
                role: event.role.as_deref(),
                resource: event.resource.as_deref(),
                workflow: event.workflow.as_deref(),
                attributes: RowAttributes::Owned(&event.attributes),
            }),
            Err(unreadable) => RowView::Unreadable {
                row: unreadable.row,
                case_id: unreadable.case_id.as_deref(),
                message: &unreadable.message,
            },
        }
    }

    /// The row again as an owned `LogEvent`.
    pub(crate) fn to_owned_row(self) -> Result<LogEvent, UnreadableRow> {
        match self {
            RowView::Event(row) => Ok(LogEvent {
                row: row.row,
                case_id: row.case_id.to_owned(),
                activity: row.activity.to_owned(),
                timestamp: row.timestamp.to_owned(),
                role: row.role.map(str::to_owned),
                resource: row.resource.map(str::to_owned),
                workflow: row.workflow.map(str::to_owned),
                attributes: row.attributes.to_owned_pairs(),
            }),
            RowView::Unreadable { row, case_id, message } => {
                Err(UnreadableRow { row, case_id: case_id.map(str::to_owned), message: message.to_owned() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The fast path (printable ASCII at both ends) and the Unicode walk agree with `str::trim`,
    /// ideographic spaces (U+3000) and no-break spaces included.
    #[test]
    fn trimmed_is_str_trim() {
        for text in ["", " ", "a", "ab", " a", "a ", "\ta\r\n", "\u{3000}受理\u{3000}", "受理", "a\u{a0}", "\u{85}x"]
        {
            assert_eq!(super::trimmed(text), text.trim(), "{text:?}");
        }
    }
}
