//! The engine: the library API that case-handling software embeds. It drives the pure core
//! (`core::case`) and keeps cases in a [`crate::store::Store`] (SQLite by default). Every rule
//! lives in the core; this layer reads, hashes and writes.

mod calendar_data;
mod case_query;
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
mod verified_history;
mod verify;
mod watch;
mod write_batch;

pub use calendar_data::{
    BEYOND_DATA_SETTING, BrokenInstall, CalendarChange, CalendarInstallRequest, DERIVED_CALENDAR_SETTING, MovedDue,
    STORE_BEYOND_DATA_DEFAULT,
};
pub use case_query::CaseQuery;
pub use engine::{CaseOpening, CaseView, Deployed, Engine, Outcome, load_deployment};
pub use engine_error::EngineError;
pub use import::{CaseHistory, ImportEntry, ImportRequest};
pub use key_error::{KeyError, KeyTextError};
pub use key_log::BrokenKey;
pub use key_request::{ApiKey, KEY_TEXT_CHARS_MAX, KeyRequest};
pub use keys::{TOKEN_PREFIX, api_token, token_sha256};
pub use principal::{Denial, Grant, Principal};
pub use verified_history::{ChainBreak, LinkStatus, VerifiedHistory};
pub use verify::{BrokenChain, Mismatch};
pub use watch::{PauseOverMax, WatchRow};

#[cfg(test)]
mod integrity_tests;
#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod tests;
