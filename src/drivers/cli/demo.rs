//! `renewflow demo`: the main job on embedded defaults. Deploys the shipped Longgang flows and the
//! licence into a SQLite file, runs a fixed set of dated cases through them, and prints each
//! case's timing and the watch list as of a fixed date, so the output is the same every day. A
//! second run finds every step already there (idempotency keys) and adds nothing.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::Context;
use super::EXIT_OK;
use super::store::{open_engine, parse_instant};
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::{SourceReader, load_workflow};
use crate::engine::{CaseOpening, Engine, EngineError};
use crate::store::SqliteStore;

const LONGGANG_2016: &str = include_str!("../../../workflows/longgang-2016.yaml");
const LONGGANG_2017: &str = include_str!("../../../workflows/longgang-2017.yaml");
const LICENCE: &str = include_str!("../../../workflows/administrative-license.yaml");

/// The date the demo reports as of.
const AS_OF: &str = "2017-09-29";

/// One demo case: number, workflow, version, what it shows, attributes, and its steps
/// (`DATE ROLE ACTION [name=value …]`, one a line).
struct DemoCase {
    number: &'static str,
    workflow: &'static str,
    version: &'static str,
    shows: &'static str,
    opened: &'static str,
    attributes: &'static [(&'static str, &'static str)],
    steps: &'static str,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        number: "LG-2017-001",
        workflow: "longgang-renewal",
        version: "2017.1",
        shows: "产权清晰：计划、规划并联审批 (clear title: plan and planning review in parallel)",
        opened: "2017-03-01",
        attributes: &[("property_rights_clear", "true"), ("changes_statutory_plan", "false")],
        steps: "2017-03-01 bureau register
                2017-03-02 applicant submit_planning
                2017-03-03 bureau accept_plan
                2017-03-06 bureau accept_planning
                2017-03-10 land_office recognize_old_village
                2017-03-17 bureau consult_departments
                2017-03-24 land_office verify_land_buildings
                2017-03-24 bureau publish_planning_draft
                2017-03-31 bureau submit_plan_to_group
                2017-04-05 group approve_plan_draft
                2017-04-14 bureau end_plan_publicity
                2017-04-17 bureau announce_plan
                2017-04-21 bureau end_planning_publicity
                2017-05-02 group approve_planning
                2017-05-04 bureau issue_planning_reply",
    },
    DemoCase {
        number: "LG-2017-002",
        workflow: "longgang-renewal",
        version: "2017.1",
        shows: "产权不清晰：计划、规划串联 (unclear title: serial review)",
        opened: "2017-03-01",
        attributes: &[("property_rights_clear", "false"), ("changes_statutory_plan", "false")],
        steps: "2017-03-01 bureau register
                2017-03-03 bureau accept_plan
                2017-03-13 land_office recognize_old_village
                2017-03-27 land_office verify_land_buildings
                2017-04-06 bureau submit_plan_to_group
                2017-04-10 group approve_plan_draft
                2017-05-02 bureau end_plan_publicity
                2017-05-03 bureau announce_plan
                2017-05-10 applicant submit_planning
                2017-05-12 bureau accept_planning
                2017-05-25 bureau consult_departments
                2017-06-01 bureau publish_planning_draft
                2017-07-03 bureau end_planning_publicity
                2017-07-10 group approve_planning
                2017-07-13 bureau issue_planning_reply",
    },
    DemoCase {
        number: "LG-2017-003",
        workflow: "longgang-renewal",
        version: "2017.1",
        shows: "退回补正后重新提交，受理期限重新计算 (sent back for 补正; the acceptance count restarts)",
        opened: "2017-03-06",
        attributes: &[("property_rights_clear", "false")],
        steps: "2017-03-06 bureau register
                2017-03-07 bureau return_plan
                2017-03-20 applicant resubmit_plan
                2017-03-22 bureau accept_plan
                2017-03-31 land_office recognize_old_village
                2017-04-13 land_office verify_land_buildings
                2017-04-20 bureau submit_plan_to_group
                2017-04-24 group approve_plan_draft
                2017-05-15 bureau end_plan_publicity
                2017-05-16 bureau announce_plan",
    },
    DemoCase {
        number: "LG-2017-004",
        workflow: "longgang-renewal",
        version: "2017.1",
        shows: "公示期间计时暂停 (paused for 公示)",
        opened: "2017-07-03",
        attributes: &[("property_rights_clear", "false")],
        steps: "2017-07-03 bureau register
                2017-07-05 bureau accept_plan
                2017-07-12 land_office recognize_old_village
                2017-07-25 land_office verify_land_buildings
                2017-08-03 bureau submit_plan_to_group
                2017-08-07 group approve_plan_draft",
    },
    DemoCase {
        number: "LG-2017-005",
        workflow: "longgang-renewal",
        version: "2017.1",
        shows: "旧屋村认定超期 (old-village recognition past its limit)",
        opened: "2017-06-01",
        attributes: &[("property_rights_clear", "false")],
        steps: "2017-06-01 bureau register
                2017-06-05 bureau accept_plan",
    },
    DemoCase {
        number: "LG-2016-001",
        workflow: "longgang-renewal",
        version: "2016.1",
        shows: "改革前版本，案件留在其开始时的版本 (the 2016 flow: a case stays on its version)",
        opened: "2017-02-06",
        attributes: &[("property_rights_clear", "true")],
        steps: "2017-02-06 bureau register
                2017-02-08 bureau accept_plan
                2017-03-06 land_office recognize_old_village
                2017-04-14 land_office verify_land_buildings
                2017-05-05 bureau submit_plan_to_group
                2017-05-12 group approve_plan_draft
                2017-06-12 bureau end_plan_publicity
                2017-06-14 bureau announce_plan",
    },
    DemoCase {
        number: "XK-2017-001",
        workflow: "administrative-license",
        version: "2019.1",
        shows: "行政许可：负责人批准延长十日 (a licence extended by the organ's head)",
        opened: "2017-09-01",
        attributes: &[("joint_handling", "false")],
        steps: "2017-09-01 officer accept
                2017-09-27 head extend_decision",
    },
];

/// The refused step the demo tries: an applicant taking a land office's step.
const REFUSED: (&str, &str) = ("LG-2017-005", "2017-06-20 applicant recognize_old_village");

/// Serves the 2016 flow to the 2017 reform from the binary.
struct Embedded;

impl SourceReader for Embedded {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        match path {
            "longgang-2016.yaml" => Ok(("workflows/longgang-2016.yaml".to_owned(), LONGGANG_2016.to_owned())),
            _ => Err(format!("`{path}` is not one of the demo's workflows")),
        }
    }
}

pub(crate) fn run(context: &Context) -> anyhow::Result<i32> {
    if context.format != super::OutputFormat::Table {
        anyhow::bail!(
            "`demo` prints a report for people and cannot write `--format {}`; for data, run `renewflow case timing \
             CASE --format json` or `renewflow watch --as-of {AS_OF} --format json` on the demo's store",
            context.format.name()
        );
    }
    let mut engine = open_engine(context)?;
    let deployed_at = parse_instant("2017-01-03T09:00:00+08:00")?;
    let mut out = String::new();
    for (name, text) in [
        ("workflows/longgang-2016.yaml", LONGGANG_2016),
        ("workflows/longgang-2017.yaml", LONGGANG_2017),
        ("workflows/administrative-license.yaml", LICENCE),
    ] {
        let deployed = engine.deploy(name, text, &mut Embedded, deployed_at)?;
        let state = if deployed.new { "deployed" } else { "already deployed" };
        let _ = writeln!(out, "{state}: {} {} ({name})", deployed.workflow, deployed.version);
    }
    let (mut added, mut found) = (0, 0);
    for case in CASES {
        let (new, old) = run_case(&mut engine, case)?;
        added += new;
        found += old;
    }
    let refused = refused_step(&mut engine)?;
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d")?;
    let _ = writeln!(out, "store `{}`: {added} events added, {found} already there\n", context.db.display());
    for case in CASES {
        let (view, timing) = engine.timing(case.number, as_of)?;
        let active: Vec<&str> =
            view.replay.configuration().leaves().iter().map(|leaf| view.workflow.state(*leaf).name.as_str()).collect();
        let _ = writeln!(
            out,
            "{} · {} {} · {}\n  active: {}",
            case.number,
            case.workflow,
            view.workflow.version(),
            case.shows,
            active.join(", ")
        );
        for clock in timing.clocks.iter().filter(|clock| clock.runs > 0) {
            let Some(limit) = &clock.statutory else { continue };
            let declared = view.workflow.clock(clock.clock);
            let name = &declared.name;
            let due = limit.due.date().map_or_else(|| "unknown".to_owned(), |date| date.to_string());
            // Both limits, and which one set the level.
            let promised =
                clock.promised.as_ref().map_or_else(String::new, |promised| format!("promised {}", promised.limit));
            let level = match clock.level_set_by() {
                Some(kind) => format!("{} (by {})", clock.level().name(), kind.name()),
                None => clock.level().name().to_owned(),
            };
            let _ = writeln!(
                out,
                "  {:<28} {:<9} {:>4} {:<2} of {:<9} {:<16} due {due}  {:>6.1}%  {level:<18} {}",
                name,
                clock.status.name(),
                clock.elapsed,
                clock.count_unit.symbol(),
                limit.limit.to_string(),
                promised,
                f64::from(i32::try_from(limit.used_basis_points_rounded).unwrap_or(i32::MAX)) / 100.0,
                declared.title.as_deref().unwrap_or_default(),
            );
            for overrun in &clock.pause_overruns {
                let pause = crate::engine::PauseOverMax::of(&view.workflow, overrun);
                let _ = writeln!(out, "    pause past its maximum: {}", super::format::pause_over_text(&pause));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "refused, as it should be: {} {}\n  {refused}\n", REFUSED.0, REFUSED.1);
    let _ = writeln!(out, "watch list as of {AS_OF} (red first, then by due date):");
    for row in engine.watch(as_of)? {
        let due = row.due_date.map_or_else(|| "-".to_owned(), |date| date.to_string());
        let remaining = row.remaining_working_days.map_or_else(|| "-".to_owned(), |days| format!("{days} wd left"));
        let by = row.level_set_by.map_or_else(String::new, |by| format!("by {by}"));
        let limits = match &row.promised_limit {
            Some(promised) => format!("{} / promised {promised}", row.statutory_limit.as_deref().unwrap_or("-")),
            None => row.statutory_limit.clone().unwrap_or_default(),
        };
        let _ = writeln!(
            out,
            "  {:<6} {:<12} {:<12} {:<30} {:<22} due {due}  {remaining}",
            row.level, by, row.number, row.clock, limits
        );
        if let Some(pause) = &row.pause_over_max {
            let _ = writeln!(out, "         pause past its maximum: {}", super::format::pause_over_text(pause));
        }
    }
    let licence = load_workflow("workflows/administrative-license.yaml", LICENCE, &mut Embedded, &context.calendars)
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let _ = writeln!(out, "\n{}", super::demo_summary::audit_summary(&licence, &context.calendars)?);
    let files = [("workflows/longgang-2016.yaml", LONGGANG_2016), ("workflows/longgang-2017.yaml", LONGGANG_2017)];
    out.push_str(&super::demo_summary::simulation_summary(&mut Embedded, &files, &context.calendars)?);
    context.output.write(&super::format::shown(&out))?;
    Ok(EXIT_OK)
}

/// Opens a case and takes its steps, each under an idempotency key; returns how many events
/// were added and how many were already there.
fn run_case(engine: &mut Engine<SqliteStore>, case: &DemoCase) -> anyhow::Result<(u64, u64)> {
    let (mut added, mut found) = (0, 0);
    let opening = CaseOpening {
        workflow: case.workflow.to_owned(),
        version: Some(case.version.to_owned()),
        number: Some(case.number.to_owned()),
        at: parse_instant(case.opened)?,
        actor: "窗口".to_owned(),
        attributes: case.attributes.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
        idempotency_key: Some(format!("demo/{}/open", case.number)),
    };
    let outcome = engine.open_case(&opening)?;
    count(&outcome, &mut added, &mut found);
    for (index, line) in case.steps.lines().map(str::trim).filter(|line| !line.is_empty()).enumerate() {
        let command = step_command(line)?;
        let version = engine.find_case(case.number)?.version;
        let key = format!("demo/{}/{index}", case.number);
        let outcome = engine
            .act(case.number, &command, version, Some(&key))
            .map_err(|error| anyhow::anyhow!("demo case {} step `{line}`: {error}", case.number))?;
        count(&outcome, &mut added, &mut found);
    }
    Ok((added, found))
}

fn count(outcome: &crate::engine::Outcome, added: &mut u64, found: &mut u64) {
    let events = outcome.events.len() as u64;
    if outcome.replayed {
        *found += events;
    } else {
        *added += events;
    }
}

fn step_command(line: &str) -> anyhow::Result<Command> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [day, role, action, rest @ ..] = words.as_slice() else {
        anyhow::bail!("demo step `{line}` is not `DATE ROLE ACTION`");
    };
    let attributes = rest
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Ok(Command {
        at: parse_instant(&format!("{day}T10:00:00+08:00"))?,
        actor: format!("{role}-demo"),
        role: (*role).to_owned(),
        kind: CommandKind::Act { action: (*action).to_owned(), attributes },
    })
}

/// Tries the refused step and returns the engine's reason.
fn refused_step(engine: &mut Engine<SqliteStore>) -> anyhow::Result<String> {
    let (number, line) = REFUSED;
    let command = step_command(line)?;
    let version = engine.find_case(number)?.version;
    match engine.act(number, &command, version, None) {
        Err(EngineError::Rejected(rejection)) => Ok(rejection.to_string()),
        Err(other) => Err(other.into()),
        Ok(_) => anyhow::bail!("the demo's refused step `{line}` was accepted"),
    }
}
