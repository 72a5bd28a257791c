//! Monte Carlo simulation of process reforms: cases drawn from a scenario (arrivals, attribute mix,
//! durations per state, branch probabilities, staff) are driven through the engine's own transition
//! function (`core::case::act_in_place`, which `step_in_place` calls) on the real calendar, and
//! their working days counted by the core's own timing. Seeded (`ChaCha8Rng`, one stream per case
//! or per replication), so the same seed gives the same output whatever the number of threads.

// Positions on the working-day axis, case counts and day counts stay far below 2^52.
#![allow(clippy::cast_precision_loss)]

mod case_walk;
mod choice;
mod duration;
mod histogram;
mod model;
mod report;
mod scenario;
mod simulator;
mod staffed_run;
mod svg_chart;
pub(crate) mod svg_document;
mod working_day_axis;

pub use case_walk::{CaseWalk, Pending, SIMULATION_ACTOR, STEPS_PER_CASE_MAX, WalkBuffers, WalkError};
pub use choice::{Choice, ChoiceWeights};
pub use duration::{DURATION_WORKING_DAYS_MAX, Duration, EMPIRICAL_VALUES_MAX};
pub use histogram::{Histogram, Summary};
pub use model::{Model, build_models, serial_name};
pub use report::{
    ActionCount, ClockReport, Difference, LegalBound, Outcome, QueueReport, SimulationReport, StageCut, Statutory,
    WorkflowReport, report,
};
pub use scenario::{
    Arrivals, BeyondDataChoice, BranchesIn, CASES_DEFAULT, CASES_MAX, DEFAULT_DURATION_KEY, Located, Mix,
    REPLICATIONS_MAX, SCENARIO_FILE_BYTES_MAX, STAFF_MAX, Scenario, ScenarioError, StateDuration,
};
pub use simulator::{
    BLOCK_CASES, CaseResult, ClockTally, OnBlock, QueueTally, RunOptions, SimulationError, Tally, WorkflowTally, run,
};
pub use staffed_run::run_staffed;
pub use svg_chart::{Series, histogram_svg};
pub use working_day_axis::{BeyondAxis, WorkingDayAxis, working_day_position};

#[cfg(test)]
mod tests;
