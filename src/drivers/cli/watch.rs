//! `renewflow watch [--as-of DATE]`: the yellow and red clocks of every case, most urgent first.

use clap::Args;
use serde_json::json;

use super::format::{parse_date, records};
use super::store::{now, open_engine};
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
    let mut engine = open_engine(context)?;
    let rows: Vec<serde_json::Value> = engine
        .watch(as_of)?
        .into_iter()
        .map(|row| {
            let due = match (row.due_date, row.due_beyond_data) {
                (Some(date), _) => json!(date.to_string()),
                (None, Some(year)) => json!(format!("beyond the data ({year})")),
                (None, None) => serde_json::Value::Null,
            };
            json!({
                "case_id": row.case_id, "number": row.number, "workflow": row.workflow, "clock": row.clock,
                "level": row.level, "phase": row.phase, "due_date": due,
                "remaining_working_days": row.remaining_working_days,
            })
        })
        .collect();
    let columns = ["level", "number", "workflow", "clock", "phase", "due_date", "remaining_working_days", "case_id"];
    print!("{}", records(format, &columns, &rows)?);
    Ok(EXIT_OK)
}
