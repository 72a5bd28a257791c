//! The command line: one file per subcommand. Reads files, stdin and the terminal; the rules
//! stay in `core`.

mod actor;
mod atomic_file;
mod audit;
mod audit_report;
mod bulk;
mod calendar;
mod calendar_install;
mod case;
mod case_history;
mod case_list;
pub(crate) mod compare;
mod demo;
mod demo_summary;
pub(crate) mod describe;
mod export;
pub(crate) mod format;
pub(crate) mod key;
mod log_file;
mod log_input;
mod logging;
mod output;
mod regular_file;
mod serve;
mod simulate;
mod spool;
mod store;
mod verify;
mod warnings;
mod watch;
mod webhook;
mod workflow;
mod workflow_store;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::core::calendar::{BeyondData, CalendarFileError, Calendars};
pub(crate) use format::OutputFormat;
pub(crate) use regular_file::read_text;
pub(crate) use store::default_zone;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: ran fine and found something (audit findings, a refused action).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage or input error.
pub const EXIT_USAGE: i32 = 2;

/// Statutory time limits in working days on a real China-mainland calendar.
#[derive(Debug, Parser)]
#[command(name = "renewflow", version, about, max_term_width = 100)]
struct Cli {
    /// Output format where the output is data.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// A calendar file that adds years or adjustments to a calendar, or defines a new one.
    #[arg(long, global = true, env = "RENEWFLOW_CALENDAR", value_name = "PATH")]
    calendar_file: Option<PathBuf>,

    /// What to do with dates after the calendar's data: refuse them, count weekends only, or
    /// count weekends and the statutory holidays the law fixes; every such answer is marked
    /// provisional. Default: `refuse` for the calendar, audit and simulate commands; a store's
    /// own policy (set on its first use, `statutory` for a new store) for the store commands.
    #[arg(long, global = true, value_enum, env = "RENEWFLOW_BEYOND_DATA")]
    beyond_data: Option<BeyondDataArg>,

    /// Write the report to this file instead of stdout: under a temporary name beside it,
    /// renamed over it when the command succeeds (exit 0 or 1), so a failed run leaves no half
    /// file.
    #[arg(long, global = true, value_name = "FILE")]
    output: Option<PathBuf>,

    /// The case store: a SQLite file, created if missing.
    #[arg(long, global = true, env = "RENEWFLOW_DB", value_name = "PATH", default_value = "renewflow.db")]
    db: PathBuf,

    /// Let a workflow's `extends` name a file outside the directory of the file that names it.
    /// Without it such a file is refused unread (symbolic links are resolved first), so a
    /// workflow from elsewhere cannot read other files of this machine.
    #[arg(long, global = true)]
    allow_extends_outside_directory: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Working days, due dates and periods on a calendar.
    Calendar(calendar::CalendarArgs),
    /// Check, show, compare and deploy workflow files.
    Workflow(workflow::WorkflowArgs),
    /// Open cases, act on them, and read their history and timing.
    Case(case::CaseArgs),
    /// The yellow and red clocks of every case, most urgent first.
    Watch(watch::WatchArgs),
    /// Record the prompts, yellow and red cards due (for cron), and list those on record.
    Warnings(warnings::WarningsArgs),
    /// Where warnings are POSTed: add, list and remove webhooks, and show their deliveries.
    Webhook(webhook::WebhookArgs),
    /// Recompute every case's hash chain; exit 1 naming each broken case and its first bad event.
    Verify(verify::VerifyArgs),
    /// Compare the store's derived data with the fold of every history; exit 1 on a difference.
    Check,
    /// The API keys `renewflow serve` accepts: create one (its token is printed once), list
    /// them, revoke one.
    Key(key::KeyArgs),
    /// Write the store's histories as an event log (CSV, JSON Lines or XES) in the
    /// process-mining conventions `renewflow audit`, PM4Py and Disco read.
    Export(export::ExportArgs),
    /// Replay a log of past cases against a workflow and the calendar; exit 1 with findings.
    Audit(audit::AuditArgs),
    /// Monte Carlo of a scenario's workflows side by side, in working days on the real calendar.
    Simulate(simulate::SimulateArgs),
    /// Serve the store over HTTP/JSON for case-handling software (docs/service.md).
    Serve(serve::ServeArgs),
    /// Print the service's OpenAPI 3.1 document, generated from its code: `docs/openapi.json`
    /// is this output (`renewflow openapi > docs/openapi.json`).
    #[command(hide = true)]
    Openapi,
    /// The main job on embedded defaults: deploy the shipped flows into `--db`, run a fixed set
    /// of dated cases, print their timing and the watch list as of 2017-09-29.
    Demo,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum BeyondDataArg {
    Refuse,
    WeekendsOnly,
    Statutory,
}

impl From<BeyondDataArg> for BeyondData {
    fn from(arg: BeyondDataArg) -> BeyondData {
        match arg {
            BeyondDataArg::Refuse => BeyondData::Refuse,
            BeyondDataArg::WeekendsOnly => BeyondData::WeekendsOnly,
            BeyondDataArg::Statutory => BeyondData::Statutory,
        }
    }
}

/// What every subcommand gets: the parsed global options and the calendars.
pub(crate) struct Context {
    pub(crate) format: OutputFormat,
    /// The policy given with `--beyond-data` or `RENEWFLOW_BEYOND_DATA`, if any.
    pub(crate) beyond_data: Option<BeyondData>,
    pub(crate) calendars: Calendars,
    /// The calendar file given with `--calendar-file` or `RENEWFLOW_CALENDAR`, if any.
    pub(crate) calendar_file: Option<PathBuf>,
    pub(crate) db: PathBuf,
    /// How far a workflow's `extends` may reach.
    pub(crate) extends_reach: workflow::ExtendsReach,
    /// Where the report goes: stdout, or `--output FILE`.
    pub(crate) output: output::Output,
}

impl Context {
    /// The policy given, or `default` (each command says which default it keeps).
    pub(crate) fn beyond_data_or(&self, default: BeyondData) -> BeyondData {
        self.beyond_data.unwrap_or(default)
    }

    /// The reader of the files workflows `extend`, as far as the options allow.
    pub(crate) fn workflow_reader(&self) -> workflow::FileReader {
        workflow::FileReader { reach: self.extends_reach }
    }
}

/// Runs the binary and returns its exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    logging::init(stderr_color());
    let args: Vec<OsString> = args.into_iter().collect();
    let unprintable_argument =
        args.iter().any(|arg| arg.to_string_lossy().chars().any(crate::core::printable::is_escaped_on_output));
    let cli = match parse(args) {
        Ok(cli) => cli,
        Err(error) => {
            // clap quotes the argument it refused, and on a terminal passes its escapes through:
            // with such characters in the arguments, its message is shown without colour (its
            // plain text drops ANSI sequences) and the rest escaped.
            if error.use_stderr() && unprintable_argument {
                eprint!("{}", format::shown(&error.render().to_string()));
            } else {
                let _ = error.print();
            }
            return if error.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader stopped reading (`renewflow case list | head -1`): its choice, not an error.
        Err(error) if output::is_closed_pipe(&error) => EXIT_OK,
        Err(error) => {
            report(&error);
            EXIT_USAGE
        }
    }
}

/// The command line parsed, with `--db` shown in the help of the commands that use a store only.
fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let mut command = Cli::command();
    let db = command.get_arguments().find(|arg| arg.get_id() == "db").cloned();
    if let Some(db) = db {
        // A subcommand that holds the global option itself does not get the root's copy: a
        // hidden copy hides it there and below, a visible one shows it again where a store is
        // used. Values still reach the root's `--db`, as for any global option.
        for (name, uses_store) in [
            ("calendar", &["install", "installed", "recompute"][..]),
            ("workflow", &["deploy", "list", "show"]),
            ("simulate", &[]),
        ] {
            command = command.mut_subcommand(name, |mut subcommand| {
                for used in uses_store {
                    subcommand = subcommand.mut_subcommand(used, |used| used.arg(db.clone()));
                }
                subcommand.arg(db.clone().hide(true))
            });
        }
    }
    let matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches)
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let calendars = load_calendars(cli.calendar_file.as_deref())?;
    let context = Context {
        format: cli.format,
        beyond_data: cli.beyond_data.map(Into::into),
        calendars,
        calendar_file: cli.calendar_file,
        db: cli.db,
        extends_reach: if cli.allow_extends_outside_directory {
            workflow::ExtendsReach::Anywhere
        } else {
            workflow::ExtendsReach::SameDirectory
        },
        output: output::Output::new(cli.output.as_deref())?,
    };
    let code = run_command(&context, cli.command);
    let succeeded = matches!(code, Ok(EXIT_OK | EXIT_FINDINGS));
    let finished = context.output.finish(succeeded);
    let code = code?;
    finished?;
    Ok(code)
}

fn run_command(context: &Context, command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Calendar(args) => calendar::run(context, args),
        Command::Workflow(args) => workflow::run(context, args),
        Command::Case(args) => case::run(context, args),
        Command::Watch(args) => watch::run(context, args),
        Command::Warnings(args) => warnings::run(context, args),
        Command::Webhook(args) => webhook::run(context, args),
        Command::Verify(args) => verify::verify(context, &args),
        Command::Check => verify::check(context),
        Command::Serve(args) => serve::run(context, args),
        Command::Key(args) => key::run(context, args),
        Command::Openapi => {
            context.output.write(&crate::drivers::serve::openapi_json())?;
            Ok(EXIT_OK)
        }
        Command::Demo => demo::run(context),
        Command::Export(args) => export::run(context, &args),
        Command::Audit(args) => audit::run(context, &args),
        Command::Simulate(args) => simulate::run_simulate(context, &args),
    }
}

/// Stdout was closed by its reader before everything was written.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed before the output was written")]
pub(crate) struct ClosedPipe;

fn load_calendars(calendar_file: Option<&std::path::Path>) -> anyhow::Result<Calendars> {
    use anyhow::Context as _;
    let mut calendars = Calendars::builtin();
    if let Some(path) = calendar_file {
        let text = regular_file::read_text(path, crate::core::calendar::CALENDAR_FILE_BYTES_MAX)
            .with_context(|| format!("reading calendar file `{}`", path.display()))?;
        calendars.load(&path.display().to_string(), &text)?;
    }
    Ok(calendars)
}

/// Prints an error in the house voice: a diagnostic with the source when there is one.
fn report(error: &anyhow::Error) {
    if let Some(file_error) = error.downcast_ref::<CalendarFileError>() {
        eprint!("{}", render_diagnostic(file_error));
        return;
    }
    if let Some(crate::engine::EngineError::CalendarFile(file_error)) =
        error.downcast_ref::<crate::engine::EngineError>()
    {
        eprint!("{}", render_diagnostic(file_error.as_ref()));
        return;
    }
    if error.downcast_ref::<workflow::Refused>().is_some() {
        return;
    }
    eprintln!("error: {}", format::shown(&format!("{error:#}")));
}

/// A diagnostic with its source snippets, as text for stderr; without them when a label lies
/// too far along its line to be drawn (`SNIPPET_COLUMN_CHARS_MAX`). A file that quotes control
/// or bidirectional characters (in its text, or in a name its message quotes) is shown without
/// colour and with them escaped: the escapes would shift miette's carets, so escaping is left
/// until after the drawing, which cannot be told from the colours' own escapes once drawn.
pub(crate) fn render_diagnostic(error: &dyn miette::Diagnostic) -> String {
    if !labels_drawable(error) {
        return format::shown(&render_plain(error)).into_owned();
    }
    let plain = draw_diagnostic(error, false);
    if stderr_color() && matches!(format::shown(&plain), std::borrow::Cow::Borrowed(_)) {
        return draw_diagnostic(error, true);
    }
    format::shown(&plain).into_owned()
}

fn draw_diagnostic(error: &dyn miette::Diagnostic, color: bool) -> String {
    let mut text = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme(color))
        .with_width(100)
        .with_links(false)
        .with_wrap_lines(false);
    if handler.render_report(&mut text, error).is_err() {
        return format!("error: {error}\n");
    }
    text
}

/// Furthest a label may start along its line, in characters (the column our sources give miette,
/// `core::problem::SourceText`), to be drawn under it. miette pads the underline to the label with
/// a formatting width, which panics past 65 535 columns; a character takes at most 4 columns (a
/// tab; a Chinese character takes 2), so labels up to here are safe.
const SNIPPET_COLUMN_CHARS_MAX: usize = 16_000;

/// Whether every label of `diagnostic` and of the diagnostics related to it can be drawn.
fn labels_drawable(diagnostic: &dyn miette::Diagnostic) -> bool {
    let own = match (diagnostic.labels(), diagnostic.source_code()) {
        (Some(mut labels), Some(source)) => labels.all(|label| {
            source.read_span(label.inner(), 0, 0).is_ok_and(|span| span.column() <= SNIPPET_COLUMN_CHARS_MAX)
        }),
        _ => true,
    };
    own && diagnostic.related().is_none_or(|mut related| related.all(labels_drawable))
}

/// A diagnostic as lines of text, without source snippets: its message, and each related one's
/// (a problem's says file, line and column) with its help.
fn render_plain(error: &dyn miette::Diagnostic) -> String {
    let mut text = format!("  × {error}\n");
    for related in error.related().into_iter().flatten() {
        let _ = writeln!(text, "\nError: \n  × {related}");
        if let Some(help) = related.help() {
            let _ = writeln!(text, "  help: {help}");
        }
    }
    text
}

/// Colour on stderr only for a terminal, and never when `NO_COLOR` is set.
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn theme(color: bool) -> miette::GraphicalTheme {
    if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() }
}
