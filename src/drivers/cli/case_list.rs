//! `renewflow case list [filters] [--limit N] [--offset N | --after CASE]`: cases by workflow
//! and number, each with its workflow version. The filters and the page go to the store as one
//! query (`Engine::list_cases`), so a large store is not read case by case.

use clap::Args;
use serde_json::Value as Json;

use super::case::engine_error_exit;
use super::format::{DataFormat, parse_date, plural, records, shown};
use super::store::{now, open_engine_to_read};
use super::{Context, EXIT_OK};
use crate::core::case::Level;
use crate::engine::CaseQuery;

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only cases of this workflow id.
    #[arg(long, value_name = "WORKFLOW")]
    workflow: Option<String>,
    /// Only cases running on this workflow version.
    #[arg(long = "version", visible_alias = "workflow-version", value_name = "VERSION")]
    version: Option<String>,
    /// Only cases in this state: an active state, or a compound or parallel state one of whose
    /// states is active.
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// Only cases with an open clock at this level or worse on the --as-of date.
    #[arg(long, value_enum, value_name = "LEVEL")]
    level: Option<LevelArg>,
    /// The date --level looks from (default: today).
    #[arg(long, value_name = "DATE", requires = "level")]
    as_of: Option<String>,
    /// Only cases opened on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    opened_from: Option<String>,
    /// Only cases opened on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    opened_to: Option<String>,
    /// Only cases still open.
    #[arg(long, conflicts_with = "finished")]
    open: bool,
    /// Only finished cases.
    #[arg(long)]
    finished: bool,
    /// List at most N cases (a page).
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Skip the first N matching cases.
    #[arg(long, value_name = "N", default_value_t = 0, conflicts_with = "after")]
    offset: u64,
    /// List the cases after this one (its id or number), by workflow and number: give the last
    /// case of a page to get the next page, however the store changed meanwhile.
    #[arg(long, value_name = "CASE")]
    after: Option<String>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LevelArg {
    /// Past a warning threshold, or past the limit.
    Yellow,
    /// Past the limit.
    Red,
}

pub(crate) fn run(context: &Context, format: DataFormat, args: &ListArgs) -> anyhow::Result<i32> {
    let query = query(args)?;
    let mut engine = open_engine_to_read(context)?;
    let listed = match engine.list_cases(&query) {
        Ok(listed) => listed,
        Err(error) => return Ok(engine_error_exit(&error)),
    };
    let rows: Vec<Json> = listed.iter().map(crate::drivers::views::case::listed_json).collect();
    let columns = ["number", "workflow", "version", "events", "active", "opened_at", "finished_on", "id"];
    context.output.write(&shown(&records(format, &columns, &rows)?))?;
    let count = plural(listed.len() as u64, "case", "cases");
    // A full page may have more after it: say how to ask for the next one.
    match (query.limit, listed.last()) {
        (Some(limit), Some(last)) if listed.len() as u64 == limit => {
            eprintln!("{count} (a full page; the next: --after {})", shown(&last.case.id));
        }
        _ => eprintln!("{count}"),
    }
    Ok(EXIT_OK)
}

fn query(args: &ListArgs) -> anyhow::Result<CaseQuery> {
    let date = |text: &Option<String>| text.as_deref().map(parse_date).transpose();
    let level = match args.level {
        None => None,
        Some(level) => {
            let as_of = date(&args.as_of)?.unwrap_or_else(|| now().date_naive());
            Some((if matches!(level, LevelArg::Red) { Level::Red } else { Level::Yellow }, as_of))
        }
    };
    let (opened_from, opened_to) = (date(&args.opened_from)?, date(&args.opened_to)?);
    if let (Some(from), Some(to)) = (opened_from, opened_to) {
        anyhow::ensure!(from <= to, "--opened-from {from} is after --opened-to {to}");
    }
    Ok(CaseQuery {
        workflow: args.workflow.clone(),
        version: args.version.clone(),
        state: args.state.clone(),
        level,
        opened_from,
        opened_to,
        finished: if args.finished {
            Some(true)
        } else if args.open {
            Some(false)
        } else {
            None
        },
        after: args.after.clone(),
        offset: args.offset,
        limit: args.limit,
    })
}
