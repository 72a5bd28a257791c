//! `Auditor`: replays the rows of a log, in file order, case by case through the engine's core,
//! and gathers the findings and the timing. Rows of different cases may interleave in any way.
//! A case is settled as soon as it finishes, so memory grows with the cases still open (and a
//! short summary per case), not with the file.

use std::sync::Arc;

use foldhash::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::activity_index::{ActivityIndex, Resolved};
use super::activity_stats::ActivityTally;
use super::case_audit::{CaseAudit, Rules, Scratch};
use super::case_trace::CaseTrace;
use super::duration_fit::DurationFit;
use super::finding::{Finding, FindingCode};
use super::log_event::{LogEvent, UnreadableRow};
use super::log_row::{LogRow, RowView, trimmed};
use super::mapping::{Mapping, OpenRule, SettleRule};
use super::report::{AuditReport, CaseReport, ClockStats, CodeCount, OpenCases, SettledBy};
use super::report_entry::ReportEntry;
use super::row_batch::RowBatch;
use super::variant_stats::VariantTally;
use crate::core::calendar::parse_timestamp;
use crate::core::calendar::{PeriodUnit, WorkingCalendar};
use crate::core::case::{Event, Replay};
use crate::core::workflow::{StateId, Workflow};

/// Most replays kept for reuse.
const SPARE_REPLAYS_MAX: usize = 64;

/// An audit in progress.
pub struct Auditor<'a> {
    workflow: &'a Workflow,
    calendar: &'a WorkingCalendar,
    mapping: &'a Mapping,
    /// Shared by the shards of one audit (`twin`).
    index: Arc<ActivityIndex>,
    as_of: Option<NaiveDate>,
    keep_events: bool,
    open: HashMap<String, CaseAudit>,
    /// Settled cases' reports, when kept (`keep_cases`).
    cases: Vec<CaseReport>,
    keep_cases: bool,
    open_cases: OpenCases,
    /// Cases still open at the audit date, and cases never opened.
    cases_open: u64,
    cases_not_opened: u64,
    /// Whether settled cases' reports and findings are taken out as they come (`feed_part`):
    /// a report kept then cannot be found again to count a later row's finding.
    streaming: bool,
    /// Every settled case: its final leaf states, and where its report is in `cases` when kept.
    settled: HashMap<String, (Box<[StateId]>, Option<usize>)>,
    settled_count: u64,
    findings: Vec<Finding>,
    /// Findings per code, in `FindingCode::ALL` order (findings may be taken out as they come).
    code_counts: [u64; FindingCode::ALL.len()],
    clocks: Vec<ClockStats>,
    activities: ActivityTally,
    variants: VariantTally,
    /// Cases counted up to a date after the calendar's data.
    cases_provisional: u64,
    /// Each activity of a settling case once (a buffer reused from case to case).
    distinct: Vec<u32>,
    /// Histories of settled cases, kept for an import.
    histories: Vec<(String, Vec<Event>)>,
    /// Stays per state, when durations are fitted.
    fit: Option<DurationFit>,
    /// Replays of settled cases, reset for the next cases to open.
    spare_replays: Vec<Replay>,
    scratch: Scratch,
    latest: Option<DateTime<FixedOffset>>,
    rows: u64,
    rows_other_workflows: u64,
    rows_after_as_of: u64,
    rows_informational: u64,
    rows_other_lifecycle: u64,
}

/// A finished audit: the report, and the histories and fitted durations when they were kept.
pub struct AuditOutcome {
    pub report: AuditReport,
    /// Stays per state, when `fit_durations` was asked for.
    pub fit: Option<DurationFit>,
    /// (case id, the events the core made for it), in the order cases were settled.
    pub histories: Vec<(String, Vec<Event>)>,
}

impl<'a> Auditor<'a> {
    /// An audit of `workflow`'s cases, as of `as_of` (rows after it are left out; `None`: as of
    /// the last timestamp in the log). `keep_events` keeps each case's events for an import.
    pub fn new(
        workflow: &'a Workflow,
        calendar: &'a WorkingCalendar,
        mapping: &'a Mapping,
        as_of: Option<NaiveDate>,
        keep_events: bool,
    ) -> Auditor<'a> {
        let index = Arc::new(ActivityIndex::new(workflow, mapping));
        Auditor::with_index(workflow, calendar, mapping, index, as_of, keep_events)
    }

    fn with_index(
        workflow: &'a Workflow,
        calendar: &'a WorkingCalendar,
        mapping: &'a Mapping,
        index: Arc<ActivityIndex>,
        as_of: Option<NaiveDate>,
        keep_events: bool,
    ) -> Auditor<'a> {
        Auditor {
            workflow,
            calendar,
            mapping,
            index,
            as_of,
            keep_events,
            open: HashMap::default(),
            cases: Vec::new(),
            keep_cases: true,
            open_cases: OpenCases::AsOf,
            cases_open: 0,
            cases_not_opened: 0,
            streaming: false,
            settled: HashMap::default(),
            settled_count: 0,
            findings: Vec::new(),
            code_counts: [0; FindingCode::ALL.len()],
            clocks: workflow
                .clocks()
                .iter()
                .map(|clock| {
                    let counted = matches!(clock.limit.unit, PeriodUnit::WorkingDays | PeriodUnit::CalendarDays);
                    ClockStats::new(
                        &clock.name,
                        clock.limit_text(workflow),
                        crate::core::case::count_unit(clock.limit.unit),
                    )
                    .with_limit_count((counted && clock.has_written_limit()).then_some(clock.limit.amount))
                })
                .collect(),
            activities: ActivityTally::default(),
            variants: VariantTally::default(),
            cases_provisional: 0,
            distinct: Vec::new(),
            histories: Vec::new(),
            fit: None,
            spare_replays: Vec::new(),
            scratch: Scratch::default(),
            latest: None,
            rows: 0,
            rows_other_workflows: 0,
            rows_after_as_of: 0,
            rows_informational: 0,
            rows_other_lifecycle: 0,
        }
    }

    /// Whether the report keeps every case's own report (`true` by default). Without them the
    /// audit's memory holds the open cases, the findings and one short entry per settled case.
    #[must_use]
    pub fn keep_cases(mut self, keep: bool) -> Auditor<'a> {
        self.keep_cases = keep;
        self
    }

    /// Whether the clock figures count the cases still open at the audit date (`AsOf`, the
    /// default) or leave them out (`Exclude`); their findings are reported either way.
    #[must_use]
    pub fn open_cases(mut self, open_cases: OpenCases) -> Auditor<'a> {
        self.open_cases = open_cases;
        self
    }

    /// Whether settled cases and findings are taken out as they come (by a sharded audit that
    /// streams its report): a finding from a row after its case settled is then not counted in
    /// that case's `finding_count`, as the case's report has gone.
    pub(crate) fn streaming(&mut self, streaming: bool) {
        self.streaming = streaming;
    }

    /// A new auditor with this one's settings and activity index (built once for all the
    /// shards of an audit), and none of its rows.
    pub(crate) fn twin(&self) -> Auditor<'a> {
        let index = Arc::clone(&self.index);
        let mut twin =
            Auditor::with_index(self.workflow, self.calendar, self.mapping, index, self.as_of, self.keep_events);
        twin.keep_cases = self.keep_cases;
        twin.open_cases = self.open_cases;
        twin.streaming = self.streaming;
        twin.fit = self.fit.as_ref().map(|_| DurationFit::default());
        twin
    }

    /// Whether to gather each state's stays for `--fit-durations` (off by default).
    #[must_use]
    pub fn fit_durations(mut self, fit: bool) -> Auditor<'a> {
        self.fit = fit.then(DurationFit::default);
        self
    }

    /// Replays one row of the log (or records why it cannot be read).
    pub fn feed(&mut self, row: &Result<LogEvent, UnreadableRow>) {
        self.feed_row(RowView::of(row));
    }

    /// Replays every row of `batch`, in order.
    pub fn feed_batch(&mut self, batch: &RowBatch) {
        for index in 0..batch.len() {
            self.feed_row(batch.view(index));
        }
    }

    /// Replays one row, borrowed.
    pub(crate) fn feed_row(&mut self, row: RowView<'_>) {
        self.rows += 1;
        let event = match row {
            RowView::Event(event) => event,
            RowView::Unreadable { row, case_id, message } => {
                let case_id = case_id.unwrap_or_default();
                let finding = Finding::new(FindingCode::UnreadableRow, case_id, Some(row), message.to_owned());
                self.attach(case_id, finding);
                return;
            }
        };
        let Some((at, date)) = self.row_instant(&event) else { return };
        let log_zone = self.log_zone();
        let resolved = self.index.resolve(event.activity);
        if *resolved == Resolved::Informational {
            self.rows_informational += 1;
            if !self.informational_opens(event.case_id) {
                if let Some(case) = self.open.get_mut(event.case_id) {
                    trace_row(&mut self.activities, &mut case.trace, event.activity, date, self.calendar);
                }
                return;
            }
        }
        let rules = Rules {
            workflow: self.workflow,
            calendar: self.calendar,
            index: &self.index,
            open: self.mapping.open,
            log_zone,
        };
        // Most rows continue an open case: one lookup.
        if let Some(case) = self.open.get_mut(event.case_id) {
            case.feed(&rules, &event, at, resolved, &mut self.scratch);
            trace_row(&mut self.activities, &mut case.trace, event.activity, date, self.calendar);
            if let Some(finished) = case.replay.finished_on()
                && let Some((key, case)) = self.open.remove_entry(event.case_id)
            {
                self.settle(key, case, finished, SettledBy::FinalState);
            }
            return;
        }
        if let Some((leaves, position)) = self.settled.get(event.case_id) {
            // A row after the case finished: the core refuses any step then.
            let (code, message) = if *resolved == Resolved::Unknown {
                (FindingCode::UnknownActivity, super::case_audit::unknown_message(event.activity))
            } else {
                let state = super::case_audit::active_names(self.workflow, leaves).join(", ");
                (FindingCode::StepNotAllowed, format!("the case has finished (in `{state}`); no step is allowed"))
            };
            if let Some(position) = position {
                self.cases[*position].finding_count += 1;
            }
            let finding = Finding::new(code, event.case_id, Some(event.row), message).with_activity(event.activity);
            self.push_finding(finding);
            return;
        }
        let fit = self.fit.is_some();
        let mut case = new_case(&mut self.spare_replays, self.workflow, event.case_id, self.keep_events, fit);
        case.feed(&rules, &event, at, resolved, &mut self.scratch);
        trace_row(&mut self.activities, &mut case.trace, event.activity, date, self.calendar);
        match case.replay.finished_on() {
            Some(finished) => self.settle(event.case_id.to_owned(), case, finished, SettledBy::FinalState),
            None => {
                self.open.insert(event.case_id.to_owned(), case);
            }
        }
    }

    fn attach(&mut self, case_id: &str, finding: Finding) {
        if let Some(case) = self.open.get_mut(case_id) {
            case.findings.push(finding);
            return;
        }
        if let Some((_, Some(position))) = self.settled.get(case_id) {
            self.cases[*position].finding_count += 1;
        }
        self.push_finding(finding);
    }

    fn push_finding(&mut self, finding: Finding) {
        self.code_counts[finding.code as usize] += 1;
        self.findings.push(finding);
    }

    /// The instant of a row and its civil date, once it is known to be one the audit replays;
    /// `None` when the row is counted or found and left out (another workflow, a lifecycle
    /// transition that is no step, an unreadable timestamp, a date outside the data or after the
    /// audit date, a `start` noted for pairing).
    fn row_instant(&mut self, event: &LogRow<'_>) -> Option<(DateTime<FixedOffset>, NaiveDate)> {
        if event.workflow.is_some_and(|workflow| !names_workflow(workflow, self.workflow)) {
            self.rows_other_workflows += 1;
            return None;
        }
        // A `start` row paired with its completion (`lifecycle.pair`) is noted, not replayed.
        let start_to_pair = self.mapping.lifecycle_pair
            && event.lifecycle.is_some_and(|lifecycle| trimmed(lifecycle).eq_ignore_ascii_case("start"));
        if event.lifecycle.is_some() && !self.mapping.is_step(event.lifecycle) && !start_to_pair {
            // A `start` or `schedule` row: not a step (the lifecycle's `complete` is).
            self.rows_other_lifecycle += 1;
            return None;
        }
        let at = match parse_timestamp(event.timestamp, self.log_zone()) {
            Ok(at) => at,
            Err(message) => {
                let finding = Finding::new(FindingCode::UnreadableRow, event.case_id, Some(event.row), message)
                    .with_activity(event.activity);
                self.attach(event.case_id, finding);
                return None;
            }
        };
        let date = self.calendar.zone().civil_date(at);
        if let Err(error) = self.calendar.is_working_day(date) {
            // Never a guess: the row is left out, and it does not move the audit date.
            let message = error.to_string();
            let finding = Finding::new(FindingCode::DateOutsideCalendar, event.case_id, Some(event.row), message)
                .with_activity(event.activity);
            self.attach(event.case_id, finding);
            return None;
        }
        if self.as_of.is_some_and(|as_of| date > as_of) {
            self.rows_after_as_of += 1;
            return None;
        }
        if self.latest.is_none_or(|latest| at > latest) {
            self.latest = Some(at);
        }
        if start_to_pair {
            self.rows_other_lifecycle += 1;
            if let Some(case) = self.open.get_mut(event.case_id) {
                case.trace.start(self.activities.id(trimmed(event.activity)), date);
            }
            return None;
        }
        Some((at, date))
    }

    /// Whether an informational row of `case_id` opens it: under `open: first-event`, when it
    /// is the case's first.
    fn informational_opens(&self, case_id: &str) -> bool {
        self.mapping.open == OpenRule::FirstEvent
            && !self.open.get(case_id).is_some_and(|case| case.replay.is_opened())
            && !self.settled.contains_key(case_id)
    }

    /// The zone of the log's timestamps written without an offset: the mapping's, else the
    /// calendar's.
    fn log_zone(&self) -> crate::core::calendar::CalendarZone {
        self.mapping.zone.unwrap_or_else(|| self.calendar.zone())
    }

    /// The findings so far, taken out (a caller that writes them as they come keeps memory flat;
    /// the report then holds only those found after the last call).
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// The histories of the cases settled so far (when `keep_events`), taken out: an importer
    /// that stores them as they come keeps memory flat.
    pub fn take_histories(&mut self) -> Vec<(String, Vec<Event>)> {
        std::mem::take(&mut self.histories)
    }

    fn settle(&mut self, key: String, mut case: CaseAudit, as_of: NaiveDate, settled_by: SettledBy) {
        let index = Arc::clone(&self.index);
        let rules = Rules {
            workflow: self.workflow,
            calendar: self.calendar,
            index: &index,
            open: self.mapping.open,
            log_zone: self.log_zone(),
        };
        if let Some(events) = case.events.take() {
            self.histories.push((case.case_id.clone(), events));
        }
        if let (Some(fit), Some(case_fit)) = (&mut self.fit, case.fit.take()) {
            fit.absorb(case_fit);
        }
        self.count_trace(&case.trace);
        self.cases_provisional += u64::from(self.calendar.is_provisional(as_of));
        let counted = settled_by != SettledBy::AuditDate || self.open_cases == OpenCases::AsOf;
        let stats: &mut [ClockStats] = if counted { &mut self.clocks } else { &mut [] };
        let mut report = case.finish(&rules, as_of, stats, self.keep_cases, settled_by, &mut self.scratch);
        match report.settled_by {
            SettledBy::AuditDate => self.cases_open += 1,
            SettledBy::NotOpened => self.cases_not_opened += 1,
            SettledBy::FinalState | SettledBy::LastEvent => {}
        }
        report.case_id = std::mem::take(&mut case.case_id);
        let leaves = case.replay.configuration().leaves().into();
        if self.spare_replays.len() < SPARE_REPLAYS_MAX {
            self.spare_replays.push(case.replay);
        }
        self.record(&mut report, leaves, key);
    }

    /// Counts a settling case's activities (each once) and its variant.
    fn count_trace(&mut self, trace: &CaseTrace) {
        if trace.activities.is_empty() {
            return;
        }
        self.distinct.clear();
        self.distinct.extend_from_slice(&trace.activities);
        self.distinct.sort_unstable();
        self.distinct.dedup();
        self.activities.count_case(&self.distinct);
        let names = trace.activities.iter().map(|id| self.activities.name(*id));
        self.variants.add(trace.key, names, trace.total_working_days);
    }

    /// Counts a settled case (ending in `leaves`) and keeps what is kept of it; `key` is its case
    /// id, as it was the key of `open`.
    fn record(&mut self, report: &mut CaseReport, leaves: Box<[StateId]>, key: String) {
        report.finding_count = report.findings.len() as u64;
        let mut findings = std::mem::take(&mut report.findings);
        for finding in findings.drain(..) {
            self.push_finding(finding);
        }
        // Emptied, it is the next settling case's list.
        if findings.capacity() > self.scratch.findings.capacity() {
            self.scratch.findings = findings;
        }
        self.settled_count += 1;
        let position = (self.keep_cases && !self.streaming).then_some(self.cases.len());
        self.settled.insert(key, (leaves, position));
        if self.keep_cases {
            self.cases.push(std::mem::replace(report, CaseReport::empty("")));
        }
    }

    /// Settles every case still open, as of the audit date, and makes the report.
    pub fn finish(self) -> AuditOutcome {
        let as_of = self.audit_date();
        let mut outcome = self.finish_as_of(as_of);
        outcome.report.settle();
        outcome
    }

    /// The date the audit counts to: `as_of` if given, else the date of the last timestamp read
    /// (`None` when no row had one).
    pub(crate) fn audit_date(&self) -> Option<NaiveDate> {
        let zone = self.calendar.zone();
        self.as_of.or_else(|| self.latest.map(|latest| zone.civil_date(latest)))
    }

    /// Settles every case still open as of `as_of` and hands over what the audit gathered, as
    /// found: cases and findings not yet in order, clock figures not yet filled
    /// (`AuditReport::settle`), so parts of one audit can be merged first.
    pub(crate) fn finish_as_of(mut self, as_of: Option<NaiveDate>) -> AuditOutcome {
        let mut open: Vec<(String, CaseAudit)> = self.open.drain().collect();
        open.sort_by(|(left, _), (right, _)| left.cmp(right));
        let zone = self.calendar.zone();
        for (key, case) in open {
            let last_event = case.replay.last_at().map(|at| at.with_timezone(&zone).date_naive());
            match (as_of, last_event) {
                (Some(_), Some(last)) if self.mapping.settle == SettleRule::LastEvent => {
                    self.settle(key, case, last, SettledBy::LastEvent);
                }
                (Some(as_of), _) => self.settle(key, case, as_of, SettledBy::AuditDate),
                (None, _) => {
                    // No row had a readable timestamp: nothing was replayed.
                    let mut report = CaseReport::empty(&case.case_id);
                    report.rows = case.rows;
                    report.findings = case.findings;
                    report.settled_by = SettledBy::NotOpened;
                    self.cases_not_opened += 1;
                    self.record(&mut report, Box::default(), key);
                }
            }
        }
        let codes = FindingCode::ALL
            .iter()
            .zip(self.code_counts)
            .map(|(code, count)| CodeCount { code: *code, title: code.title(), count })
            .collect();
        let (variants, variant_other_cases) = self.variants.into_parts();
        AuditOutcome {
            report: AuditReport {
                workflow: self.workflow.id().to_owned(),
                version: self.workflow.version().to_owned(),
                as_of,
                rows: self.rows,
                rows_other_workflows: self.rows_other_workflows,
                rows_after_as_of: self.rows_after_as_of,
                rows_informational: self.rows_informational,
                rows_other_lifecycle: self.rows_other_lifecycle,
                case_count: self.settled_count,
                cases_open: self.cases_open,
                cases_not_opened: self.cases_not_opened,
                open: self.mapping.open,
                settle: self.mapping.settle,
                open_cases: self.open_cases,
                cases: self.cases,
                findings: self.findings,
                clocks: self.clocks,
                codes,
                cases_provisional: self.cases_provisional,
                activities: self.activities.into_stats(),
                variants,
                variant_count: 0,
                variant_other_cases,
            },
            histories: self.histories,
            fit: self.fit,
        }
    }

    /// Replays the rows of `part` (one shard's part of a batch, `RowBatch::split`), in order;
    /// with `found`, takes the findings and the settled cases' reports out after each row, marked
    /// with the row's position in the whole batch.
    pub(crate) fn feed_part(&mut self, part: &RowBatch, mut found: Option<&mut Vec<(u32, ReportEntry)>>) {
        for index in 0..part.len() {
            self.feed_row(part.view(index));
            if let Some(found) = found.as_deref_mut()
                && !(self.findings.is_empty() && self.cases.is_empty())
            {
                let position = part.position(index);
                found.extend(self.findings.drain(..).map(|finding| (position, ReportEntry::Finding(finding))));
                found.extend(self.cases.drain(..).map(|case| (position, ReportEntry::Case(case))));
            }
        }
    }
}

impl AuditOutcome {
    /// This part of an audit split by case with another, finished as of the same date: counts
    /// added, cases, findings and histories after this part's. `AuditReport::settle` then puts
    /// them in order.
    #[must_use]
    pub(crate) fn merge(mut self, part: AuditOutcome) -> AuditOutcome {
        self.report.merge(part.report);
        self.histories.extend(part.histories);
        if let (Some(fit), Some(theirs)) = (&mut self.fit, part.fit) {
            fit.merge(theirs);
        }
        self
    }
}

/// Counts a row of `activity` (as the log names it) dated `date` in its case's trace.
fn trace_row(
    activities: &mut ActivityTally,
    trace: &mut CaseTrace,
    activity: &str,
    date: NaiveDate,
    calendar: &WorkingCalendar,
) {
    let activity = trimmed(activity);
    let id = activities.id(activity);
    let since_previous = trace.note(id, activities.name(id), date, calendar);
    activities.count_row(id, since_previous);
    if let Some(started) = trace.take_start(id)
        && let Ok(own) = calendar.working_days_between(started, started.max(date))
    {
        activities.count_own(id, own);
    }
}

/// Whether a log's `workflow` value names `workflow`: its id (any version), or `id@version`.
fn names_workflow(value: &str, workflow: &Workflow) -> bool {
    value.strip_prefix(workflow.id()).is_some_and(|rest| {
        rest.is_empty() || rest.strip_prefix('@').is_some_and(|version| version == workflow.version())
    })
}

/// A case not yet opened, in a spare replay when there is one; `fit` gathers its stays.
fn new_case(
    spare_replays: &mut Vec<Replay>,
    workflow: &Workflow,
    case_id: &str,
    keep_events: bool,
    fit: bool,
) -> CaseAudit {
    let replay = match spare_replays.pop() {
        Some(mut replay) => {
            replay.reset(workflow);
            replay
        }
        None => Replay::new(workflow),
    };
    let mut case = CaseAudit::new(case_id, replay, keep_events);
    if fit {
        case.fit = Some(super::duration_fit::CaseFit::default());
    }
    case
}
