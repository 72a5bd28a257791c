//! `Rejection`: why the engine refused a command. An expected outcome, not a bug: the case is
//! unchanged and the reason says what would have been needed.

use std::fmt;

use chrono::{DateTime, FixedOffset};

use crate::core::calendar::CalendarError;

/// Why a command was refused. Names are the workflow's; values are shown as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The case has reached a final state.
    Finished {
        state: String,
    },
    /// The command is dated before the case's last event.
    Backwards {
        at: DateTime<FixedOffset>,
        last: DateTime<FixedOffset>,
    },
    UnknownAction {
        action: String,
        suggestion: Option<String>,
    },
    UnknownRole {
        role: String,
        suggestion: Option<String>,
    },
    UnknownAttribute {
        attribute: String,
        suggestion: Option<String>,
    },
    BadValue {
        attribute: String,
        message: String,
    },
    /// No active state allows the action.
    NotAllowed {
        action: String,
        active: Vec<String>,
        allowed: Vec<String>,
    },
    /// An active state allows the action, but not to this role.
    RoleNotPermitted {
        action: String,
        role: String,
        roles: Vec<String>,
    },
    /// Every transition the role could take has a false guard.
    GuardFalse {
        action: String,
        guards: Vec<String>,
        values: Vec<(String, String)>,
    },
    /// The clock an extension is for is not running.
    ClockNotRunning {
        clock: String,
        status: &'static str,
    },
    /// The extension has been used as often as the workflow allows.
    ExtensionCapReached {
        clock: String,
        action: String,
        times: u32,
    },
    /// The clock is already past its limit; an extension is decided within it.
    ClockBreached {
        clock: String,
    },
    /// The command's date is outside the calendar's data.
    DateOutsideCalendar(CalendarError),
}

impl Rejection {
    /// Whether the command was malformed (a date outside the data) rather than refused by the
    /// workflow's rules: the CLI exits 2 for these and 1 for the rest.
    pub fn is_input_error(&self) -> bool {
        matches!(self, Rejection::DateOutsideCalendar(_))
    }
}

fn names(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

fn did_you_mean(suggestion: Option<&String>) -> String {
    suggestion.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Finished { state } => write!(f, "the case is finished (in `{state}`)"),
            Rejection::Backwards { at, last } => {
                write!(f, "{} is before the case's last event ({})", at.to_rfc3339(), last.to_rfc3339())
            }
            Rejection::UnknownAction { action, suggestion } => {
                write!(f, "unknown action `{action}`{}", did_you_mean(suggestion.as_ref()))
            }
            Rejection::UnknownRole { role, suggestion } => {
                write!(f, "unknown role `{role}`{}", did_you_mean(suggestion.as_ref()))
            }
            Rejection::UnknownAttribute { attribute, suggestion } => {
                write!(f, "unknown attribute `{attribute}`{}", did_you_mean(suggestion.as_ref()))
            }
            Rejection::BadValue { attribute, message } => write!(f, "attribute `{attribute}`: {message}"),
            Rejection::NotAllowed { action, active, allowed } => {
                write!(f, "action `{action}` is not allowed in {}; allowed here: {}", names(active), names(allowed))
            }
            Rejection::RoleNotPermitted { action, role, roles } => {
                write!(f, "role `{role}` may not take action `{action}`; it needs {}", names(roles))
            }
            Rejection::GuardFalse { action, guards, values } => {
                let values: Vec<String> = values.iter().map(|(name, value)| format!("{name} = {value}")).collect();
                let values = if values.is_empty() { "no attributes read".to_owned() } else { values.join(", ") };
                write!(f, "action `{action}` needs {}; the case has {values}", guards.join(" or "))
            }
            Rejection::ClockNotRunning { clock, status } => {
                write!(f, "clock `{clock}` is {status}; only a running or paused clock can be extended")
            }
            Rejection::ExtensionCapReached { clock, action, times } => {
                let times = if *times == 1 { "once".to_owned() } else { format!("{times} times") };
                write!(f, "clock `{clock}` has already been extended by `{action}` {times}, as often as allowed")
            }
            Rejection::ClockBreached { clock } => {
                write!(f, "clock `{clock}` is past its limit; an extension must be decided within it")
            }
            Rejection::DateOutsideCalendar(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Rejection {}
