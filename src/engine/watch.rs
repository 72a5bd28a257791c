//! The watch list: every open clock that is yellow or red as of a date, most urgent first. It is
//! a range query over the derived `open_clocks` rows (the dates each clock turns yellow and red),
//! so it does not fold every history; only cases whose last event is after the date, and paused
//! clocks whose remaining time the row does not hold, are folded.

use chrono::NaiveDate;
use serde::Serialize;

use super::engine::Engine;
use super::engine_error::EngineError;
use crate::core::case::{Due, Level};
use crate::store::{CaseRow, Store};

/// One clock on the watch list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WatchRow {
    pub case_id: String,
    pub number: String,
    pub workflow: String,
    pub clock: String,
    /// `yellow` or `red`.
    pub level: &'static str,
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
            let Some(due) = clock.due_date.as_deref().and_then(crate::core::calendar::parse_iso_date) else {
                // paused, or due beyond the data: fold the case for exact figures
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
            let red = clock.red_on.as_deref().is_some_and(|red_on| red_on <= day.as_str());
            let (provisional, basis) = calendar.provisional_basis(Some(due.max(as_of)), None);
            rows.push(WatchRow {
                case_id: case.id,
                number: case.number,
                workflow: case.workflow,
                clock: clock.clock,
                level: if red { "red" } else { "yellow" },
                phase: clock.phase,
                due_date: Some(due),
                due_beyond_data: None,
                remaining_working_days: Some(remaining),
                provisional,
                basis,
            });
        }
        folded.sort();
        folded.dedup();
        for case_id in folded {
            rows.extend(self.watch_folded(&case_id, as_of)?);
        }
        rows.sort_by(|left, right| {
            (left.level != "red", left.due_date.is_none(), left.due_date, &left.number, &left.clock).cmp(&(
                right.level != "red",
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
            let open = matches!(
                clock.status,
                crate::core::case::ClockStatus::Running
                    | crate::core::case::ClockStatus::Paused
                    | crate::core::case::ClockStatus::Breached
            ) && clock.stopped_on.is_none()
                && clock.started_on.is_some();
            if !open || level == Level::Ok {
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
                level: level.name(),
                phase: if clock.status == crate::core::case::ClockStatus::Paused { "paused" } else { "running" }
                    .to_owned(),
                due_date,
                due_beyond_data,
                remaining_working_days: remaining,
                provisional,
                basis,
            });
        }
        Ok(rows)
    }
}
