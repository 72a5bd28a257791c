//! `Event`: one immutable fact in a case's history. The vocabulary is closed: every fold matches
//! on it with no wildcard, so a new kind of event is a compile error wherever it matters.

use chrono::{DateTime, FixedOffset};

use crate::core::workflow::{ActionId, AttributeId, ClockId, RoleId, StateId, TransitionId, Value};

/// One entry of a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it happened, with its offset (+08:00 by default).
    pub at: DateTime<FixedOffset>,
    /// Who did it; `None` for steps the engine takes itself (a `done`).
    pub actor: Option<String>,
    /// The role the actor acted in; `None` with no actor.
    pub role: Option<RoleId>,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The case was opened in the workflow's initial state, with these attribute values
    /// (defaults included; unset attributes are absent).
    Opened { attributes: Vec<(AttributeId, Value)> },
    /// An attribute was set (`Some`) or cleared (`None`).
    AttributeSet { attribute: AttributeId, value: Option<Value> },
    /// A transition was taken from `source`, an active state it names.
    Acted { action: ActionId, transition: TransitionId, source: StateId },
    /// The engine left a compound state whose final child was entered, or a parallel state whose
    /// regions are all final, for the state's `done` target. Recorded with no actor.
    Done { state: StateId },
    /// A clock was extended by its extension number `extension`.
    Extended { clock: ClockId, extension: usize, action: ActionId },
    /// A note for the file; it changes nothing.
    Noted { text: String },
}
