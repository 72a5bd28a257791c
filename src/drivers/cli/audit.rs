//! `renewflow audit LOG --workflow FILE [--mapping FILE] [--as-of DATE] [--import
//! [--accept-findings]]`: replays a log of past cases through the engine's core and reports every
//! finding and the timing; with `--import`, brings the audited cases into the store so the open
//! ones continue live. Exit 0 with no findings, 1 with findings, 2 when the log, workflow or
//! mapping cannot be used or the import fails (nothing is imported then).

use std::fmt::Write as _;
use std::io::Write as _;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use super::audit_report::{CalendarUsed, Extras, ReportWriter};
use super::format::{parse_date, plural};
use super::log_file::{Breaks, LogFile, Overrun};
use super::log_input::{LogFormat, LogInput};
use super::regular_file::open_regular;
use super::workflow::{Refused, load_or_report};
use super::{Context, EXIT_FINDINGS, EXIT_OK, OutputFormat, render_diagnostic};
use crate::audit::{
    AuditReport, Auditor, CsvLog, EventRows, ImportSelection, JsonLinesLog, Mapping, OpenCases, ReportEntry, RowSource,
    SettledHistories, ShardedAudit, XesLog,
};
use crate::core::calendar::WorkingCalendar;
use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::core::workflow::Workflow;
use crate::engine::{ImportEntry, ImportRequest};
use crate::store::ImportRow;

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// The event log: CSV, JSON Lines (`.jsonl`, `.ndjson`) or XES (`.xes`), gzip-compressed or
    /// not (`.csv.gz`, `.xes.gz`, …); without a telling extension the content says which.
    log: PathBuf,
    /// The workflow the cases ran on.
    #[arg(long, value_name = "FILE")]
    workflow: PathBuf,
    /// How the log names columns, activities and roles (YAML); without it the process-mining
    /// column names and the workflow's own action and state names are used.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Count time up to this date; rows after it are left out [default: the log's last timestamp].
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The log's format, whatever its extension or content says.
    #[arg(long, value_enum, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    /// Write each state's observed stays (working days) here, as empirical durations a
    /// simulation scenario reads with `durations_from`.
    #[arg(long, value_name = "FILE")]
    fit_durations: Option<PathBuf>,
    /// Write one SVG chart per clock into this directory (created if missing), `CLOCK.svg`:
    /// cases by elapsed days, with the statutory limit and the share breached.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Bring the audited cases into the store (`--db`), so the open ones continue live. Cases
    /// already there (same workflow and number) are left as they are; cases whose history the
    /// audit had to change are left out unless `--accept-findings`.
    #[arg(long)]
    import: bool,
    /// With `--import`, bring cases with history-changing findings too, marked as imported with
    /// findings.
    #[arg(long, requires = "import")]
    accept_findings: bool,
    /// Whether the clock figures count the cases still open at the audit date (`as-of`) or
    /// leave them out (`exclude`); their findings are reported either way.
    #[arg(long, value_enum, value_name = "HOW", default_value = "as-of")]
    open_cases: OpenCasesArg,
    /// Threads reading and replaying the log [default: one per core]; each reads the next batch
    /// of rows or replays a shard's part of one, whichever is due. The output does not depend
    /// on it.
    #[arg(long, value_name = "N")]
    threads: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum OpenCasesArg {
    AsOf,
    Exclude,
}

#[allow(clippy::too_many_lines)] // read, replay, import, report: one pass in order
pub(crate) fn run(context: &Context, args: &AuditArgs) -> anyhow::Result<i32> {
    if !matches!(context.format, OutputFormat::Table | OutputFormat::Json | OutputFormat::Csv | OutputFormat::Markdown)
    {
        return context.format.unsupported(
            "audit",
            context.format,
            &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Csv, OutputFormat::Markdown],
        );
    }
    let as_of = args.as_of.as_deref().map(parse_date).transpose()?;
    // Dates after the calendar's data are counted as `--beyond-data` says (refused by default).
    let policy = context.beyond_data_or(crate::core::calendar::BeyondData::Refuse);
    let calendars = context.calendars.under(policy);
    let workflow = load_or_report(&args.workflow, context.workflow_reader(), &calendars)?;
    let calendar = calendars.require(workflow.calendar())?;
    if let Some(as_of) = as_of {
        calendar.is_working_day(as_of)?;
        if calendar.is_provisional(as_of) {
            eprintln!("provisional: {}", calendar.basis(chrono::Datelike::year(&as_of)).unwrap_or_default());
        }
    }
    let mapping = match &args.mapping {
        None => Mapping::default(),
        Some(path) => {
            let name = path.display().to_string();
            let text = super::regular_file::read_text(path, crate::audit::MAPPING_FILE_BYTES_MAX)
                .with_context(|| format!("reading mapping `{name}`"))?;
            match Mapping::parse(&name, &text, &workflow) {
                Ok(mapping) => mapping,
                Err(error) => {
                    eprint!("{}", render_diagnostic(&error));
                    return Err(Refused(name).into());
                }
            }
        }
    };
    let log_hash = if args.import { Some(file_hash("log", &args.log)?) } else { None };
    let attributes: Vec<&str> = workflow.attributes().iter().map(|attribute| attribute.name.as_str()).collect();
    // CSV is one row per finding: the per-case reports need not be made.
    let keep_cases = context.format != OutputFormat::Csv;
    // Every format streams: cases and findings are handed on as cases settle, so memory stays
    // flat however long the log.
    let audit = ShardedAudit::new(
        &Auditor::new(&workflow, calendar, &mapping, as_of, false)
            .keep_cases(keep_cases)
            .open_cases(match args.open_cases {
                OpenCasesArg::AsOf => OpenCases::AsOf,
                OpenCasesArg::Exclude => OpenCases::Exclude,
            })
            .fit_durations(args.fit_durations.is_some()),
        true,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("starting the worker threads")?;
    let mut selection = ImportSelection::new(args.accept_findings);
    // The log is opened and its format told before anything is written: a file that is no log
    // leaves the output empty.
    let progress = progress_bar(&args.log);
    let (source, overrun, format) = read_log(&args.log, args.log_format, &mapping, &attributes, &progress)?;
    let mut out = context.output.writer();
    let mut writer = ReportWriter::new(
        context.format,
        (workflow.id(), workflow.version()),
        &context.output.spool_directory(),
        context.output.is_stdout(),
        &mut out,
    )?;
    let outcome = audit.run(source, &pool, |found| {
        if args.import {
            for entry in &found {
                if let ReportEntry::Finding(finding) = entry {
                    selection.note(std::slice::from_ref(finding));
                }
            }
        }
        writer.entries(found, &mut out)
    });
    let outcome = outcome?;
    expect_no_overrun(&args.log, &overrun)?;
    progress.finish_and_clear();
    let mut report = outcome.report;
    if let (Some(path), Some(fit)) = (&args.fit_durations, &outcome.fit) {
        std::fs::write(path, fit.to_yaml(&workflow, &args.log.display().to_string()))
            .with_context(|| format!("writing `{}`", path.display()))?;
    }
    selection.note(&report.findings);
    let imported = match log_hash {
        None => None,
        Some(log_hash) => {
            let audited = Audited { workflow: &workflow, calendar, mapping: &mapping, format, log_hash };
            Some(import(context, args, &audited, &report, &mut selection)?)
        }
    };
    let extras = Extras {
        calendar: calendar_used(context, calendar, policy)?,
        import_text: imported.as_ref().map(|imported| import_summary(imported, &selection, &context.db)),
        import_json: match &imported {
            None => None,
            Some(imported) => {
                let mut value = serde_json::to_value(imported)?;
                value["refused_numbers"] = refused_numbers_json(&selection);
                Some(value)
            }
        },
    };
    if let Some(directory) = &args.charts {
        write_charts(directory, &report)?;
    }
    let found = super::audit_report::finding_count(&report);
    writer.tail(&mut report, &mut out)?;
    writer.finish(&report, &extras, &mut out)?;
    out.flush()?;
    Ok(if found == 0 { EXIT_OK } else { EXIT_FINDINGS })
}

/// `DIRECTORY/CLOCK.svg` for every clock that started in some case, each written atomically.
fn write_charts(directory: &Path, report: &AuditReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(directory).with_context(|| format!("creating `{}`", directory.display()))?;
    for stats in report.clocks.iter().filter(|stats| stats.count > 0) {
        let name: String = stats
            .clock
            .chars()
            .map(|character| if character.is_alphanumeric() || "-_".contains(character) { character } else { '_' })
            .collect();
        let svg = crate::audit::clock_chart_svg(&report.workflow, stats);
        super::atomic_file::write_atomically(&directory.join(format!("{name}.svg")), svg.as_bytes())?;
    }
    Ok(())
}

/// The calendar the audit counts on, as the report names it: with the calendar file given (and
/// its SHA-256) and the policy for dates after the data.
fn calendar_used(
    context: &Context,
    calendar: &WorkingCalendar,
    policy: crate::core::calendar::BeyondData,
) -> anyhow::Result<CalendarUsed> {
    let file = context.calendar_file.as_ref().map(|path| path.display().to_string());
    let sha256 = match &context.calendar_file {
        Some(path) => Some(file_hash("calendar file", path)?),
        None => None,
    };
    Ok(CalendarUsed {
        id: calendar.id().to_owned(),
        title: calendar.title().to_owned(),
        data_from: calendar.first_date(),
        data_to: calendar.last_date(),
        file,
        sha256,
        beyond_data: policy.name(),
    })
}

/// A progress bar over the log's bytes, drawn on stderr only when it is a terminal.
fn progress_bar(path: &Path) -> indicatif::ProgressBar {
    let length = std::fs::metadata(path).map_or(0, |metadata| metadata.len());
    let progress = indicatif::ProgressBar::with_draw_target(Some(length), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress
}

type LogRows = Box<dyn RowSource + Send>;

/// The rows of a log, streamed (decompressed when it is gzip), moving `progress` as its bytes
/// are read (when it is drawn); and its format, `format` or the one its name or content says.
fn read_log(
    path: &Path,
    format: Option<LogFormat>,
    mapping: &Mapping,
    attributes: &[&str],
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<(LogRows, Overrun, LogFormat)> {
    // A hidden bar counts nothing: the file is read as it is, so that its reads fill buffers
    // without zeroing them first (the bar's reader would zero 256 KiB before every read).
    let (file, _) = open_regular(path).with_context(|| format!("reading log `{}`", path.display()))?;
    let file: Box<dyn Read + Send> =
        if progress.is_hidden() { Box::new(file) } else { Box::new(progress.wrap_read(file)) };
    let log =
        LogInput::new(file, path, format).map_err(|message| anyhow::anyhow!("log `{}`: {message}", path.display()))?;
    let format = log.format;
    let breaks = match format {
        LogFormat::Csv => Breaks::Lines,
        LogFormat::Jsonl => Breaks::Feeds,
        LogFormat::Xes => Breaks::Xml,
    };
    let what = if log.compressed { "the gzip stream" } else { "the file" };
    let (file, overrun) = LogFile::new(log.bytes, breaks, what);
    let input = BufReader::with_capacity(1 << 16, file);
    let rows: LogRows = match format {
        LogFormat::Csv => Box::new(
            CsvLog::new(input, &mapping.columns, attributes)
                .map_err(|message| anyhow::anyhow!("log `{}`: {message}", path.display()))?,
        ),
        LogFormat::Jsonl => Box::new(EventRows(JsonLinesLog::new(input, &mapping.columns, attributes))),
        LogFormat::Xes => Box::new(EventRows(XesLog::new(input, &mapping.columns, attributes))),
    };
    Ok((rows, overrun, format))
}

/// Refuses the audit when its log's reading stopped early: an over-long line, or a read error
/// (a gzip stream corrupt after its start).
fn expect_no_overrun(path: &Path, overrun: &Overrun) -> anyhow::Result<()> {
    match overrun.get() {
        Some(message) => Err(anyhow::anyhow!("log `{}`: {message}", path.display())),
        None => Ok(()),
    }
}

/// SHA-256 of a file's bytes (`what` names it in an error), hex.
fn file_hash(what: &str, path: &Path) -> anyhow::Result<String> {
    use sha2::{Digest as _, Sha256};
    let (mut file, _) = open_regular(path).with_context(|| format!("reading {what} `{}`", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 1 << 16];
    loop {
        match std::io::Read::read(&mut file, &mut buffer) {
            Ok(0) => break,
            Ok(read) => hasher.update(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error).with_context(|| format!("reading {what} `{}`", path.display())),
        }
    }
    let digest: [u8; 32] = hasher.finalize().into();
    Ok(crate::core::workflow::hex(&digest))
}

/// What the first pass established, for the second.
struct Audited<'a> {
    workflow: &'a Workflow,
    calendar: &'a WorkingCalendar,
    mapping: &'a Mapping,
    format: LogFormat,
    /// The log's hash before the audit read it.
    log_hash: String,
}

/// Reads the log again and imports the audited cases as they settle, in one transaction.
fn import(
    context: &Context,
    args: &AuditArgs,
    audited: &Audited<'_>,
    report: &AuditReport,
    selection: &mut ImportSelection,
) -> anyhow::Result<ImportRow> {
    if report.rows_after_as_of > 0 {
        anyhow::bail!(
            "nothing imported: {} rows are after --as-of {}, and an import brings whole histories; audit as of \
             the log's last date (leave --as-of out) to import",
            report.rows_after_as_of,
            cell(report.as_of)
        );
    }
    let mut engine = super::store::open_engine(context)?;
    let name = args.workflow.display().to_string();
    let text = super::workflow::read_limited(&args.workflow).with_context(|| format!("reading workflow `{name}`"))?;
    let deployed = engine
        .deploy(&name, &text, &mut context.workflow_reader(), super::store::now())
        .with_context(|| format!("deploying `{name}`"))?;
    let attributes: Vec<&str> = audited.workflow.attributes().iter().map(|attribute| attribute.name.as_str()).collect();
    let progress = progress_bar(&args.log);
    let (rows, _, _) = read_log(&args.log, Some(audited.format), audited.mapping, &attributes, &progress)?;
    let auditor =
        Auditor::new(audited.workflow, audited.calendar, audited.mapping, report.as_of, true).keep_cases(false);
    let histories = SettledHistories::new(auditor, rows).map(|(case_id, events)| selection.entry(case_id, events));
    // Both readings must have seen the same bytes, or the findings do not describe the histories.
    let unchanged = std::iter::once_with(|| match file_hash("log", &args.log) {
        Ok(hash) if hash == audited.log_hash => None,
        Ok(_) => Some(ImportEntry::Abandon(format!("the log `{}` changed while it was read", args.log.display()))),
        Err(error) => Some(ImportEntry::Abandon(format!("{error:#}"))),
    })
    .flatten();
    let request = ImportRequest {
        deployment: deployed.key,
        log: args.log.display().to_string(),
        log_hash: audited.log_hash.clone(),
        as_of: report.as_of,
        accept_findings: args.accept_findings,
        at: super::store::now(),
    };
    let imported = engine
        .import(&request, histories.chain(unchanged))
        .with_context(|| format!("importing into the case store `{}`", context.db.display()))?;
    progress.finish_and_clear();
    Ok(imported)
}

fn import_summary(imported: &ImportRow, selection: &ImportSelection, db: &Path) -> String {
    let mut summary = format!(
        "Import {} into `{}`: {} created ({} marked as imported with findings), {} already in the store \
         and left as they were, {} left out",
        imported.key,
        db.display(),
        plural(imported.imported, "case", "cases"),
        imported.with_findings,
        imported.skipped,
        imported.refused
    );
    let refused_numbers = selection.refused_number_count() as u64;
    if imported.refused > refused_numbers && !imported.accept_findings {
        summary.push_str(" (their history had to change to replay; --accept-findings brings them, marked)");
    }
    summary.push('.');
    if refused_numbers > 0 {
        let _ = write!(summary, "\n{refused_numbers} of them for a case id that is no valid case number:");
        for (number, reason) in selection.refused_numbers() {
            let _ = write!(summary, "\n  `{}` {reason}", escape_unprintable(number, LineBreaks::Escaped));
        }
        let kept = selection.refused_numbers().len() as u64;
        if refused_numbers > kept {
            let _ = write!(summary, "\n  and {} more", refused_numbers - kept);
        }
    }
    summary
}

/// The cases left out for their number, as the JSON report's `import.refused_numbers`: the
/// first ones with why, then the count when there are more.
fn refused_numbers_json(selection: &ImportSelection) -> serde_json::Value {
    let listed: Vec<serde_json::Value> = selection
        .refused_numbers()
        .iter()
        .map(|(number, reason)| serde_json::json!({"number": number, "reason": reason.to_string()}))
        .collect();
    serde_json::json!({"count": selection.refused_number_count(), "first": listed})
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}
