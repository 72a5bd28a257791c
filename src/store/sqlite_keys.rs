//! The SQLite side of API keys: `api_keys` and the hash-chained `key_log` (migration 0008).
//! A key and the record of its creation are written in one `IMMEDIATE` transaction, and so are a
//! revocation and its record; the triggers refuse every other change.

use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::key_rows::{KeyLogRow, KeyRevocation, KeyRow, NewKey};
use super::sqlite_store::{SqliteStore, is_unique_violation};
use super::store_error::StoreError;

const KEY_COLUMNS: &str = "id, name, organ, token_sha256, grants, supervisor, admin, created_at, created_by, \
                           revoked_at, revoked_by";

impl SqliteStore {
    pub(super) fn create_key_row(&mut self, new: &NewKey<'_>) -> Result<(), StoreError> {
        let key = new.key;
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let holder: Option<String> = transaction
            .query_row("SELECT id FROM api_keys WHERE name = ?1 AND revoked_at IS NULL", [&key.name], |row| row.get(0))
            .optional()?;
        if let Some(id) = holder {
            return Err(StoreError::KeyNameTaken { name: key.name.clone(), id });
        }
        append_log(&transaction, new.log)?;
        let inserted = transaction.execute(
            &format!("INSERT INTO api_keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL)"),
            params![
                key.id,
                key.name,
                key.organ,
                key.token_sha256,
                key.grants,
                i64::from(key.supervisor),
                i64::from(key.admin),
                key.created_at,
                key.created_by
            ],
        );
        match inserted {
            Ok(_) => {}
            // The name was checked above, in this transaction: the id or the token is taken.
            Err(error) if is_unique_violation(&error) => {
                return Err(StoreError::Corrupt(format!("key `{}`: its id or its token is stored already", key.id)));
            }
            Err(error) => return Err(error.into()),
        }
        transaction.commit()?;
        Ok(())
    }

    pub(super) fn revoke_key_row(&mut self, revocation: &KeyRevocation<'_>) -> Result<(), StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let revoked: Option<Option<String>> = transaction
            .query_row("SELECT revoked_at FROM api_keys WHERE id = ?1", [revocation.id], |row| row.get(0))
            .optional()?;
        match revoked {
            None => return Err(StoreError::NotFound { what: "key", name: revocation.id.to_owned() }),
            Some(Some(_)) => return Err(StoreError::KeyRevoked { id: revocation.id.to_owned() }),
            Some(None) => {}
        }
        append_log(&transaction, revocation.log)?;
        transaction.execute(
            "UPDATE api_keys SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3 AND revoked_at IS NULL",
            params![revocation.revoked_at, revocation.revoked_by, revocation.id],
        )?;
        transaction.commit()?;
        Ok(())
    }

    pub(super) fn key_rows(&self) -> Result<Vec<KeyRow>, StoreError> {
        // The rowid is the order of insertion: the order the keys were created in.
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY rowid");
        let mut statement = self.connection.prepare_cached(&sql)?;
        Ok(statement.query_map([], key_row)?.collect::<Result<_, _>>()?)
    }

    pub(super) fn key_row_by_token(&self, token_sha256: &str) -> Result<Option<KeyRow>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE token_sha256 = ?1");
        Ok(self.connection.prepare_cached(&sql)?.query_row([token_sha256], key_row).optional()?)
    }

    pub(super) fn key_log_rows_count(&self) -> Result<u64, StoreError> {
        let count: i64 =
            self.connection.prepare_cached("SELECT count(*) FROM key_log")?.query_row([], |row| row.get(0))?;
        Ok(count as u64)
    }

    pub(super) fn key_log_rows(&self) -> Result<Vec<KeyLogRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT sequence, kind, key_id, record, previous_hash, hash FROM key_log ORDER BY sequence",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(KeyLogRow {
                sequence: row.get::<_, i64>(0)? as u64,
                kind: row.get(1)?,
                key_id: row.get(2)?,
                record: row.get(3)?,
                previous_hash: row.get(4)?,
                hash: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Appends `log` at its sequence, which must be the next one.
fn append_log(transaction: &Transaction<'_>, log: &KeyLogRow) -> Result<(), StoreError> {
    let count: i64 = transaction.query_row("SELECT count(*) FROM key_log", [], |row| row.get(0))?;
    if count as u64 != log.sequence {
        return Err(StoreError::KeyLogConflict { expected: log.sequence, actual: count as u64 });
    }
    transaction.execute(
        "INSERT INTO key_log (sequence, kind, key_id, record, previous_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![log.sequence as i64, log.kind, log.key_id, log.record, log.previous_hash, log.hash],
    )?;
    Ok(())
}

fn key_row(row: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: row.get(0)?,
        name: row.get(1)?,
        organ: row.get(2)?,
        token_sha256: row.get(3)?,
        grants: row.get(4)?,
        supervisor: row.get::<_, i64>(5)? != 0,
        admin: row.get::<_, i64>(6)? != 0,
        created_at: row.get(7)?,
        created_by: row.get(8)?,
        revoked_at: row.get(9)?,
        revoked_by: row.get(10)?,
    })
}
