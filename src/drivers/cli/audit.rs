//! `renewflow audit LOG --workflow FILE [--mapping FILE] [--as-of DATE]`: replays a log of past
//! cases through the engine's core and reports every finding and the timing. Exit 0 with no
//! findings, 1 with findings, 2 when the log, workflow or mapping cannot be used.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use super::format::{csv, parse_date, table};
use super::workflow::{Refused, load_or_report};
use super::{Context, EXIT_FINDINGS, EXIT_OK, OutputFormat, render_diagnostic};
use crate::audit::{AuditReport, Auditor, CsvLog, Finding, JsonLinesLog, Mapping, XesLog};

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// The event log: CSV, JSON Lines (`.jsonl`, `.ndjson`) or XES (`.xes`).
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
    /// The log's format when its extension does not say.
    #[arg(long, value_enum, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Csv,
    Jsonl,
    Xes,
}

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
    let workflow = load_or_report(&args.workflow, &context.calendars)?;
    let calendar = context.calendars.require(workflow.calendar())?;
    if let Some(as_of) = as_of {
        calendar.is_working_day(as_of)?;
    }
    let mapping = match &args.mapping {
        None => Mapping::default(),
        Some(path) => {
            let name = path.display().to_string();
            let text = super::workflow::read_limited(path).with_context(|| format!("reading mapping `{name}`"))?;
            match Mapping::parse(&name, &text, &workflow) {
                Ok(mapping) => mapping,
                Err(error) => {
                    eprint!("{}", render_diagnostic(&error));
                    return Err(Refused(name).into());
                }
            }
        }
    };
    let format = args.log_format.unwrap_or_else(|| guess_format(&args.log));
    let file = File::open(&args.log).with_context(|| format!("reading log `{}`", args.log.display()))?;
    let length = file.metadata().map_or(0, |metadata| metadata.len());
    let progress = indicatif::ProgressBar::with_draw_target(Some(length), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let input = BufReader::with_capacity(1 << 16, progress.wrap_read(file));
    let attributes: Vec<&str> = workflow.attributes().iter().map(|attribute| attribute.name.as_str()).collect();
    // CSV is one row per finding: the per-case reports need not be kept, so memory stays flat.
    let keep_cases = context.format != OutputFormat::Csv;
    let mut auditor = Auditor::new(&workflow, calendar, &mapping, as_of, false).keep_cases(keep_cases);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // CSV findings are written as cases settle, so memory stays flat however long the log.
    let streaming = !keep_cases;
    if streaming {
        write!(out, "{}", findings_csv(&[], true))?;
    }
    let mut feed = |row| -> std::io::Result<()> {
        auditor.feed(row);
        if streaming {
            let found = auditor.take_findings();
            if !found.is_empty() {
                write!(out, "{}", findings_csv(&found, false))?;
            }
        }
        Ok(())
    };
    match format {
        LogFormat::Csv => {
            let mut rows = CsvLog::new(input, &mapping.columns, &attributes)
                .map_err(|message| anyhow::anyhow!("log `{}`: {message}", args.log.display()))?;
            rows.try_for_each(&mut feed)?;
        }
        LogFormat::Jsonl => {
            JsonLinesLog::new(input, &mapping.columns, &attributes).try_for_each(&mut feed)?;
        }
        LogFormat::Xes => {
            XesLog::new(input, &mapping.columns, &attributes).try_for_each(&mut feed)?;
        }
    }
    progress.finish_and_clear();
    let report = auditor.finish().report;
    let output = match context.format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        OutputFormat::Csv => findings_csv(&report.findings, false),
        OutputFormat::Markdown => markdown(&report),
        _ => text(&report),
    };
    write!(out, "{output}")?;
    out.flush()?;
    let found: u64 = report.codes.iter().map(|code| code.count).sum();
    Ok(if found == 0 { EXIT_OK } else { EXIT_FINDINGS })
}

fn guess_format(path: &Path) -> LogFormat {
    match path.extension().and_then(|extension| extension.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("jsonl" | "ndjson") => LogFormat::Jsonl,
        Some("xes") => LogFormat::Xes,
        _ => LogFormat::Csv,
    }
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// One row per finding, after a header row when `header`.
fn findings_csv(findings: &[Finding], header: bool) -> String {
    let mut rows = Vec::new();
    if header {
        rows.push(
            ["code", "case_id", "row", "activity", "clock", "over_statutory", "over_promised", "message"]
                .map(str::to_owned)
                .to_vec(),
        );
    }
    for finding in findings {
        rows.push(vec![
            finding.code.code().to_owned(),
            finding.case_id.clone(),
            cell(finding.row),
            cell(finding.activity.as_ref()),
            cell(finding.clock.as_ref()),
            cell(finding.over_statutory),
            cell(finding.over_promised),
            finding.message.clone(),
        ]);
    }
    csv(&rows)
}

fn scope(report: &AuditReport) -> String {
    format!(
        "{} {}, as of {}: {} rows, {} cases, {} findings",
        report.workflow,
        report.version,
        cell(report.as_of),
        report.rows,
        report.case_count,
        report.findings.len()
    )
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
        "As of **{}**. {} rows read ({} of other workflows, {} after the audit date, {} informational); {} cases; \
         **{} findings**.\n",
        cell(report.as_of),
        report.rows,
        report.rows_other_workflows,
        report.rows_after_as_of,
        report.rows_informational,
        report.case_count,
        report.findings.len()
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
