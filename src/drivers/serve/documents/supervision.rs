//! The documents of API keys, warnings, webhooks and their deliveries, mirrored from the
//! engine's types field by field.

use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::{ApiKey, Attempt, Delivery, Grant, Warning, Webhook};

/// What a key may do in one workflow.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Grant)]
pub(crate) struct GrantShown {
    /// The workflow id (every version of it).
    workflow: String,
    /// The roles the key may act in (none: it reads only).
    roles: Vec<String>,
}

impl From<Grant> for GrantShown {
    fn from(grant: Grant) -> GrantShown {
        let Grant { workflow, roles } = grant;
        GrantShown { workflow, roles }
    }
}

/// An API key, never its token or the token's hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApiKey)]
pub(crate) struct KeyShown {
    /// The public id, `key_` and 12 hex digits.
    id: String,
    /// Who holds it: the actor recorded in every event it writes.
    name: String,
    organ: Option<String>,
    grants: Vec<GrantShown>,
    /// Reads every case of its workflows and never writes.
    supervisor: bool,
    /// Deploys, installs calendars, manages keys and webhooks, verifies and checks.
    admin: bool,
    created_at: String,
    created_by: String,
    revoked_at: Option<String>,
    revoked_by: Option<String>,
    /// The token, in the answer to its creation only; renewflow keeps only its SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl KeyShown {
    pub(crate) fn of(key: ApiKey, token: Option<String>) -> KeyShown {
        let ApiKey { id, name, organ, grants, supervisor, admin, created_at, created_by, revoked_at, revoked_by } = key;
        let grants = grants.into_iter().map(Into::into).collect();
        KeyShown { id, name, organ, grants, supervisor, admin, created_at, created_by, revoked_at, revoked_by, token }
    }
}

/// The API keys.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = KeyList)]
pub(crate) struct KeyListShown {
    pub(crate) keys: Vec<KeyShown>,
}

/// A warning as recorded (电子监察): which clock of which case crossed what on which date.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Warning)]
pub(crate) struct WarningShown {
    /// Unique in the store, increasing in the order warnings were issued.
    id: i64,
    /// `prompt` (one working day before the promised limit), `yellow` or `red`.
    kind: String,
    case_id: String,
    number: String,
    workflow: String,
    clock: String,
    /// The date the crossing happens, `YYYY-MM-DD`.
    applies_on: String,
    /// The due date of the limit that set it; `null` for a paused clock or beyond the data.
    due_date: Option<String>,
    /// The limit that set it (`15 wd`).
    limit: Option<String>,
    /// `statutory` or `promised`.
    level_set_by: Option<String>,
    /// RFC 3339.
    issued_at: String,
}

impl From<Warning> for WarningShown {
    fn from(warning: Warning) -> WarningShown {
        let Warning {
            id,
            kind,
            case_id,
            number,
            workflow,
            clock,
            applies_on,
            due_date,
            limit,
            level_set_by,
            issued_at,
        } = warning;
        WarningShown {
            id,
            kind: kind.name().to_owned(),
            case_id,
            number,
            workflow,
            clock,
            applies_on: applies_on.to_string(),
            due_date: due_date.map(|date| date.to_string()),
            limit,
            level_set_by,
            issued_at: issued_at.to_rfc3339(),
        }
    }
}

/// A page of warnings, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WarningPage)]
pub(crate) struct WarningPage {
    pub(crate) warnings: Vec<WarningShown>,
    /// The `after` of the next page; `null` on the last.
    pub(crate) next_after: Option<i64>,
}

/// A webhook, never its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Webhook)]
pub(crate) struct WebhookShown {
    id: i64,
    /// Where warnings are POSTed, signed.
    url: String,
    /// The kinds it gets: `prompt`, `yellow`, `red`.
    kinds: Vec<String>,
    created_at: String,
    created_by: String,
    removed_at: Option<String>,
    removed_by: Option<String>,
}

impl From<Webhook> for WebhookShown {
    fn from(webhook: Webhook) -> WebhookShown {
        let Webhook { id, url, kinds, created_at, created_by, removed_at, removed_by } = webhook;
        let kinds = kinds.into_iter().map(|kind| kind.name().to_owned()).collect();
        WebhookShown { id, url, kinds, created_at, created_by, removed_at, removed_by }
    }
}

/// The webhooks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookList)]
pub(crate) struct WebhookListShown {
    pub(crate) webhooks: Vec<WebhookShown>,
}

/// A webhook removed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookRemoval)]
pub(crate) struct WebhookRemovalShown {
    pub(crate) webhook: WebhookShown,
    /// Whether this request removed it (`false`: it was removed before).
    pub(crate) removed_now: bool,
}

/// One attempt to deliver a warning.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeliveryAttempt)]
pub(crate) struct AttemptShown {
    attempt: u64,
    at: String,
    /// The receiver's HTTP status, when it answered.
    http_status: Option<u16>,
    /// Why there was no answer, or what the answer said.
    error: Option<String>,
    duration_ms: u64,
}

impl From<Attempt> for AttemptShown {
    fn from(attempt: Attempt) -> AttemptShown {
        let Attempt { attempt, at, http_status, error, duration_ms } = attempt;
        AttemptShown { attempt, at, http_status, error, duration_ms }
    }
}

/// A warning's delivery to one webhook, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Delivery)]
pub(crate) struct DeliveryShown {
    id: i64,
    /// The warning's id.
    warning: i64,
    /// The webhook's id.
    webhook: i64,
    url: String,
    kind: String,
    number: String,
    clock: String,
    /// `pending`, `delivered` or `failed`.
    status: String,
    attempts: u64,
    /// UTC; `null` once delivered or failed.
    next_attempt_at: Option<String>,
    attempt_log: Vec<AttemptShown>,
}

impl From<Delivery> for DeliveryShown {
    fn from(delivery: Delivery) -> DeliveryShown {
        let Delivery { id, warning, webhook, url, kind, number, clock, status, attempts, next_attempt_at, attempt_log } =
            delivery;
        let attempt_log = attempt_log.into_iter().map(Into::into).collect();
        DeliveryShown { id, warning, webhook, url, kind, number, clock, status, attempts, next_attempt_at, attempt_log }
    }
}

/// A page of deliveries.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeliveryList)]
pub(crate) struct DeliveryListShown {
    pub(crate) deliveries: Vec<DeliveryShown>,
}
