//! Output formats and the small writers shared by subcommands. Every table cell, CSV cell, JSON
//! document and message from user text passes through here, and here only characters a
//! terminal would act on (ESC, other controls) or reorder (bidirectional formatting) are
//! escaped ([`crate::core::printable`]): user data reaches the terminal as text.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::core::printable::{LineBreaks, escape_unprintable, is_escaped_on_output};

/// `--format`: how output is written to stdout. Each subcommand says which it supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned text for people.
    Table,
    /// One JSON document.
    Json,
    /// CSV with a header row.
    Csv,
    /// A Markdown report (`workflow compare`).
    Markdown,
    /// A Mermaid `stateDiagram-v2` (`workflow describe`).
    Mermaid,
    /// A Graphviz digraph (`workflow describe`).
    Dot,
    /// JSON Lines, one object per event (`export`).
    Jsonl,
    /// XES, the process-mining exchange format (`export`).
    Xes,
}

impl OutputFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Mermaid => "mermaid",
            OutputFormat::Dot => "dot",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Xes => "xes",
        }
    }

    /// The plain data formats (`table`, `json`, `csv`), or an error naming what `command` supports.
    pub(crate) fn data(self, command: &str) -> anyhow::Result<DataFormat> {
        match self {
            OutputFormat::Table => Ok(DataFormat::Table),
            OutputFormat::Json => Ok(DataFormat::Json),
            OutputFormat::Csv => Ok(DataFormat::Csv),
            other => self.unsupported(command, other, &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Csv]),
        }
    }

    pub(crate) fn unsupported<T>(
        self,
        command: &str,
        _: OutputFormat,
        supported: &[OutputFormat],
    ) -> anyhow::Result<T> {
        let names: Vec<&str> = supported.iter().map(|format| format.name()).collect();
        anyhow::bail!("`{command}` cannot write `--format {}`; use {}", self.name(), names.join(", "))
    }
}

/// The formats every data command writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DataFormat {
    Table,
    Json,
    Csv,
}

/// A table whose Chinese columns line up.
pub(crate) fn table(header: &[&str]) -> Table {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_BORDERS_ONLY);
    table.set_header(header.iter().map(|name| cell_text(name).into_owned()));
    Table(table)
}

/// A table for people, each cell on one line with its control and bidirectional characters
/// escaped before the columns are measured, so the borders still line up.
pub(crate) struct Table(comfy_table::Table);

impl Table {
    pub(crate) fn add_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Table {
        self.0.add_row(cells.into_iter().map(|cell| cell_text(cell.as_ref()).into_owned()).collect::<Vec<_>>());
        self
    }

    pub(crate) fn row_count(&self) -> usize {
        self.0.row_count()
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

fn cell_text(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, LineBreaks::Escaped)
}

/// Text for a terminal: a message, a report, a whole output. Line breaks stay; every other
/// control character and every bidirectional formatting character is escaped (`\u{1b}`).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, LineBreaks::Kept)
}

/// Pretty JSON and a newline. serde_json escapes `"`, `\\` and C0 controls; the characters it
/// leaves raw that a terminal would act on or reorder (DEL, C1 controls, bidirectional
/// formatting, U+2028/U+2029) are written as `\uXXXX` escapes too, which JSON readers decode to
/// the same string.
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut text = escape_json(serde_json::to_string_pretty(value)?);
    text.push('\n');
    Ok(text)
}

/// Compact JSON on one line, with the characters [`json`] describes written as `\uXXXX`, and a
/// newline: one line of a JSON Lines file.
pub(crate) fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut text = escape_json(serde_json::to_string(value)?);
    text.push('\n');
    Ok(text)
}

/// Serialised JSON with the characters [`json`] describes written as `\uXXXX`.
pub(crate) fn escape_json(text: String) -> String {
    if !text.chars().any(escaped_in_json) {
        return text;
    }
    let mut shown = String::with_capacity(text.len() + 16);
    // Such characters can only be inside strings: the rest of a JSON document is ASCII.
    for character in text.chars() {
        if escaped_in_json(character) {
            let mut units = [0_u16; 2];
            for unit in character.encode_utf16(&mut units) {
                let _ = write!(shown, "\\u{unit:04x}");
            }
        } else {
            shown.push(character);
        }
    }
    shown
}

/// A pretty document's own line breaks stay; one inside a string is escaped by serde_json.
fn escaped_in_json(character: char) -> bool {
    is_escaped_on_output(character) && character != '\n'
}

/// Writes CSV rows (the first one the header) to a string.
pub(crate) fn csv(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for row in rows {
        push_csv_row(&mut text, row);
    }
    text
}

/// Appends one CSV row to `text`: the cells separated by commas, each quoted only when it must
/// be, then a newline.
pub(crate) fn push_csv_row<S: AsRef<str>>(text: &mut String, cells: impl IntoIterator<Item = S>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        // A line break is data its quotes carry; other controls would reach the terminal.
        let cell = escape_unprintable(cell.as_ref(), LineBreaks::Kept);
        if cell.contains([',', '"', '\n', '\r']) {
            text.push('"');
            for (part, piece) in cell.split('"').enumerate() {
                if part > 0 {
                    text.push_str("\"\"");
                }
                text.push_str(piece);
            }
            text.push('"');
        } else {
            text.push_str(&cell);
        }
    }
    text.push('\n');
}

/// Consecutive dates folded into ranges: `02-15..02-23, 02-28`, with years when they differ
/// from `year`.
pub(crate) fn date_ranges(dates: &[NaiveDate], year: i32) -> String {
    use chrono::Datelike;
    let short = |date: NaiveDate| {
        if date.year() == year { date.format("%m-%d").to_string() } else { date.to_string() }
    };
    let mut parts = Vec::new();
    let mut index = 0;
    while index < dates.len() {
        let mut end = index;
        while end + 1 < dates.len() && dates[end].succ_opt() == Some(dates[end + 1]) {
            end += 1;
        }
        parts.push(if end == index {
            short(dates[index])
        } else {
            format!("{}..{}", short(dates[index]), short(dates[end]))
        });
        index = end + 1;
    }
    parts.join(", ")
}

/// Parses a date the user typed: `YYYY-MM-DD` only.
pub(crate) fn parse_date(text: &str) -> anyhow::Result<NaiveDate> {
    crate::core::calendar::parse_iso_date(text)
        .ok_or_else(|| anyhow::anyhow!("`{text}` is not a date; write YYYY-MM-DD"))
}

/// Writes records (JSON objects) as a table, CSV (a header row of `columns`) or a JSON array.
/// Strings are shown as they are (but for the characters this module escapes) and `null` as an
/// empty cell; in a table a list is shown as its items and an object as `key=value` pairs, in
/// CSV as JSON.
pub(crate) fn records(format: DataFormat, columns: &[&str], records: &[serde_json::Value]) -> anyhow::Result<String> {
    Ok(match format {
        DataFormat::Json => json(records)?,
        DataFormat::Csv => {
            let mut rows = vec![columns.iter().map(|column| (*column).to_owned()).collect::<Vec<_>>()];
            rows.extend(
                records.iter().map(|record| columns.iter().map(|column| csv_text(record.get(*column))).collect()),
            );
            csv(&rows)
        }
        DataFormat::Table => {
            if records.is_empty() {
                return Ok(String::new());
            }
            let mut shown = table(columns);
            for record in records {
                shown.add_row(columns.iter().map(|column| table_text(record.get(*column))).collect::<Vec<_>>());
            }
            format!("{shown}\n")
        }
    })
}

/// Writes one record: in a table as one `field`/`value` row per column, else as [`records`]
/// does (a JSON object rather than an array).
pub(crate) fn record(format: DataFormat, columns: &[&str], record: &serde_json::Value) -> anyhow::Result<String> {
    Ok(match format {
        DataFormat::Json => json(record)?,
        DataFormat::Csv => records(format, columns, std::slice::from_ref(record))?,
        DataFormat::Table => {
            let mut shown = table(&["field", "value"]);
            for column in columns {
                shown.add_row([(*column).to_owned(), table_text(record.get(*column))]);
            }
            format!("{shown}\n")
        }
    })
}

fn csv_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        // A list or an object in one cell: compact JSON, escaped as `json` escapes.
        Some(other) => escape_json(other.to_string()),
    }
}

fn table_text(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::Array(items)) => {
            items.iter().map(|item| table_text(Some(item))).collect::<Vec<_>>().join(", ")
        }
        Some(serde_json::Value::Object(fields)) => fields
            .iter()
            .map(|(key, value)| format!("{key}={}", table_text(Some(value))))
            .collect::<Vec<_>>()
            .join(", "),
        other => csv_text(other),
    }
}

/// A due date as a table shows it: the date, marked when it rests on a projected year; `unknown`
/// when the calendar cannot count it (the basis column says why).
pub(crate) fn due_display(due: Option<chrono::NaiveDate>, provisional: bool) -> String {
    match due {
        Some(date) if provisional => format!("{date} (provisional)"),
        Some(date) => date.to_string(),
        None => "unknown".to_owned(),
    }
}

/// A pause past the `max` its clock allows, as a table cell or a line reads it:
/// `hearing since 2026-03-04: 5 wd past its 20 wd (allowed until 2026-04-01)`.
pub(crate) fn pause_over_text(pause: &crate::engine::PauseOverMax) -> String {
    format!(
        "{} since {}: {} {} past its {} (allowed until {})",
        pause.state, pause.since, pause.over, pause.over_unit, pause.max, pause.allowed_until
    )
}

/// `1 case`, `2 cases`, `0 cases`.
pub(crate) fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::push_csv_row;

    /// RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled; the
    /// `csv` crate reads the row back as it was.
    #[test]
    fn csv_rows_quote_only_the_cells_that_need_it() {
        let cells = ["AUD006", "say \"no\", twice", "line\nbreak", "", "裁决"];
        let mut text = String::new();
        push_csv_row(&mut text, cells);
        assert_eq!(text, "AUD006,\"say \"\"no\"\", twice\",\"line\nbreak\",,裁决\n");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let read: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(read, cells);
    }
}
