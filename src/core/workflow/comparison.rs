//! The statutory comparison (pure, deterministic): a baseline against a reform, stage by stage
//! and matter by matter, beside the longest legal path of each (`critical_path.rs`). The rules
//! are in docs/workflow-language.md ("Statutory comparison").

use super::attribute::Value;
use super::clock::{Clock, Rounding};
use super::critical_path::{PathSearch, ProfilePath, critical_paths, longest_for_one_case, working_days};
use super::exclusive::{for_each_assignment, value_classes};
use super::guard::Guard;
use super::workflow::{StateKind, Workflow};
use crate::core::calendar::{Period, PeriodUnit};

#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub stages: Vec<StageRow>,
    pub matters: Vec<MatterRow>,
    pub total_saved_working_days: i64,
    pub parallel: Option<ParallelFigure>,
    pub base_paths: Vec<ProfilePath>,
    pub reform_paths: Vec<ProfilePath>,
    pub rounding: Option<Rounding>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageRow {
    pub stage: String,
    pub title: String,
    pub matters: usize,
    /// The sum of the stage's matter limits (working days): the published convention, whether
    /// or not one case can face all of them.
    pub before_working_days: i64,
    pub after_working_days: i64,
    /// From the sums of rounded matter limits.
    pub cut_percent: f64,
    /// The most working days of the stage's matter limits a single case can face: the costliest
    /// legal path over every profile, counting only the stage's matters. Below the sum when some
    /// of its clocks are alternatives (a case takes one route or the other).
    pub before_one_case_working_days: i64,
    pub after_one_case_working_days: i64,
}

impl StageRow {
    /// Whether the sums are what one case can face, before and after.
    pub fn sum_applies_to_one_case(&self) -> bool {
        self.before_working_days == self.before_one_case_working_days
            && self.after_working_days == self.after_one_case_working_days
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatterRow {
    pub clock: String,
    pub title: Option<String>,
    pub stage: Option<String>,
    pub before: Option<Period>,
    pub after: Option<Period>,
    pub cut_percent: Option<f64>,
    pub saved_working_days: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParallelFigure {
    /// The parallel states counted, by name.
    pub states: Vec<String>,
    pub serial_working_days: i64,
    pub parallel_working_days: i64,
    pub cut_percent: f64,
}

/// Limits are at most `AMOUNT_DAYS_MAX` per clock and `CLOCKS_MAX` clocks, far inside f64's exact range.
#[allow(clippy::cast_precision_loss)]
fn percent(before: i64, after: i64) -> f64 {
    if before == 0 { 0.0 } else { 100.0 * (before - after) as f64 / before as f64 }
}

/// Compares a baseline with a reform (or any two workflows) by clock names.
pub fn compare(base: &Workflow, reform: &Workflow) -> Comparison {
    let mut matters = Vec::new();
    let mut names: Vec<&str> = base.clocks().iter().filter(|c| c.matter).map(|c| c.name.as_str()).collect();
    for clock in reform.clocks().iter().filter(|clock| clock.matter) {
        if !names.contains(&clock.name.as_str()) {
            names.push(&clock.name);
        }
    }
    for name in names {
        let before = base.clock_named(name).map(|id| base.clock(id));
        let after = reform.clock_named(name).map(|id| reform.clock(id));
        let either = before.or(after).expect("a name comes from one of the two");
        let stage = either
            .stage
            .map(|stage| if before.is_some() { base.stage(stage) } else { reform.stage(stage) }.name.clone());
        let (before_wd, after_wd) = (before.and_then(working_days), after.and_then(working_days));
        let saved = before_wd.unwrap_or(0) - after_wd.unwrap_or(0);
        matters.push(MatterRow {
            clock: name.to_owned(),
            title: either.title.clone(),
            stage,
            // A limit set per case has no figure to compare.
            before: before.filter(|clock| clock.has_written_limit()).map(|clock| clock.limit),
            after: after.filter(|clock| clock.has_written_limit()).map(|clock| clock.limit),
            cut_percent: before_wd.zip(after_wd).map(|(b, a)| percent(b, a)),
            saved_working_days: if before_wd.is_some() && after_wd.is_some() { saved } else { 0 },
        });
    }
    let mut stages = Vec::new();
    for stage in base.stages() {
        let rows: Vec<&MatterRow> =
            matters.iter().filter(|row| row.stage.as_deref() == Some(stage.name.as_str())).collect();
        let sum = |pick: fn(&MatterRow) -> Option<Period>| {
            rows.iter()
                .filter_map(|row| pick(row))
                .filter(|p| p.unit == PeriodUnit::WorkingDays)
                .map(|p| p.amount)
                .sum::<i64>()
        };
        let (before, after) = (sum(|row| row.before), sum(|row| row.after));
        stages.push(StageRow {
            stage: stage.name.clone(),
            title: stage.title.clone(),
            matters: rows.len(),
            before_working_days: before,
            after_working_days: after,
            cut_percent: percent(before, after),
            before_one_case_working_days: one_case(base, &stage.name),
            after_one_case_working_days: one_case(reform, &stage.name),
        });
    }
    let total_saved_working_days = matters.iter().map(|row| row.saved_working_days).sum();
    Comparison {
        stages,
        total_saved_working_days,
        parallel: parallel_figure(base, reform),
        base_paths: critical_paths(base),
        reform_paths: critical_paths(reform),
        rounding: reform.lineage().last().and_then(|lineage| lineage.rounding),
        matters,
    }
}

/// The most working days of the matter limits of stage `stage` (by name) that one case of
/// `workflow` can face.
fn one_case(workflow: &Workflow, stage: &str) -> i64 {
    let limit = |clock: &Clock| {
        let in_stage = clock.stage.is_some_and(|id| workflow.stage(id).name == stage);
        if clock.matter && in_stage { working_days(clock) } else { None }
    };
    longest_for_one_case(workflow, &limit)
}

/// For the states the reform made parallel: the regions one after the other against the slowest,
/// both on the base's limits.
fn parallel_figure(base: &Workflow, reform: &Workflow) -> Option<ParallelFigure> {
    let lineage = reform.lineage().last()?;
    if lineage.parallelized.is_empty() {
        return None;
    }
    let base_limit = |clock: &Clock| {
        base.clock_named(&clock.name).map(|id| base.clock(id)).filter(|c| c.matter).and_then(working_days)
    };
    let (mut serial, mut parallel, mut states) = (0, 0, Vec::new());
    for made in &lineage.parallelized {
        let values = satisfying(reform, made.when.as_ref());
        let mut search = PathSearch::new(reform, &values, &base_limit);
        let StateKind::Parallel { regions, .. } = &reform.state(made.state).kind else { continue };
        let costs: Vec<i64> = regions.iter().map(|region| search.region_cost(*region).unwrap_or(0)).collect();
        serial += costs.iter().sum::<i64>();
        parallel += costs.iter().copied().max().unwrap_or(0);
        states.push(reform.state(made.state).name.clone());
    }
    Some(ParallelFigure {
        states,
        serial_working_days: serial,
        parallel_working_days: parallel,
        cut_percent: percent(serial, parallel),
    })
}

/// Attribute values under which `guard` holds (all unset when there is no guard).
fn satisfying(workflow: &Workflow, guard: Option<&Guard>) -> Vec<Option<Value>> {
    let unset = vec![None; workflow.attributes().len()];
    let Some(guard) = guard else { return unset };
    let classes = value_classes(&[guard], workflow.attributes(), false);
    let mut found = None;
    for_each_assignment(&classes, workflow.attributes().len(), |values| {
        if guard.holds(values) {
            found = Some(values.to_vec());
            return false;
        }
        true
    });
    found.unwrap_or(unset)
}
