//! The engine: the library API that case-handling software embeds. It drives the pure core
//! (`core::case`) and keeps cases in a [`crate::store::Store`] (SQLite by default). Every rule
//! lives in the core; this layer reads, hashes and writes.

mod calendar_data;
mod case_query;
mod deliveries;
mod derived;
#[allow(clippy::module_inception)] // named after its type, `Engine`
mod engine;
mod engine_error;
mod idempotency;
mod import;
mod key_error;
mod key_log;
mod key_request;
mod keys;
mod principal;
mod stored_sources;
mod supervision;
mod verified_history;
mod verify;
mod warnings;
mod watch;
mod webhooks;
mod write_batch;

pub use calendar_data::{
    BEYOND_DATA_SETTING, BrokenInstall, CalendarChange, CalendarInstallRequest, DERIVED_CALENDAR_SETTING, MovedDue,
    STORE_BEYOND_DATA_DEFAULT,
};
pub use case_query::CaseQuery;
pub use deliveries::{
    Attempt, AttemptOutcome, DELIVERY_ATTEMPTS_MAX, DELIVERY_LEASE, Delivery, DeliveryQuery, DueDelivery,
    delivery_backoff, next_attempt_at,
};
pub use engine::{CaseOpening, CaseView, Deployed, Engine, Outcome, load_deployment};
pub use engine_error::EngineError;
pub use import::{CaseHistory, ImportEntry, ImportRequest};
pub use key_error::{KeyError, KeyTextError};
pub use key_log::BrokenKey;
pub use key_request::{ApiKey, KEY_TEXT_CHARS_MAX, KeyRequest};
pub use keys::{TOKEN_PREFIX, api_token, token_sha256};
pub use principal::{Denial, Grant, Principal};
pub use supervision::{ClockFigures, Grain, GroupFigures, Grouping, Supervision, SupervisionQuery, Timeliness};
pub use verified_history::{ChainBreak, LinkStatus, VerifiedHistory};
pub use verify::{BrokenChain, Mismatch};
pub use warnings::{SWEEP_CLOCKS_MAX, SWEEP_ROUNDS_MAX, Warning, WarningKind, WarningQuery};
pub use watch::{PauseOverMax, WatchRow};
pub use webhooks::{
    WEBHOOK_SECRET_BYTES_MAX, WEBHOOK_SECRET_BYTES_MIN, WEBHOOK_URL_BYTES_MAX, Webhook, WebhookProblem,
    parse_warning_kinds, validate_webhook_url,
};

#[cfg(test)]
mod integrity_tests;
#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod supervision_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod warnings_tests;
