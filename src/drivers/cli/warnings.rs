//! `renewflow warnings sweep [--as-of DATE]` records the prompts, yellow and red cards due (each
//! crossing once, whenever and however often it runs: for offices that run it from cron instead
//! of `renewflow serve`) and prints the new ones; `renewflow warnings list` shows those on
//! record.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};

use super::case::engine_error_exit;
use super::format::{DataFormat, parse_date, plural, records, shown};
use super::store::{now, open_engine, open_engine_to_read};
use super::{Context, EXIT_OK};
use crate::engine::{Warning, WarningKind, WarningQuery};

#[derive(Debug, Args)]
pub(crate) struct WarningsArgs {
    #[command(subcommand)]
    command: WarningsCommand,
}

#[derive(Debug, Subcommand)]
enum WarningsCommand {
    /// Record every prompt, yellow and red card due by a date that is not on record yet, queue
    /// it for the webhooks that want it, and print the new ones.
    Sweep {
        /// The date to sweep as of (default: today); each warning records now as its issue time.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// The warnings on record, in the order they were issued.
    List {
        /// Only this case's: its id, or its number when one workflow uses that number.
        #[arg(long, value_name = "CASE")]
        case: Option<String>,
        /// Only warnings of this kind.
        #[arg(long, value_enum, value_name = "KIND")]
        kind: Option<KindArg>,
        /// Only crossings on or after this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// List at most N warnings (a page).
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Skip the first N matching warnings.
        #[arg(long, value_name = "N", default_value_t = 0)]
        offset: u64,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    /// One working day before the promised limit.
    Prompt,
    /// A warning threshold reached.
    Yellow,
    /// A limit passed.
    Red,
}

impl From<KindArg> for WarningKind {
    fn from(kind: KindArg) -> WarningKind {
        match kind {
            KindArg::Prompt => WarningKind::Prompt,
            KindArg::Yellow => WarningKind::Yellow,
            KindArg::Red => WarningKind::Red,
        }
    }
}

const COLUMNS: [&str; 11] = [
    "id",
    "kind",
    "applies_on",
    "number",
    "workflow",
    "clock",
    "limit",
    "due_date",
    "level_set_by",
    "issued_at",
    "case_id",
];

pub(crate) fn run(context: &Context, args: WarningsArgs) -> anyhow::Result<i32> {
    let format = context.format.data("warnings")?;
    match args.command {
        WarningsCommand::Sweep { as_of } => sweep(context, format, as_of.as_deref()),
        WarningsCommand::List { case, kind, since, limit, offset } => {
            let since = since.as_deref().map(parse_date).transpose()?;
            let query = WarningQuery { case, kind: kind.map(Into::into), since, after: None, offset, limit };
            let engine = open_engine_to_read(context)?;
            let warnings = match engine.warnings(&query) {
                Ok(warnings) => warnings,
                Err(error) => return Ok(engine_error_exit(&error)),
            };
            write(context, format, &warnings)?;
            eprintln!("{}", plural(warnings.len() as u64, "warning", "warnings"));
            Ok(EXIT_OK)
        }
    }
}

fn sweep(context: &Context, format: DataFormat, as_of: Option<&str>) -> anyhow::Result<i32> {
    let at = now();
    let today = match as_of {
        Some(text) => parse_date(text)?,
        None => at.date_naive(),
    };
    let mut engine = open_engine(context)?;
    let warnings = engine.sweep_warnings(today, at)?;
    write(context, format, &warnings)?;
    let hooks = engine.webhooks()?;
    let wanting = |kind: WarningKind| hooks.iter().filter(|hook| hook.removed_at.is_none() && hook.wants(kind)).count();
    let queued: usize = warnings.iter().map(|warning| wanting(warning.kind)).sum();
    eprintln!(
        "{} recorded as of {today}; {} queued for webhooks",
        plural(warnings.len() as u64, "new warning", "new warnings"),
        plural(queued as u64, "delivery", "deliveries")
    );
    Ok(EXIT_OK)
}

fn write(context: &Context, format: DataFormat, warnings: &[Warning]) -> anyhow::Result<()> {
    let rows: Vec<Json> = warnings
        .iter()
        .map(|warning| {
            json!({
                "id": warning.id, "kind": warning.kind.name(), "applies_on": warning.applies_on.to_string(),
                "number": warning.number, "workflow": warning.workflow, "clock": warning.clock,
                "limit": warning.limit, "due_date": warning.due_date.map(|date| date.to_string()),
                "level_set_by": warning.level_set_by, "issued_at": warning.issued_at.to_rfc3339(),
                "case_id": warning.case_id,
            })
        })
        .collect();
    context.output.write(&shown(&records(format, &COLUMNS, &rows)?))
}
