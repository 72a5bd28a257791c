//! The audit's results: per case its findings and timing, per clock the distribution of elapsed
//! time against the limit, per finding code a count.

use chrono::NaiveDate;
use serde::Serialize;

use super::activity_stats::{ActivityStats, merge_activities, settle_activities};
use super::day_counts::DayCounts;
use super::finding::{Finding, FindingCode};
use super::mapping::{OpenRule, SettleRule};
use super::variant_stats::{VariantStats, merge_variants, settle_variants};
use crate::core::calendar::PeriodUnit;
use crate::core::case::ClockStatus;

/// One clock of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseClock {
    pub clock: String,
    #[serde(serialize_with = "status_name")]
    pub status: ClockStatus,
    #[serde(skip)]
    pub unit: PeriodUnit,
    /// In working days for `wd` clocks, calendar days otherwise.
    pub elapsed: i64,
    pub limit: String,
    pub promised: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub over_statutory: Option<i64>,
    pub over_promised: Option<i64>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn status_name<S: serde::Serializer>(status: &ClockStatus, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(status.name())
}

/// What a case's timing is counted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettledBy {
    /// It reached a final state.
    FinalState,
    /// It has no closing activity and ends at its last event (`settle: last-event`).
    LastEvent,
    /// It is still open, counted to the audit date.
    AuditDate,
    /// No row opened it (`AUD012`, or no readable timestamp): nothing is counted.
    NotOpened,
}

/// Whether the clock figures count the cases still open at the audit date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpenCases {
    /// Counted as of the audit date.
    #[default]
    AsOf,
    /// Left out of the clock figures (their findings stay).
    Exclude,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn open_rule_name<S: serde::Serializer>(rule: &OpenRule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.name())
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn settle_rule_name<S: serde::Serializer>(rule: &SettleRule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.name())
}

/// One case of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseReport {
    pub case_id: String,
    /// Rows of the log that belong to the case.
    pub rows: u64,
    pub opened_on: Option<NaiveDate>,
    pub finished_on: Option<NaiveDate>,
    /// The active states at the end.
    pub active: Vec<String>,
    pub elapsed_working_days: Option<i64>,
    pub paused_days: Option<i64>,
    /// The clocks that started.
    pub clocks: Vec<CaseClock>,
    /// How many findings the case has (they are in the report's `findings`).
    pub finding_count: u64,
    /// What its timing is counted to.
    pub settled_by: SettledBy,
    #[serde(skip)]
    pub(crate) findings: Vec<Finding>,
}

impl CaseReport {
    pub(crate) fn empty(case_id: &str) -> CaseReport {
        CaseReport {
            case_id: case_id.to_owned(),
            rows: 0,
            opened_on: None,
            finished_on: None,
            active: Vec::new(),
            elapsed_working_days: None,
            paused_days: None,
            clocks: Vec::new(),
            finding_count: 0,
            settled_by: SettledBy::FinalState,
            findings: Vec::new(),
        }
    }
}

/// Elapsed time of one clock over every case it ran in.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClockStats {
    pub clock: String,
    pub limit: String,
    /// `wd` or `days`.
    pub unit: &'static str,
    /// Cases in which the clock started.
    pub count: u64,
    pub median: Option<i64>,
    pub p90: Option<i64>,
    pub max: Option<i64>,
    /// Cases over the statutory limit, and their share of `count`.
    pub breached: u64,
    pub breach_rate: f64,
    pub breached_promised: u64,
    #[serde(skip)]
    elapsed: DayCounts,
    #[serde(skip)]
    limit_count: Option<i64>,
}

impl ClockStats {
    pub(crate) fn new(clock: &str, limit: String, unit: PeriodUnit) -> ClockStats {
        ClockStats {
            clock: clock.to_owned(),
            limit,
            unit: if unit == PeriodUnit::WorkingDays { "wd" } else { "days" },
            ..ClockStats::default()
        }
    }

    /// The clock's written limit in its count unit (`20 wd`, `30 cd`), where there is one that
    /// every case shares: not for months and years (each case's ends on its own date) nor for
    /// a limit set per case.
    #[must_use]
    pub(crate) fn with_limit_count(mut self, limit_count: Option<i64>) -> ClockStats {
        self.limit_count = limit_count;
        self
    }

    /// The clock's written limit in its count unit (`20` for `20 wd`), when every case shares
    /// it: not for months and years (each case's ends on its own date) nor for a limit set per
    /// case.
    pub fn limit_count(&self) -> Option<i64> {
        self.limit_count
    }

    /// Counts one case's clock: its elapsed time, and whether it went over the statutory and the
    /// promised limit. The elapsed values are kept as counts per value, so memory grows with the
    /// number of distinct values, not of cases.
    pub(crate) fn add(&mut self, elapsed: i64, over_statutory: bool, over_promised: bool) {
        self.count += 1;
        self.elapsed.add(elapsed);
        self.breached += u64::from(over_statutory);
        self.breached_promised += u64::from(over_promised);
    }

    /// Adds the cases another part of the audit counted (before `settle`).
    pub(crate) fn merge(&mut self, other: &ClockStats) {
        self.count += other.count;
        self.breached += other.breached;
        self.breached_promised += other.breached_promised;
        self.elapsed.merge(&other.elapsed);
    }

    /// Cases per elapsed value (the clock's unit), lowest first: the histogram a chart draws.
    pub fn elapsed(&self) -> &DayCounts {
        &self.elapsed
    }

    /// Fills the median, p90, max and breach rate (nearest rank).
    pub(crate) fn settle(&mut self) {
        self.median = self.elapsed.percentile(50);
        self.p90 = self.elapsed.percentile(90);
        self.max = self.elapsed.max();
        #[allow(clippy::cast_precision_loss)] // counts of cases stay far below 2^52
        let rate = if self.count == 0 { 0.0 } else { self.breached as f64 / self.count as f64 };
        self.breach_rate = rate;
    }
}

/// How often each code was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    pub code: FindingCode,
    pub title: &'static str,
    pub count: u64,
}

/// The whole audit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditReport {
    pub workflow: String,
    pub version: String,
    pub as_of: Option<NaiveDate>,
    /// Rows read, rows of other workflows skipped, rows after `as_of` skipped, informational rows.
    pub rows: u64,
    pub rows_other_workflows: u64,
    pub rows_after_as_of: u64,
    pub rows_informational: u64,
    /// Rows whose `lifecycle:transition` is not a step (`start`, `schedule`, … by default).
    pub rows_other_lifecycle: u64,
    /// Cases audited (`cases` is empty when the per-case reports were not kept).
    pub case_count: u64,
    /// Of them, still open at the audit date, and never opened.
    pub cases_open: u64,
    pub cases_not_opened: u64,
    /// How cases open and settle (the mapping's `open` and `settle`), and whether the clock
    /// figures count the cases still open (`--open-cases`).
    #[serde(serialize_with = "open_rule_name")]
    pub open: OpenRule,
    #[serde(serialize_with = "settle_rule_name")]
    pub settle: SettleRule,
    pub open_cases: OpenCases,
    pub cases: Vec<CaseReport>,
    /// Every finding, by case and row (less any taken out while the audit ran).
    pub findings: Vec<Finding>,
    pub clocks: Vec<ClockStats>,
    pub codes: Vec<CodeCount>,
    /// Cases counted up to a date after the calendar's data (provisional figures).
    pub cases_provisional: u64,
    /// Each activity of the log, most frequent first.
    pub activities: Vec<ActivityStats>,
    /// The most frequent variants (`VARIANTS_SHOWN`), most frequent first.
    pub variants: Vec<VariantStats>,
    /// Distinct variants counted, and cases whose variant was past the limit of distinct ones
    /// (`VARIANTS_MAX` per shard) and so is in no variant.
    pub variant_count: u64,
    pub variant_other_cases: u64,
}

impl AuditReport {
    /// Adds another part of the same audit (cases of other shards, counted as of the same date):
    /// its counts, cases, findings and clock figures. `settle` afterwards.
    pub(crate) fn merge(&mut self, other: AuditReport) {
        self.rows += other.rows;
        self.rows_other_workflows += other.rows_other_workflows;
        self.rows_after_as_of += other.rows_after_as_of;
        self.rows_informational += other.rows_informational;
        self.rows_other_lifecycle += other.rows_other_lifecycle;
        self.case_count += other.case_count;
        self.cases_open += other.cases_open;
        self.cases_not_opened += other.cases_not_opened;
        self.cases.extend(other.cases);
        self.findings.extend(other.findings);
        for (mine, theirs) in self.clocks.iter_mut().zip(&other.clocks) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.codes.iter_mut().zip(&other.codes) {
            mine.count += theirs.count;
        }
        self.cases_provisional += other.cases_provisional;
        merge_activities(&mut self.activities, other.activities);
        merge_variants(&mut self.variants, other.variants);
        self.variant_other_cases += other.variant_other_cases;
    }

    /// Puts cases and findings in order (by case, then row; findings of a case with no row
    /// last, in the order found) and fills the clock figures.
    pub(crate) fn settle(&mut self) {
        self.cases.sort_by(|left, right| left.case_id.cmp(&right.case_id));
        for stats in &mut self.clocks {
            stats.settle();
        }
        settle_activities(&mut self.activities);
        self.variant_count = self.variants.len() as u64;
        let variant_cases = self.variants.iter().map(|variant| variant.cases).sum::<u64>() + self.variant_other_cases;
        settle_variants(&mut self.variants, variant_cases);
        self.findings.sort_by(|left, right| {
            (&left.case_id, left.row.is_none(), left.row).cmp(&(&right.case_id, right.row.is_none(), right.row))
        });
    }
}
