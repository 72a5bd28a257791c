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

use super::format::{parse_date, plural, push_csv_row, shown, table};
use super::log_file::{Breaks, LogFile, Overrun};
use super::log_input::{LogFormat, LogInput};
use super::regular_file::open_regular;
use super::workflow::{Refused, load_or_report};
use super::{Context, EXIT_FINDINGS, EXIT_OK, OutputFormat, render_diagnostic};
use crate::audit::{
    AuditReport, Auditor, CsvLog, EventRows, Finding, ImportSelection, JsonLinesLog, Mapping, OpenCases, RowSource,
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
    let log_hash = if args.import { Some(file_hash(&args.log)?) } else { None };
    let attributes: Vec<&str> = workflow.attributes().iter().map(|attribute| attribute.name.as_str()).collect();
    // CSV is one row per finding: the per-case reports need not be kept, so memory stays flat.
    let keep_cases = context.format != OutputFormat::Csv;
    let audit = ShardedAudit::new(
        &Auditor::new(&workflow, calendar, &mapping, as_of, false)
            .keep_cases(keep_cases)
            .open_cases(match args.open_cases {
                OpenCasesArg::AsOf => OpenCases::AsOf,
                OpenCasesArg::Exclude => OpenCases::Exclude,
            })
            .fit_durations(args.fit_durations.is_some()),
        !keep_cases,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("starting the worker threads")?;
    let mut selection = ImportSelection::new(args.accept_findings);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // CSV findings are written as cases settle, so memory stays flat however long the log.
    let streaming = !keep_cases;
    if streaming {
        write!(out, "{}", findings_csv(&[], true))?;
    }
    let progress = progress_bar(&args.log);
    let (source, overrun, format) = read_log(&args.log, args.log_format, &mapping, &attributes, &progress)?;
    let outcome = audit.run(source, &pool, |found| {
        if found.is_empty() {
            return Ok(());
        }
        selection.note(&found);
        write!(out, "{}", findings_csv(&found, false))
    })?;
    expect_no_overrun(&args.log, &overrun)?;
    progress.finish_and_clear();
    let report = outcome.report;
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
    let output = match context.format {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(&report)?;
            if let (Some(imported), Some(object)) = (&imported, value.as_object_mut()) {
                let mut imported = serde_json::to_value(imported)?;
                imported["refused_numbers"] = refused_numbers_json(&selection);
                object.insert("import".to_owned(), imported);
            }
            super::format::json(&value)?
        }
        OutputFormat::Csv => {
            if let Some(imported) = &imported {
                eprintln!("{}", shown(&import_summary(imported, &selection, &context.db)));
            }
            findings_csv(&report.findings, false)
        }
        OutputFormat::Markdown => {
            let mut text = markdown(&report);
            if let Some(imported) = &imported {
                let _ = writeln!(text, "\n## Import\n\n{}", import_summary(imported, &selection, &context.db));
            }
            text
        }
        _ => {
            let mut text = text(&report);
            if let Some(imported) = &imported {
                let _ = writeln!(text, "{}", import_summary(imported, &selection, &context.db));
            }
            text
        }
    };
    // The findings and the summary quote the log's text; the tables escaped their cells already.
    write!(out, "{}", shown(&output))?;
    out.flush()?;
    let found: u64 = report.codes.iter().map(|code| code.count).sum();
    Ok(if found == 0 { EXIT_OK } else { EXIT_FINDINGS })
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

/// SHA-256 of a file's bytes, hex.
fn file_hash(path: &Path) -> anyhow::Result<String> {
    use sha2::{Digest as _, Sha256};
    let (mut file, _) = open_regular(path).with_context(|| format!("reading log `{}`", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 1 << 16];
    loop {
        match std::io::Read::read(&mut file, &mut buffer) {
            Ok(0) => break,
            Ok(read) => hasher.update(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error).with_context(|| format!("reading log `{}`", path.display())),
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
    let unchanged = std::iter::once_with(|| match file_hash(&args.log) {
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

/// One row per finding, after a header row when `header`; written straight into one string, as
/// a streamed audit writes tens of thousands of findings.
fn findings_csv(findings: &[Finding], header: bool) -> String {
    let mut text = String::with_capacity(findings.len() * 128);
    if header {
        push_csv_row(
            &mut text,
            ["code", "case_id", "row", "activity", "clock", "over_statutory", "over_promised", "message"],
        );
    }
    // The numbers, written into buffers reused from row to row.
    let (mut row, mut over_statutory, mut over_promised) = (String::new(), String::new(), String::new());
    for finding in findings {
        number_into(&mut row, finding.row);
        number_into(&mut over_statutory, finding.over_statutory);
        number_into(&mut over_promised, finding.over_promised);
        push_csv_row(
            &mut text,
            [
                finding.code.code(),
                &finding.case_id,
                &row,
                finding.activity.as_deref().unwrap_or_default(),
                finding.clock.as_deref().unwrap_or_default(),
                &over_statutory,
                &over_promised,
                &finding.message,
            ],
        );
    }
    text
}

/// `number` written into `buffer` (emptied first); nothing when there is none.
fn number_into(buffer: &mut String, number: Option<impl std::fmt::Display>) {
    buffer.clear();
    if let Some(number) = number {
        let _ = write!(buffer, "{number}");
    }
}

fn scope(report: &AuditReport) -> String {
    format!(
        "{} {}, as of {}: {}, {}{}, {}",
        report.workflow,
        report.version,
        cell(report.as_of),
        plural(report.rows, "row", "rows"),
        plural(report.case_count, "case", "cases"),
        case_states(report),
        plural(report.findings.len() as u64, "finding", "findings")
    )
}

/// How many cases are still open or were never opened, and how the open ones are counted,
/// as " (… open, counted as of the audit date; … never opened)"; empty when all finished.
fn case_states(report: &AuditReport) -> String {
    let mut parts = Vec::new();
    if report.cases_open > 0 {
        let counted = match report.open_cases {
            OpenCases::AsOf => "counted in the clocks as of the audit date",
            OpenCases::Exclude => "left out of the clock figures",
        };
        parts.push(format!("{} open, {counted}", report.cases_open));
    }
    if report.cases_not_opened > 0 {
        parts.push(format!("{} never opened", report.cases_not_opened));
    }
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join("; ")) }
}

fn clock_rows(report: &AuditReport) -> Vec<Vec<String>> {
    report
        .clocks
        .iter()
        .filter(|clock| clock.count > 0)
        .map(|clock| {
            vec![
                clock.clock.clone(),
                clock.limit.clone(),
                clock.count.to_string(),
                cell(clock.median),
                cell(clock.p90),
                cell(clock.max),
                clock.breached.to_string(),
                format!("{:.1} %", clock.breach_rate * 100.0),
            ]
        })
        .collect()
}

const CLOCK_COLUMNS: [&str; 8] = ["clock", "limit", "cases", "median", "p90", "max", "breached", "breach rate"];

fn text(report: &AuditReport) -> String {
    let mut out = format!("{}\n", scope(report));
    if !report.findings.is_empty() {
        let mut shown = table(&["code", "case", "row", "message"]);
        for finding in &report.findings {
            shown.add_row(vec![
                finding.code.code().to_owned(),
                finding.case_id.clone(),
                cell(finding.row),
                finding.message.clone(),
            ]);
        }
        let _ = writeln!(out, "{shown}");
    }
    let rows = clock_rows(report);
    if !rows.is_empty() {
        let mut shown = table(&CLOCK_COLUMNS);
        for row in rows {
            shown.add_row(row);
        }
        let _ = writeln!(out, "{shown}");
    }
    let mut codes = table(&["code", "finding", "count"]);
    for code in report.codes.iter().filter(|code| code.count > 0) {
        codes.add_row(vec![code.code.code().to_owned(), code.title.to_owned(), code.count.to_string()]);
    }
    if codes.row_count() > 0 {
        let _ = writeln!(out, "{codes}");
    }
    out
}

/// Escapes a Markdown table cell.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(report: &AuditReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Audit of `{}` {}\n", report.workflow, report.version);
    let _ = writeln!(
        out,
        "As of **{}**. {} read ({} of other workflows, {} after the audit date, {} informational, {} of \
         other lifecycle transitions); {}; **{}**.\n",
        cell(report.as_of),
        plural(report.rows, "row", "rows"),
        report.rows_other_workflows,
        report.rows_after_as_of,
        report.rows_informational,
        report.rows_other_lifecycle,
        plural(report.case_count, "case", "cases") + &case_states(report),
        plural(report.findings.len() as u64, "finding", "findings")
    );
    let _ = writeln!(
        out,
        "Working days are counted on the China-mainland calendar (public holidays and 调休 working days).\n"
    );
    let _ = writeln!(out, "## Findings by code\n\n| code | finding | count |\n| --- | --- | ---: |");
    for code in &report.codes {
        let _ = writeln!(out, "| {} | {} | {} |", code.code.code(), md(code.title), code.count);
    }
    let _ = writeln!(
        out,
        "\n## Clocks\n\n| {} |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        CLOCK_COLUMNS.join(" | ")
    );
    for row in clock_rows(report) {
        let _ = writeln!(out, "| {} |", row.iter().map(|cell| md(cell)).collect::<Vec<_>>().join(" | "));
    }
    let _ = writeln!(
        out,
        "\n## Cases\n\n| case | rows | opened | finished | state | working days | findings |\n| --- | ---: | --- | --- | --- | ---: | ---: |"
    );
    for case in &report.cases {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&case.case_id),
            case.rows,
            cell(case.opened_on),
            cell(case.finished_on),
            md(&case.active.join(", ")),
            cell(case.elapsed_working_days),
            case.finding_count
        );
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out, "\n## Findings\n");
        let mut current = None;
        for finding in &report.findings {
            if current != Some(&finding.case_id) {
                let _ = writeln!(out, "\n### Case `{}`\n", finding.case_id);
                current = Some(&finding.case_id);
            }
            let row = finding.row.map(|row| format!(" (row {row})")).unwrap_or_default();
            let _ = writeln!(out, "- **{}**{row}: {}", finding.code.code(), md(&finding.message));
        }
    }
    out
}
