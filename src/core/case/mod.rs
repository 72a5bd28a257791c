//! The case engine's pure core: the transition function (`step`), the fold of a history
//! (`Replay`) and the timing of its clocks as of a date (`timing`).
//!
//! Nothing here reads the clock or a file: commands carry their instant, the calendar and the
//! workflow come in as arguments, and the caller (the store, the auditor, the simulator) appends
//! the events `step` returns.

mod available;
mod case_number;
mod clock_set;
mod clock_track;
mod command;
mod configuration;
mod event;
mod event_record;
mod hash_chain;
mod pause_overrun;
mod rejection;
mod replay;
mod step;
mod timing;

pub use available::{AvailableAction, available_actions, waiting_on};
pub use case_number::{CASE_NUMBER_CHARS_MAX, CaseNumberError, validate_case_number};
pub use clock_track::{ClockTrack, LedgerEntry, LedgerKind, Phase, count_unit};
pub use command::{Command, CommandKind, Opening};
pub use configuration::Configuration;
pub use event::{Event, EventKind};
pub use event_record::{CaseIdentity, EventRecord, RecordError, RecordKind};
pub use hash_chain::{EVENT_HASH_ALGORITHM, GENESIS_HASH, IMPORT_GENESIS_ALGORITHM, event_hash, import_genesis_hash};
pub use pause_overrun::{PauseOverrun, open_pause_limit, pause_overruns};
pub use rejection::Rejection;
pub use replay::{Replay, ReplayError};
pub(crate) use step::open_parts_in_place;
pub use step::{Act, DONE_CASCADE_MAX, act_in_place, open, open_in_place, step, step_in_place};
pub(crate) use timing::clock_figures;
pub use timing::{
    CaseDays, ClockStatus, ClockTiming, Due, Level, LimitKind, LimitTiming, Timing, TimingError, case_days,
    clock_breaches, clock_level_on, clock_statutory_level_on, clock_timing_of, timing, timing_as_of, timing_figures,
};

#[cfg(test)]
mod tests;
