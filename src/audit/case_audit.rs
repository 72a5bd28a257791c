//! `CaseAudit`: one case of a log replayed through the engine's core (`open_parts_in_place`,
//! `step_in_place`, `timing`): each row becomes a command; what the core refuses becomes a
//! finding, and the replay goes on from what the log says happened wherever the core allows it.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::activity_index::{ActivityIndex, Resolved};
use super::finding::{Finding, FindingCode};
use super::log_row::{LogRow, RowAttributes};
use super::mapping::OpenRule;
use super::report::{CaseClock, CaseReport, ClockStats, SettledBy};
use crate::core::calendar::{PeriodUnit, WorkingCalendar};
use crate::core::case::{
    Act, ClockTiming, Command, CommandKind, Event, Level, LimitTiming, Phase, Rejection, Replay, act_in_place,
    case_days, clock_breaches, clock_figures, open_parts_in_place, pause_overruns, step_in_place, timing,
};
use crate::core::workflow::{ActionId, Clock, ClockId, RoleId, StateId, Workflow};

/// Actor recorded for rows with no resource column.
const ACTOR_UNKNOWN: &str = "log";

pub(crate) struct CaseAudit {
    pub(crate) case_id: String,
    pub(crate) replay: Replay,
    /// The events the core made, kept only when the audit will import them.
    pub(crate) events: Option<Vec<Event>>,
    /// The case's stays in each state, kept only when durations are fitted.
    pub(crate) fit: Option<super::duration_fit::CaseFit>,
    pub(crate) rows: u64,
    pub(crate) findings: Vec<Finding>,
    last_at: Option<DateTime<FixedOffset>>,
    /// Rows left out because none had opened the case yet (`AUD012`).
    pub(crate) rows_before_opening: u64,
    /// (attribute, value) pairs the core refused: found once, then left out silently (a
    /// case attribute repeated on every row of a log is one finding, not one a row).
    refused_values: Vec<(String, String)>,
    /// The activities as the log names them, for the per-activity and variant figures.
    pub(crate) trace: super::case_trace::CaseTrace,
}

/// Buffers that cases use in turn, kept by their auditor so that replaying and settling a case
/// allocates as little as it can.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The events of the step being replayed.
    stepped: Vec<Event>,
    /// (clock, elapsed, over a limit) of each started clock of a case being settled.
    counted: Vec<(usize, i64, bool)>,
    /// The full timing of its clocks over a limit.
    over: Vec<ClockTiming>,
    /// An empty list with room, for the findings of a case that had none before it settled.
    pub(crate) findings: Vec<Finding>,
}

/// Everything a case is replayed against.
pub(crate) struct Rules<'a> {
    pub(crate) workflow: &'a Workflow,
    pub(crate) calendar: &'a WorkingCalendar,
    pub(crate) index: &'a ActivityIndex,
    pub(crate) open: OpenRule,
    /// The zone of the log's timestamps written without an offset.
    pub(crate) log_zone: crate::core::calendar::CalendarZone,
}

impl CaseAudit {
    /// A case not yet opened, replayed in `replay` (a new one, or one reset for reuse).
    pub(crate) fn new(case_id: &str, replay: Replay, keep_events: bool) -> CaseAudit {
        CaseAudit {
            case_id: case_id.to_owned(),
            replay,
            events: keep_events.then(Vec::new),
            fit: None,
            rows: 0,
            findings: Vec::new(),
            last_at: None,
            rows_before_opening: 0,
            refused_values: Vec::new(),
            trace: super::case_trace::CaseTrace::default(),
        }
    }

    fn finding(&mut self, code: FindingCode, event: &LogRow<'_>, message: String) {
        self.findings.push(Finding::new(code, &self.case_id, Some(event.row), message).with_activity(event.activity));
    }

    fn record(&mut self, rules: &Rules<'_>, events: &[Event]) {
        if let Some(last) = events.last() {
            self.last_at = Some(last.at);
        }
        if let Some(fit) = &mut self.fit {
            fit.observe(rules.workflow, rules.calendar, self.replay.configuration().leaves(), events);
        }
        if let Some(kept) = &mut self.events {
            kept.extend_from_slice(events);
        }
    }

    /// Replays one row.
    pub(crate) fn feed(
        &mut self,
        rules: &Rules<'_>,
        event: &LogRow<'_>,
        at: DateTime<FixedOffset>,
        resolved: &Resolved,
        scratch: &mut Scratch,
    ) {
        self.rows += 1;
        let at = match self.last_at {
            Some(last) if at < last => {
                let message = format!(
                    "dated {}, before the case's previous event at {}; counted at {}",
                    at.to_rfc3339(),
                    last.to_rfc3339(),
                    last.to_rfc3339()
                );
                self.finding(FindingCode::TimeBackwards, event, message);
                last
            }
            _ => at,
        };
        if !self.replay.is_opened() {
            let first_event = rules.open == OpenRule::FirstEvent;
            if !first_event && !rules.index.may_open(resolved) {
                match resolved {
                    Resolved::Unknown => self.unknown(event),
                    Resolved::Informational => {}
                    Resolved::Opens | Resolved::Actions(_) => self.not_opened(rules, event),
                }
                return;
            }
            if !self.open(rules, event, at, &mut scratch.stepped) {
                return;
            }
            match resolved {
                Resolved::Actions(actions) => self.act(rules, event, at, actions, scratch),
                Resolved::Unknown => self.unknown(event),
                Resolved::Opens | Resolved::Informational => {}
            }
            return;
        }
        match resolved {
            Resolved::Unknown => self.unknown(event),
            Resolved::Informational => {}
            // Under `open: first-event` an opening activity seen again is an ordinary row.
            Resolved::Opens if rules.open == OpenRule::FirstEvent => {}
            Resolved::Opens => {
                let message =
                    format!("activity `{}` opens a case, and case `{}` is already open", event.activity, self.case_id);
                self.finding(FindingCode::StepNotAllowed, event, message);
            }
            Resolved::Actions(actions) => self.act(rules, event, at, actions, scratch),
        }
    }

    /// `AUD012` for the first row of a case that does not open it; the case's later rows are
    /// left out until one does.
    fn not_opened(&mut self, rules: &Rules<'_>, event: &LogRow<'_>) {
        self.rows_before_opening += 1;
        if self.rows_before_opening > 1 {
            return;
        }
        let workflow = rules.workflow;
        let initial = active_names(workflow, workflow.entered_leaves(workflow.initial()));
        let message = format!(
            "case `{}` is not opened by activity `{}`: it is neither an opening activity nor a step that `{}` \
             allows without ending the case; its rows are left out until one opens it (a mapping's `opening`, or \
             `open: first-event`)",
            self.case_id,
            event.activity,
            initial.join("`, `")
        );
        self.finding(FindingCode::NotOpened, event, message);
    }

    fn unknown(&mut self, event: &LogRow<'_>) {
        self.finding(FindingCode::UnknownActivity, event, unknown_message(event.activity));
    }

    /// Opens the case at its first row; false when the core refuses.
    fn open(
        &mut self,
        rules: &Rules<'_>,
        event: &LogRow<'_>,
        at: DateTime<FixedOffset>,
        events: &mut Vec<Event>,
    ) -> bool {
        let (workflow, calendar) = (rules.workflow, rules.calendar);
        let at = self.opening_instant(rules, event, at);
        // As in `act_by_ids`, the actor is copied only into events that are kept.
        let actor = if self.events.is_some() { event.resource.unwrap_or(ACTOR_UNKNOWN) } else { "" };
        // The core folds the opening into the case's replay (a refusal leaves it as it was). An
        // attribute whose value it refuses is a finding, and the case opens without it.
        let opened = loop {
            let refused = &self.refused_values;
            let attributes = event.attributes.iter().filter(|(name, text)| !is_refused(refused, name, text));
            let opened = open_parts_in_place(workflow, calendar, &mut self.replay, at, actor, attributes, events);
            match &opened {
                Err(
                    rejection @ (Rejection::BadValue { attribute, .. } | Rejection::UnknownAttribute { attribute, .. }),
                ) => {
                    let Some((_, text)) = event
                        .attributes
                        .iter()
                        .find(|(name, text)| name == attribute && !is_refused(&self.refused_values, name, text))
                    else {
                        break opened;
                    };
                    let message = format!("{rejection}; the case is opened without it");
                    self.refused_values.push((attribute.clone(), text.to_owned()));
                    self.finding(FindingCode::UnreadableRow, event, message);
                }
                _ => break opened,
            }
        };
        match opened {
            Ok(()) => {
                self.record(rules, events);
                true
            }
            Err(rejection) => {
                self.refused(event, &rejection);
                false
            }
        }
    }

    /// The instant the case opens: the row's, or the one the log gives for the case
    /// (`columns.opened_at`) when it is readable and not after the row.
    fn opening_instant(
        &mut self,
        rules: &Rules<'_>,
        event: &LogRow<'_>,
        at: DateTime<FixedOffset>,
    ) -> DateTime<FixedOffset> {
        let Some(text) = event.opened_at.map(str::trim).filter(|text| !text.is_empty()) else { return at };
        match crate::core::calendar::parse_timestamp(text, rules.log_zone) {
            Ok(opened) if opened <= at => opened,
            Ok(opened) => {
                let message = format!(
                    "the case's opening instant {} is after its first row at {}; it is opened at the row's",
                    opened.to_rfc3339(),
                    at.to_rfc3339()
                );
                self.finding(FindingCode::TimeBackwards, event, message);
                at
            }
            Err(message) => {
                let message = format!("{message}; the case is opened at the row's instant");
                self.finding(FindingCode::UnreadableRow, event, message);
                at
            }
        }
    }

    fn act(
        &mut self,
        rules: &Rules<'_>,
        event: &LogRow<'_>,
        at: DateTime<FixedOffset>,
        actions: &[(String, Option<ActionId>)],
        scratch: &mut Scratch,
    ) {
        if let Some((_, Some(action))) = actions.first()
            && self.act_by_ids(rules, event, at, *action, &mut scratch.stepped)
        {
            return;
        }
        let mut attributes = self.changed_attributes(rules.workflow, event.attributes);
        let role = mapped_role(rules, event).map(str::to_owned);
        let mut first_refusal = None;
        for (action, _) in actions {
            let command = |role: &str, attributes: &[(String, String)]| Command {
                at,
                actor: event.resource.unwrap_or(ACTOR_UNKNOWN).to_owned(),
                role: role.to_owned(),
                kind: CommandKind::Act { action: action.clone(), attributes: attributes.to_vec() },
            };
            let attempt = |role: &str, attributes: &[(String, String)], replay: &mut Replay| {
                step_in_place(rules.workflow, rules.calendar, replay, &command(role, attributes))
            };
            let mut given = role
                .clone()
                .unwrap_or_else(|| rules.workflow.roles().first().map(|r| r.name.clone()).unwrap_or_default());
            let mut result = attempt(&given, &attributes, &mut self.replay);
            let (mut role_finding, mut role_retried) = (None, false);
            // The core refuses one thing at a time: an attribute value it cannot take (left out,
            // a finding) and a role that may not take the step (replaced by one that may, so the
            // rest of the case is replayed as it happened; a role the log gave is a finding), in
            // whichever order it meets them, until the step is taken or refused for good.
            loop {
                match &result {
                    Err(
                        rejection @ (Rejection::BadValue { attribute, .. }
                        | Rejection::UnknownAttribute { attribute, .. }),
                    ) if attributes.iter().any(|(name, _)| name == attribute) => {
                        let message = format!("{rejection}; the step is replayed without it");
                        let attribute = attribute.clone();
                        if let Some(position) = attributes.iter().position(|(name, _)| *name == attribute) {
                            self.refused_values.push(attributes.remove(position));
                        }
                        self.finding(FindingCode::UnreadableRow, event, message);
                    }
                    Err(Rejection::RoleNotPermitted { .. } | Rejection::UnknownRole { .. }) if !role_retried => {
                        role_retried = true;
                        if role.is_some() {
                            role_finding = result.as_ref().err().cloned();
                        }
                        match self.permitted_role(rules, &command("", &attributes)) {
                            Some(permitted) => given = permitted,
                            None => break,
                        }
                    }
                    _ => break,
                }
                result = attempt(&given, &attributes, &mut self.replay);
            }
            match result {
                Ok(events) => {
                    if let Some(rejection) = role_finding {
                        self.refused(event, &rejection);
                    }
                    self.record(rules, &events);
                    return;
                }
                Err(rejection) => {
                    first_refusal.get_or_insert(rejection);
                }
            }
        }
        if let Some(rejection) = first_refusal {
            self.refused(event, &rejection);
        }
    }

    /// A role that may take the command's action from the active states: one the core accepts
    /// the step from, else one it refuses for another reason than the role (so that reason is
    /// reported), if any.
    fn permitted_role(&self, rules: &Rules<'_>, command: &Command) -> Option<String> {
        let mut refused_otherwise = None;
        for role in rules.workflow.roles() {
            let command = Command { role: role.name.clone(), ..command.clone() };
            match crate::core::case::step(rules.workflow, rules.calendar, &self.replay, &command) {
                Ok(_) => return Some(role.name.clone()),
                Err(Rejection::RoleNotPermitted { .. } | Rejection::UnknownRole { .. }) => {}
                Err(_) => {
                    refused_otherwise.get_or_insert_with(|| role.name.clone());
                }
            }
        }
        refused_otherwise
    }

    /// The common step, taken by ids: the row's first action, by the row's role (or the
    /// workflow's first), with no attribute changing. True when the core accepts it; otherwise
    /// nothing has changed, and `act` goes the way that names every refusal.
    fn act_by_ids(
        &mut self,
        rules: &Rules<'_>,
        event: &LogRow<'_>,
        at: DateTime<FixedOffset>,
        action: ActionId,
        stepped: &mut Vec<Event>,
    ) -> bool {
        let workflow = rules.workflow;
        let role = match mapped_role(rules, event) {
            Some(role) => workflow.role_named(role),
            None => (!workflow.roles().is_empty()).then_some(RoleId(0)),
        };
        let Some(role) = role else { return false };
        if event.attributes.iter().any(|(name, text)| self.attribute_changes(workflow, name, text)) {
            return false;
        }
        stepped.clear();
        // The actor is copied into the events only when they are kept (for an import): nothing
        // else reads it, and the copy would be one allocation per row.
        let actor = if self.events.is_some() { event.resource.unwrap_or(ACTOR_UNKNOWN) } else { "" };
        let act = Act { at, actor, role, action };
        let accepted = act_in_place(workflow, rules.calendar, &mut self.replay, &act, stepped).is_ok();
        if accepted {
            self.record(rules, stepped);
        }
        accepted
    }

    /// Attribute values of a row that differ from the case's.
    fn changed_attributes(&self, workflow: &Workflow, attributes: RowAttributes<'_>) -> Vec<(String, String)> {
        attributes
            .iter()
            .filter(|(name, text)| self.attribute_changes(workflow, name, text))
            .map(|(name, text)| (name.to_owned(), text.to_owned()))
            .collect()
    }

    /// Whether a row's `name` = `text` differs from the case's value (an unknown name does), and
    /// was not refused before.
    fn attribute_changes(&self, workflow: &Workflow, name: &str, text: &str) -> bool {
        if !self.refused_values.is_empty() && is_refused(&self.refused_values, name, text) {
            return false;
        }
        let Some(id) = workflow.attribute_named(name) else { return true };
        let attribute = workflow.attribute(id);
        self.replay.configuration().values()[id.index()]
            .as_ref()
            .is_none_or(|value| !value.renders_as(&attribute.kind, text))
    }

    fn refused(&mut self, event: &LogRow<'_>, rejection: &Rejection) {
        let code = match rejection {
            Rejection::RoleNotPermitted { .. } | Rejection::UnknownRole { .. } => FindingCode::RoleNotPermitted,
            Rejection::ExtensionCapReached { .. }
            | Rejection::ClockNotRunning { .. }
            | Rejection::ClockBreached { .. } => FindingCode::ExtensionBeyondCap,
            Rejection::DateOutsideCalendar(_) => FindingCode::DateOutsideCalendar,
            Rejection::UnknownAction { .. } => FindingCode::UnknownActivity,
            Rejection::BadValue { .. } | Rejection::UnknownAttribute { .. } => FindingCode::UnreadableRow,
            Rejection::Backwards { .. } => FindingCode::TimeBackwards,
            Rejection::Finished { .. } | Rejection::NotAllowed { .. } | Rejection::GuardFalse { .. } => {
                FindingCode::StepNotAllowed
            }
        };
        self.finding(code, event, rejection.to_string());
    }

    /// The case's report as of `as_of`, with its timing findings (taken out of the case); each
    /// started clock is counted into `stats` (by clock, in the workflow's order). With `whole`
    /// false the report leaves out the active states and the clocks (an audit that keeps no
    /// per-case reports need not make them). The report's case id is left empty: the caller
    /// moves the case's own in once it is done with the case.
    pub(crate) fn finish(
        &mut self,
        rules: &Rules<'_>,
        as_of: NaiveDate,
        stats: &mut [ClockStats],
        whole: bool,
        settled_by: SettledBy,
        scratch: &mut Scratch,
    ) -> CaseReport {
        let workflow = rules.workflow;
        // The caller moves the case id in: one copy fewer for every case.
        let mut report = CaseReport::empty("");
        report.rows = self.rows;
        report.opened_on = self.replay.opened_on();
        report.finished_on = self.replay.finished_on();
        report.settled_by = if self.replay.is_opened() { settled_by } else { SettledBy::NotOpened };
        if whole {
            report.active = active_names(workflow, self.replay.configuration().leaves());
        }
        if !self.replay.is_opened() {
            report.findings = std::mem::take(&mut self.findings);
            return report;
        }
        if self.findings.capacity() == 0 {
            self.findings = std::mem::take(&mut scratch.findings);
        }
        if !whole && self.count_clocks(rules, as_of, stats, scratch) {
            self.pause_findings(rules, as_of);
            if settled_by == SettledBy::AuditDate {
                self.not_finished_finding(workflow, as_of);
            }
            report.findings = std::mem::take(&mut self.findings);
            return report;
        }
        match timing(workflow, rules.calendar, &self.replay, as_of) {
            Err(error) => {
                let mut finding = Finding::new(
                    FindingCode::DateOutsideCalendar,
                    &self.case_id,
                    None,
                    format!("the case's timing as of {as_of} cannot be counted: {error}"),
                );
                finding.activity = None;
                self.findings.push(finding);
            }
            Ok(timing) => {
                report.elapsed_working_days = Some(timing.elapsed_working_days);
                report.paused_days = Some(timing.paused_days);
                let matter_breached = timing.clocks.iter().any(|clock| {
                    workflow.clock(clock.clock).matter && clock.level() == Level::Red && clock.started_on.is_some()
                });
                let has_matter =
                    timing.clocks.iter().any(|clock| workflow.clock(clock.clock).matter && clock.started_on.is_some());
                for clock in &timing.clocks {
                    if clock.status == crate::core::case::ClockStatus::NotStarted {
                        continue;
                    }
                    let definition = workflow.clock(clock.clock);
                    let Some(statutory) = &clock.statutory else {
                        self.limit_unknown(workflow, definition);
                        continue;
                    };
                    let (over_statutory, over_promised) =
                        self.count_clock(definition, clock, stats, has_matter && !matter_breached);
                    if whole {
                        report.clocks.push(CaseClock {
                            clock: definition.name.clone(),
                            status: clock.status,
                            unit: clock.count_unit,
                            elapsed: clock.elapsed,
                            limit: statutory.limit.to_string(),
                            promised: clock.promised.as_ref().map(|promised| promised.limit.to_string()),
                            due_date: statutory.due.date(),
                            over_statutory,
                            over_promised,
                        });
                    }
                }
                self.pause_findings(rules, as_of);
            }
        }
        if settled_by == SettledBy::AuditDate {
            self.not_finished_finding(workflow, as_of);
        }
        report.findings = std::mem::take(&mut self.findings);
        report
    }

    /// `AUD005` for a case not finished as of `as_of`.
    fn not_finished_finding(&mut self, workflow: &Workflow, as_of: NaiveDate) {
        let message = format!(
            "the case is not finished as of {as_of}; it is in {}",
            active_names(workflow, self.replay.configuration().leaves())
                .iter()
                .map(|state| format!("`{state}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.findings.push(Finding::new(FindingCode::NeverFinished, &self.case_id, None, message));
    }

    /// The clock counts and `AUD006`/`AUD007` findings of `finish` without a report's figures:
    /// each started clock counted by the core's `clock_breaches` (no due dates or levels), and
    /// only a clock over a limit given its full timing for the finding. False, with nothing
    /// counted or found, when a date is outside the calendar's data: `timing` then says which.
    fn count_clocks(
        &mut self,
        rules: &Rules<'_>,
        as_of: NaiveDate,
        stats: &mut [ClockStats],
        scratch: &mut Scratch,
    ) -> bool {
        let (workflow, calendar) = (rules.workflow, rules.calendar);
        if case_days(calendar, &self.replay, as_of).is_err() {
            return false;
        }
        // (clock, elapsed, over the statutory or the promised limit), then the full timing of
        // those over: everything is counted before anything is recorded.
        let (counted, over) = (&mut scratch.counted, &mut scratch.over);
        counted.clear();
        over.clear();
        let mut unknown = Vec::new();
        for (index, (clock, track)) in workflow.clocks().iter().zip(self.replay.clocks()).enumerate() {
            if track.phase() == Phase::NotStarted {
                continue;
            }
            if !clock.has_written_limit() && matches!(track.limit(calendar, clock), Ok(None)) {
                // Not judged, and not counted in the clock's figures.
                unknown.push(index);
                continue;
            }
            match clock_breaches(calendar, clock, track, as_of) {
                Ok(None) => {}
                Ok(Some((elapsed, statutory, promised))) => {
                    counted.push((index, elapsed, statutory || promised));
                    if statutory || promised {
                        match clock_figures(calendar, ClockId(index as u16), clock, track, as_of) {
                            Ok(timing) => over.push(timing),
                            Err(_) => return false,
                        }
                    }
                }
                Err(_) => return false,
            }
        }
        let matter = |index: usize| workflow.clocks()[index].matter;
        let has_matter = counted.iter().any(|(index, ..)| matter(*index));
        let matter_breached = counted.iter().any(|(index, _, breached)| matter(*index) && *breached);
        for (index, elapsed, breached) in counted.iter().copied() {
            if !breached && let Some(stats) = stats.get_mut(index) {
                stats.add(elapsed, false, false);
            }
        }
        for clock in over.iter() {
            self.count_clock(workflow.clock(clock.clock), clock, stats, has_matter && !matter_breached);
        }
        for index in unknown {
            self.limit_unknown(workflow, &workflow.clocks()[index]);
        }
        true
    }

    /// Counts a started clock's timing into `stats` and, when it is over its statutory or
    /// promised limit, finds `AUD006`, or `AUD007` for a step clock when `matter_within` (the
    /// case has a matter clock and none is over). Returns how far it is over each limit.
    fn count_clock(
        &mut self,
        definition: &Clock,
        clock: &ClockTiming,
        stats: &mut [ClockStats],
        matter_within: bool,
    ) -> (Option<i64>, Option<i64>) {
        let over_statutory = clock.statutory.as_ref().and_then(over_by);
        let over_promised = clock.promised.as_ref().and_then(over_by);
        if let Some(stats) = stats.get_mut(clock.clock.index()) {
            stats.add(clock.elapsed, over_statutory.is_some(), over_promised.is_some());
        }
        if over_statutory.is_some() || over_promised.is_some() {
            let step_only = !definition.matter && matter_within;
            self.findings.push(breach_finding(&self.case_id, definition, clock, step_only));
        }
        (over_statutory, over_promised)
    }

    /// `AUD013` for a started clock whose limit the case's attribute does not give.
    fn limit_unknown(&mut self, workflow: &Workflow, clock: &Clock) {
        let (attribute, what) = match clock.limit_from {
            crate::core::workflow::LimitSource::Attribute(id) => (&workflow.attribute(id).name, "a number, 0 or more"),
            crate::core::workflow::LimitSource::DueDate(id) => (&workflow.attribute(id).name, "a date"),
            crate::core::workflow::LimitSource::Written => return,
        };
        let message = format!(
            "clock `{}` takes its limit from attribute `{attribute}`, which the case does not set to {what}; its \
             time is counted but not judged, and left out of the clock's figures",
            clock.name
        );
        let mut finding = Finding::new(FindingCode::LimitUnknown, &self.case_id, None, message);
        finding.clock = Some(clock.name.clone());
        self.findings.push(finding);
    }

    /// `AUD008`: every pause of every clock longer than the workflow allows (the core's
    /// `pause_overruns`).
    fn pause_findings(&mut self, rules: &Rules<'_>, as_of: NaiveDate) {
        let workflow = rules.workflow;
        let mut found = Vec::new();
        for (clock, track) in workflow.clocks().iter().zip(self.replay.clocks()) {
            let overruns = match pause_overruns(rules.calendar, clock, track, as_of) {
                Ok(overruns) => overruns,
                Err(error) => {
                    let message = format!("the pauses of clock `{}` cannot be counted: {error}", clock.name);
                    found.push(Finding::new(FindingCode::DateOutsideCalendar, &self.case_id, None, message));
                    continue;
                }
            };
            for overrun in overruns {
                let unit = if overrun.max.unit == PeriodUnit::WorkingDays { "wd" } else { "days" };
                let message = format!(
                    "clock `{}` was paused in `{}` from {} to {}, {} {unit} past its allowed {} (until {})",
                    clock.name,
                    workflow.state(overrun.state).name,
                    overrun.from,
                    overrun.to,
                    overrun.over,
                    overrun.max,
                    overrun.allowed_until
                );
                let mut finding = Finding::new(FindingCode::PauseTooLong, &self.case_id, None, message);
                finding.clock = Some(clock.name.clone());
                found.push(finding);
            }
        }
        self.findings.extend(found);
    }
}

/// Whether `name` = `text` is among the values refused before.
fn is_refused(refused: &[(String, String)], name: &str, text: &str) -> bool {
    refused.iter().any(|(refused_name, refused_text)| refused_name == name && refused_text == text)
}

/// The row's role, as the mapping renames it (or the workflow role whose title it is).
fn mapped_role<'r>(rules: &'r Rules<'_>, event: &LogRow<'r>) -> Option<&'r str> {
    event.role.map(|role| rules.index.role_name(role))
}

/// How far a clock is over `limit` (in its count unit), if it is.
fn over_by(limit: &LimitTiming) -> Option<i64> {
    (limit.level == Level::Red).then(|| -limit.remaining.unwrap_or(0)).filter(|over| *over > 0)
}

/// `AUD006` (or `AUD007` when only this step is over while the whole matter is within its
/// limit) for a clock over its statutory or promised limit.
fn breach_finding(case_id: &str, definition: &Clock, clock: &ClockTiming, step_only: bool) -> Finding {
    let over_statutory = clock.statutory.as_ref().and_then(over_by);
    let over_promised = clock.promised.as_ref().and_then(over_by);
    let code = if step_only { FindingCode::StepOverLimit } else { FindingCode::ClockBreached };
    let unit = unit_name(clock.count_unit);
    // Written into one string: there are tens of thousands of these in a large log.
    let mut message = String::with_capacity(128);
    let _ = write!(message, "clock `{}` ran {} {unit}: ", definition.name, clock.elapsed);
    let mut joiner = "";
    if let (Some(over), Some(statutory)) = (over_statutory, &clock.statutory) {
        let _ = write!(message, "{over} {unit} over its statutory limit of {}", statutory.limit);
        joiner = " and ";
    }
    if let (Some(over), Some(promised)) = (over_promised, &clock.promised) {
        let _ = write!(message, "{joiner}{over} {unit} over its promised limit of {}", promised.limit);
    }
    if step_only {
        message.push_str(", while the whole matter is within its limit (环节超时)");
    }
    let mut finding = Finding::new(code, case_id, None, message);
    finding.clock = Some(definition.name.clone());
    finding.over_statutory = over_statutory;
    finding.over_promised = over_promised;
    finding
}

/// The names of a case's active leaf states.
pub(crate) fn active_names(workflow: &Workflow, leaves: &[StateId]) -> Vec<String> {
    leaves.iter().map(|leaf| workflow.state(*leaf).name.clone()).collect()
}

pub(crate) fn unknown_message(activity: &str) -> String {
    format!("activity `{activity}` is neither in the mapping nor an action or state of the workflow")
}

fn unit_name(unit: PeriodUnit) -> &'static str {
    match unit {
        PeriodUnit::WorkingDays => "wd",
        _ => "days",
    }
}
