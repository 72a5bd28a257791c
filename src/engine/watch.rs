//! The watch list: every open clock that is yellow or red as of a date, or paused past the `max`
//! its pause allows, most urgent first, with both its limits and the one that set its level. It
//! is a range query over the derived `open_clocks` rows (the dates each clock turns yellow and
//! red, by both limits and by the statutory one alone, and the date a pause runs over), so it
//! does not fold every history; only cases whose last event is after the date, and paused clocks
//! whose remaining time the row does not hold, are folded.

use chrono::NaiveDate;
use serde::Serialize;

use super::engine::Engine;
use super::engine_error::EngineError;
use crate::core::case::{ClockStatus, Due, LedgerKind, Level, LimitKind, waiting_on};
use crate::core::workflow::{StateId, Workflow};
use crate::store::{CaseRow, Store};

/// One clock on the watch list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WatchRow {
    pub case_id: String,
    pub number: String,
    pub workflow: String,
    pub clock: String,
    /// The clock's title in the workflow (`计划审批合计时限`), when it has one.
    pub clock_title: Option<String>,
    /// `red`, `yellow`, or `ok` for a clock listed only because its pause ran over.
    pub level: &'static str,
    /// Which limit set the level: `statutory` (also when both do) or `promised`; `None` at `ok`.
    pub level_set_by: Option<&'static str>,
    /// The statutory limit after cuts and extensions (`20 wd`).
    pub statutory_limit: Option<String>,
    /// The promised limit (承诺时限), if the clock has one.
    pub promised_limit: Option<String>,
    /// `running` or `paused`.
    pub phase: String,
    /// `None` when the due date lies beyond the calendar's data.
    pub due_date: Option<NaiveDate>,
    /// The first year missing when the due date lies beyond the data.
    pub due_beyond_data: Option<i32>,
    /// Working days from the date to the due date; negative once past it.
    pub remaining_working_days: Option<i64>,
    /// Whether the due date (or the as-of date) rests on a projected year, not a notice.
    pub provisional: bool,
    /// Why a provisional or unknown due date is what it is.
    pub basis: Option<String>,
    /// The pause the clock is in, when it has run past the `max` its clock allows.
    pub pause_over_max: Option<PauseOverMax>,
    /// The roles the case waits on ([`crate::core::case::waiting_on`]), by name.
    pub waiting_on: Vec<String>,
}

/// A pause still open past the `max` its clock allows (the audit's `AUD008`, live).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PauseOverMax {
    /// The pause state.
    pub state: String,
    pub since: NaiveDate,
    pub max: String,
    /// The last day the pause could last.
    pub allowed_until: NaiveDate,
    /// Past `allowed_until`, in `over_unit`.
    pub over: i64,
    /// `wd` for a maximum in working days, `days` (calendar days) otherwise.
    pub over_unit: &'static str,
}

impl PauseOverMax {
    /// The overrun of a pause in `workflow`.
    pub fn of(workflow: &crate::core::workflow::Workflow, overrun: &crate::core::case::PauseOverrun) -> PauseOverMax {
        PauseOverMax {
            state: workflow.state(overrun.state).name.clone(),
            since: overrun.from,
            max: overrun.max.to_string(),
            allowed_until: overrun.allowed_until,
            over: overrun.over,
            over_unit: if overrun.max.unit == crate::core::calendar::PeriodUnit::WorkingDays { "wd" } else { "days" },
        }
    }
}

impl<S: Store> Engine<S> {
    /// The yellow and red clocks as of `as_of`: red first, then by due date, then by case number.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when the store cannot be read or `as_of` is outside the calendar's data.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// // Accepted 09-22 with 20 working days to decide, so due 10-27: red once past it.
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 30).ok_or("date")?;
    /// let rows = engine.watch(as_of)?;
    /// assert_eq!(rows.len(), 1);
    /// assert_eq!((rows[0].clock.as_str(), rows[0].level), ("decision", "red"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&mut self, as_of: NaiveDate) -> Result<Vec<WatchRow>, EngineError> {
        let day = as_of.to_string();
        let changed: Vec<CaseRow> = self.store().cases_changed_after(&day)?;
        let mut rows = Vec::new();
        let mut folded: Vec<String> = changed.iter().map(|case| case.id.clone()).collect();
        for (case, clock) in self.store().open_clocks_warned(&day)? {
            if folded.contains(&case.id) {
                continue;
            }
            let due = clock.due_date.as_deref().and_then(crate::core::calendar::parse_iso_date);
            // Paused, due beyond the data, or a row from before the store kept both limits:
            // fold the case for exact figures.
            let Some(due) = due.filter(|_| clock.statutory_limit.is_some()) else {
                folded.push(case.id.clone());
                continue;
            };
            let workflow = self.workflow(case.deployment)?;
            let calendar = self
                .calendars()
                .require(workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let remaining = if due >= as_of {
                calendar.working_days_between(as_of, due)?
            } else {
                -calendar.working_days_between(due, as_of)?
            };
            let reached = |date: &Option<String>| date.as_deref().is_some_and(|date| date <= day.as_str());
            let red = reached(&clock.red_on);
            let by_statutory = if red { reached(&clock.statutory_red_on) } else { reached(&clock.statutory_yellow_on) };
            let (provisional, basis) = calendar.provisional_basis(Some(due.max(as_of)), None);
            let clock_title = workflow.clock_named(&clock.clock).and_then(|id| workflow.clock(id).title.clone());
            rows.push(WatchRow {
                case_id: case.id,
                number: case.number,
                workflow: case.workflow,
                clock: clock.clock,
                clock_title,
                level: if red { "red" } else { "yellow" },
                level_set_by: Some(if by_statutory { "statutory" } else { "promised" }),
                statutory_limit: clock.statutory_limit,
                promised_limit: clock.promised_limit,
                phase: clock.phase,
                due_date: Some(due),
                due_beyond_data: None,
                remaining_working_days: Some(remaining),
                provisional,
                basis,
                pause_over_max: None,
                waiting_on: waiting_on_now(&workflow, &case.configuration),
            });
        }
        folded.sort();
        folded.dedup();
        for case_id in folded {
            rows.extend(self.watch_folded(&case_id, as_of)?);
        }
        let rank = |row: &WatchRow| match row.level {
            "red" => 0,
            "yellow" => 1,
            _ => 2,
        };
        rows.sort_by(|left, right| {
            (rank(left), left.due_date.is_none(), left.due_date, &left.number, &left.clock).cmp(&(
                rank(right),
                right.due_date.is_none(),
                right.due_date,
                &right.number,
                &right.clock,
            ))
        });
        Ok(rows)
    }

    /// The watch rows of one case, from its folded history.
    pub(crate) fn watch_folded(&mut self, case_id: &str, as_of: NaiveDate) -> Result<Vec<WatchRow>, EngineError> {
        let (view, timing) = self.timing(case_id, as_of)?;
        let mut rows = Vec::new();
        for clock in &timing.clocks {
            let level = clock.level();
            let open = matches!(clock.status, ClockStatus::Running | ClockStatus::Paused | ClockStatus::Breached)
                && clock.stopped_on.is_none()
                && clock.started_on.is_some();
            // The pause the clock is in now, if it ran past its maximum (an open pause is
            // counted to the date).
            let paused = clock
                .ledger
                .iter()
                .rev()
                .find(|entry| !matches!(entry.kind, LedgerKind::Extended { .. }))
                .is_some_and(|entry| matches!(entry.kind, LedgerKind::Paused { .. }));
            let pause_over_max = clock
                .pause_overruns
                .last()
                .filter(|overrun| paused && overrun.to == as_of)
                .map(|overrun| PauseOverMax::of(&view.workflow, overrun));
            if !open || (level == Level::Ok && pause_over_max.is_none()) {
                continue;
            }
            let Some(statutory) = &clock.statutory else { continue };
            let (due_date, due_beyond_data) = match statutory.due {
                Due::On(date) => (Some(date), None),
                Due::BeyondData { year } => (None, Some(year)),
            };
            let remaining = match clock.count_unit {
                crate::core::calendar::PeriodUnit::WorkingDays => statutory.remaining,
                _ => None,
            };
            let calendar = self
                .calendars()
                .require(view.workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let (provisional, basis) =
                calendar.provisional_basis(Some(due_date.map_or(as_of, |due| due.max(as_of))), due_beyond_data);
            rows.push(WatchRow {
                case_id: view.row.id.clone(),
                number: view.row.number.clone(),
                workflow: view.row.workflow.clone(),
                clock: view.workflow.clock(clock.clock).name.clone(),
                clock_title: view.workflow.clock(clock.clock).title.clone(),
                level: level.name(),
                level_set_by: clock.level_set_by().map(LimitKind::name),
                statutory_limit: Some(statutory.limit.to_string()),
                promised_limit: clock.promised.as_ref().map(|promised| promised.limit.to_string()),
                phase: if paused { "paused" } else { "running" }.to_owned(),
                due_date,
                due_beyond_data,
                remaining_working_days: remaining,
                provisional,
                basis,
                pause_over_max,
                waiting_on: waiting_on(&view.workflow, view.replay.configuration().leaves()),
            });
        }
        Ok(rows)
    }
}

/// The roles a case waits on, from the active states its stored configuration names.
fn waiting_on_now(workflow: &Workflow, configuration: &str) -> Vec<String> {
    let configuration: serde_json::Value = serde_json::from_str(configuration).unwrap_or_default();
    let leaves: Vec<StateId> = configuration["active"]
        .as_array()
        .map(|names| {
            names.iter().filter_map(|name| name.as_str().and_then(|name| workflow.state_named(name))).collect()
        })
        .unwrap_or_default();
    waiting_on(workflow, &leaves)
}
