//! `Calendars`: the calendars known to a run, built in or loaded from files at run time.

use super::file_error::CalendarFileError;
use super::load::{build_calendar, parse_calendar_file};
use super::reckoner::BeyondData;
use super::working_calendar::WorkingCalendar;

/// The data files compiled into the binary: (name shown in diagnostics, contents).
pub const BUILTIN_CALENDAR_FILES: &[(&str, &str)] =
    &[("calendars/cn-mainland.yaml", include_str!("../../../calendars/cn-mainland.yaml"))];

/// The id of the default calendar.
pub const DEFAULT_CALENDAR_ID: &str = "cn-mainland";

/// A set of calendars by id, each under one policy for the years after its data.
#[derive(Clone, Debug, Default)]
pub struct Calendars {
    calendars: Vec<WorkingCalendar>,
    beyond_data: BeyondData,
}

/// A calendar id that no loaded calendar has.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown calendar `{id}`{}; known calendars: {}", suggestion.as_ref().map(|name| format!("; did you mean `{name}`?")).unwrap_or_default(), known.join(", "))]
pub struct UnknownCalendarError {
    pub id: String,
    pub suggestion: Option<String>,
    pub known: Vec<String>,
}

impl Calendars {
    /// The built-in calendars (`cn-mainland`).
    ///
    /// # Panics
    /// Never for a released build: a test loads every built-in file.
    pub fn builtin() -> Calendars {
        let mut calendars = Calendars::default();
        for (file, text) in BUILTIN_CALENDAR_FILES {
            if let Err(error) = calendars.load(file, text) {
                panic!("internal: built-in calendar data is invalid: {error}");
            }
        }
        calendars
    }

    /// The same calendars, each under `policy` ([`WorkingCalendar::under`]): the strict queries
    /// of every calendar then answer on the years the policy projects, and files loaded later are
    /// projected too. This is how the engine, the auditor and the simulator count under a policy.
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::core::calendar::{BeyondData, Calendars};
    /// let calendars = Calendars::builtin().under(BeyondData::Statutory);
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let new_year = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    /// assert!(!calendar.is_working_day(new_year).unwrap() && calendar.is_provisional(new_year));
    /// ```
    #[must_use]
    pub fn under(&self, policy: BeyondData) -> Calendars {
        let calendars = self.calendars.iter().map(|calendar| calendar.under(policy).clone()).collect();
        Calendars { calendars, beyond_data: policy }
    }

    /// The policy the calendars count the years after their data by.
    pub fn beyond_data(&self) -> BeyondData {
        self.beyond_data
    }

    /// The calendar with this id, if loaded.
    pub fn get(&self, id: &str) -> Option<&WorkingCalendar> {
        self.calendars.iter().find(|calendar| calendar.id() == id)
    }

    /// The calendar with this id.
    ///
    /// # Errors
    /// [`UnknownCalendarError`], with the nearest known id when one is close.
    pub fn require(&self, id: &str) -> Result<&WorkingCalendar, UnknownCalendarError> {
        self.get(id).ok_or_else(|| {
            let known: Vec<String> = self.ids().map(str::to_owned).collect();
            let suggestion = crate::core::suggest::nearest(id, known.iter().map(String::as_str)).map(str::to_owned);
            UnknownCalendarError { id: id.to_owned(), suggestion, known }
        })
    }

    /// Ids of the loaded calendars.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.calendars.iter().map(WorkingCalendar::id)
    }

    /// Loads a calendar file: a new calendar, or an extension (more years, adjustments) of the
    /// calendar it names. Nothing changes when the file is refused.
    ///
    /// # Errors
    /// [`CalendarFileError`] with every problem found, each with line and column.
    ///
    /// # Example
    /// ```
    /// use renewflow::core::calendar::Calendars;
    /// let mut calendars = Calendars::builtin();
    /// let file = "calendar: cn-mainland\nadjustments:\n  - {date: 2026-09-24, kind: rest, reason: 台风停工}\n";
    /// let calendar = calendars.load("typhoon.yaml", file).unwrap();
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 24).unwrap();
    /// assert!(!calendar.is_working_day(day).unwrap());
    /// ```
    pub fn load(&mut self, file: &str, text: &str) -> Result<&WorkingCalendar, CalendarFileError> {
        let raw = parse_calendar_file(file, text)?;
        let position = self.calendars.iter().position(|calendar| calendar.id() == raw.calendar.value);
        let base = position.map(|index| self.calendars[index].parts());
        let parts = build_calendar(base, &raw, file, text)?;
        let calendar = WorkingCalendar::from_parts(parts).under(self.beyond_data).clone();
        tracing::debug!(
            calendar = calendar.id(),
            file,
            first_year = calendar.first_year(),
            last_year = calendar.last_year(),
            "calendar loaded"
        );
        let index = match position {
            Some(index) => {
                self.calendars[index] = calendar;
                index
            }
            None => {
                self.calendars.push(calendar);
                self.calendars.len() - 1
            }
        };
        Ok(&self.calendars[index])
    }
}
