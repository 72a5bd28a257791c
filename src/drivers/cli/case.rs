//! `renewflow case new|act|note|set|show|history|timing|list`: cases in the store named by
//! `--db`.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};
use clap::{Args, Subcommand};
use serde_json::{Value as Json, json};

use super::actor::{ACTOR_HELP, actor_or_user};
use super::format::{DataFormat, due_display, parse_date, plural, record, records};
use super::store::{now, open_engine, open_engine_to_read, parse_instant};
use super::{Context, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::core::case::{Command, CommandKind, Timing};
use crate::core::workflow::Workflow;
use crate::drivers::views::timing::{self as views, Counted};
use crate::engine::{CaseOpening, CaseView, Engine, EngineError, Outcome};
use crate::store::{ImportMark, SqliteStore, Store as _};

#[derive(Debug, Args)]
pub(crate) struct CaseArgs {
    #[command(subcommand)]
    command: CaseCommand,
}

/// The case a command is about.
const CASE_HELP: &str = "The case: its id, or its number when one workflow uses that number";

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Open a case on the newest deployed version of a workflow.
    New {
        /// The workflow id (`renewflow workflow deploy` it first).
        #[arg(value_name = "WORKFLOW")]
        workflow: String,
        /// The deployed version to use (default: the newest).
        #[arg(long = "workflow-version", value_name = "VERSION")]
        version: Option<String>,
        /// The case number, unique per workflow; by default `YYYY-NNNNN`.
        #[arg(long)]
        number: Option<String>,
        /// An attribute value, `name=value`; repeat for more.
        #[arg(long = "attr", value_name = "NAME=VALUE")]
        attributes: Vec<String>,
        #[arg(long, help = ACTOR_HELP)]
        actor: Option<String>,
        /// When it happened: RFC 3339 (`2026-03-02T09:30:00+08:00`), or a local date and time
        /// (`2026-03-02 09:30`) or date (at 09:00) in +08:00 [default: now].
        #[arg(long, value_name = "INSTANT")]
        at: Option<String>,
        /// A name for this request: a retry with the same key answers again and writes nothing;
        /// the key with another request is refused (exit 1).
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Take an action (a transition's or a clock extension's). Refused actions exit 1 and write
    /// nothing.
    Act {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
        /// The action's name, as the workflow declares it (`renewflow workflow describe` lists
        /// them); a clock extension's action grants the extension.
        #[arg(value_name = "ACTION")]
        action: String,
        /// An attribute value set with the action, before its guard is checked; repeat for more.
        #[arg(long = "attr", value_name = "NAME=VALUE")]
        attributes: Vec<String>,
        #[command(flatten)]
        acting: Acting,
    },
    /// Add a note to a case's history. It changes no state and no clock; a finished case takes
    /// no note (exit 1).
    Note {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
        /// The note, kept as written.
        #[arg(value_name = "TEXT")]
        text: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Set or clear attributes of a case, checked against their declared types. Refused
    /// changes (an unknown attribute, a value its type refuses) exit 1 and write nothing.
    Set {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
        /// An attribute and its new value, `name=value`.
        #[arg(value_name = "NAME=VALUE")]
        assignments: Vec<String>,
        /// An attribute to clear (leave without a value); repeat for more.
        #[arg(long = "clear", value_name = "NAME")]
        cleared: Vec<String>,
        #[command(flatten)]
        acting: Acting,
    },
    /// A case: its workflow version, active states, attributes and version.
    Show {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
    },
    /// A case's events, with their hashes and whether each one's link in the hash chain
    /// verifies; exit 1 when the chain is broken.
    History {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
    },
    /// A case's clocks against their limits.
    Timing {
        #[arg(value_name = "CASE", help = CASE_HELP)]
        case: String,
        /// The date to count to (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Cases by workflow and number, with their workflow versions; the filters narrow the list
    /// and a page of it can be asked for.
    List(super::case_list::ListArgs),
}

/// Who acts, when, and against which version: what every change to a case takes.
#[derive(Debug, Args)]
struct Acting {
    /// The role the actor acts in: a role of the case's workflow (the workflow says which roles
    /// may take each action).
    #[arg(long)]
    role: String,
    #[arg(long, help = ACTOR_HELP)]
    actor: Option<String>,
    /// When it happened: RFC 3339 (`2026-03-02T09:30:00+08:00`), or a local date and time
    /// (`2026-03-02 09:30`) or date (at 09:00) in +08:00 [default: now].
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    /// The case version you last read; a case that moved on since is a conflict (exit 1).
    /// Without it the current version is used.
    #[arg(long, value_name = "N")]
    expect_version: Option<u64>,
    /// A name for this request: a retry with the same key answers again and writes nothing; the
    /// key with another request is refused (exit 1).
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
}

pub(crate) fn run(context: &Context, args: CaseArgs) -> anyhow::Result<i32> {
    let format = context.format.data("case")?;
    if let CaseCommand::List(list) = args.command {
        return super::case_list::run(context, format, &list);
    }
    if let CaseCommand::History { case } = args.command {
        return super::case_history::run(context, format, &case);
    }
    let writes = matches!(
        args.command,
        CaseCommand::New { .. } | CaseCommand::Act { .. } | CaseCommand::Note { .. } | CaseCommand::Set { .. }
    );
    let mut engine = if writes { open_engine(context)? } else { open_engine_to_read(context)? };
    let result = match args.command {
        CaseCommand::New { workflow, version, number, attributes, actor, at, idempotency_key } => {
            let opening = CaseOpening {
                workflow,
                version,
                number,
                at: instant(at.as_deref())?,
                actor: actor_or_user(actor)?,
                attributes: pairs(&attributes)?,
                idempotency_key,
            };
            engine.open_case(&opening).map(|outcome| outcome_output(format, &outcome))
        }
        CaseCommand::Act { case, action, attributes, acting } => {
            let kind = CommandKind::Act { action, attributes: pairs(&attributes)? };
            change(&mut engine, format, &case, acting, kind)?
        }
        CaseCommand::Note { case, text, acting } => {
            change(&mut engine, format, &case, acting, CommandKind::Note { text })?
        }
        CaseCommand::Set { case, assignments, cleared, acting } => {
            let kind = CommandKind::SetAttributes { attributes: settings(&assignments, &cleared)? };
            change(&mut engine, format, &case, acting, kind)?
        }
        CaseCommand::Show { case } => engine.case(&case).and_then(|view| {
            let mark = engine.store().import_mark(&view.row.id)?;
            Ok(show_output(format, &view, mark.as_ref()))
        }),
        CaseCommand::Timing { case, as_of } => {
            let as_of = match as_of {
                Some(text) => parse_date(&text)?,
                None => today(),
            };
            engine.timing(&case, as_of).and_then(|(view, timing)| {
                let calendar = engine
                    .calendars()
                    .require(view.workflow.calendar())
                    .map_err(|error| crate::engine::EngineError::UnknownCalendar(error.to_string()))?;
                let counted = Counted { calendar, data_id: engine.calendar_data_id() };
                Ok(timing_output(format, &view.workflow, &timing, &counted))
            })
        }
        CaseCommand::List(_) | CaseCommand::History { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(output) => {
            context.output.write(&super::format::shown(&output?))?;
            Ok(EXIT_OK)
        }
        Err(error) => Ok(engine_error_exit(&error)),
    }
}

/// Prints an engine error and gives its exit code: 1 for a refusal or conflict, 2 otherwise.
pub(crate) fn engine_error_exit(error: &EngineError) -> i32 {
    eprintln!("error: {}", super::format::shown(&error.to_string()));
    if error.is_refusal() { EXIT_FINDINGS } else { EXIT_USAGE }
}

/// Applies a command to a case at the version the user read (or the current one).
fn change(
    engine: &mut Engine<SqliteStore>,
    format: DataFormat,
    case: &str,
    acting: Acting,
    kind: CommandKind,
) -> anyhow::Result<Result<anyhow::Result<String>, EngineError>> {
    let Acting { role, actor, at, expect_version, idempotency_key } = acting;
    let command = Command { at: instant(at.as_deref())?, actor: actor_or_user(actor)?, role, kind };
    let expected = match expect_version {
        Some(version) => version,
        None => engine.find_case(case).map_or(0, |row| row.version),
    };
    Ok(engine.act(case, &command, expected, idempotency_key.as_deref()).map(|outcome| outcome_output(format, &outcome)))
}

/// `name=value` assignments and cleared names as one change; a name given twice is refused.
fn settings(assignments: &[String], cleared: &[String]) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let mut settings: Vec<(String, Option<String>)> =
        pairs(assignments)?.into_iter().map(|(name, value)| (name, Some(value))).collect();
    settings.extend(cleared.iter().map(|name| (name.trim().to_owned(), None)));
    anyhow::ensure!(!settings.is_empty(), "nothing to set: give `name=value` or --clear NAME");
    for (index, (name, _)) in settings.iter().enumerate() {
        anyhow::ensure!(
            !settings[..index].iter().any(|(earlier, _)| earlier == name),
            "attribute `{name}` is given twice; set each attribute once"
        );
    }
    Ok(settings)
}

/// One case: its row, workflow version, active states and attributes, and the import that
/// created it (with the findings it was imported with), if one did.
fn show_output(format: DataFormat, view: &CaseView, mark: Option<&ImportMark>) -> anyhow::Result<String> {
    let shown = crate::drivers::views::case::case_json(view, mark);
    let columns = [
        "id",
        "number",
        "workflow",
        "version",
        "content_hash",
        "events",
        "opened_at",
        "last_at",
        "finished_on",
        "active",
        "attributes",
        "imported",
    ];
    record(format, &columns, &shown)
}

fn instant(text: Option<&str>) -> anyhow::Result<DateTime<FixedOffset>> {
    text.map_or_else(|| Ok(now()), parse_instant)
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn pairs(texts: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    texts
        .iter()
        .map(|text| {
            let (name, value) = text.split_once('=').ok_or_else(|| anyhow::anyhow!("`{text}` is not `name=value`"))?;
            Ok((name.trim().to_owned(), value.to_owned()))
        })
        .collect()
}

fn outcome_output(format: DataFormat, outcome: &Outcome) -> anyhow::Result<String> {
    if format == DataFormat::Json {
        return Ok(super::format::json(outcome)?);
    }
    let list: Vec<Json> = outcome
        .events
        .iter()
        .map(|event| {
            let record = serde_json::to_value(event).unwrap_or(Json::Null);
            json!({
                "case": outcome.number, "version": outcome.version, "at": event.at, "what": crate::drivers::views::history::what(&record),
                "replayed": outcome.replayed, "id": outcome.case_id,
            })
        })
        .collect();
    records(format, &["case", "version", "at", "what", "replayed", "id"], &list)
}

/// A line for each pause that ran past the `max` its clock allows (the audit's `AUD008`, live).
fn pause_overrun_lines(workflow: &Workflow, timing: &Timing) -> String {
    let mut text = String::new();
    for clock in &timing.clocks {
        for overrun in &clock.pause_overruns {
            let _ = writeln!(
                text,
                "pause past its maximum: clock `{}` paused in {}",
                workflow.clock(clock.clock).name,
                super::format::pause_over_text(&crate::engine::PauseOverMax::of(workflow, overrun))
            );
        }
    }
    text
}

fn timing_output(
    format: DataFormat,
    workflow: &Workflow,
    timing: &Timing,
    counted: &Counted<'_>,
) -> anyhow::Result<String> {
    let mut clocks = views::clocks_json(workflow, timing, counted);
    if format == DataFormat::Table {
        for clock in &mut clocks {
            let due_date = clock["due_date"].as_str().and_then(|date| date.parse().ok());
            let due_provisional = clock["statutory"]["provisional"].as_bool().unwrap_or(false);
            clock["due_date"] = json!(due_display(due_date, due_provisional));
        }
    }
    let (provisional, _) = views::as_of_provisional(timing, counted);
    if format == DataFormat::Json {
        return Ok(super::format::json(&views::timing_json(workflow, timing, counted))?);
    }
    let columns = [
        "clock",
        "status",
        "elapsed",
        "unit",
        "limit",
        "promised_limit",
        "remaining",
        "due_date",
        "provisional",
        "used_percent",
        "level",
        "level_set_by",
        "basis",
    ];
    let mut text = records(format, &columns, &clocks)?;
    if format == DataFormat::Table {
        text.push_str(&pause_overrun_lines(workflow, timing));
        let _ = writeln!(
            text,
            "as of {}: {} since opening, {} paused ({}){}",
            timing.as_of,
            plural(timing.elapsed_working_days.unsigned_abs(), "working day", "working days"),
            plural(timing.paused_days.unsigned_abs(), "day", "days"),
            plural(timing.paused_working_days.unsigned_abs(), "working day", "working days"),
            if provisional { " (provisional)" } else { "" }
        );
        let _ = writeln!(
            text,
            "calendar: {} with data through {}, dates after it counted as `{}` (data {})",
            counted.calendar.id(),
            counted.calendar.last_date(),
            counted.calendar.policy(),
            counted.data_id
        );
    }
    Ok(text)
}
