//! `renewflow watch [--as-of DATE]`: the yellow and red clocks of every case, most urgent first.

use clap::Args;
use serde_json::json;

use super::format::{DataFormat, due_display, parse_date, records};
use super::store::{now, open_engine_to_read};
use super::{Context, EXIT_OK};

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// The date to look from (default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

pub(crate) fn run(context: &Context, args: WatchArgs) -> anyhow::Result<i32> {
    let format = context.format.data("watch")?;
    let as_of = match args.as_of {
        Some(text) => parse_date(&text)?,
        None => now().date_naive(),
    };
    let mut engine = open_engine_to_read(context)?;
    let rows: Vec<serde_json::Value> = engine
        .watch(as_of)?
        .into_iter()
        .map(|row| {
            let mut value = crate::drivers::views::watch::watch_json(&row);
            if format != DataFormat::Json {
                // A table or CSV cell says the pause in words.
                value["pause_over_max"] = json!(row.pause_over_max.as_ref().map(super::format::pause_over_text));
            }
            if format == DataFormat::Table {
                // The table marks a provisional due date where the eye reads it.
                value["due_date"] = json!(due_display(row.due_date, row.provisional));
            }
            value
        })
        .collect();
    let columns = [
        "level",
        "level_set_by",
        "number",
        "workflow",
        "clock",
        "phase",
        "statutory_limit",
        "promised_limit",
        "due_date",
        "remaining_working_days",
        "provisional",
        "pause_over_max",
        "basis",
        "case_id",
    ];
    context.output.write(&records(format, &columns, &rows)?)?;
    if rows.is_empty() {
        eprintln!("no clock is yellow or red, and no pause is past its maximum, as of {as_of}");
    }
    Ok(EXIT_OK)
}
