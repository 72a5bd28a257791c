//! API keys: creating and revoking them, listing them, and the principal a token names. A key is
//! stored with its token's SHA-256 (the token itself is made and shown by the caller, once) and
//! every creation and revocation is a record of the hash-chained key log (`key_log.rs`), so
//! `verify` tells a key changed behind the engine. A token is looked up on every request, with
//! no cache: a revoked key authenticates nothing from the moment it is revoked.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use super::calendar_data::sha256_hex;
use super::engine::Engine;
use super::engine_error::EngineError;
use super::key_error::KeyError;
use super::key_log::{BrokenKey, CREATED, CreatedRecord, REVOKED, RevokedRecord, broken_keys, next_record};
use super::key_request::{ApiKey, KeyRequest, expect_key_text};
use super::principal::{Grant, Principal};
use crate::core::suggest::nearest;
use crate::core::workflow::hex;
use crate::store::{KeyRevocation, KeyRow, NewKey, Store, StoreError};

/// What every API token starts with, so a leaked one is recognised (by secret scanners too).
pub const TOKEN_PREFIX: &str = "rfk_";

/// The token of 32 random bytes the caller drew: [`TOKEN_PREFIX`] and 64 lower-case hex digits.
///
/// # Example
///
/// ```
/// use renewflow::engine::{api_token, token_sha256};
///
/// let token = api_token(&[0xab; 32]);
/// assert_eq!(token, format!("rfk_{}", "ab".repeat(32)));
/// assert_eq!(token_sha256(&token).len(), 64);
/// ```
pub fn api_token(random: &[u8; 32]) -> String {
    format!("{TOKEN_PREFIX}{}", hex(random))
}

/// SHA-256 of a token as sent (its prefix included), lower-case hex: what a key stores.
pub fn token_sha256(token: &str) -> String {
    sha256_hex(token)
}

/// A key's public id, from its token's SHA-256 (hashed again, so the id reveals no part of the
/// stored hash): `key_` and 12 hex digits.
fn key_id_of(token_sha256: &str) -> String {
    let hashed = sha256_hex(&format!("renewflow-key-id-v1\n{token_sha256}"));
    format!("key_{}", &hashed[..12])
}

fn expect_token_sha256(text: &str) -> Result<(), KeyError> {
    if text.len() == 64 && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(KeyError::BadTokenHash(text.to_owned()))
    }
}

/// A stored key without its token's hash; grants that no longer read are a corrupt store.
fn api_key(row: KeyRow) -> Result<ApiKey, EngineError> {
    let grants: Vec<Grant> = serde_json::from_str(&row.grants)
        .map_err(|error| StoreError::Corrupt(format!("key `{}`: grants: {error}", row.id)))?;
    Ok(ApiKey {
        id: row.id,
        name: row.name,
        organ: row.organ,
        grants,
        supervisor: row.supervisor,
        admin: row.admin,
        created_at: row.created_at,
        created_by: row.created_by,
        revoked_at: row.revoked_at,
        revoked_by: row.revoked_by,
    })
}

/// The grants as given, each checked for its shape alone: a workflow once, a supervisor's with no
/// role, at least one unless the key is an administrator's; each grant's roles without repeats.
fn shaped_grants(request: &KeyRequest) -> Result<Vec<Grant>, KeyError> {
    if request.grants.is_empty() && !request.admin {
        return Err(KeyError::NothingGranted);
    }
    let mut grants: Vec<Grant> = Vec::with_capacity(request.grants.len());
    for grant in &request.grants {
        if grants.iter().any(|earlier| earlier.workflow == grant.workflow) {
            return Err(KeyError::GrantedTwice { workflow: grant.workflow.clone() });
        }
        if request.supervisor && !grant.roles.is_empty() {
            return Err(KeyError::SupervisorRoles { workflow: grant.workflow.clone(), roles: grant.roles.clone() });
        }
        let mut roles: Vec<String> = Vec::with_capacity(grant.roles.len());
        for role in &grant.roles {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
        grants.push(Grant { workflow: grant.workflow.clone(), roles });
    }
    Ok(grants)
}

impl<S: Store> Engine<S> {
    /// Creates an API key: checks its name, organ and grants against the deployed workflows,
    /// and stores it with the record of its creation in the key log, in one transaction.
    ///
    /// # Errors
    ///
    /// [`EngineError::Key`] for a name or organ that is not printable text, a key granted
    /// nothing, a workflow granted twice, roles granted to a supervisor, a workflow not deployed
    /// or a role none of its deployed versions has (with the nearest name), or a name taken by a
    /// key not revoked; [`EngineError::NoActor`] for a blank `created_by`;
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::workflow::NoExtends;
    /// use renewflow::engine::{Engine, Grant, KeyRequest, api_token, token_sha256};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// // The caller draws the token (here: fixed bytes) and shows it once.
    /// let token = api_token(&[7; 32]);
    /// let key = engine.create_key(&KeyRequest {
    ///     name: "承办人甲".to_owned(),
    ///     organ: Some("某区行政审批局".to_owned()),
    ///     grants: vec![Grant { workflow: "administrative-license".to_owned(), roles: vec!["officer".to_owned()] }],
    ///     supervisor: false,
    ///     admin: false,
    ///     token_sha256: token_sha256(&token),
    ///     created_by: "管理员".to_owned(),
    ///     at: at("2026-12-10T10:00:00+08:00")?,
    /// })?;
    /// assert!(key.id.starts_with("key_"));
    /// let principal = engine.principal(&token)?.expect("the token names the key");
    /// assert_eq!(principal.check_act("administrative-license", "officer"), Ok(()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn create_key(&mut self, request: &KeyRequest) -> Result<ApiKey, EngineError> {
        expect_key_text("name", &request.name)?;
        if let Some(organ) = &request.organ {
            expect_key_text("organ", organ)?;
        }
        EngineError::expect_actor(&request.created_by)?;
        expect_token_sha256(&request.token_sha256)?;
        let grants = shaped_grants(request)?;
        self.expect_deployed(&grants)?;
        let keys = self.store().keys()?;
        if let Some(holder) = keys.iter().find(|key| key.name == request.name && key.revoked_at.is_none()) {
            return Err(KeyError::NameTaken { name: request.name.clone(), id: holder.id.clone() }.into());
        }
        let record = CreatedRecord {
            id: key_id_of(&request.token_sha256),
            name: request.name.clone(),
            organ: request.organ.clone(),
            token_sha256: request.token_sha256.clone(),
            grants,
            supervisor: request.supervisor,
            admin: request.admin,
            created_at: request.at.to_rfc3339(),
            created_by: request.created_by.clone(),
        };
        let row = record.row()?;
        let log = next_record(&self.store().key_log()?, CREATED, &record.id, &record);
        self.store_mut().create_key(&NewKey { key: &row, log: &log }).map_err(|error| match error {
            StoreError::KeyNameTaken { name, id } => KeyError::NameTaken { name, id }.into(),
            other => EngineError::from(other),
        })?;
        api_key(row)
    }

    /// Checks that every granted workflow is deployed and every granted role is a role of one of
    /// its deployed versions.
    fn expect_deployed(&mut self, grants: &[Grant]) -> Result<(), EngineError> {
        let deployments = self.store().deployments()?;
        let mut roles: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for grant in grants {
            let versions: Vec<i64> =
                deployments.iter().filter(|row| row.workflow == grant.workflow).map(|row| row.key).collect();
            if versions.is_empty() {
                let known = deployments.iter().map(|row| row.workflow.as_str());
                let nearest = nearest(&grant.workflow, known).map(str::to_owned);
                return Err(KeyError::UnknownWorkflow { workflow: grant.workflow.clone(), nearest }.into());
            }
            let known = roles.entry(grant.workflow.as_str()).or_default();
            for key in versions {
                for role in self.workflow(key)?.roles() {
                    if !known.contains(&role.name) {
                        known.push(role.name.clone());
                    }
                }
            }
            if let Some(role) = grant.roles.iter().find(|role| !known.contains(role)) {
                let nearest = nearest(role, known.iter().map(String::as_str)).map(str::to_owned);
                return Err(KeyError::UnknownRole {
                    workflow: grant.workflow.clone(),
                    role: role.clone(),
                    nearest,
                    roles: known.clone(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// Every API key, revoked ones too, in the order they were created; never a token or its
    /// hash.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn keys(&self) -> Result<Vec<ApiKey>, EngineError> {
        self.store().keys()?.into_iter().map(api_key).collect()
    }

    /// The organs of the live keys that may act (not supervisors'), sorted.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn acting_organs(&self) -> Result<Vec<String>, EngineError> {
        let mut organs: Vec<String> = self
            .keys()?
            .into_iter()
            .filter(|key| !key.is_revoked() && !key.supervisor)
            .filter_map(|key| key.organ)
            .collect();
        organs.sort();
        organs.dedup();
        Ok(organs)
    }

    /// The workflows and roles the live, acting keys of `organ` are granted, as `(workflow,
    /// role)`, sorted: what a case waiting on one of them waits on that organ for.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn roles_held_by(&self, organ: &str) -> Result<Vec<(String, String)>, EngineError> {
        let mut held: Vec<(String, String)> = self
            .keys()?
            .into_iter()
            .filter(|key| !key.is_revoked() && !key.supervisor && key.organ.as_deref() == Some(organ))
            .flat_map(|key| {
                key.grants
                    .into_iter()
                    .flat_map(|grant| grant.roles.into_iter().map(move |role| (grant.workflow.clone(), role)))
            })
            .collect();
        held.sort();
        held.dedup();
        Ok(held)
    }

    /// Revokes a key, named by its id or by its name (a key not revoked holds a name), and
    /// records the revocation in the key log, in one transaction. From then on its token names
    /// no principal.
    ///
    /// # Errors
    ///
    /// [`EngineError::Key`]: no such key (with the nearest id or name), or a key revoked already
    /// (saying when and by whom); [`EngineError::NoActor`] for a blank `by`;
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// use renewflow::engine::{Engine, KeyRequest, api_token, token_sha256};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// let token = api_token(&[9; 32]);
    /// engine.create_key(&KeyRequest {
    ///     name: "运维".to_owned(),
    ///     organ: None,
    ///     grants: Vec::new(),
    ///     supervisor: false,
    ///     admin: true,
    ///     token_sha256: token_sha256(&token),
    ///     created_by: "管理员".to_owned(),
    ///     at: at("2026-12-10T10:00:00+08:00")?,
    /// })?;
    /// let revoked = engine.revoke_key("运维", "管理员", at("2026-12-11T10:00:00+08:00")?)?;
    /// assert!(revoked.is_revoked());
    /// assert_eq!(engine.principal(&token)?, None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn revoke_key(&mut self, reference: &str, by: &str, at: DateTime<FixedOffset>) -> Result<ApiKey, EngineError> {
        EngineError::expect_actor(by)?;
        let keys = self.store().keys()?;
        let found = keys
            .iter()
            .find(|key| key.id == reference)
            .or_else(|| keys.iter().find(|key| key.name == reference && key.revoked_at.is_none()))
            // Only revoked keys had that name: the last of them is the one meant.
            .or_else(|| keys.iter().rev().find(|key| key.name == reference));
        let Some(key) = found else {
            let known = keys.iter().flat_map(|key| [key.id.as_str(), key.name.as_str()]);
            let nearest = nearest(reference, known).map(str::to_owned);
            return Err(KeyError::UnknownKey { reference: reference.to_owned(), nearest }.into());
        };
        if let (Some(revoked_at), Some(revoked_by)) = (&key.revoked_at, &key.revoked_by) {
            return Err(KeyError::Revoked {
                id: key.id.clone(),
                name: key.name.clone(),
                at: revoked_at.clone(),
                by: revoked_by.clone(),
            }
            .into());
        }
        let record = RevokedRecord { id: key.id.clone(), revoked_at: at.to_rfc3339(), revoked_by: by.to_owned() };
        let log = next_record(&self.store().key_log()?, REVOKED, &key.id, &record);
        self.store_mut().revoke_key(&KeyRevocation {
            id: &record.id,
            revoked_at: &record.revoked_at,
            revoked_by: &record.revoked_by,
            log: &log,
        })?;
        let mut revoked = key.clone();
        revoked.revoked_at = Some(record.revoked_at);
        revoked.revoked_by = Some(record.revoked_by);
        api_key(revoked)
    }

    /// How many records the key log holds. It grows with every key created or revoked: a
    /// principal read before it changed may be stale.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn key_log_length(&self) -> Result<u64, EngineError> {
        Ok(self.store().key_log_length()?)
    }

    /// The principal a token names: the key whose token has the token's SHA-256, if it is not
    /// revoked. Read from the store on every call, so a revocation takes effect at once.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn principal(&self, token: &str) -> Result<Option<Principal>, EngineError> {
        self.principal_by_token_sha256(&token_sha256(token))
    }

    /// As [`Engine::principal`], by the token's SHA-256 ([`token_sha256`]): for a web session,
    /// which keeps the hash of the key it was signed in with, never the token.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`]; [`EngineError::Key`] for a stored key whose grants do not read.
    pub fn principal_by_token_sha256(&self, sha256: &str) -> Result<Option<Principal>, EngineError> {
        match self.store().key_by_token(sha256)? {
            Some(row) if row.revoked_at.is_none() => Ok(Some(api_key(row)?.principal())),
            _ => Ok(None),
        }
    }

    /// Everything wrong with the key log and the key rows: a broken link, a record edited,
    /// removed or inserted, a key row that differs from what the log records, a key only one of
    /// them holds. `verify` reports these with the broken chains.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn verify_keys(&self) -> Result<Vec<BrokenKey>, EngineError> {
        Ok(broken_keys(&self.store().key_log()?, &self.store().keys()?))
    }
}

impl From<KeyError> for EngineError {
    fn from(error: KeyError) -> EngineError {
        EngineError::Key(error)
    }
}
