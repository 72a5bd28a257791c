//! `Command`: what a user asks the engine to do to a case. Names are as the user typed them; the
//! transition function resolves them and refuses what it cannot resolve.

use chrono::{DateTime, FixedOffset};

/// A request to change a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub role: String,
    pub kind: CommandKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandKind {
    /// Take an action: a transition's, or a clock extension's. The attribute values (name, text)
    /// are set first, so the guard sees them.
    Act { action: String, attributes: Vec<(String, String)> },
    /// Set attributes (name, text) or clear them (name, `None`).
    SetAttributes { attributes: Vec<(String, Option<String>)> },
    /// Add a note.
    Note { text: String },
}

/// A request to open a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    /// Attribute values (name, text); declared defaults fill the rest.
    pub attributes: Vec<(String, String)>,
}
