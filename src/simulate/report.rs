//! `SimulationReport`: what a run found, per workflow and between workflows, with the statutory
//! comparison on top so the legal bound and the likely outcome are read together. It holds
//! results only (no timings, thread counts or paths), so two runs can be diffed.

use serde::Serialize;

use super::histogram::Summary;
use super::model::Model;
use super::simulator::Tally;
use crate::core::case::count_unit;
use crate::core::workflow::{Workflow, compare, critical_paths};

/// z for a two-sided 95 % interval.
const Z_95: f64 = 1.959_963_984_540_054;

#[derive(Clone, Debug, Serialize)]
pub struct SimulationReport {
    pub title: Option<String>,
    pub seed: u64,
    /// Cases per workflow.
    pub cases: u64,
    /// True when dates ran past the calendar's data and were counted with weekends only.
    pub provisional: bool,
    pub statutory: Statutory,
    pub workflows: Vec<WorkflowReport>,
    /// Each workflow against the first (the baseline), on the same cases.
    pub differences: Vec<Difference>,
}

/// The legal bound: each workflow's longest legal path, and the stage-by-stage cuts of each
/// workflow against the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Statutory {
    pub workflows: Vec<LegalBound>,
    pub stages: Vec<StageCut>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LegalBound {
    pub workflow: String,
    pub version: String,
    /// The longest sum of working-day limits along a path, over every attribute profile.
    pub longest_legal_path_working_days: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageCut {
    pub version: String,
    pub stage: String,
    pub title: String,
    pub before_working_days: i64,
    pub after_working_days: i64,
    pub cut_percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkflowReport {
    pub workflow: String,
    pub version: String,
    /// Working days from opening to the end.
    pub total_working_days: Summary,
    pub clocks: Vec<ClockReport>,
    /// How cases ended.
    pub outcomes: Vec<Outcome>,
    /// Times each action was taken, on average per case.
    pub actions: Vec<ActionCount>,
    /// Waiting for handlers, per staffed role (empty without staff).
    pub queues: Vec<QueueReport>,
}

/// One staffed role: how long steps waited for a free handler, and how busy the handlers were.
#[derive(Clone, Debug, Serialize)]
pub struct QueueReport {
    pub role: String,
    pub handlers: u64,
    pub requests: u64,
    pub mean_wait_working_days: Option<f64>,
    pub max_wait_working_days: f64,
    /// Busy time over handlers × the run's span (first arrival to last step).
    pub utilisation: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClockReport {
    pub clock: String,
    pub unit: &'static str,
    pub limit: String,
    pub promised: Option<String>,
    /// Elapsed in the cases where the clock started.
    pub elapsed: Summary,
    pub breach_rate_statutory: Option<f64>,
    pub breach_rate_promised: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub state: String,
    pub cases: u64,
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActionCount {
    pub action: String,
    pub times: u64,
    pub per_case: f64,
}

/// The mean per-case difference of total working days (`workflow − baseline`) with its 95 %
/// confidence interval (normal approximation over the paired cases).
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub workflow: String,
    pub version: String,
    pub baseline_version: String,
    pub mean_working_days: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
}

fn unit_name(unit: crate::core::calendar::PeriodUnit) -> &'static str {
    match unit {
        crate::core::calendar::PeriodUnit::WorkingDays => "wd",
        _ => "cd",
    }
}

#[allow(clippy::cast_precision_loss)]
fn rate(count: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| count as f64 / of as f64)
}

/// The report of a run.
#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
pub fn report(
    title: Option<&str>,
    seed: u64,
    models: &[Model<'_>],
    tally: &Tally,
    provisional: bool,
) -> SimulationReport {
    let workflows: Vec<&Workflow> = models.iter().map(|model| model.workflow).collect();
    let mut statutory = Statutory { workflows: Vec::new(), stages: Vec::new() };
    for workflow in &workflows {
        let longest = critical_paths(workflow).iter().map(|path| path.working_days).max().unwrap_or(0);
        statutory.workflows.push(LegalBound {
            workflow: workflow.id().to_owned(),
            version: workflow.version().to_owned(),
            longest_legal_path_working_days: longest,
        });
    }
    if let Some((base, others)) = workflows.split_first() {
        for other in others {
            for stage in compare(base, other).stages {
                statutory.stages.push(StageCut {
                    version: other.version().to_owned(),
                    stage: stage.stage,
                    title: stage.title,
                    before_working_days: stage.before_working_days,
                    after_working_days: stage.after_working_days,
                    cut_percent: stage.cut_percent,
                });
            }
        }
    }
    let cases = tally.cases;
    let workflow_reports = models
        .iter()
        .zip(&tally.workflows)
        .map(|(model, counted)| {
            let workflow = model.workflow;
            let clocks = workflow
                .clocks()
                .iter()
                .zip(&counted.clocks)
                .filter(|(_, clock)| clock.elapsed.count() > 0)
                .map(|(declared, clock)| ClockReport {
                    clock: declared.name.clone(),
                    unit: unit_name(count_unit(declared.limit.unit)),
                    limit: declared.limit_text(workflow),
                    promised: declared.promised_text(workflow),
                    elapsed: clock.elapsed.summary(),
                    breach_rate_statutory: rate(clock.breached_statutory, clock.elapsed.count()),
                    breach_rate_promised: declared
                        .promised
                        .and_then(|_| rate(clock.breached_promised, clock.elapsed.count())),
                })
                .collect();
            let outcomes = counted
                .outcomes
                .iter()
                .enumerate()
                .filter(|(_, count)| **count > 0)
                .map(|(state, count)| Outcome {
                    state: workflow.states()[state].name.clone(),
                    cases: *count,
                    share: rate(*count, cases).unwrap_or(0.0),
                })
                .collect();
            let actions = counted
                .actions
                .iter()
                .enumerate()
                .filter(|(_, times)| **times > 0)
                .map(|(action, times)| ActionCount {
                    action: workflow.actions()[action].name.clone(),
                    times: *times,
                    per_case: rate(*times, cases).unwrap_or(0.0),
                })
                .collect();
            let queues = workflow
                .roles()
                .iter()
                .zip(&counted.queues)
                .filter(|(_, queue)| queue.handlers > 0)
                .map(|(role, queue)| QueueReport {
                    role: role.name.clone(),
                    handlers: queue.handlers,
                    requests: queue.requests,
                    mean_wait_working_days: (queue.requests > 0)
                        .then(|| queue.wait_working_days / queue.requests as f64),
                    max_wait_working_days: queue.wait_max_working_days,
                    utilisation: (queue.horizon_working_days > 0.0)
                        .then(|| queue.busy_working_days / (queue.handlers as f64 * queue.horizon_working_days)),
                })
                .collect();
            WorkflowReport {
                queues,
                workflow: workflow.id().to_owned(),
                version: workflow.version().to_owned(),
                total_working_days: counted.total.summary(),
                clocks,
                outcomes,
                actions,
            }
        })
        .collect();
    let differences = models
        .iter()
        .zip(&tally.differences)
        .skip(1)
        .map(|(model, (sum, squares))| {
            let n = cases as f64;
            let mean = (cases > 0).then(|| *sum as f64 / n);
            let half = (cases > 1).then(|| {
                let variance = ((*squares as f64) - n * mean.unwrap_or(0.0).powi(2)) / (n - 1.0);
                Z_95 * (variance.max(0.0) / n).sqrt()
            });
            Difference {
                workflow: model.workflow.id().to_owned(),
                version: model.workflow.version().to_owned(),
                baseline_version: models[0].workflow.version().to_owned(),
                mean_working_days: mean,
                ci95_low: mean.zip(half).map(|(mean, half)| mean - half),
                ci95_high: mean.zip(half).map(|(mean, half)| mean + half),
            }
        })
        .collect();
    SimulationReport {
        title: title.map(str::to_owned),
        seed,
        cases,
        provisional,
        statutory,
        workflows: workflow_reports,
        differences,
    }
}
