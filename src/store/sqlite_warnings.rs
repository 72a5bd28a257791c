//! The SQLite side of warnings, webhooks and deliveries: the open clocks with a crossing not yet
//! recorded, recording warnings with their deliveries in one transaction (each crossing once,
//! whoever else sweeps at the same time), and the delivery queue. `Store` delegates here.

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::rows::{CaseRow, OpenClockRow};
use super::sqlite_store::{CASE_COLUMNS, OPEN_CLOCK_COLUMNS, SqliteStore, case_row, open_clock_row};
use super::store_error::StoreError;
use super::warning_rows::{
    DeliveryAttemptRow, DeliveryFilter, DeliveryRow, DueDeliveryRow, NewDeliveryAttempt, NewWarning, NewWebhook,
    WarningFilter, WarningRow, WebhookRow,
};

const WARNING_COLUMNS: &str =
    "id, case_id, workflow, number, clock, kind, applies_on, time_limit, due_date, set_by, issued_at";

const WEBHOOK_COLUMNS: &str = "id, url, secret, kinds, created_at, created_by, removed_at, removed_by";

/// Whether a clock's crossing of `kind` on the date in `column` is not recorded yet.
fn unrecorded(kind: &str, column: &str) -> String {
    format!(
        "(o.{column} <= ?1 AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.case_id = o.case_id \
         AND w.clock = o.clock AND w.kind = '{kind}' AND w.applies_on = o.{column}))"
    )
}

/// `columns` (`a, b, …`) each prefixed with `table.`.
fn prefixed(table: &str, columns: &str) -> String {
    columns.split(", ").map(|column| format!("{table}.{column}")).collect::<Vec<_>>().join(", ")
}

/// SQLite reads a negative limit as none.
fn sql_limit(limit: Option<u64>) -> i64 {
    limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX))
}

fn sql_count(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

impl SqliteStore {
    pub(super) fn open_clocks_unwarned_sql(
        &self,
        as_of: &str,
        limit: u64,
    ) -> Result<Vec<(CaseRow, OpenClockRow)>, StoreError> {
        let sql = format!(
            "SELECT {}, {} FROM open_clocks o JOIN cases c ON c.id = o.case_id \
             WHERE substr(c.last_at, 1, 10) <= ?1 AND ({} OR {} OR {}) ORDER BY c.id, o.clock LIMIT ?2",
            prefixed("c", CASE_COLUMNS),
            prefixed("o", OPEN_CLOCK_COLUMNS),
            unrecorded("prompt", "prompt_on"),
            unrecorded("yellow", "yellow_on"),
            unrecorded("red", "red_on"),
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params![as_of, sql_count(limit)], |row| Ok((case_row(row)?, open_clock_row(row, 10)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn record_warnings_sql(
        &mut self,
        warnings: &[NewWarning],
        issued_at: &str,
        first_attempt_at: &str,
    ) -> Result<Vec<WarningRow>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut recorded = Vec::new();
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO warnings (case_id, workflow, number, clock, kind, applies_on, time_limit, due_date, \
                 set_by, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (case_id, clock, kind, applies_on) DO NOTHING",
            )?;
            let mut enqueue = transaction.prepare_cached(
                "INSERT INTO deliveries (warning, webhook, status, attempts, next_attempt_at) \
                 SELECT ?1, id, 'pending', 0, ?2 FROM webhooks \
                 WHERE removed_at IS NULL AND instr(',' || kinds || ',', ',' || ?3 || ',') > 0",
            )?;
            for warning in warnings {
                let inserted = insert.execute(params![
                    warning.case_id,
                    warning.workflow,
                    warning.number,
                    warning.clock,
                    warning.kind,
                    warning.applies_on,
                    warning.time_limit,
                    warning.due_date,
                    warning.set_by,
                    issued_at
                ])?;
                // Another sweeper (or an earlier one) recorded this crossing: not ours to report.
                if inserted == 0 {
                    continue;
                }
                let id = transaction.last_insert_rowid();
                enqueue.execute(params![id, first_attempt_at, warning.kind])?;
                recorded.push(WarningRow { id, warning: warning.clone(), issued_at: issued_at.to_owned() });
            }
        }
        transaction.commit()?;
        Ok(recorded)
    }

    pub(super) fn warnings_sql(&self, filter: &WarningFilter) -> Result<Vec<WarningRow>, StoreError> {
        let sql = format!(
            "SELECT {WARNING_COLUMNS} FROM warnings WHERE (?1 IS NULL OR case_id = ?1) AND (?2 IS NULL OR kind = ?2) \
             AND (?3 IS NULL OR applies_on >= ?3) AND (?4 IS NULL OR id > ?4) ORDER BY id LIMIT ?5 OFFSET ?6"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(
            params![
                filter.case_id,
                filter.kind,
                filter.since,
                filter.after,
                sql_limit(filter.limit),
                sql_count(filter.offset)
            ],
            |row| warning_row(row, 0),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn add_webhook_sql(&mut self, webhook: &NewWebhook) -> Result<WebhookRow, StoreError> {
        self.connection.execute(
            "INSERT INTO webhooks (url, secret, kinds, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![webhook.url, webhook.secret, webhook.kinds, webhook.created_at, webhook.created_by],
        )?;
        let id = self.connection.last_insert_rowid();
        Ok(WebhookRow { id, webhook: webhook.clone(), removed_at: None, removed_by: None })
    }

    pub(super) fn webhooks_sql(&self) -> Result<Vec<WebhookRow>, StoreError> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id");
        let mut statement = self.connection.prepare_cached(&sql)?;
        Ok(statement.query_map([], |row| webhook_row(row, 0))?.collect::<Result<_, _>>()?)
    }

    pub(super) fn remove_webhook_sql(&mut self, id: i64, by: &str, at: &str) -> Result<(WebhookRow, bool), StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = transaction.execute(
            "UPDATE webhooks SET removed_at = ?1, removed_by = ?2 WHERE id = ?3 AND removed_at IS NULL",
            params![at, by, id],
        )?;
        let row = transaction
            .query_row(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"), [id], |row| {
                webhook_row(row, 0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "webhook", name: id.to_string() })?;
        transaction.commit()?;
        Ok((row, removed == 1))
    }

    pub(super) fn claim_deliveries_sql(
        &mut self,
        now: &str,
        lease_until: &str,
        limit: u64,
    ) -> Result<Vec<DueDeliveryRow>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claimed: Vec<DueDeliveryRow> = {
            let sql = format!(
                "SELECT d.id, d.attempts, {}, {} FROM deliveries d JOIN warnings w ON w.id = d.warning \
                 JOIN webhooks h ON h.id = d.webhook WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 \
                 AND h.removed_at IS NULL ORDER BY d.next_attempt_at, d.id LIMIT ?2",
                prefixed("w", WARNING_COLUMNS),
                prefixed("h", WEBHOOK_COLUMNS)
            );
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map(params![now, sql_count(limit)], |row| {
                Ok(DueDeliveryRow {
                    delivery: row.get(0)?,
                    attempt: row.get::<_, i64>(1)? as u64 + 1,
                    warning: warning_row(row, 2)?,
                    webhook: webhook_row(row, 13)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        {
            // Leased: another delivery loop does not take them until the lease ends, which it
            // does by itself if this one stops before it records its attempts.
            let mut lease = transaction.prepare_cached("UPDATE deliveries SET next_attempt_at = ?1 WHERE id = ?2")?;
            for due in &claimed {
                lease.execute(params![lease_until, due.delivery])?;
            }
        }
        transaction.commit()?;
        Ok(claimed)
    }

    pub(super) fn record_delivery_attempt_sql(&mut self, attempt: &NewDeliveryAttempt<'_>) -> Result<(), StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let attempts: i64 = transaction
            .query_row("SELECT attempts FROM deliveries WHERE id = ?1", [attempt.delivery], |row| row.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "delivery", name: attempt.delivery.to_string() })?;
        transaction.execute(
            "INSERT INTO delivery_attempts (delivery, attempt, at, http_status, error, duration_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                attempt.delivery,
                attempts + 1,
                attempt.at,
                attempt.http_status,
                attempt.error,
                sql_count(attempt.duration_ms)
            ],
        )?;
        transaction.execute(
            "UPDATE deliveries SET attempts = ?1, \
             next_attempt_at = CASE WHEN status = 'delivered' OR ?2 <> 'pending' THEN NULL ELSE ?3 END, \
             status = CASE WHEN status = 'delivered' THEN 'delivered' ELSE ?2 END WHERE id = ?4",
            params![attempts + 1, attempt.status, attempt.next_attempt_at, attempt.delivery],
        )?;
        transaction.commit()?;
        Ok(())
    }

    pub(super) fn deliveries_sql(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT d.id, d.warning, d.webhook, h.url, w.kind, w.number, w.clock, d.status, d.attempts, \
             d.next_attempt_at FROM deliveries d JOIN warnings w ON w.id = d.warning JOIN webhooks h ON h.id = d.webhook \
             WHERE (?1 IS NULL OR d.warning = ?1) AND (?2 IS NULL OR d.status = ?2) ORDER BY d.id LIMIT ?3 OFFSET ?4",
        )?;
        let rows = statement.query_map(
            params![filter.warning, filter.status, sql_limit(filter.limit), sql_count(filter.offset)],
            |row| {
                Ok(DeliveryRow {
                    id: row.get(0)?,
                    warning: row.get(1)?,
                    webhook: row.get(2)?,
                    url: row.get(3)?,
                    kind: row.get(4)?,
                    number: row.get(5)?,
                    clock: row.get(6)?,
                    status: row.get(7)?,
                    attempts: row.get::<_, i64>(8)? as u64,
                    next_attempt_at: row.get(9)?,
                    attempt_log: Vec::new(),
                })
            },
        )?;
        let mut deliveries: Vec<DeliveryRow> = rows.collect::<Result<_, _>>()?;
        let mut attempts = self.connection.prepare_cached(
            "SELECT attempt, at, http_status, error, duration_ms FROM delivery_attempts WHERE delivery = ?1 \
             ORDER BY attempt",
        )?;
        for delivery in &mut deliveries {
            let rows = attempts.query_map([delivery.id], |row| {
                Ok(DeliveryAttemptRow {
                    attempt: row.get::<_, i64>(0)? as u64,
                    at: row.get(1)?,
                    http_status: row.get(2)?,
                    error: row.get(3)?,
                    duration_ms: row.get::<_, i64>(4)? as u64,
                })
            })?;
            delivery.attempt_log = rows.collect::<Result<_, _>>()?;
        }
        Ok(deliveries)
    }
}

fn warning_row(row: &Row<'_>, offset: usize) -> rusqlite::Result<WarningRow> {
    Ok(WarningRow {
        id: row.get(offset)?,
        warning: NewWarning {
            case_id: row.get(offset + 1)?,
            workflow: row.get(offset + 2)?,
            number: row.get(offset + 3)?,
            clock: row.get(offset + 4)?,
            kind: row.get(offset + 5)?,
            applies_on: row.get(offset + 6)?,
            time_limit: row.get(offset + 7)?,
            due_date: row.get(offset + 8)?,
            set_by: row.get(offset + 9)?,
        },
        issued_at: row.get(offset + 10)?,
    })
}

fn webhook_row(row: &Row<'_>, offset: usize) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: row.get(offset)?,
        webhook: NewWebhook {
            url: row.get(offset + 1)?,
            secret: row.get(offset + 2)?,
            kinds: row.get(offset + 3)?,
            created_at: row.get(offset + 4)?,
            created_by: row.get(offset + 5)?,
        },
        removed_at: row.get(offset + 6)?,
        removed_by: row.get(offset + 7)?,
    })
}
