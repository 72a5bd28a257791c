//! `KeyError`: why an API key was not created or revoked. A name taken and a key revoked already
//! are refusals (exit 1 on the command line); the rest are input errors.

use crate::core::printable::{LineBreaks, escape_unprintable};

/// What is wrong with a key's name or organ (`KeyError::BadText`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyTextError {
    #[error("is empty")]
    Empty,
    #[error("is only whitespace")]
    Blank,
    #[error("has {chars} characters, more than {}", super::key_request::KEY_TEXT_CHARS_MAX)]
    TooLong { chars: usize },
    /// `position` counts characters from 1.
    #[error("has the control character {} at character {position}", code_point(*character))]
    Control { character: char, position: usize },
    #[error("has the bidirectional formatting character {} at character {position}", code_point(*character))]
    Bidi { character: char, position: usize },
    #[error("has the invisible character {} at character {position}", code_point(*character))]
    Invisible { character: char, position: usize },
    #[error("has the form of a key id (`key_` and 12 hex digits); a name must not read as another key's id")]
    KeyIdForm,
}

fn code_point(character: char) -> String {
    format!("U+{:04X}", u32::from(character))
}

/// User text quoted in a message: on one line, with what a terminal would act on escaped.
fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    escape_unprintable(text, LineBreaks::Escaped)
}

fn did_you_mean(nearest: Option<&String>) -> String {
    nearest.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

fn listed(names: &[String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// Why a key was not created or revoked; nothing was written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A name or organ that cannot be shown as what it is; the message shows it escaped.
    #[error("key {field} `{}` {reason}", quoted(.text))]
    BadText { field: &'static str, text: String, reason: KeyTextError },
    /// A key that is not an administrator's and holds no grant would be allowed nothing.
    #[error("a key with no grant may do nothing: grant it a workflow, or make it an administrator's")]
    NothingGranted,
    #[error("workflow `{}` is not deployed{}; a grant names a deployed workflow", quoted(.workflow), did_you_mean(.nearest.as_ref()))]
    UnknownWorkflow { workflow: String, nearest: Option<String> },
    /// A role no deployed version of the workflow declares.
    #[error(
        "no deployed version of workflow `{workflow}` has a role `{}`{} (its roles: {})",
        quoted(.role),
        did_you_mean(.nearest.as_ref()),
        listed(.roles)
    )]
    UnknownRole { workflow: String, role: String, nearest: Option<String>, roles: Vec<String> },
    #[error("workflow `{}` is granted twice; grant each workflow once, with all its roles", quoted(.workflow))]
    GrantedTwice { workflow: String },
    /// Roles granted to a supervisor, who reads cases and never acts.
    #[error(
        "a supervisor's key reads cases and never acts, so its grant of workflow `{workflow}` takes no roles (given: {})",
        listed(.roles)
    )]
    SupervisorRoles { workflow: String, roles: Vec<String> },
    #[error("key name `{name}` is taken by key `{id}`; revoke that key first, or choose another name")]
    NameTaken { name: String, id: String },
    #[error("no key `{}`{}", quoted(.reference), did_you_mean(.nearest.as_ref()))]
    UnknownKey { reference: String, nearest: Option<String> },
    #[error("key `{id}` (`{name}`) was revoked already, at {at} by {by}")]
    Revoked { id: String, name: String, at: String, by: String },
    /// A token hash that is not one: the caller's bug, not the user's.
    #[error("a token's SHA-256 is 64 lower-case hex digits, not `{}`", quoted(.0))]
    BadTokenHash(String),
}

impl KeyError {
    /// Whether this refuses a request that clashes with the keys stored (exit 1), as opposed to
    /// an input error (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(self, KeyError::NameTaken { .. } | KeyError::Revoked { .. })
    }
}
