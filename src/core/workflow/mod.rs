//! The workflow language: YAML flows and reforms, validated into a `Workflow` that cannot exist
//! without passing every rule, and the statutory comparison of two workflows.
//!
//! Pure: files named by `extends` arrive through a `SourceReader` the caller supplies.
//! Pipeline, readable from the file names: `raw` (as written, with spans) → `draft` (names as
//! text, with origins; `reform` and `parallelize` edit it) → `resolve` (names to ids, guards
//! typed by `guard_check`) → `analysis` (reachability, finishing, ambiguity) → `canonical` (hash).

mod analysis;
mod attribute;
mod canonical;
mod checker;
mod clock;
mod comparison;
mod critical_path;
mod draft;
mod exclusive;
mod guard;
mod guard_check;
mod guard_parse;
mod ids;
mod keys;
mod load;
mod lookup;
mod parallelize;
mod raw;
mod raw_limit;
mod reform;
mod resolve;
mod state_set;
#[allow(clippy::module_inception)] // named after its type, `Workflow`, like every file here
mod workflow;
mod workflow_error;

pub use analysis::{GUARD_PAIRS_MAX, TRANSITIONS_PER_ACTION_MAX};
pub use attribute::{Attribute, AttributeType, DECIMAL_PLACES_MAX, Decimal, Value};
pub use canonical::{CANONICAL_FORM_TAG, canonical_text};
pub use checker::WORKFLOW_PROBLEMS_MAX;
pub use clock::{Clock, ClockSpan, Cut, Extension, LimitSource, Pause, Percent, Rounding};
pub use comparison::{Comparison, MatterRow, ParallelFigure, StageRow, compare};
pub use critical_path::{PROFILES_MAX, PathStep, ProfilePath, critical_paths};
pub use draft::{CLOCKS_MAX, ENUM_VALUES_MAX, NAME_CHARS_MAX, NAMES_MAX, STATE_DEPTH_MAX, STATES_MAX, TRANSITIONS_MAX};
pub use exclusive::ASSIGNMENTS_MAX;
pub use guard::Guard;
pub use guard_parse::{CompareOp, GUARD_BYTES_MAX, GUARD_DEPTH_MAX};
pub use ids::{ActionId, AttributeId, ClockId, RoleId, StageId, StateId, TransitionId};
pub use load::{EXTENDS_DEPTH_MAX, NoExtends, SourceReader, WORKFLOW_FILE_BYTES_MAX, load_workflow};
pub(crate) use lookup::MovePlan;
pub use state_set::StateSet;
pub(crate) use workflow::hex;
pub use workflow::{Action, ActionKind, Lineage, Parallelized, Role, Stage, State, StateKind, Transition, Workflow};
pub use workflow_error::WorkflowError;

#[cfg(test)]
mod critical_path_tests;
#[cfg(test)]
mod tests;
