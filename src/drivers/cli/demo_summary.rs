//! The demo's last two parts: a short audit of a shipped event log and a short simulation of the
//! shipped reform scenario (fixed seed), each a few lines pointing to the command that gives the
//! full report. Both drive the same library code as `renewflow audit` and `renewflow simulate`,
//! on files embedded in the binary.

use std::fmt::Write as _;
use std::io::Cursor;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::format::plural;
use crate::audit::{Auditor, CsvLog, Mapping, ShardedAudit};
use crate::core::calendar::Calendars;
use crate::core::workflow::{SourceReader, Workflow, load_workflow};
use crate::simulate::{RunOptions, Scenario, WorkingDayAxis, build_models, report, run};

/// The log `renewflow audit` reads in the README: licence cases of 2026, with findings.
const LOG: &str = include_str!("../../../tests/data/histories/licence-findings.csv");
const LOG_NAME: &str = "tests/data/histories/licence-findings.csv";
const LOG_AS_OF: &str = "2026-11-20";
const SCENARIO: &str = include_str!("../../../workflows/scenarios/longgang-2016-vs-2017.yaml");
const SCENARIO_NAME: &str = "workflows/scenarios/longgang-2016-vs-2017.yaml";
/// Enough cases for stable medians, few enough for a debug build's tests.
const SIMULATED_CASES: u64 = 400;

/// A few lines on the audit of the shipped licence log.
pub(super) fn audit_summary(licence: &Workflow, calendars: &Calendars) -> anyhow::Result<String> {
    let calendar = calendars.require(licence.calendar())?;
    let as_of = NaiveDate::parse_from_str(LOG_AS_OF, "%Y-%m-%d")?;
    let mapping = Mapping::default();
    let attributes: Vec<&str> = licence.attributes().iter().map(|attribute| attribute.name.as_str()).collect();
    let rows = CsvLog::new(Cursor::new(LOG.as_bytes()), &mapping.columns, &attributes)
        .map_err(|message| anyhow::anyhow!("the demo's log: {message}"))?;
    let audit = ShardedAudit::new(&Auditor::new(licence, calendar, &mapping, Some(as_of), false), false);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().context("starting the audit's thread")?;
    let report = audit.run(Box::new(rows), &pool, |_| Ok::<(), std::io::Error>(()))?.report;
    let mut out = String::new();
    let found: u64 = report.codes.iter().map(|code| code.count).sum();
    let _ = writeln!(
        out,
        "audit of {LOG_NAME} as of {LOG_AS_OF}: {}, {}",
        plural(report.case_count, "case", "cases"),
        plural(found, "finding", "findings")
    );
    for code in report.codes.iter().filter(|code| code.count > 0) {
        let _ = writeln!(out, "  {} {:>3}  {}", code.code.code(), code.count, code.title);
    }
    for clock in report.clocks.iter().filter(|clock| clock.count > 0) {
        let title =
            licence.clock_named(&clock.clock).and_then(|id| licence.clock(id).title.as_deref()).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<14} median {:>3} {} of {:<7} {:>2} breached  {title}",
            clock.clock,
            clock.median.map_or_else(|| "-".to_owned(), |median| median.to_string()),
            clock.unit,
            clock.limit,
            clock.breached
        );
    }
    let _ = writeln!(
        out,
        "  full report: renewflow audit {LOG_NAME} --workflow workflows/administrative-license.yaml --as-of {LOG_AS_OF}"
    );
    Ok(out)
}

/// A few lines on the simulation of the shipped scenario: the Longgang flows before and after
/// the 2017 reform, side by side.
pub(super) fn simulation_summary(
    reader: &mut dyn SourceReader,
    files: &[(&str, &str)],
    calendars: &Calendars,
) -> anyhow::Result<String> {
    let scenario = Scenario::parse(SCENARIO_NAME, SCENARIO).map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut workflows = Vec::new();
    for file in &scenario.workflows {
        let name = file.value.trim_start_matches("../");
        let (path, text) = files
            .iter()
            .find(|(path, _)| path.ends_with(name))
            .ok_or_else(|| anyhow::anyhow!("the demo has no workflow `{name}`"))?;
        workflows.push(load_workflow(path, text, reader, calendars).map_err(|error| anyhow::anyhow!("{error}"))?);
    }
    let borrowed: Vec<&Workflow> = workflows.iter().collect();
    let models = build_models(&scenario, &borrowed).map_err(|error| anyhow::anyhow!("{error}"))?;
    let calendar = calendars.require(borrowed[0].calendar())?.under(scenario.beyond_data.policy());
    let axis = WorkingDayAxis::new(calendar, scenario.arrivals.first_date())?;
    let seed = scenario.seed.unwrap_or(2017);
    let options = RunOptions { cases: SIMULATED_CASES, seed, keep_events: false };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().context("starting the simulation's thread")?;
    let tally = pool.install(|| run(&scenario, &models, calendar, &axis, options, &mut |_, _| {}))?;
    let report = report(scenario.title.as_deref(), seed, &models, &tally, false);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "simulation of {SCENARIO_NAME}: {} per workflow, seed {seed}",
        plural(SIMULATED_CASES, "case", "cases")
    );
    for (legal, simulated) in report.statutory.workflows.iter().zip(&report.workflows) {
        let days = |value: Option<i64>| value.map_or_else(|| "-".to_owned(), |days| days.to_string());
        let _ = writeln!(
            out,
            "  {} {:<8} longest legal path {} wd; simulated median {} wd, p90 {} wd",
            legal.workflow,
            legal.version,
            legal.longest_legal_path_working_days,
            days(simulated.total_working_days.p50),
            days(simulated.total_working_days.p90)
        );
    }
    let _ = writeln!(out, "  full report: renewflow simulate {SCENARIO_NAME} --cases 20000");
    Ok(out)
}
