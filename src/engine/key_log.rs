//! The key log: every creation and revocation of an API key, hash-chained like the calendar
//! installations, and what `verify` finds in it. A record's `record` is the canonical JSON of
//! what was done; its hash covers the tag, the previous hash, its sequence, kind, key id and
//! record, so a record edited, removed or inserted breaks the chain, and a key row that differs
//! from what the log records (an administrator flag set behind the engine, another token's hash)
//! is named.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::principal::Grant;
use crate::core::workflow::hex;
use crate::store::{KeyLogRow, KeyRow, StoreError};

/// The tag hashed into every record's link.
const KEY_LOG_HASH_ALGORITHM: &str = "sha256:renewflow-key-log-v1";
/// The `previous_hash` of the first record.
const KEY_LOG_GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The kinds of record.
pub(crate) const CREATED: &str = "created";
pub(crate) const REVOKED: &str = "revoked";

/// What a creation records: every column of the key but its revocation. The field order is the
/// canonical order (serialised as declared), so it must never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatedRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) organ: Option<String>,
    pub(crate) token_sha256: String,
    pub(crate) grants: Vec<Grant>,
    pub(crate) supervisor: bool,
    pub(crate) admin: bool,
    pub(crate) created_at: String,
    pub(crate) created_by: String,
}

/// What a revocation records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevokedRecord {
    pub(crate) id: String,
    pub(crate) revoked_at: String,
    pub(crate) revoked_by: String,
}

/// A record of the key log that does not verify, or a key row that differs from its records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenKey {
    /// The record at fault; `None` when the key row is.
    pub sequence: Option<u64>,
    pub key_id: String,
    pub reason: String,
}

impl CreatedRecord {
    /// The key row this record stores (unrevoked).
    pub(crate) fn row(&self) -> Result<KeyRow, StoreError> {
        Ok(KeyRow {
            id: self.id.clone(),
            name: self.name.clone(),
            organ: self.organ.clone(),
            token_sha256: self.token_sha256.clone(),
            grants: grants_json(&self.grants)?,
            supervisor: self.supervisor,
            admin: self.admin,
            created_at: self.created_at.clone(),
            created_by: self.created_by.clone(),
            revoked_at: None,
            revoked_by: None,
        })
    }
}

/// The grants as a key row keeps them.
pub(crate) fn grants_json(grants: &[Grant]) -> Result<String, StoreError> {
    serde_json::to_string(grants).map_err(|error| StoreError::Corrupt(format!("grants: {error}")))
}

/// The next record of `log`: `kind` of `key_id`, with `record` (canonical JSON) chained on.
pub(crate) fn next_record(log: &[KeyLogRow], kind: &str, key_id: &str, record: &impl Serialize) -> KeyLogRow {
    let mut row = KeyLogRow {
        sequence: log.len() as u64,
        kind: kind.to_owned(),
        key_id: key_id.to_owned(),
        // A struct of strings, booleans and lists always serialises.
        record: serde_json::to_string(record).unwrap_or_default(),
        previous_hash: log.last().map_or_else(|| KEY_LOG_GENESIS_HASH.to_owned(), |last| last.hash.clone()),
        hash: String::new(),
    };
    row.hash = record_hash(&row);
    row
}

/// The hash of a record's link: SHA-256 of the tag, the previous hash and each field, one per
/// line.
fn record_hash(row: &KeyLogRow) -> String {
    let mut hasher = Sha256::new();
    let sequence = row.sequence.to_string();
    for part in [KEY_LOG_HASH_ALGORITHM, &row.previous_hash, &sequence, &row.kind, &row.key_id, &row.record] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    let digest: [u8; 32] = hasher.finalize().into();
    hex(&digest)
}

/// The first link of the log that does not verify, if any.
fn first_broken_link(log: &[KeyLogRow]) -> Option<BrokenKey> {
    let mut previous = KEY_LOG_GENESIS_HASH;
    for (position, row) in log.iter().enumerate() {
        let broken = |reason: &str| {
            Some(BrokenKey { sequence: Some(row.sequence), key_id: row.key_id.clone(), reason: reason.to_owned() })
        };
        if row.sequence != position as u64 {
            return broken("a record before it is missing");
        }
        if row.previous_hash != previous {
            return broken("its previous hash is not the hash of the record before it");
        }
        if record_hash(row) != row.hash {
            return broken("its hash does not match its content");
        }
        previous = &row.hash;
    }
    None
}

/// What the log says each key is: its row as created, then revoked. A record that cannot be
/// read, or that does not fit the ones before it, is named.
fn logged_keys(log: &[KeyLogRow], broken: &mut Vec<BrokenKey>) -> HashMap<String, KeyRow> {
    let mut keys: HashMap<String, KeyRow> = HashMap::new();
    for row in log {
        let mut report = |reason: String| {
            broken.push(BrokenKey { sequence: Some(row.sequence), key_id: row.key_id.clone(), reason });
        };
        match row.kind.as_str() {
            CREATED => match serde_json::from_str::<CreatedRecord>(&row.record).map_err(|error| error.to_string()) {
                Ok(record) if record.id != row.key_id => report(format!("it records key `{}`", record.id)),
                Ok(_) if keys.contains_key(&row.key_id) => report("it creates a key created before".to_owned()),
                Ok(record) => match record.row() {
                    Ok(key) => {
                        keys.insert(row.key_id.clone(), key);
                    }
                    Err(error) => report(error.to_string()),
                },
                Err(error) => report(format!("its record is unreadable: {error}")),
            },
            REVOKED => match serde_json::from_str::<RevokedRecord>(&row.record).map_err(|error| error.to_string()) {
                Ok(record) if record.id != row.key_id => report(format!("it records key `{}`", record.id)),
                Ok(record) => match keys.get_mut(&row.key_id) {
                    None => report("it revokes a key the log has not created".to_owned()),
                    Some(key) if key.revoked_at.is_some() => report("it revokes a key revoked before".to_owned()),
                    Some(key) => {
                        key.revoked_at = Some(record.revoked_at);
                        key.revoked_by = Some(record.revoked_by);
                    }
                },
                Err(error) => report(format!("its record is unreadable: {error}")),
            },
            other => report(format!("its kind `{other}` is none the log knows")),
        }
    }
    keys
}

/// How a key row differs from what the log records, column by column (the token's hash by name
/// only).
fn row_differs(row: &KeyRow, logged: &KeyRow) -> Vec<String> {
    let shown = |value: &Option<String>| value.as_deref().map_or_else(|| "none".to_owned(), |text| format!("`{text}`"));
    let mut differences = Vec::new();
    let mut compare = |column: &str, stored: String, recorded: String| {
        if stored != recorded {
            differences.push(format!("{column} is {stored}, the log records {recorded}"));
        }
    };
    compare("name", format!("`{}`", row.name), format!("`{}`", logged.name));
    compare("organ", shown(&row.organ), shown(&logged.organ));
    compare("grants", row.grants.clone(), logged.grants.clone());
    compare("supervisor", row.supervisor.to_string(), logged.supervisor.to_string());
    compare("admin", row.admin.to_string(), logged.admin.to_string());
    compare("created_at", row.created_at.clone(), logged.created_at.clone());
    compare("created_by", format!("`{}`", row.created_by), format!("`{}`", logged.created_by));
    compare("revoked_at", shown(&row.revoked_at), shown(&logged.revoked_at));
    compare("revoked_by", shown(&row.revoked_by), shown(&logged.revoked_by));
    if row.token_sha256 != logged.token_sha256 {
        differences.push("its token's SHA-256 is not the one the log records".to_owned());
    }
    differences
}

/// Everything wrong with the key log and the key rows: the first broken link of the chain, every
/// record that does not fit the ones before it, every key row that differs from what the log
/// records, and every key the log and the rows do not both hold.
pub(crate) fn broken_keys(log: &[KeyLogRow], rows: &[KeyRow]) -> Vec<BrokenKey> {
    let mut broken: Vec<BrokenKey> = first_broken_link(log).into_iter().collect();
    let mut logged = logged_keys(log, &mut broken);
    for row in rows {
        let report = |reason: String| BrokenKey { sequence: None, key_id: row.id.clone(), reason };
        match logged.remove(&row.id) {
            None => broken.push(report("the key log has no record of its creation".to_owned())),
            Some(key) => {
                let differences = row_differs(row, &key);
                if !differences.is_empty() {
                    broken.push(report(format!("its row differs from the key log: {}", differences.join("; "))));
                }
            }
        }
    }
    let mut missing: Vec<(u64, String)> = logged
        .into_keys()
        .map(|id| (log.iter().find(|row| row.key_id == id).map_or(0, |row| row.sequence), id))
        .collect();
    missing.sort();
    for (sequence, key_id) in missing {
        broken.push(BrokenKey {
            sequence: Some(sequence),
            key_id,
            reason: "the key log creates it, and its row is missing (deleted behind the engine)".to_owned(),
        });
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(id: &str, name: &str) -> CreatedRecord {
        CreatedRecord {
            id: id.to_owned(),
            name: name.to_owned(),
            organ: None,
            token_sha256: "ab".repeat(32),
            grants: vec![Grant { workflow: "w".to_owned(), roles: vec!["officer".to_owned()] }],
            supervisor: false,
            admin: false,
            created_at: "2026-12-10T10:00:00+08:00".to_owned(),
            created_by: "张三".to_owned(),
        }
    }

    fn log_of(records: &[CreatedRecord]) -> Vec<KeyLogRow> {
        let mut log: Vec<KeyLogRow> = Vec::new();
        for record in records {
            let row = next_record(&log, CREATED, &record.id, record);
            log.push(row);
        }
        log
    }

    /// The stored form of a record is what its hash covers: changing the canonical encoding
    /// breaks every stored key log, so it is pinned.
    #[test]
    fn the_stored_form_of_a_record_is_pinned() {
        let row = next_record(&[], CREATED, "key_0123456789ab", &created("key_0123456789ab", "甲"));
        assert_eq!(
            row.record,
            format!(
                "{{\"id\":\"key_0123456789ab\",\"name\":\"甲\",\"organ\":null,\"token_sha256\":\"{}\",\
                 \"grants\":[{{\"workflow\":\"w\",\"roles\":[\"officer\"]}}],\"supervisor\":false,\"admin\":false,\
                 \"created_at\":\"2026-12-10T10:00:00+08:00\",\"created_by\":\"张三\"}}",
                "ab".repeat(32)
            )
        );
        assert_eq!(row.previous_hash, KEY_LOG_GENESIS_HASH);
        assert_eq!(row.hash, "28d866660f28af20c0a6be4da40494f05505805d7333f307437c71e22bd60b25");
    }

    #[test]
    fn the_chain_names_every_kind_of_edit() {
        let records = [created("key_a", "甲"), created("key_b", "乙")];
        let log = log_of(&records);
        let rows: Vec<KeyRow> = records.iter().map(|record| record.row().unwrap()).collect();
        assert_eq!(broken_keys(&log, &rows), Vec::new());
        let reason = |log: &[KeyLogRow], rows: &[KeyRow]| {
            broken_keys(log, rows).into_iter().map(|broken| broken.reason).collect::<Vec<_>>()
        };
        let mut edited = log.clone();
        edited[0].record = edited[0].record.replace("\"admin\":false", "\"admin\":true");
        let found = reason(&edited, &rows);
        assert_eq!(found[0], "its hash does not match its content");
        assert!(
            found[1].starts_with("its row differs from the key log: admin is false, the log records true"),
            "{found:?}"
        );
        let removed = [log[1].clone()];
        assert_eq!(reason(&removed, &rows)[0], "a record before it is missing");
        assert_eq!(reason(&removed, &rows)[1], "the key log has no record of its creation");
        let mut relinked = removed.clone();
        relinked[0].sequence = 0;
        assert_eq!(reason(&relinked, &rows)[0], "its previous hash is not the hash of the record before it");
        assert_eq!(
            reason(&log, &rows[..1]),
            vec!["the key log creates it, and its row is missing (deleted behind the engine)".to_owned()]
        );
    }
}
