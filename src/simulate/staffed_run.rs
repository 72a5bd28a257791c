//! `run_staffed`: a scenario with staff per role, where cases meet in queues. Each replication is
//! one discrete-event run per workflow: cases arrive, each step that needs a handler (a state a
//! case waits in that pauses no clock, whose chosen transition is taken by a staffed role) waits
//! for a free handler of that role, first come first served, and holds the handler for its
//! duration. A replication draws from its own `ChaCha8Rng` streams (arrivals and attributes from
//! one, shared by the workflows so they see the same cases; each workflow's walks from another);
//! replications run in parallel and are gathered in order, so the output does not depend on the
//! number of threads.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand_distr::{Distribution as _, Exp};
use rayon::prelude::*;

use super::case_walk::{CaseWalk, Pending, WalkBuffers, WalkError};
use super::model::Model;
use super::scenario::{Arrivals, Scenario};
use super::simulator::{
    CaseDraws, CaseResult, OnBlock, QueueTally, RunOptions, SimulationError, Tally, case_draws, finish, stream,
};
use super::working_day_axis::WorkingDayAxis;
use crate::core::calendar::WorkingCalendar;

/// A moment in the run: (position as ordered bits, sequence), so ties keep insertion order.
type Moment = Reverse<(u64, u64, usize, u64)>;

/// One replication of one workflow: every case's result, in case order, and its queues.
struct Replicated {
    results: Vec<CaseResult>,
    queues: Vec<QueueTally>,
}

/// Where case `i` of replication `r` arrives, and its attributes, drawn for every workflow alike.
fn arrivals<'s>(
    scenario: &'s Scenario,
    axis: &WorkingDayAxis,
    cases: u64,
    rng: &mut rand::rngs::ChaCha8Rng,
) -> Result<Vec<CaseDraws<'s>>, SimulationError> {
    let mut drawn = Vec::with_capacity(cases as usize);
    let mut poisson = match &scenario.arrivals {
        Arrivals::Poisson { from, rate_per_working_day } => {
            let start = axis
                .position_of(*from)
                .ok_or_else(|| SimulationError::Arrivals(format!("{from} is past the calendar's data")))?;
            let gaps = Exp::new(*rate_per_working_day).map_err(|error| SimulationError::Arrivals(error.to_string()))?;
            Some((start, gaps))
        }
        _ => None,
    };
    for case in 0..cases {
        let (mut arrival, attributes) = case_draws(scenario, axis, case, None, rng)?;
        if let Some((position, gaps)) = &mut poisson {
            *position += gaps.sample(rng);
            arrival = *position;
        }
        drawn.push((arrival, attributes));
    }
    Ok(drawn)
}

/// One discrete-event run of `model` over the cases `drawn`.
#[allow(clippy::too_many_lines)] // one loop: arrivals, steps, handlers
fn replicate(
    model: &Model<'_>,
    calendar: &WorkingCalendar,
    axis: &WorkingDayAxis,
    drawn: &[CaseDraws<'_>],
    rng: &mut rand::rngs::ChaCha8Rng,
    keep_events: bool,
) -> Result<Replicated, (u64, WalkError)> {
    let workflow = model.workflow;
    let roles = workflow.roles().len();
    let mut free: Vec<u32> = model.staff.iter().map(|staff| staff.unwrap_or(0)).collect();
    let mut queues: Vec<VecDeque<(usize, u64)>> = vec![VecDeque::new(); roles];
    // (case, ticket) → the role whose handler it holds, while in service.
    let mut serving: Vec<Vec<(u64, usize, f64)>> = vec![Vec::new(); drawn.len()];
    let mut tallies: Vec<QueueTally> = model
        .staff
        .iter()
        .map(|staff| QueueTally { handlers: u64::from(staff.unwrap_or(0)), ..QueueTally::default() })
        .collect();
    let mut walks: Vec<Option<CaseWalk<'_, '_>>> = (0..drawn.len()).map(|_| None).collect();
    let mut results: Vec<Option<CaseResult>> = (0..drawn.len()).map(|_| None).collect();
    let mut heap: BinaryHeap<Moment> = BinaryHeap::new();
    let mut sequence = 0_u64;
    let mut ticket = 0_u64;
    // Ticket 0 is a case's arrival.
    for (case, (arrival, _)) in drawn.iter().enumerate() {
        sequence += 1;
        heap.push(Reverse((arrival.max(0.0).to_bits(), sequence, case, 0)));
    }
    let first = drawn.iter().map(|(arrival, _)| *arrival).fold(f64::INFINITY, f64::min);
    let mut last = first;
    let needs_handler = |pending: &Pending| {
        let choice = &model.choices[pending.leaf.index()][pending.choice];
        (model.handled[pending.leaf.index()] && model.staff[choice.role.index()].is_some())
            .then_some(choice.role.index())
    };
    while let Some(Reverse((bits, _, case, due_ticket))) = heap.pop() {
        let now = f64::from_bits(bits);
        last = last.max(now);
        let fail = |error: WalkError| (case as u64, error);
        if due_ticket == 0 {
            let (arrival, attributes) = &drawn[case];
            walks[case] = Some(
                CaseWalk::open(model, calendar, axis, *arrival, attributes, keep_events, WalkBuffers::default())
                    .map_err(fail)?,
            );
        } else {
            let Some(walk) = walks[case].as_mut() else { continue };
            let Some(index) = walk.pending.iter().position(|pending| pending.ticket == due_ticket) else { continue };
            let (taken, dropped) = walk.take(calendar, axis, index).map_err(fail)?;
            // Handlers held by the step taken and by steps the case no longer waits for are free.
            for gone in std::iter::once(&taken).chain(&dropped) {
                if let Some(position) = serving[case].iter().position(|(held, _, _)| *held == gone.ticket) {
                    let (_, role, started) = serving[case].swap_remove(position);
                    tallies[role].busy_working_days += now - started;
                    free[role] += 1;
                } else if let Some(role) = needs_handler(gone) {
                    queues[role].retain(|(waiting, held)| !(*waiting == case && *held == gone.ticket));
                }
            }
        }
        // The case draws its next steps; each waits for a handler or is due after its duration.
        if walks[case].as_ref().is_some_and(CaseWalk::is_finished) {
            if let Some(mut walk) = walks[case].take() {
                let result = finish(model, calendar, &mut walk).map_err(fail)?;
                results[case] = Some(result);
            }
        } else if let Some(walk) = walks[case].as_mut() {
            {
                walk.draw(rng).map_err(fail)?;
                for pending in &mut walk.pending {
                    if pending.ticket != 0 {
                        continue;
                    }
                    ticket += 1;
                    pending.ticket = ticket;
                    match needs_handler(pending) {
                        Some(role) => queues[role].push_back((case, ticket)),
                        None => {
                            let due = pending.entered + pending.duration;
                            pending.due = Some(due);
                            sequence += 1;
                            heap.push(Reverse((due.to_bits(), sequence, case, ticket)));
                        }
                    }
                }
            }
        }
        // Free handlers take the longest-waiting requests.
        for role in 0..roles {
            while free[role] > 0 {
                let Some((waiting, held)) = queues[role].pop_front() else { break };
                let Some(walk) = walks[waiting].as_mut() else { continue };
                let Some(pending) = walk.pending.iter_mut().find(|pending| pending.ticket == held) else { continue };
                free[role] -= 1;
                let wait = now - pending.entered;
                let tally = &mut tallies[role];
                tally.requests += 1;
                tally.wait_working_days += wait;
                tally.wait_max_working_days = tally.wait_max_working_days.max(wait);
                let due = now + pending.duration;
                pending.due = Some(due);
                serving[waiting].push((held, role, now));
                sequence += 1;
                heap.push(Reverse((due.to_bits(), sequence, waiting, held)));
            }
        }
    }
    for tally in &mut tallies {
        tally.horizon_working_days += (last - first).max(0.0);
    }
    let results = results
        .into_iter()
        .enumerate()
        .map(|(case, result)| {
            result.ok_or((case as u64, WalkError::Stuck { state: "(waiting for a handler)".to_owned() }))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Replicated { results, queues: tallies })
}

/// Runs `replications` discrete-event runs of `options.cases` cases on every model.
///
/// # Errors
///
/// [`SimulationError`] for the first replication (in order) that cannot run.
pub fn run_staffed(
    scenario: &Scenario,
    models: &[Model<'_>],
    calendar: &WorkingCalendar,
    axis: &WorkingDayAxis,
    options: RunOptions,
    replications: u32,
    on_replication: OnBlock<'_>,
) -> Result<Tally, SimulationError> {
    let streams = models.len() as u64 + 1;
    let runs: Vec<Result<Vec<Replicated>, SimulationError>> = (0..u64::from(replications))
        .into_par_iter()
        .map(|replication| {
            let mut common = stream(options.seed, u64::MAX - 1 - replication * streams);
            let drawn = arrivals(scenario, axis, options.cases, &mut common)?;
            models
                .iter()
                .enumerate()
                .map(|(index, model)| {
                    let mut rng = stream(options.seed, u64::MAX - 2 - replication * streams - index as u64);
                    replicate(model, calendar, axis, &drawn, &mut rng, options.keep_events).map_err(|(case, error)| {
                        SimulationError::Walk { case, workflow: model.workflow.id().to_owned(), error }
                    })
                })
                .collect()
        })
        .collect();
    let mut tally = Tally::new(models);
    for (replication, run) in runs.into_iter().enumerate() {
        let run = run?;
        let cases = run.first().map_or(0, |replicated| replicated.results.len());
        let mut by_case: Vec<Vec<CaseResult>> = (0..cases).map(|_| Vec::with_capacity(models.len())).collect();
        for (workflow, replicated) in run.into_iter().enumerate() {
            for (queue, more) in tally.workflows[workflow].queues.iter_mut().zip(&replicated.queues) {
                queue.merge(more);
            }
            for (case, result) in replicated.results.into_iter().enumerate() {
                by_case[case].push(result);
            }
        }
        for results in &by_case {
            tally.add(results);
        }
        let first = replication as u64 * options.cases;
        on_replication(first..first + options.cases, &by_case);
    }
    Ok(tally)
}
