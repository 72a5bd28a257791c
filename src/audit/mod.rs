//! The audit: replays the event logs of past cases (CSV, JSON Lines, XES) through the engine's core,
//! against the workflow's rules and the real calendar, and reports every finding under a stable
//! code (`AUD001`…, see `docs/audit-findings.md`) with the timing of every case and clock.
//!
//! Readers stream: memory grows with the cases still open, not with the file. The rules are the
//! core's (`core::case`); nothing here decides what is legal.

mod activity_index;
mod auditor;
mod batch_queue;
mod case_audit;
mod csv_log;
mod csv_records;
mod duration_fit;
mod finding;
mod import_selection;
mod jsonl_log;
mod line_count;
mod log_event;
mod log_row;
mod mapping;
mod report;
mod row_batch;
mod settled_histories;
mod sharded_audit;
mod xes_log;

pub use crate::core::calendar::{TIMESTAMP_FORMS, parse_timestamp};
pub use auditor::{AuditOutcome, Auditor};
pub use csv_log::CsvLog;
pub use duration_fit::{DurationFit, FITTED_VALUES_MAX};
pub use finding::{Finding, FindingCode};
pub use import_selection::{ImportSelection, REFUSED_NUMBERS_KEPT_MAX};
pub use jsonl_log::JsonLinesLog;
pub(crate) use line_count::LineCount;
pub use log_event::{LOG_RECORD_BYTES_MAX, LogColumns, LogEvent, MappedColumn, UnreadableRow};
pub use mapping::{ActivityMeaning, MAPPING_FILE_BYTES_MAX, Mapping, MappingError, OpenRule, SettleRule};
pub use report::{AuditReport, CaseClock, CaseReport, ClockStats, CodeCount, OpenCases, SettledBy};
pub use row_batch::{EventRows, RowBatch, RowSource};
pub use settled_histories::SettledHistories;
pub use sharded_audit::{AUDIT_SHARDS, ShardedAudit};
pub use xes_log::XesLog;

#[cfg(test)]
mod tests;
