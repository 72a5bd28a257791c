//! `renewflow simulate SCENARIO [--cases N] [--seed S] [--threads N] [--emit-log FILE]
//! [--format table|json|csv]`: a Monte Carlo run of a scenario's workflows side by side, with
//! the statutory comparison on top. The seed used is always printed (stderr) and is in the JSON.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use super::format::{DataFormat, csv, table};
use super::workflow::{Refused, load_or_report};
use super::{Context, EXIT_OK, render_diagnostic};
use crate::core::calendar::WorkingCalendar;
use crate::core::case::{Event, EventKind};
use crate::core::workflow::Workflow;
use crate::simulate::{
    CaseResult, Model, RunOptions, SCENARIO_FILE_BYTES_MAX, SIMULATION_ACTOR, Scenario, Series, SimulationReport,
    Summary, Tally, WorkingDayAxis, build_models, histogram_svg, report, run, run_staffed,
};

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The scenario file (YAML, top-level key `scenario:`).
    scenario: PathBuf,
    /// Cases per workflow [default: the scenario's `cases`, or 1000].
    #[arg(long, value_name = "N")]
    cases: Option<u64>,
    /// The seed [default: the scenario's `seed`, or one drawn and printed].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads [default: one per core]; the output does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Draw the distributions of total working days, overlaid, as an SVG histogram here.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write the simulated event log here, as a CSV `renewflow audit` reads (a `workflow` column,
    /// activities named by the workflow's actions).
    #[arg(long, value_name = "FILE")]
    emit_log: Option<PathBuf>,
}

pub(crate) fn run_simulate(context: &Context, args: &SimulateArgs) -> anyhow::Result<i32> {
    let format = context.format.data("simulate")?;
    let (scenario, workflows) = load_scenario(context, &args.scenario)?;
    let name = args.scenario.display().to_string();
    let borrowed: Vec<&Workflow> = workflows.iter().collect();
    let models = match build_models(&scenario, &borrowed) {
        Ok(models) => models,
        Err(error) => {
            eprint!("{}", render_diagnostic(&error));
            return Err(Refused(name).into());
        }
    };
    let data = shared_calendar(context, &borrowed)?;
    // Opted in (`--beyond-data`, else the scenario's `beyond_data`): years past the data are
    // projected by the policy, and the report says so when a case used them.
    let policy = context.beyond_data.unwrap_or_else(|| scenario.beyond_data.policy());
    let calendar = data.under(policy);
    let epoch = scenario.arrivals.first_date();
    let axis =
        WorkingDayAxis::new(calendar, epoch).with_context(|| format!("the scenario's first arrival, {epoch}"))?;
    let seed = args.seed.or(scenario.seed).unwrap_or_else(drawn_seed);
    eprintln!("seed: {seed}");
    let cases = args.cases.or(Some(scenario.cases)).unwrap_or(crate::simulate::CASES_DEFAULT);
    anyhow::ensure!(
        (1..=crate::simulate::CASES_MAX).contains(&cases),
        "--cases must be between 1 and {}",
        crate::simulate::CASES_MAX
    );
    let mut log = match &args.emit_log {
        None => None,
        Some(path) => Some(EventLog::create(path, &scenario, &models)?),
    };
    let progress = indicatif::ProgressBar::with_draw_target(Some(cases), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases {per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = RunOptions { cases, seed, keep_events: log.is_some() };
    let mut write_error = None;
    let mut on_block = |cases: std::ops::Range<u64>, block: &[Vec<CaseResult>]| {
        progress.inc(cases.end - cases.start);
        if let Some(log) = &mut log
            && write_error.is_none()
            && let Err(error) = log.write_block(cases.start, block, &models, calendar)
        {
            write_error = Some(error);
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("starting the worker threads")?;
    let tally = if scenario.staff.is_empty() {
        pool.install(|| run(&scenario, &models, calendar, &axis, options, &mut on_block))?
    } else {
        progress.set_length(cases * u64::from(scenario.replications));
        pool.install(|| {
            run_staffed(&scenario, &models, calendar, &axis, options, scenario.replications, &mut on_block)
        })?
    };
    progress.finish_and_clear();
    if let Some(error) = write_error {
        return Err(error);
    }
    if let Some(log) = log {
        log.finish()?;
    }
    let provisional = tally.latest_finish.filter(|latest| calendar.is_provisional(*latest));
    if let Some(latest) = provisional {
        eprintln!(
            "provisional: cases ran past {}, the end of the calendar's data; {}",
            data.last_date(),
            calendar.basis(chrono::Datelike::year(&latest)).unwrap_or_default()
        );
    }
    let provisional = provisional.is_some();
    let report = report(scenario.title.as_deref(), seed, &models, &tally, provisional);
    if let Some(path) = &args.svg {
        write_chart(path, &scenario, &models, &tally)?;
    }
    let output = match format {
        DataFormat::Json => super::format::json(&report)?,
        DataFormat::Csv => report_csv(&report),
        DataFormat::Table => report_text(&report),
    };
    context.output.write(&super::format::shown(&output))?;
    Ok(EXIT_OK)
}

/// The scenario (with its fitted durations) and its workflows, each problem printed.
fn load_scenario(context: &Context, path: &Path) -> anyhow::Result<(Scenario, Vec<Workflow>)> {
    let name = path.display().to_string();
    let text = read_scenario(path).with_context(|| format!("reading scenario `{name}`"))?;
    let mut scenario = match Scenario::parse(&name, &text) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprint!("{}", render_diagnostic(&error));
            return Err(Refused(name).into());
        }
    };
    let base = path.parent().unwrap_or(Path::new(""));
    if let Some(fitted) = scenario.durations_from.clone() {
        let path = base.join(&fitted.value);
        let fitted_name = path.display().to_string();
        let text = read_scenario(&path).with_context(|| {
            format!("reading `{fitted_name}`, named by `durations_from` at {name}:{}", fitted.location.line())
        })?;
        if let Err(error) = scenario.add_fitted(&fitted_name, &text) {
            eprint!("{}", render_diagnostic(&error));
            return Err(Refused(fitted_name).into());
        }
    }
    let mut workflows = Vec::new();
    for file in &scenario.workflows {
        workflows.push(load_or_report(&base.join(&file.value), context.workflow_reader(), &context.calendars)?);
    }
    Ok((scenario, workflows))
}

/// The distributions of total working days, overlaid, as an SVG file.
fn write_chart(path: &Path, scenario: &Scenario, models: &[Model<'_>], tally: &Tally) -> anyhow::Result<()> {
    let series: Vec<Series<'_>> = models
        .iter()
        .zip(&tally.workflows)
        .map(|(model, counted)| Series {
            label: format!("{} {}", model.workflow.title().unwrap_or(model.workflow.id()), model.workflow.version()),
            histogram: &counted.total,
        })
        .collect();
    let title = scenario.title.clone().unwrap_or_else(|| "Total working days".to_owned());
    std::fs::write(path, histogram_svg(&title, &series)).with_context(|| format!("writing `{}`", path.display()))
}

fn read_scenario(path: &Path) -> std::io::Result<String> {
    super::regular_file::read_text(path, SCENARIO_FILE_BYTES_MAX)
}

/// The calendar every workflow of the scenario counts on.
fn shared_calendar<'c>(context: &'c Context, workflows: &[&Workflow]) -> anyhow::Result<&'c WorkingCalendar> {
    let first = workflows.first().map_or("cn-mainland", |workflow| workflow.calendar());
    if let Some(other) = workflows.iter().find(|workflow| workflow.calendar() != first) {
        anyhow::bail!(
            "the scenario's workflows count on different calendars (`{first}`, `{}`); compare workflows on one calendar",
            other.calendar()
        );
    }
    Ok(context.calendars.require(first)?)
}

/// A seed when none is given: from the wall clock, read here at the edge and printed.
fn drawn_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_nanos());
    (nanos as u64) % 1_000_000_000
}

/// The simulated event log, written block by block in case order.
struct EventLog {
    out: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    attributes: Vec<String>,
}

impl EventLog {
    fn create(path: &Path, scenario: &Scenario, models: &[Model<'_>]) -> anyhow::Result<EventLog> {
        let file = std::fs::File::create(path).with_context(|| format!("creating `{}`", path.display()))?;
        let mut attributes: Vec<String> = Vec::new();
        for model in models {
            for attribute in model.workflow.attributes() {
                if !attributes.contains(&attribute.name) {
                    attributes.push(attribute.name.clone());
                }
            }
        }
        let _ = scenario;
        let mut log = EventLog { out: std::io::BufWriter::new(file), path: path.to_owned(), attributes };
        let mut header = vec!["case_id", "workflow", "activity", "timestamp", "org:role", "org:resource"];
        header.extend(log.attributes.iter().map(String::as_str));
        let header: Vec<String> = header.into_iter().map(str::to_owned).collect();
        let text = csv(&[header]);
        log.out.write_all(text.as_bytes()).with_context(|| format!("writing `{}`", log.path.display()))?;
        Ok(log)
    }

    fn write_block(
        &mut self,
        first: u64,
        block: &[Vec<CaseResult>],
        models: &[Model<'_>],
        calendar: &WorkingCalendar,
    ) -> anyhow::Result<()> {
        let mut rows = Vec::new();
        for (offset, results) in block.iter().enumerate() {
            let case = first + offset as u64;
            for (model, result) in models.iter().zip(results) {
                let workflow = model.workflow;
                let reference = format!("{}@{}", workflow.id(), workflow.version());
                for event in result.events.iter().flatten() {
                    if let Some(row) = self.row(workflow, &reference, case, event, calendar) {
                        rows.push(row);
                    }
                }
            }
        }
        self.out.write_all(csv(&rows).as_bytes()).with_context(|| format!("writing `{}`", self.path.display()))
    }

    /// One event as a log row; `done` steps are the engine's own and are not written (the audit
    /// takes them again).
    fn row(
        &self,
        workflow: &Workflow,
        reference: &str,
        case: u64,
        event: &Event,
        calendar: &WorkingCalendar,
    ) -> Option<Vec<String>> {
        let activity = match &event.kind {
            EventKind::Opened { .. } => workflow.state(workflow.initial()).name.clone(),
            EventKind::Acted { action, .. } | EventKind::Extended { action, .. } => {
                workflow.action(*action).name.clone()
            }
            EventKind::Done { .. } | EventKind::AttributeSet { .. } | EventKind::Noted { .. } => return None,
        };
        let local = calendar.zone().localize(event.at);
        let mut row = vec![
            format!("C{case:07}"),
            reference.to_owned(),
            activity,
            local.format("%Y-%m-%d %H:%M:%S").to_string(),
            event.role.map(|role| workflow.role(role).name.clone()).unwrap_or_default(),
            SIMULATION_ACTOR.to_owned(),
        ];
        for name in &self.attributes {
            let value = match &event.kind {
                EventKind::Opened { attributes } => workflow.attribute_named(name).and_then(|id| {
                    attributes
                        .iter()
                        .find(|(attribute, _)| *attribute == id)
                        .map(|(_, value)| value.render(&workflow.attribute(id).kind))
                }),
                _ => None,
            };
            row.push(value.unwrap_or_default());
        }
        Some(row)
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush().with_context(|| format!("writing `{}`", self.path.display()))
    }
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

fn fixed(value: Option<f64>, places: usize) -> String {
    value.map(|value| format!("{value:.places$}")).unwrap_or_default()
}

fn percent(value: Option<f64>) -> String {
    value.map(|value| format!("{:.1} %", value * 100.0)).unwrap_or_default()
}

fn summary_cells(summary: &Summary) -> Vec<String> {
    vec![
        summary.count.to_string(),
        fixed(summary.mean, 1),
        cell(summary.p50),
        cell(summary.p90),
        cell(summary.p95),
        cell(summary.max),
    ]
}

fn report_text(report: &SimulationReport) -> String {
    let mut out = String::new();
    if let Some(title) = &report.title {
        let _ = writeln!(out, "{title}");
    }
    let _ = writeln!(
        out,
        "{} per workflow, seed {}{}",
        super::format::plural(report.cases, "case", "cases"),
        report.seed,
        if report.provisional { " (provisional: dates past the calendar's data counted weekends only)" } else { "" }
    );
    let _ = writeln!(out, "\nThe legal bound (statutory limits, longest path):");
    let mut bound = table(&["workflow", "version", "longest legal path (wd)", "simulated p50", "p90", "p95"]);
    for (legal, simulated) in report.statutory.workflows.iter().zip(&report.workflows) {
        bound.add_row(vec![
            legal.workflow.clone(),
            legal.version.clone(),
            legal.longest_legal_path_working_days.to_string(),
            cell(simulated.total_working_days.p50),
            cell(simulated.total_working_days.p90),
            cell(simulated.total_working_days.p95),
        ]);
    }
    let _ = writeln!(out, "{bound}");
    if !report.statutory.stages.is_empty() {
        let mut stages = table(&["version", "stage", "before (wd)", "after (wd)", "cut"]);
        for stage in &report.statutory.stages {
            stages.add_row(vec![
                stage.version.clone(),
                format!("{} {}", stage.stage, stage.title),
                stage.before_working_days.to_string(),
                stage.after_working_days.to_string(),
                format!("{:.0} %", stage.cut_percent),
            ]);
        }
        let _ = writeln!(out, "{stages}");
    }
    for workflow in &report.workflows {
        let _ = writeln!(out, "\n{} {}: total working days", workflow.workflow, workflow.version);
        let mut totals =
            table(&["measure", "limit", "cases", "mean", "p50", "p90", "p95", "max", "breached", "promised breached"]);
        let mut row = vec!["total".to_owned(), String::new()];
        row.extend(summary_cells(&workflow.total_working_days));
        row.extend([String::new(), String::new()]);
        totals.add_row(row);
        for clock in &workflow.clocks {
            let mut row = vec![clock.clock.clone(), clock.limit.clone()];
            row.extend(summary_cells(&clock.elapsed));
            row.push(percent(clock.breach_rate_statutory));
            row.push(percent(clock.breach_rate_promised));
            totals.add_row(row);
        }
        let _ = writeln!(out, "{totals}");
        let outcomes: Vec<String> = workflow
            .outcomes
            .iter()
            .map(|outcome| format!("{} {} ({:.1} %)", outcome.state, outcome.cases, outcome.share * 100.0))
            .collect();
        let _ = writeln!(out, "ended: {}", outcomes.join(", "));
        if !workflow.queues.is_empty() {
            let mut queues =
                table(&["role", "handlers", "steps served", "mean wait (wd)", "max wait (wd)", "utilisation"]);
            for queue in &workflow.queues {
                queues.add_row(vec![
                    queue.role.clone(),
                    queue.handlers.to_string(),
                    queue.requests.to_string(),
                    fixed(queue.mean_wait_working_days, 2),
                    format!("{:.2}", queue.max_wait_working_days),
                    percent(queue.utilisation),
                ]);
            }
            let _ = writeln!(out, "{queues}");
        }
    }
    if !report.differences.is_empty() {
        let mut differences = table(&["workflow", "against", "mean difference (wd)", "95 % interval"]);
        for difference in &report.differences {
            differences.add_row(vec![
                format!("{} {}", difference.workflow, difference.version),
                difference.baseline_version.clone(),
                fixed(difference.mean_working_days, 1),
                format!("{} … {}", fixed(difference.ci95_low, 1), fixed(difference.ci95_high, 1)),
            ]);
        }
        let _ = writeln!(out, "\n{differences}");
    }
    out
}

fn report_csv(report: &SimulationReport) -> String {
    let header = [
        "workflow",
        "version",
        "measure",
        "limit",
        "cases",
        "mean",
        "p50",
        "p90",
        "p95",
        "max",
        "breach_rate_statutory",
        "breach_rate_promised",
        "ci95_low",
        "ci95_high",
        "utilisation",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    let number = |value: Option<f64>| value.map(|value| value.to_string()).unwrap_or_default();
    for workflow in &report.workflows {
        let summary_row = |measure: &str, limit: &str, summary: &Summary, statutory, promised| {
            let mut row =
                vec![workflow.workflow.clone(), workflow.version.clone(), measure.to_owned(), limit.to_owned()];
            row.push(summary.count.to_string());
            row.push(number(summary.mean));
            row.extend([cell(summary.p50), cell(summary.p90), cell(summary.p95), cell(summary.max)]);
            row.extend([number(statutory), number(promised), String::new(), String::new(), String::new()]);
            row
        };
        rows.push(summary_row("total_working_days", "", &workflow.total_working_days, None, None));
        for clock in &workflow.clocks {
            rows.push(summary_row(
                &clock.clock,
                &clock.limit,
                &clock.elapsed,
                clock.breach_rate_statutory,
                clock.breach_rate_promised,
            ));
        }
        // Each staffed role: handlers as the limit, steps served, mean and longest wait.
        for queue in &workflow.queues {
            let mut row = vec![
                workflow.workflow.clone(),
                workflow.version.clone(),
                format!("queue_wait:{}", queue.role),
                queue.handlers.to_string(),
                queue.requests.to_string(),
                number(queue.mean_wait_working_days),
            ];
            row.extend([String::new(), String::new(), String::new(), queue.max_wait_working_days.to_string()]);
            row.extend(std::iter::repeat_n(String::new(), 4));
            row.push(number(queue.utilisation));
            rows.push(row);
        }
    }
    for difference in &report.differences {
        let mut row = vec![
            difference.workflow.clone(),
            difference.version.clone(),
            format!("difference_total_working_days_vs_{}", difference.baseline_version),
            String::new(),
            report.cases.to_string(),
            number(difference.mean_working_days),
        ];
        row.extend(std::iter::repeat_n(String::new(), 6));
        row.extend([number(difference.ci95_low), number(difference.ci95_high), String::new()]);
        rows.push(row);
    }
    csv(&rows)
}
