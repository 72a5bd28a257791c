//! The audit: replays the event logs of past cases (CSV, JSON Lines, XES) through the engine's core,
//! against the workflow's rules and the real calendar, and reports every finding under a stable
//! code (`AUD001`…, see `docs/audit-findings.md`) with the timing of every case and clock.
//!
//! Readers stream: memory grows with the cases still open, not with the file. The rules are the
//! core's (`core::case`); nothing here decides what is legal.

mod activity_index;
mod activity_stats;
mod auditor;
mod batch_queue;
mod case_audit;
mod case_trace;
mod clock_chart;
mod csv_log;
mod csv_records;
mod day_counts;
mod duration_fit;
mod finding;
mod import_selection;
mod jsonl_log;
mod line_count;
mod log_event;
mod log_row;
mod mapping;
mod report;
mod report_entry;
mod row_batch;
mod settled_histories;
mod sharded_audit;
mod variant_stats;
mod xes_log;

pub use crate::core::calendar::{TIMESTAMP_FORMS, parse_timestamp};
pub use activity_stats::{ACTIVITIES_MAX, ActivityStats, OTHER_ACTIVITIES};
pub use auditor::{AuditOutcome, Auditor};
pub use case_trace::TRACE_ACTIVITIES_MAX;
pub use clock_chart::clock_chart_svg;
pub use csv_log::CsvLog;
pub use day_counts::DayCounts;
pub use duration_fit::{DurationFit, FITTED_VALUES_MAX};
pub use finding::{Finding, FindingCode};
pub use import_selection::{ImportSelection, REFUSED_NUMBERS_KEPT_MAX};
pub use jsonl_log::JsonLinesLog;
pub(crate) use line_count::LineCount;
pub use log_event::{LOG_RECORD_BYTES_MAX, LogColumns, LogEvent, MappedColumn, UnreadableRow};
pub use mapping::{ActivityMeaning, MAPPING_FILE_BYTES_MAX, Mapping, MappingError, OpenRule, SettleRule};
pub use report::{AuditReport, CaseClock, CaseReport, ClockStats, CodeCount, OpenCases, SettledBy};
pub use report_entry::ReportEntry;
pub use row_batch::{EventRows, RowBatch, RowSource};
pub use settled_histories::SettledHistories;
pub use sharded_audit::{AUDIT_SHARDS, ShardedAudit};
pub use variant_stats::{VARIANTS_MAX, VARIANTS_SHOWN, VariantStats};
pub use xes_log::XesLog;

#[cfg(test)]
mod tests;
