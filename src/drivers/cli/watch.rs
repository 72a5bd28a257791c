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
            let mut value = json!({
                "case_id": row.case_id, "number": row.number, "workflow": row.workflow, "clock": row.clock,
                "level": row.level, "phase": row.phase,
                "due_date": row.due_date.map(|date| date.to_string()),
                "remaining_working_days": row.remaining_working_days,
                "provisional": row.provisional, "basis": row.basis,
            });
            if format == DataFormat::Table {
                // The table marks a provisional due date where the eye reads it.
                value["due_date"] = json!(due_display(row.due_date, row.provisional));
            }
            value
        })
        .collect();
    let columns = [
        "level",
        "number",
        "workflow",
        "clock",
        "phase",
        "due_date",
        "remaining_working_days",
        "provisional",
        "basis",
        "case_id",
    ];
    print!("{}", records(format, &columns, &rows)?);
    Ok(EXIT_OK)
}
