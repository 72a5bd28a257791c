//! `EngineError`: why an engine operation did not happen. A `Rejected` command is an expected
//! outcome (exit 1 on the command line); the rest are input or operating errors.

use chrono::NaiveDate;

use super::key_error::KeyError;
use crate::core::calendar::{BeyondData, CalendarError, CalendarFileError};
use crate::core::case::{CaseNumberError, Rejection, validate_case_number};
use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::core::workflow::WorkflowError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The workflow's rules refuse the command; nothing was written.
    #[error("refused: {0}")]
    Rejected(Rejection),
    /// Another writer changed the case first; nothing was written.
    #[error("conflict: case `{case}` is at version {actual}, not {expected}; read it again and retry")]
    Conflict { case: String, expected: u64, actual: u64 },
    #[error("no case `{0}`")]
    UnknownCase(String),
    /// A state no deployed version in scope has, with the nearest name.
    #[error("no state `{state}` in the deployed workflows{}", nearest.as_ref().map(|name| format!("; did you mean `{name}`?")).unwrap_or_default())]
    UnknownState { state: String, nearest: Option<String> },
    /// A command or opening whose actor is empty or blank: the history must say who acted.
    #[error("no actor: every event records who acted; name the person (an empty or blank actor is refused)")]
    NoActor,
    /// A case number that could not be shown or told from a case id (`validate_case_number`);
    /// the message shows it escaped.
    #[error("case number `{}` {reason}", escape_unprintable(.number, LineBreaks::Escaped))]
    BadCaseNumber { number: String, reason: CaseNumberError },
    #[error("case number `{number}` is used in several workflows ({workflows}); use the case id")]
    AmbiguousCase { number: String, workflows: String },
    #[error("workflow `{workflow}`{} is not deployed; deploy it with `renewflow workflow deploy FILE`", version.as_ref().map(|version| format!(" version `{version}`")).unwrap_or_default())]
    NotDeployed { workflow: String, version: Option<String> },
    /// A deployed workflow counts on a calendar this process has not loaded.
    #[error("{0}")]
    UnknownCalendar(String),
    #[error(transparent)]
    Workflow(#[from] Box<WorkflowError>),
    #[error("the stored history of case `{case}` does not fit its workflow: {message}")]
    History { case: String, message: String },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Store(StoreError),
    /// A calendar file with problems; nothing was installed.
    #[error(transparent)]
    CalendarFile(Box<CalendarFileError>),
    /// A calendar file that changes days the data covers, installed without a reason.
    #[error(
        "the file changes {days} day(s) calendar `{calendar}` already covers (the first: {first}); say why with --reason"
    )]
    ReasonRequired { calendar: String, first: NaiveDate, days: usize },
    /// The store's calendar data cannot be used.
    #[error("{0}")]
    CalendarData(String),
    /// A policy for dates after the data other than the one the store was created with.
    #[error(
        "this store counts dates after the calendar's data as `{store}`; it was set on the store's first use and is not mixed with `{requested}` (drop --beyond-data / RENEWFLOW_BEYOND_DATA, or use another store)"
    )]
    PolicyMismatch { store: BeyondData, requested: BeyondData },
    /// An idempotency key sent again with another request; nothing was written.
    #[error(
        "idempotency key `{key}` was first used for {first}; this request is {now}; use a new key for a new request"
    )]
    KeyReused { key: String, first: String, now: String },
    /// A deployment whose stored files no longer give the rules it was deployed with: they were
    /// changed behind the engine, and no case is read or acted on under them.
    #[error(
        "deployment {key} ({workflow} {version}) was changed behind the engine: its stored files give content hash {computed}, it was deployed as {stored}; nothing is done under it (run `renewflow verify`)"
    )]
    DeploymentAltered { key: i64, workflow: String, version: String, stored: String, computed: String },
    /// An API key not created or not revoked; nothing was written.
    #[error(transparent)]
    Key(KeyError),
    /// Warnings asked of derived figures computed with other calendar data (or by an older
    /// schema): they would carry wrong dates, and be issued again once recomputed.
    #[error(
        "the store's derived figures were computed with other calendar data (`{stored}`, not `{current}`); run `renewflow calendar recompute` before sweeping warnings"
    )]
    StaleDerived { stored: String, current: String },
    /// A webhook refused: its URL, secret or kinds; nothing was stored.
    #[error(transparent)]
    Webhook(#[from] super::webhooks::WebhookProblem),
}

impl EngineError {
    /// Whether this is a refusal by the workflow's rules or a concurrency conflict (exit 1), as
    /// opposed to an input or operating error (exit 2).
    pub fn is_refusal(&self) -> bool {
        match self {
            EngineError::Rejected(rejection) => !rejection.is_input_error(),
            EngineError::Conflict { .. } | EngineError::KeyReused { .. } => true,
            EngineError::Key(error) => error.is_refusal(),
            _ => false,
        }
    }

    /// Checks a case number given to open or import a case; `None` (a number the engine makes)
    /// passes.
    pub(crate) fn expect_case_number(number: Option<&str>) -> Result<(), EngineError> {
        match number.map(|number| (number, validate_case_number(number))) {
            Some((number, Err(reason))) => Err(EngineError::BadCaseNumber { number: number.to_owned(), reason }),
            _ => Ok(()),
        }
    }

    /// Checks that a command or opening names who acts: not empty, not only whitespace.
    pub(crate) fn expect_actor(actor: &str) -> Result<(), EngineError> {
        if actor.trim().is_empty() { Err(EngineError::NoActor) } else { Ok(()) }
    }

    pub(crate) fn history(case: &str, error: &dyn std::fmt::Display) -> EngineError {
        EngineError::History { case: case.to_owned(), message: error.to_string() }
    }
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> EngineError {
        match error {
            StoreError::Conflict { case, expected, actual } => EngineError::Conflict { case, expected, actual },
            other => EngineError::Store(other),
        }
    }
}
