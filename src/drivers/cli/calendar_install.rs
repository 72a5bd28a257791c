//! `renewflow calendar install FILE`, `calendar installed` and `calendar recompute`: the calendar
//! data a store counts on, kept in the store so every process and every later run counts alike.

use std::path::Path;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::format::{DataFormat, records, shown};
use super::store::{now, open_engine, parse_instant};
use super::{Context, EXIT_OK};
use crate::core::calendar::CALENDAR_FILE_BYTES_MAX;
use crate::engine::{CalendarChange, CalendarInstallRequest};

/// Validates `file` and installs it into the store, recomputing every open case's dates.
pub(crate) fn install(
    context: &Context,
    format: DataFormat,
    file: &Path,
    reason: Option<&str>,
    by: &str,
    at: Option<&str>,
) -> anyhow::Result<i32> {
    let text = super::regular_file::read_text(file, CALENDAR_FILE_BYTES_MAX)
        .with_context(|| format!("reading calendar file `{}`", file.display()))?;
    let at = match at {
        Some(text) => parse_instant(text)?,
        None => now(),
    };
    let mut engine = open_engine(context)?;
    let name = file.display().to_string();
    let request = CalendarInstallRequest { name: &name, text: &text, installed_by: by, at, reason };
    let change = engine.install_calendar(&request)?;
    match &change.installed {
        Some(row) => eprintln!(
            "installed `{}` as calendar installation {} (SHA-256 {}); {} open cases recomputed, {} due dates moved",
            shown(&row.name),
            row.sequence,
            row.sha256,
            change.open_cases,
            change.moved.len()
        ),
        None => eprintln!("`{}` is installed already; nothing changed", shown(&name)),
    }
    context.output.write(&change_output(format, &change)?)?;
    Ok(EXIT_OK)
}

/// Recomputes every open case's dates with the store's calendar data.
pub(crate) fn recompute(context: &Context, format: DataFormat) -> anyhow::Result<i32> {
    let mut engine = open_engine(context)?;
    let change = engine.recompute_calendar()?;
    eprintln!(
        "{} open cases recomputed with calendar data {}; {} due dates moved",
        change.open_cases,
        change.derived_calendar,
        change.moved.len()
    );
    context.output.write(&change_output(format, &change)?)?;
    Ok(EXIT_OK)
}

/// The calendar files installed into the store, oldest first.
pub(crate) fn installed(context: &Context, format: DataFormat) -> anyhow::Result<i32> {
    let engine = super::store::open_engine_to_read(context)?;
    let rows: Vec<Value> = engine
        .calendar_installs()?
        .iter()
        .map(|row| {
            json!({
                "sequence": row.sequence, "name": row.name, "sha256": row.sha256,
                "installed_by": row.installed_by, "installed_at": row.installed_at, "reason": row.reason,
                "hash": row.hash,
            })
        })
        .collect();
    let columns = ["sequence", "name", "installed_at", "installed_by", "reason", "sha256"];
    context.output.write(&records(format, &columns, &rows)?)?;
    eprintln!(
        "calendar data {}; dates after the data counted as `{}`",
        engine.calendar_data_id(),
        engine.beyond_data()
    );
    Ok(EXIT_OK)
}

/// The due dates that moved: JSON gives the whole change; a table or CSV lists the moves.
fn change_output(format: DataFormat, change: &CalendarChange) -> anyhow::Result<String> {
    if format == DataFormat::Json {
        return Ok(super::format::json(change)?);
    }
    let rows: Vec<Value> =
        change.moved.iter().map(|moved| serde_json::to_value(moved).unwrap_or(Value::Null)).collect();
    let columns =
        ["number", "workflow", "clock", "old_due", "new_due", "was_provisional", "now_provisional", "case_id"];
    records(format, &columns, &rows)
}
