//! `Principals`: the principals of the API keys callers sent, kept in memory, so a request is
//! authenticated without a trip to the store. What is kept is forgotten as soon as the keys may
//! have changed: at once when a key is created or revoked through the service, and within
//! [`KEY_LOG_POLL`] when another process (`renewflow key revoke` on the command line) changed
//! them, which [`Principals::watch_key_log`] sees as the key log's growth.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

use super::limits::{KEY_LOG_POLL, PRINCIPALS_KEPT_MAX};
use super::problem::Problem;
use super::readers::Readers;
use crate::engine::{Principal, token_sha256};

/// The principals known, by their token's SHA-256.
pub(crate) struct Principals {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_token_sha256: HashMap<String, Principal>,
    /// Bumped each time what is kept is forgotten, so a principal read from the store before a
    /// change is not kept after it.
    generation: u64,
    /// The key log's length when last looked at.
    key_log_length: Option<u64>,
}

impl Principals {
    pub(crate) fn new() -> Principals {
        Principals { kept: Mutex::new(Kept::default()) }
    }

    /// The principal `token` names, or `None` when no key that is not revoked has it.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub(crate) async fn of(&self, readers: &Arc<Readers>, token: &str) -> Result<Option<Principal>, Problem> {
        self.of_sha256(readers, token_sha256(token)).await
    }

    /// The principal of the key whose token has this SHA-256 (a web session keeps only that), or
    /// `None` when no key that is not revoked has it.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub(crate) async fn of_sha256(&self, readers: &Arc<Readers>, sha256: String) -> Result<Option<Principal>, Problem> {
        let generation = {
            let kept = self.lock();
            if let Some(principal) = kept.by_token_sha256.get(&sha256) {
                return Ok(Some(principal.clone()));
            }
            kept.generation
        };
        let asked = sha256.clone();
        let principal =
            readers.run(move |engine| engine.principal_by_token_sha256(&asked).map_err(Problem::from)).await?;
        // An unknown token is not kept: a caller trying tokens must not fill the memory.
        if let Some(principal) = &principal {
            let mut kept = self.lock();
            if kept.generation == generation {
                if kept.by_token_sha256.len() >= PRINCIPALS_KEPT_MAX {
                    kept.by_token_sha256.clear();
                }
                kept.by_token_sha256.insert(sha256, principal.clone());
            }
        }
        Ok(principal)
    }

    /// Forgets every principal: a key was created or revoked.
    pub(crate) fn forget(&self) {
        let mut kept = self.lock();
        kept.by_token_sha256.clear();
        kept.generation += 1;
    }

    /// Reads the key log's length every [`KEY_LOG_POLL`] until `stop` is set, and forgets every
    /// principal when it changed.
    pub(crate) async fn watch_key_log(
        self: Arc<Self>,
        readers: Arc<Readers>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut poll = tokio::time::interval(KEY_LOG_POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = poll.tick() => {}
                _ = stop.changed() => return,
            }
            match readers.run(|engine| engine.key_log_length().map_err(Problem::from)).await {
                Ok(length) => {
                    let changed = {
                        let mut kept = self.lock();
                        let changed = kept.key_log_length.is_some_and(|seen| seen != length);
                        kept.key_log_length = Some(length);
                        changed
                    };
                    if changed {
                        self.forget();
                    }
                }
                Err(problem) => {
                    // Unsure whether a key was revoked: trust nothing kept.
                    tracing::warn!(problem = %problem.document(), "the key log could not be read");
                    self.forget();
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while the lock was held leaves nothing half-written that matters here: the map
        // is only ever inserted into or cleared.
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(name: &str) -> Principal {
        Principal {
            key_id: format!("key_{name}"),
            name: name.to_owned(),
            organ: None,
            grants: Vec::new(),
            supervisor: false,
            admin: false,
        }
    }

    #[test]
    fn forgetting_bumps_the_generation_so_a_read_in_flight_is_not_kept() {
        let principals = Principals::new();
        let before = principals.lock().generation;
        principals.lock().by_token_sha256.insert("a".to_owned(), principal("甲"));
        principals.forget();
        let kept = principals.lock();
        assert!(kept.by_token_sha256.is_empty());
        assert_eq!(kept.generation, before + 1);
    }
}
