//! Write batches: many writes, one commit. A service that answers each write only after its
//! commit spends most of a write on the commit; a batch lets one writer commit what many callers
//! sent at once. Inside a batch each write is a savepoint, so a write that fails leaves the
//! others as they were; the batch's commit makes them durable together, or none of them.

use std::ops::Deref;

use rusqlite::{Connection, Savepoint, Transaction, TransactionBehavior};

use super::sqlite_store::SqliteStore;
use super::store_error::StoreError;

/// One write: its own `IMMEDIATE` transaction, or a savepoint inside a batch.
pub(super) enum Write<'c> {
    Transaction(Transaction<'c>),
    Savepoint(Savepoint<'c>),
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Transaction(transaction) => transaction,
            Write::Savepoint(savepoint) => savepoint,
        }
    }
}

impl Write<'_> {
    /// Makes the write stand: committed, or released into its batch. Dropped without this, it
    /// is rolled back.
    pub(super) fn commit(self) -> Result<(), StoreError> {
        match self {
            Write::Transaction(transaction) => transaction.commit()?,
            Write::Savepoint(savepoint) => savepoint.commit()?,
        }
        Ok(())
    }
}

impl SqliteStore {
    /// Starts one write, inside the batch if one is open.
    pub(super) fn write(&mut self) -> Result<Write<'_>, StoreError> {
        if self.batch {
            Ok(Write::Savepoint(self.connection.savepoint()?))
        } else {
            Ok(Write::Transaction(self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?))
        }
    }

    pub(super) fn begin_write_batch(&mut self) -> Result<(), StoreError> {
        if self.batch {
            return Err(StoreError::Corrupt("a write batch is already open".to_owned()));
        }
        self.connection.execute_batch("BEGIN IMMEDIATE")?;
        self.batch = true;
        Ok(())
    }

    pub(super) fn end_write_batch(&mut self, commit: bool) -> Result<(), StoreError> {
        if !self.batch {
            return Ok(());
        }
        self.batch = false;
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
