//! `LogRow`: one row of a log as the auditor reads it, borrowed from wherever the reader keeps it
//! (a `RowBatch`'s buffer, or a `LogEvent`), so a row costs the audit no copies.

use super::log_event::{LogEvent, UnreadableRow};

/// `text` without surrounding whitespace (as `str::trim`).
pub(crate) fn trimmed(text: &str) -> &str {
    let (from, to) = trimmed_bounds(text);
    &text[from..to]
}

/// Where `text` is without surrounding whitespace. A field whose first byte cannot begin a
/// whitespace character and whose last byte cannot end one (most fields, Chinese ones too) is
/// taken as it is, without the Unicode whitespace walk.
pub(crate) fn trimmed_bounds(text: &str) -> (usize, usize) {
    trimmed_range(text, 0..text.len()).unwrap_or_default()
}

/// Where field `range` of `text` is without surrounding whitespace; `None` when `range` is not
/// on character boundaries of `text`. As `trimmed_bounds`, most fields take only a look at
/// three bytes: their first, their last and the one after it.
pub(crate) fn trimmed_range(text: &str, range: std::ops::Range<usize>) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (start, end) = (range.start, range.end);
    if start < end
        && let (Some(first), Some(last)) = (bytes.get(start), bytes.get(end - 1))
        && EDGES[usize::from(*first)] & FIRST == 0
        && EDGES[usize::from(*last)] & LAST == 0
        // `end` is where a character begins, or the end of the text.
        && bytes.get(end).is_none_or(|next| (*next as i8) >= -0x40)
    {
        return Some((start, end));
    }
    let field = text.get(range)?;
    let from = field.len() - field.trim_start().len();
    Some((start + from, start + field.trim_end().len().max(from)))
}

/// For each byte value, whether a field that begins with it (`FIRST`) or ends with it (`LAST`)
/// needs the Unicode whitespace walk.
const EDGES: [u8; 256] = edges();
const FIRST: u8 = 1;
const LAST: u8 = 2;

/// `FIRST` marks a byte that may begin a whitespace character (`char::is_whitespace`): ASCII
/// tab to carriage return and space, or the lead byte of U+0085 or U+00A0 (`C2`), U+1680
/// (`E1`), U+2000 to U+205F (`E2`) and U+3000 (`E3`); and a byte that begins no character
/// (`80` to `BF`). `LAST` marks a byte that may end a whitespace character: ASCII as above, or
/// the last byte of U+0085, U+1680, U+2000 to U+200A, U+3000 (`80` to `8A`), U+205F (`9F`),
/// U+00A0 (`A0`), U+2028, U+2029 (`A8`, `A9`) and U+202F (`AF`).
const fn edges() -> [u8; 256] {
    let mut edges = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let value = byte as u8;
        if matches!(value, b'\t'..=b'\r' | b' ' | 0x80..=0xbf | 0xc2 | 0xe1..=0xe3) {
            edges[byte] |= FIRST;
        }
        if matches!(value, b'\t'..=b'\r' | b' ' | 0x80..=0x8a | 0x9f | 0xa0 | 0xa8 | 0xa9 | 0xaf) {
            edges[byte] |= LAST;
        }
        byte += 1;
    }
    edges
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
    pub(crate) lifecycle: Option<&'a str>,
    pub(crate) opened_at: Option<&'a str>,
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
                lifecycle: event.lifecycle.as_deref(),
                opened_at: event.opened_at.as_deref(),
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
                lifecycle: row.lifecycle.map(str::to_owned),
                opened_at: row.opened_at.map(str::to_owned),
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
    #[test]
    fn trimmed_is_str_trim_for_every_character() {
        // Each character alone, and at either end of a field: the byte checks never skip a
        // whitespace character `str::trim` would take off.
        let mut text = String::new();
        for character in (0..=0x0010_ffff).filter_map(char::from_u32) {
            for (before, after) in [("", ""), ("a", ""), ("", "a"), ("受", "理")] {
                text.clear();
                text.push_str(before);
                text.push(character);
                text.push_str(after);
                assert_eq!(super::trimmed(&text), text.trim(), "{text:?}");
            }
        }
    }

    /// Every range of a text with characters of one to four bytes and whitespace at the ends:
    /// what `str::trim` leaves of the range's text, or `None` off character boundaries.
    #[test]
    fn trimmed_range_is_str_trim_of_the_range() {
        let text = " a,\u{3000}受理\u{a0}, \u{1F600}\t,b";
        for start in 0..=text.len() + 1 {
            for end in start..=text.len() + 1 {
                let expected = text.get(start..end).map(|field| {
                    let trimmed = field.trim();
                    let from = start + (field.len() - field.trim_start().len());
                    (from, from + trimmed.len())
                });
                assert_eq!(super::trimmed_range(text, start..end), expected, "{start}..{end}");
            }
        }
    }

    /// The byte checks and the Unicode walk agree with `str::trim` on whole fields, ideographic
    /// spaces (U+3000) and no-break spaces included.
    #[test]
    fn trimmed_is_str_trim() {
        for text in ["", " ", "a", "ab", " a", "a ", "\ta\r\n", "\u{3000}受理\u{3000}", "受理", "a\u{a0}", "\u{85}x"]
        {
            assert_eq!(super::trimmed(text), text.trim(), "{text:?}");
        }
    }
}
