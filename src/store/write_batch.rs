//! Write batches: many writes, one commit. A service that answers each write only after its
//! commit spends most of a write on the commit; a batch lets one writer commit what many callers
//! sent at once, and the commit makes them durable together, or none of them.
//!
//! Inside a batch a write is not a savepoint of its own (a savepoint copies every page it
//! touches, which cost the writer more than its inserts). That is sound because every refusal a
//! write can meet (a stale version, a key or number taken, an unknown case) is found before it
//! changes a row, or by the one statement that would change it, which SQLite undoes by itself.
//! A write that fails after it changed a row (a full disk, a corrupt file) breaks the batch: the
//! batch is rolled back at its end, and no write of it is reported as committed.

use std::cell::Cell;
use std::ops::Deref;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::sqlite_store::SqliteStore;
use super::store_error::StoreError;

/// One write: its own `IMMEDIATE` transaction, or a part of the batch that is open.
pub(super) enum Write<'c> {
    Transaction(Transaction<'c>),
    InBatch(BatchWrite<'c>),
}

/// A write inside a batch. Dropped without [`Write::commit`] (it failed) after it changed a
/// row, it marks the batch broken.
pub(super) struct BatchWrite<'c> {
    connection: &'c Connection,
    broken: &'c Cell<bool>,
    changes_before: u64,
    done: bool,
}

impl Drop for BatchWrite<'_> {
    fn drop(&mut self) {
        if !self.done && self.connection.total_changes() != self.changes_before {
            self.broken.set(true);
        }
    }
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Transaction(transaction) => transaction,
            Write::InBatch(write) => write.connection,
        }
    }
}

impl Write<'_> {
    /// Makes the write stand: committed, or kept in its batch. A transaction dropped without
    /// this is rolled back; a write in a batch breaks the batch if it changed a row.
    pub(super) fn commit(self) -> Result<(), StoreError> {
        match self {
            Write::Transaction(transaction) => transaction.commit()?,
            Write::InBatch(mut write) => write.done = true,
        }
        Ok(())
    }
}

impl SqliteStore {
    /// Starts one write, inside the batch if one is open.
    pub(super) fn write(&mut self) -> Result<Write<'_>, StoreError> {
        if !self.batch {
            return Ok(Write::Transaction(self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?));
        }
        // SQLite ends a transaction by itself on some errors (a full disk, an I/O error): what
        // was written before is gone, and a write now would commit on its own.
        if self.connection.is_autocommit() {
            self.batch_broken.set(true);
        }
        if self.batch_broken.get() {
            return Err(broken_batch());
        }
        Ok(Write::InBatch(BatchWrite {
            connection: &self.connection,
            broken: &self.batch_broken,
            changes_before: self.connection.total_changes(),
            done: false,
        }))
    }

    pub(super) fn begin_write_batch(&mut self) -> Result<(), StoreError> {
        if self.batch {
            return Err(StoreError::Corrupt("a write batch is already open".to_owned()));
        }
        self.connection.execute_batch("BEGIN IMMEDIATE")?;
        self.batch = true;
        self.batch_broken.set(false);
        Ok(())
    }

    pub(super) fn end_write_batch(&mut self, commit: bool) -> Result<(), StoreError> {
        if !self.batch {
            return Ok(());
        }
        self.batch = false;
        if self.batch_broken.replace(false) {
            if !self.connection.is_autocommit() {
                self.connection.execute_batch("ROLLBACK")?;
            }
            return Err(broken_batch());
        }
        if commit {
            if let Err(error) = self.connection.execute_batch("COMMIT") {
                // A failed COMMIT may leave the transaction open: nothing of it stands.
                if !self.connection.is_autocommit() {
                    let _ = self.connection.execute_batch("ROLLBACK");
                }
                return Err(error.into());
            }
        } else if !self.connection.is_autocommit() {
            self.connection.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }
}

fn broken_batch() -> StoreError {
    StoreError::Corrupt(
        "a write of this batch failed after it changed a row, so the batch was rolled back: none of its writes \
         stands"
            .to_owned(),
    )
}
