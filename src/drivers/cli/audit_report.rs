//! The audit report in each format, written while the audit runs: findings and settled cases are
//! handed on in the order their cases settle and go straight out (CSV findings, JSON cases) or to
//! a spool file (JSON findings, Markdown), and the table lists the first findings only, so memory
//! stays flat however long the log. JSON puts its summary keys last, after `cases` and
//! `findings`; Markdown and the table write the summary first, then the spooled sections.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::OutputFormat;
use super::format::{escape_json, plural, push_csv_row, shown, table};
use super::spool::Spool;
use crate::audit::{AuditReport, CaseReport, Finding, ReportEntry};

/// Findings the table lists; the rest are counted (CSV and JSON list them all).
pub(crate) const FINDINGS_LISTED_MAX: usize = 1000;

/// The calendar an audit counted on, as its report names it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CalendarUsed {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) data_from: NaiveDate,
    pub(crate) data_to: NaiveDate,
    /// The calendar file given (`--calendar-file`, `RENEWFLOW_CALENDAR`), and its SHA-256.
    pub(crate) file: Option<String>,
    pub(crate) sha256: Option<String>,
    /// `--beyond-data`: how dates after the data were counted.
    #[serde(skip)]
    pub(crate) beyond_data: &'static str,
}

/// What the report says besides the audit's own figures.
pub(crate) struct Extras {
    pub(crate) calendar: CalendarUsed,
    /// The import's summary, as text and as the JSON report's `import`.
    pub(crate) import_text: Option<String>,
    pub(crate) import_json: Option<serde_json::Value>,
}

/// A report being written.
pub(crate) struct ReportWriter {
    format: OutputFormat,
    cases: Option<Spool>,
    findings: Option<Spool>,
    /// The table's findings, and how many more there were.
    listed: Vec<Finding>,
    unlisted: u64,
    /// The case whose findings the Markdown report is listing.
    current_case: Option<String>,
    /// Cases the JSON report has written (straight out, not spooled).
    json_cases: u64,
    /// The JSON report's first keys, held back until the end when the output is stdout.
    json_head: Option<String>,
}

impl ReportWriter {
    /// A report in `format` of an audit of `workflow` (id and version), its spool files (if any)
    /// in `spool_directory`; a CSV report writes its header to `out` now, a JSON report its
    /// first keys.
    pub(crate) fn new(
        format: OutputFormat,
        workflow: (&str, &str),
        spool_directory: &Path,
        hold_back: bool,
        out: &mut dyn Write,
    ) -> anyhow::Result<Self> {
        let spool = |label, spooled| -> anyhow::Result<Option<Spool>> {
            Ok(if spooled { Some(Spool::new(spool_directory, label)?) } else { None })
        };
        let mut writer = ReportWriter {
            format,
            // On stdout, which cannot be taken back, JSON cases wait in a spool too, so an audit
            // refused halfway (a log broken in the middle) writes nothing.
            cases: spool("cases", format == OutputFormat::Markdown || (format == OutputFormat::Json && hold_back))?,
            findings: spool("findings", matches!(format, OutputFormat::Json | OutputFormat::Markdown))?,
            listed: Vec::new(),
            unlisted: 0,
            current_case: None,
            json_cases: 0,
            json_head: None,
        };
        match format {
            OutputFormat::Csv => out.write_all(findings_csv(&[], true).as_bytes())?,
            OutputFormat::Json => {
                let (id, version) = (serde_json::to_string(workflow.0)?, serde_json::to_string(workflow.1)?);
                let head = escape_json(format!("{{\n  \"workflow\": {id},\n  \"version\": {version},\n  \"cases\": ["));
                if hold_back {
                    writer.json_head = Some(head);
                } else {
                    out.write_all(head.as_bytes())?;
                }
            }
            _ => {}
        }
        Ok(writer)
    }

    /// Writes settled cases and findings, in the order given.
    pub(crate) fn entries(&mut self, entries: Vec<ReportEntry>, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == OutputFormat::Csv {
            let findings: Vec<Finding> = entries
                .into_iter()
                .filter_map(|entry| match entry {
                    ReportEntry::Finding(finding) => Some(finding),
                    ReportEntry::Case(_) => None,
                })
                .collect();
            return out.write_all(findings_csv(&findings, false).as_bytes());
        }
        for entry in entries {
            match entry {
                ReportEntry::Case(case) => self.case(&case, out)?,
                ReportEntry::Finding(finding) => self.finding(finding)?,
            }
        }
        Ok(())
    }

    fn case(&mut self, case: &CaseReport, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == OutputFormat::Json {
            match &mut self.cases {
                Some(spool) => {
                    let entry = json_entry(spool.entries, case)?;
                    spool.entries += 1;
                    spool.write(&entry)?;
                }
                None => {
                    // To a file the longest section goes straight out: never held, nor written
                    // twice (a refused run's file is removed).
                    out.write_all(json_entry(self.json_cases, case)?.as_bytes())?;
                    self.json_cases += 1;
                }
            }
            return Ok(());
        }
        let Some(spool) = &mut self.cases else { return Ok(()) };
        let line = format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md(&case.case_id),
            case.rows,
            cell(case.opened_on),
            cell(case.finished_on),
            md(&case.active.join(", ")),
            cell(case.elapsed_working_days),
            case.finding_count
        );
        spool.entries += 1;
        spool.write(&shown(&line))
    }

    fn finding(&mut self, finding: Finding) -> std::io::Result<()> {
        let Some(spool) = &mut self.findings else {
            if self.listed.len() < FINDINGS_LISTED_MAX {
                self.listed.push(finding);
            } else {
                self.unlisted += 1;
            }
            return Ok(());
        };
        let mut text = String::new();
        if self.format == OutputFormat::Json {
            text = json_entry(spool.entries, &finding)?;
        } else {
            if self.current_case.as_ref() != Some(&finding.case_id) {
                let _ = writeln!(text, "\n### Case `{}`\n", finding.case_id);
                self.current_case = Some(finding.case_id.clone());
            }
            let row = finding.row.map(|row| format!(" (row {row})")).unwrap_or_default();
            let _ = writeln!(text, "- **{}**{row}: {}", finding.code.code(), md(&finding.message));
        }
        spool.entries += 1;
        spool.write(&shown(&text))
    }

    /// Writes the summary, then the spooled sections.
    pub(crate) fn finish(mut self, report: &AuditReport, extras: &Extras, out: &mut dyn Write) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Csv => {
                out.write_all(findings_csv(&report.findings, false).as_bytes())?;
                if let Some(import) = &extras.import_text {
                    eprintln!("{}", shown(import));
                }
            }
            OutputFormat::Json => {
                if let Some(head) = self.json_head.take() {
                    out.write_all(head.as_bytes())?;
                }
                if self.cases.is_some() {
                    self.copy_section(Section::Cases, out)?;
                } else {
                    out.write_all(if self.json_cases == 0 { b"]" } else { b"\n  ]" })?;
                }
                out.write_all(b",\n  \"findings\": [")?;
                self.copy_section(Section::Findings, out)?;
                out.write_all(b",\n")?;
                out.write_all(json_summary(report, extras)?.as_bytes())?;
                out.write_all(b"\n}\n")?;
            }
            OutputFormat::Markdown => {
                out.write_all(shown(&markdown_summary(report, extras)).as_bytes())?;
                out.write_all(
                    b"\n## Cases\n\n| case | rows | opened | finished | state | working days | findings |\n\
                      | --- | ---: | --- | --- | --- | ---: | ---: |\n",
                )?;
                self.copy_section(Section::Cases, out)?;
                if report.codes.iter().any(|code| code.count > 0) {
                    out.write_all(b"\n## Findings\n")?;
                    self.copy_section(Section::Findings, out)?;
                }
                if let Some(import) = &extras.import_text {
                    out.write_all(shown(&format!("\n## Import\n\n{import}\n")).as_bytes())?;
                }
            }
            _ => {
                let mut text = text_summary(report, extras, &self.listed, self.unlisted);
                if let Some(import) = &extras.import_text {
                    let _ = writeln!(text, "{import}");
                }
                out.write_all(shown(&text).as_bytes())?;
            }
        }
        Ok(())
    }

    /// The cases still open at the end (`report`'s) after the streamed ones, then the spool.
    fn copy_section(&mut self, section: Section, out: &mut dyn Write) -> anyhow::Result<()> {
        let spool = match section {
            Section::Cases => self.cases.as_mut(),
            Section::Findings => self.findings.as_mut(),
        };
        let Some(spool) = spool else { return Ok(()) };
        let json = self.format == OutputFormat::Json;
        if json && spool.entries == 0 {
            out.write_all(b"]")?;
            return Ok(());
        }
        spool.copy_to(out)?;
        if json {
            out.write_all(b"\n  ]")?;
        }
        Ok(())
    }

    /// Adds the report's own cases and findings (those of the cases settled at the end) to the
    /// streamed ones.
    pub(crate) fn tail(&mut self, report: &mut AuditReport, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == OutputFormat::Csv {
            return Ok(());
        }
        let mut entries: Vec<ReportEntry> =
            std::mem::take(&mut report.cases).into_iter().map(ReportEntry::Case).collect();
        entries.extend(std::mem::take(&mut report.findings).into_iter().map(ReportEntry::Finding));
        self.entries(entries, out)
    }
}

#[derive(Clone, Copy)]
enum Section {
    Cases,
    Findings,
}

/// One entry of a JSON array: a separator after the previous one, then the entry on one line.
fn json_entry<T: Serialize>(written: u64, value: &T) -> std::io::Result<String> {
    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    let separator = if written == 0 { "\n    " } else { ",\n    " };
    Ok(format!("{separator}{}", escape_json(line)))
}

/// Every figure of the report, as the JSON report's first keys.
#[derive(Serialize)]
struct JsonSummary<'a> {
    as_of: Option<NaiveDate>,
    calendar: &'a CalendarUsed,
    beyond_data: &'static str,
    cases_provisional: u64,
    rows: u64,
    rows_other_workflows: u64,
    rows_after_as_of: u64,
    rows_informational: u64,
    rows_other_lifecycle: u64,
    case_count: u64,
    cases_open: u64,
    cases_not_opened: u64,
    open: &'static str,
    settle: &'static str,
    open_cases: crate::audit::OpenCases,
    finding_count: u64,
    clocks: &'a [crate::audit::ClockStats],
    codes: &'a [crate::audit::CodeCount],
    activities: &'a [crate::audit::ActivityStats],
    variants: &'a [crate::audit::VariantStats],
    variant_count: u64,
    variant_other_cases: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    import: Option<&'a serde_json::Value>,
}

/// The summary's keys, pretty, as the JSON report's last: the object's braces left out.
fn json_summary(report: &AuditReport, extras: &Extras) -> anyhow::Result<String> {
    let summary = JsonSummary {
        as_of: report.as_of,
        calendar: &extras.calendar,
        beyond_data: extras.calendar.beyond_data,
        cases_provisional: report.cases_provisional,
        rows: report.rows,
        rows_other_workflows: report.rows_other_workflows,
        rows_after_as_of: report.rows_after_as_of,
        rows_informational: report.rows_informational,
        rows_other_lifecycle: report.rows_other_lifecycle,
        case_count: report.case_count,
        cases_open: report.cases_open,
        cases_not_opened: report.cases_not_opened,
        open: report.open.name(),
        settle: report.settle.name(),
        open_cases: report.open_cases,
        finding_count: finding_count(report),
        clocks: &report.clocks,
        codes: &report.codes,
        activities: &report.activities,
        variants: &report.variants,
        variant_count: report.variant_count,
        variant_other_cases: report.variant_other_cases,
        import: extras.import_json.as_ref(),
    };
    let text = super::format::json(&summary)?;
    let inner = text.trim_end().strip_suffix('}').unwrap_or(&text).trim_end();
    Ok(inner.strip_prefix('{').unwrap_or(inner).trim_start_matches('\n').to_owned())
}

pub(crate) fn finding_count(report: &AuditReport) -> u64 {
    report.codes.iter().map(|code| code.count).sum()
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// One row per finding, after a header row when `header`; written straight into one string, as
/// a streamed audit writes tens of thousands of findings.
pub(crate) fn findings_csv(findings: &[Finding], header: bool) -> String {
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

/// The audit date, or why there is none.
fn as_of_text(as_of: Option<NaiveDate>) -> String {
    as_of.map_or_else(|| "no date (no row had a timestamp the calendar counts)".to_owned(), |date| date.to_string())
}

fn scope(report: &AuditReport) -> String {
    format!(
        "{} {}, as of {}: {}, {}{}, {}",
        report.workflow,
        report.version,
        as_of_text(report.as_of),
        plural(report.rows, "row", "rows"),
        plural(report.case_count, "case", "cases"),
        case_states(report),
        plural(finding_count(report), "finding", "findings")
    )
}

/// How many cases are still open or were never opened, and how the open ones are counted,
/// as " (… open, counted as of the audit date; … never opened)"; empty when all finished.
fn case_states(report: &AuditReport) -> String {
    let mut parts = Vec::new();
    if report.cases_open > 0 {
        let counted = match report.open_cases {
            crate::audit::OpenCases::AsOf => "counted in the clocks as of the audit date",
            crate::audit::OpenCases::Exclude => "left out of the clock figures",
        };
        parts.push(format!("{} open, {counted}", report.cases_open));
    }
    if report.cases_not_opened > 0 {
        parts.push(format!("{} never opened", report.cases_not_opened));
    }
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join("; ")) }
}

/// One sentence naming the calendar, its data, the file that changed it and the policy after it.
fn calendar_sentence(report: &AuditReport, calendar: &CalendarUsed) -> String {
    let mut text = format!(
        "Working days are counted on calendar `{}` ({}), with data from {} to {}",
        calendar.id, calendar.title, calendar.data_from, calendar.data_to
    );
    if let Some(file) = &calendar.file {
        let _ = write!(text, ", as calendar file `{file}`");
        if let Some(sha256) = &calendar.sha256 {
            let _ = write!(text, " (SHA-256 {sha256})");
        }
        text.push_str(" gives it");
    }
    let _ = write!(
        text,
        "; dates after the data: `--beyond-data {}`; {} counted into provisional (projected) years.",
        calendar.beyond_data,
        plural(report.cases_provisional, "case", "cases")
    );
    text
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

const ACTIVITY_COLUMNS: [&str; 9] =
    ["activity", "rows", "cases", "median wd", "p90 wd", "max wd", "paired", "own median wd", "own max wd"];

/// The activity columns shown: the last three only when start and complete rows were paired.
fn activity_columns(report: &AuditReport) -> &'static [&'static str] {
    let paired = report.activities.iter().any(|activity| activity.paired > 0);
    if paired { &ACTIVITY_COLUMNS } else { &ACTIVITY_COLUMNS[..6] }
}

fn activity_rows(report: &AuditReport) -> Vec<Vec<String>> {
    let shown = activity_columns(report).len();
    report
        .activities
        .iter()
        .map(|activity| {
            let mut row = vec![
                activity.activity.clone(),
                activity.rows.to_string(),
                activity.cases.to_string(),
                cell(activity.median_working_days),
                cell(activity.p90_working_days),
                cell(activity.max_working_days),
                activity.paired.to_string(),
                cell(activity.own_median_working_days),
                cell(activity.own_max_working_days),
            ];
            row.truncate(shown);
            row
        })
        .collect()
}

const VARIANT_COLUMNS: [&str; 4] = ["variant", "cases", "share", "median wd"];

fn variant_rows(report: &AuditReport) -> Vec<Vec<String>> {
    report
        .variants
        .iter()
        .map(|variant| {
            vec![
                variant.activities.join(" → "),
                variant.cases.to_string(),
                format!("{:.1} %", variant.share * 100.0),
                cell(variant.median_working_days),
            ]
        })
        .collect()
}

fn text_summary(report: &AuditReport, extras: &Extras, listed: &[Finding], unlisted: u64) -> String {
    let mut out = format!("{}\n{}\n", scope(report), calendar_sentence(report, &extras.calendar));
    if !listed.is_empty() {
        let mut shown = table(&["code", "case", "row", "message"]);
        for finding in listed {
            shown.add_row(vec![
                finding.code.code().to_owned(),
                finding.case_id.clone(),
                cell(finding.row),
                finding.message.clone(),
            ]);
        }
        let _ = writeln!(out, "{shown}");
        if unlisted > 0 {
            let _ = writeln!(
                out,
                "and {} more (`--format csv` or `json` lists them all)",
                plural(unlisted, "finding", "findings")
            );
        }
    }
    for (columns, rows) in [
        (&CLOCK_COLUMNS[..], clock_rows(report)),
        (activity_columns(report), activity_rows(report)),
        (&VARIANT_COLUMNS[..], variant_rows(report)),
    ] {
        if rows.is_empty() {
            continue;
        }
        let mut shown = table(columns);
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

/// A Markdown table: a header row, the alignment row (`---:` for the columns in `numeric`), rows.
fn markdown_table(out: &mut String, columns: &[&str], numeric: &[bool], rows: Vec<Vec<String>>) {
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let aligns: Vec<&str> = numeric.iter().map(|numeric| if *numeric { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |", aligns.join(" | "));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.iter().map(|cell| md(cell)).collect::<Vec<_>>().join(" | "));
    }
}

fn markdown_summary(report: &AuditReport, extras: &Extras) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Audit of `{}` {}\n", report.workflow, report.version);
    let _ = writeln!(
        out,
        "As of **{}**. {} read ({} of other workflows, {} after the audit date, {} informational, {} of \
         other lifecycle transitions); {}; **{}**.\n",
        as_of_text(report.as_of),
        plural(report.rows, "row", "rows"),
        report.rows_other_workflows,
        report.rows_after_as_of,
        report.rows_informational,
        report.rows_other_lifecycle,
        plural(report.case_count, "case", "cases") + &case_states(report),
        plural(finding_count(report), "finding", "findings")
    );
    let _ = writeln!(out, "{}\n", calendar_sentence(report, &extras.calendar));
    let _ = writeln!(out, "## Findings by code\n\n| code | finding | count |\n| --- | --- | ---: |");
    for code in &report.codes {
        let _ = writeln!(out, "| {} | {} | {} |", code.code.code(), md(code.title), code.count);
    }
    let _ = writeln!(out, "\n## Clocks\n");
    markdown_table(&mut out, &CLOCK_COLUMNS, &[false, false, true, true, true, true, true, true], clock_rows(report));
    let _ = writeln!(out, "\n## Activities\n");
    let numeric = [false, true, true, true, true, true, true, true, true];
    let columns = activity_columns(report);
    markdown_table(&mut out, columns, &numeric[..columns.len()], activity_rows(report));
    let _ = writeln!(
        out,
        "\n## Variants\n\nThe {} most frequent of {} (working days from a case's first row to its last).\n",
        report.variants.len(),
        plural(report.variant_count, "variant", "variants")
    );
    markdown_table(&mut out, &VARIANT_COLUMNS, &[false, true, true, true], variant_rows(report));
    let _ = writeln!(out, "\nCases and findings are listed in the order the cases settled.");
    out
}
