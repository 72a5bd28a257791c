//! `simulate`: runs a scenario's cases through each of its workflows and gathers the results.
//! Without staff, cases are independent: case `i` draws its arrival and attributes from one
//! `ChaCha8Rng` stream shared by every workflow (so the workflows are compared on the same cases)
//! and its path and durations from one stream per workflow; blocks of cases run on all cores with
//! `rayon` and are gathered in case order, so the same seed gives the same output whatever the
//! number of threads. With staff, cases meet in queues: see `staffed_run.rs`.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt as _, SeedableRng as _};
use rand_distr::{Distribution as _, Exp};
use rayon::prelude::*;

use super::case_walk::{CaseWalk, WalkBuffers, WalkError};
use super::histogram::Histogram;
use super::model::Model;
use super::scenario::{Arrivals, Mix, Scenario};
use super::working_day_axis::WorkingDayAxis;
use crate::core::calendar::{CalendarError, WorkingCalendar};
use crate::core::case::{Event, clock_breaches};
use crate::core::workflow::StateKind;

/// Cases run between two gatherings (and progress reports).
pub const BLOCK_CASES: u64 = 4_096;

/// A simulation that could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    #[error("case {case} on workflow `{workflow}`: {error}")]
    Walk { case: u64, workflow: String, error: WalkError },
    #[error("the scenario's arrivals: {0}")]
    Arrivals(String),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// What a run is asked for.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    pub cases: u64,
    pub seed: u64,
    /// Keep every case's events (for `--emit-log`).
    pub keep_events: bool,
}

/// One clock's results over a workflow's cases.
#[derive(Clone, Debug, Default)]
pub struct ClockTally {
    /// Elapsed (in the clock's count unit) in the cases where the clock started.
    pub elapsed: Histogram,
    pub breached_statutory: u64,
    pub breached_promised: u64,
}

/// One workflow's results.
#[derive(Clone, Debug, Default)]
pub struct WorkflowTally {
    /// Working days from opening to the end, per case.
    pub total: Histogram,
    /// By clock index.
    pub clocks: Vec<ClockTally>,
    /// Cases ending in each final state, by state index.
    pub outcomes: Vec<u64>,
    /// Times each action was taken, by action index.
    pub actions: Vec<u64>,
    /// By role index, when the scenario gives staff.
    pub queues: Vec<QueueTally>,
}

/// One role's queue over a run: requests served, the time they waited for a handler, and the
/// time handlers were busy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueTally {
    pub handlers: u64,
    pub requests: u64,
    pub wait_working_days: f64,
    pub wait_max_working_days: f64,
    pub busy_working_days: f64,
    /// Working days from the first arrival to the last step, summed over replications.
    pub horizon_working_days: f64,
}

impl QueueTally {
    pub(crate) fn merge(&mut self, other: &QueueTally) {
        self.handlers = self.handlers.max(other.handlers);
        self.requests += other.requests;
        self.wait_working_days += other.wait_working_days;
        self.wait_max_working_days = self.wait_max_working_days.max(other.wait_max_working_days);
        self.busy_working_days += other.busy_working_days;
        self.horizon_working_days += other.horizon_working_days;
    }
}

/// The results of a run: one tally per workflow, and the paired differences of total working
/// days between each workflow and the first (the baseline).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub workflows: Vec<WorkflowTally>,
    /// By workflow index (the first is the baseline's, always empty): Σ d and Σ d² of the
    /// per-case difference `d = total(w) − total(baseline)`.
    pub differences: Vec<(i128, i128)>,
    pub cases: u64,
    /// The last day any case ended.
    pub latest_finish: Option<chrono::NaiveDate>,
}

/// One case's result on one workflow.
#[derive(Clone, Debug)]
pub struct CaseResult {
    pub total_working_days: i64,
    /// The day the case ended.
    pub finished_on: chrono::NaiveDate,
    /// By clock index: (elapsed, over statutory, over promised) when the clock started.
    pub clocks: Vec<Option<(i64, bool, bool)>>,
    pub outcome: usize,
    pub actions: Vec<(usize, u32)>,
    pub events: Option<Vec<Event>>,
}

impl Tally {
    pub(crate) fn new(models: &[Model<'_>]) -> Tally {
        Tally {
            workflows: models
                .iter()
                .map(|model| WorkflowTally {
                    total: Histogram::default(),
                    clocks: vec![ClockTally::default(); model.workflow.clocks().len()],
                    outcomes: vec![0; model.workflow.states().len()],
                    actions: vec![0; model.workflow.actions().len()],
                    queues: vec![QueueTally::default(); model.workflow.roles().len()],
                })
                .collect(),
            differences: vec![(0, 0); models.len()],
            cases: 0,
            latest_finish: None,
        }
    }

    /// Adds `other`'s counts to these (tallies of the same models).
    pub(crate) fn merge(&mut self, other: &Tally) {
        for (tally, more) in self.workflows.iter_mut().zip(&other.workflows) {
            tally.total.merge(&more.total);
            for (clock, more) in tally.clocks.iter_mut().zip(&more.clocks) {
                clock.elapsed.merge(&more.elapsed);
                clock.breached_statutory += more.breached_statutory;
                clock.breached_promised += more.breached_promised;
            }
            for (count, more) in tally.outcomes.iter_mut().zip(&more.outcomes) {
                *count += more;
            }
            for (count, more) in tally.actions.iter_mut().zip(&more.actions) {
                *count += more;
            }
            for (queue, more) in tally.queues.iter_mut().zip(&more.queues) {
                queue.merge(more);
            }
        }
        for (difference, more) in self.differences.iter_mut().zip(&other.differences) {
            difference.0 += more.0;
            difference.1 += more.1;
        }
        self.cases += other.cases;
        self.latest_finish = self.latest_finish.max(other.latest_finish);
    }

    /// Counts one case, run on every workflow.
    pub(crate) fn add(&mut self, results: &[CaseResult]) {
        self.cases += 1;
        for result in results {
            self.latest_finish = self.latest_finish.max(Some(result.finished_on));
        }
        for (tally, result) in self.workflows.iter_mut().zip(results) {
            tally.total.add(result.total_working_days);
            for (clock, outcome) in tally.clocks.iter_mut().zip(&result.clocks) {
                if let Some((elapsed, statutory, promised)) = outcome {
                    clock.elapsed.add(*elapsed);
                    clock.breached_statutory += u64::from(*statutory);
                    clock.breached_promised += u64::from(*promised);
                }
            }
            tally.outcomes[result.outcome] += 1;
            for (action, times) in &result.actions {
                tally.actions[*action] += u64::from(*times);
            }
        }
        let base = results.first().map_or(0, |result| result.total_working_days);
        for (difference, result) in self.differences.iter_mut().zip(results).skip(1) {
            let d = i128::from(result.total_working_days - base);
            difference.0 += d;
            difference.1 += d * d;
        }
    }
}

/// A generator for one stream of the run.
pub(crate) fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Where each case arrives on the axis, for arrivals that depend on the cases before (Poisson);
/// `None` when each case draws its own.
fn arrival_positions(
    arrivals: &Arrivals,
    axis: &WorkingDayAxis,
    cases: u64,
    seed: u64,
) -> Result<Option<Vec<f64>>, SimulationError> {
    let Arrivals::Poisson { from, rate_per_working_day } = arrivals else { return Ok(None) };
    let start = axis
        .position_of(*from)
        .ok_or_else(|| SimulationError::Arrivals(format!("{from} is past the calendar's data")))?;
    let gaps = Exp::new(*rate_per_working_day).map_err(|error| SimulationError::Arrivals(error.to_string()))?;
    // The last stream number is the arrivals'; cases use the others.
    let mut rng = stream(seed, u64::MAX);
    let mut position = start;
    let mut positions = Vec::with_capacity(cases as usize);
    for _ in 0..cases {
        position += gaps.sample(&mut rng);
        positions.push(position);
    }
    Ok(Some(positions))
}

/// A case's arrival (a position on the working-day axis) and attribute values (name, text),
/// borrowed from the scenario.
pub(crate) type CaseDraws<'s> = (f64, Vec<(&'s str, &'s str)>);

/// A case's arrival and attribute values (name, text), drawn from its common stream.
pub(crate) fn case_draws<'s, R: Rng + ?Sized>(
    scenario: &'s Scenario,
    axis: &WorkingDayAxis,
    case: u64,
    positions: Option<&[f64]>,
    rng: &mut R,
) -> Result<CaseDraws<'s>, SimulationError> {
    let arrival = match (&scenario.arrivals, positions) {
        (_, Some(positions)) => positions[case as usize],
        (Arrivals::Fixed(dates), None) => {
            let date = dates[(case % dates.len() as u64) as usize];
            axis.position_of(date)
                .ok_or_else(|| SimulationError::Arrivals(format!("{date} is past the calendar's data")))?
        }
        (Arrivals::Uniform { from, to }, None) => {
            let first = axis.position_of(*from);
            let after = to.succ_opt().and_then(|next| axis.position_of(next)).unwrap_or(axis.len() as f64);
            match first {
                Some(first) if first < after => rng.random_range(first as u64..after as u64) as f64,
                _ => {
                    return Err(SimulationError::Arrivals(format!(
                        "no working day from {from} to {to} within the calendar's data"
                    )));
                }
            }
        }
        (Arrivals::Poisson { .. }, None) => 0.0,
    };
    let mut attributes = Vec::with_capacity(scenario.attributes.len());
    for (name, mix) in &scenario.attributes {
        let draw: f64 = rng.random();
        let value = match &mix.value {
            Mix::True(share) => {
                if draw < *share {
                    "true"
                } else {
                    "false"
                }
            }
            Mix::Values(values) => {
                let mut left = draw;
                let mut chosen = values.last().map_or("", |(value, _)| value.as_str());
                for (value, share) in values {
                    if left < *share {
                        chosen = value;
                        break;
                    }
                    left -= share;
                }
                chosen
            }
        };
        attributes.push((name.value.as_str(), value));
    }
    Ok((arrival, attributes))
}

/// Walks one case on one workflow to its end, each step taken as soon as it is due; `draws` are
/// its arrival and attributes.
fn run_case(
    model: &Model<'_>,
    calendar: &WorkingCalendar,
    axis: &WorkingDayAxis,
    (arrival, attributes): (f64, &[(&str, &str)]),
    rng: &mut ChaCha8Rng,
    keep_events: bool,
    spare: &mut WalkBuffers,
) -> Result<CaseResult, WalkError> {
    let workflow = model.workflow;
    let mut walk = CaseWalk::open(model, calendar, axis, arrival, attributes, keep_events, std::mem::take(spare))?;
    while !walk.is_finished() {
        walk.draw(rng)?;
        for pending in &mut walk.pending {
            if pending.due.is_none() {
                pending.due = Some(pending.entered + pending.duration);
            }
        }
        let Some((index, _)) = walk.next_due() else {
            let leaf = walk.replay.configuration().leaves().first().copied().unwrap_or(workflow.initial());
            return Err(WalkError::Stuck { state: workflow.state(leaf).name.clone() });
        };
        walk.take(calendar, axis, index)?;
    }
    let result = finish(model, calendar, &mut walk);
    *spare = walk.into_buffers();
    result
}

/// A finished walk's result, counted by the core's own timing as of its last day.
pub(crate) fn finish(
    model: &Model<'_>,
    calendar: &WorkingCalendar,
    walk: &mut CaseWalk<'_, '_>,
) -> Result<CaseResult, WalkError> {
    let workflow = model.workflow;
    let finished_on = walk.replay.finished_on().unwrap_or_default();
    let total_working_days = match walk.replay.opened_on() {
        Some(opened) => calendar.working_days_between(opened, finished_on)?,
        None => 0,
    };
    // Sized first: collected through a `Result`, the vector would grow (and move) several times.
    let mut clocks = Vec::with_capacity(workflow.clocks().len());
    for (clock, track) in workflow.clocks().iter().zip(walk.replay.clocks()) {
        clocks.push(clock_breaches(calendar, clock, track, finished_on)?);
    }
    let outcome = walk
        .replay
        .configuration()
        .finished_in(workflow)
        .filter(|state| matches!(workflow.state(*state).kind, StateKind::Final))
        .map_or(0, crate::core::workflow::StateId::index);
    let actions = walk.actions_taken();
    Ok(CaseResult { total_working_days, finished_on, clocks, outcome, actions, events: walk.events.take() })
}

/// Runs `options.cases` cases on every model, in blocks over all of rayon's threads;
/// `on_block` gets each block's range of cases (for progress) and, with `keep_events`, their
/// results in case order (for `--emit-log`; empty otherwise).
///
/// # Errors
///
/// [`SimulationError`] for the first case (by number) that cannot run.
pub fn run(
    scenario: &Scenario,
    models: &[Model<'_>],
    calendar: &WorkingCalendar,
    axis: &WorkingDayAxis,
    options: RunOptions,
    on_block: OnBlock<'_>,
) -> Result<Tally, SimulationError> {
    let positions = arrival_positions(&scenario.arrivals, axis, options.cases, options.seed)?;
    let streams_per_case = models.len() as u64 + 1;
    let mut tally = Tally::new(models);
    let mut first = 0;
    while first < options.cases {
        let last = (first + BLOCK_CASES).min(options.cases);
        // Each worker tallies the cases it runs; the tallies are integer counts, so they add up
        // to the same figures however the cases were split between threads.
        let share = (first..last)
            .into_par_iter()
            // Each worker keeps one set of walk buffers per workflow and reuses them case to case.
            .map_init(
                || models.iter().map(|_| WalkBuffers::default()).collect::<Vec<_>>(),
                |spares: &mut Vec<WalkBuffers>, case| {
                    let mut common = stream(options.seed, case * streams_per_case);
                    let (arrival, attributes) =
                        match case_draws(scenario, axis, case, positions.as_deref(), &mut common) {
                            Ok(draws) => draws,
                            Err(error) => return (case, Err(error)),
                        };
                    let results = models
                        .iter()
                        .enumerate()
                        .map(|(index, model)| {
                            let mut rng = stream(options.seed, case * streams_per_case + 1 + index as u64);
                            let spare = &mut spares[index];
                            run_case(
                                model,
                                calendar,
                                axis,
                                (arrival, &attributes),
                                &mut rng,
                                options.keep_events,
                                spare,
                            )
                            .map_err(|error| SimulationError::Walk {
                                case,
                                workflow: model.workflow.id().to_owned(),
                                error,
                            })
                        })
                        .collect();
                    (case, results)
                },
            )
            .fold(|| Share::new(models), |share, (case, results)| share.with(case, results, options.keep_events))
            .reduce(|| Share::new(models), Share::join);
        if let Some((_, error)) = share.failed {
            return Err(error);
        }
        tally.merge(&share.tally);
        on_block(first..last, &share.kept);
        first = last;
    }
    Ok(tally)
}

/// Called after each block (or replication) with its range of cases and the results kept.
pub type OnBlock<'a> = &'a mut dyn FnMut(std::ops::Range<u64>, &[Vec<CaseResult>]);

/// What a worker made of the cases it ran: their tally, their results when kept (in case
/// order), and the first case (by number) that failed.
struct Share {
    tally: Tally,
    kept: Vec<Vec<CaseResult>>,
    failed: Option<(u64, SimulationError)>,
}

impl Share {
    fn new(models: &[Model<'_>]) -> Share {
        Share { tally: Tally::new(models), kept: Vec::new(), failed: None }
    }

    fn with(mut self, case: u64, results: Result<Vec<CaseResult>, SimulationError>, keep: bool) -> Share {
        match results {
            Ok(results) => {
                self.tally.add(&results);
                if keep {
                    self.kept.push(results);
                }
            }
            Err(error) => {
                if self.failed.as_ref().is_none_or(|(first, _)| case < *first) {
                    self.failed = Some((case, error));
                }
            }
        }
        self
    }

    /// The share of the cases of `self` followed by those of `later`.
    fn join(mut self, later: Share) -> Share {
        self.tally.merge(&later.tally);
        self.kept.extend(later.kept);
        self.failed = match (self.failed, later.failed) {
            (Some(left), Some(right)) => Some(if right.0 < left.0 { right } else { left }),
            (left, right) => left.or(right),
        };
        self
    }
}
