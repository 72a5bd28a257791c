//! Answers about cases: a write's outcome, a page of cases, the actions open to the caller, a
//! case's timing and history, a page of the watch list.

use serde::Serialize;
use utoipa::ToSchema;

use crate::core::case::AvailableAction;
use crate::drivers::views::case::ListedShown;
use crate::drivers::views::history::EventShown;
use crate::drivers::views::record::EventRecordShown;
use crate::drivers::views::timing::TimingShown;
use crate::drivers::views::watch::WatchRowShown;
use crate::engine::Outcome;

/// What an accepted write did: the case, its version after the write, the events appended. A
/// retry with the same `Idempotency-Key` gets the same bytes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Outcome)]
pub(crate) struct OutcomeShown {
    /// The case id.
    id: String,
    /// The case number.
    number: String,
    /// The case version after the write (its event count): the next `If-Match`.
    version: u64,
    /// The events appended, as stored.
    events: Vec<EventRecordShown>,
}

impl From<&Outcome> for OutcomeShown {
    fn from(outcome: &Outcome) -> OutcomeShown {
        // `replayed` is told by the `Idempotent-Replayed` header, not the body.
        let Outcome { case_id, number, version, events, replayed: _ } = outcome;
        OutcomeShown {
            id: case_id.clone(),
            number: number.clone(),
            version: *version,
            events: events.iter().map(EventRecordShown::from).collect(),
        }
    }
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CasePage {
    pub(crate) cases: Vec<ListedShown>,
    /// The cursor of the next page (give it as `after`); null on the last page.
    pub(crate) next: Option<String>,
}

/// An action a case offers now, in roles the caller holds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AvailableAction)]
pub(crate) struct AvailableActionShown {
    /// The action's name.
    action: String,
    title: Option<String>,
    /// The roles that may take it from here, sorted.
    roles: Vec<String>,
    /// The guards of its transitions from here, as written (empty: none).
    guards: Vec<String>,
    /// Whether some transition has no guard or a guard that holds on the attributes now.
    guard_holds: bool,
    /// The attributes its guards read.
    reads: Vec<String>,
    /// The clock it extends, for an extension.
    extends: Option<String>,
    /// The roles of `roles` the caller's key holds.
    your_roles: Vec<String>,
}

impl AvailableActionShown {
    pub(crate) fn of(action: AvailableAction, your_roles: Vec<String>) -> AvailableActionShown {
        let AvailableAction { action, title, roles, guards, guard_holds, reads, extends } = action;
        AvailableActionShown { action, title, roles, guards, guard_holds, reads, extends, your_roles }
    }
}

/// The actions open to the caller on a case now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AvailableActions)]
pub(crate) struct ActionsShown {
    /// The case id.
    pub(crate) id: String,
    /// The case number.
    pub(crate) number: String,
    /// The case version (also its `ETag`).
    pub(crate) version: u64,
    pub(crate) actions: Vec<AvailableActionShown>,
}

/// A case's timing as of a date.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseTiming)]
pub(crate) struct CaseTimingShown {
    /// The case id.
    pub(crate) id: String,
    /// The case number.
    pub(crate) number: String,
    #[serde(flatten)]
    pub(crate) timing: TimingShown,
}

/// Whether a case's hash chain verifies.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Chain)]
pub(crate) struct ChainShown {
    /// Whether every link verifies.
    pub(crate) verifies: bool,
    /// The sequence of the first event that does not verify (absent when the chain verifies; null
    /// when the events verify but the case row does not match them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[expect(clippy::option_option, reason = "absent, null or a sequence: three cases in the answer")]
    pub(crate) first_broken: Option<Option<u64>>,
    /// Why the chain breaks there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

/// A case's history, every event with its hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseHistory)]
pub(crate) struct HistoryShown {
    /// The case id.
    pub(crate) id: String,
    /// The case number.
    pub(crate) number: String,
    /// The case version (also its `ETag`).
    pub(crate) version: u64,
    /// The hash of the last event, as the case row keeps it.
    pub(crate) head_hash: String,
    pub(crate) chain: ChainShown,
    pub(crate) events: Vec<EventShown>,
}

/// A page of the watch list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WatchPage {
    /// The date the clocks are counted to.
    pub(crate) as_of: String,
    /// The `offset` of the next page; null on the last page.
    pub(crate) next_offset: Option<u64>,
    /// The most urgent first.
    pub(crate) rows: Vec<WatchRowShown>,
    /// The rows that match, on every page.
    pub(crate) total: u64,
}

impl crate::drivers::serve::answer::DeclaredSorted for WatchPage {}
