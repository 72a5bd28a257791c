//! Queries under an explicit policy for dates beyond the calendar's data.
//!
//! By default a date outside the data is an error. A caller may opt in to
//! [`BeyondData::WeekendsOnly`] (after the data, Monday to Friday are working days) or to
//! [`BeyondData::Statutory`] (after the data, weekends and the statutory holidays the law in force
//! fixes are rest days); every answer that touched such a day is marked provisional. A date before
//! the data is refused under every policy.

use chrono::{Days, Months, NaiveDate};

use super::day::{DayInfo, DayReason};
use super::error::CalendarError;
use super::period::{Period, PeriodUnit};
use super::working_calendar::{WorkingCalendar, date_of_day, day_number};

/// What to do with a date beyond the calendar's data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BeyondData {
    /// Refuse with an error naming the year to add (the default).
    #[default]
    Refuse,
    /// Count weekends as the only rest days, and mark the answer provisional.
    WeekendsOnly,
    /// Count weekends and the statutory holidays (with their 补假) of 《全国年节及纪念日放假办法》 as
    /// rest days, and mark the answer provisional (see `statutory.rs`).
    Statutory,
}

impl BeyondData {
    /// Its name on the command line and in a store: `refuse`, `weekends-only`, `statutory`.
    pub fn name(self) -> &'static str {
        match self {
            BeyondData::Refuse => "refuse",
            BeyondData::WeekendsOnly => "weekends-only",
            BeyondData::Statutory => "statutory",
        }
    }

    /// The policy a name gives, or `None`.
    pub fn from_name(name: &str) -> Option<BeyondData> {
        [BeyondData::Refuse, BeyondData::WeekendsOnly, BeyondData::Statutory]
            .into_iter()
            .find(|policy| policy.name() == name)
    }
}

impl std::fmt::Display for BeyondData {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An answer, and whether it rests on days beyond the data (counted by the policy's projection).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reckoned<T> {
    pub value: T,
    pub provisional: bool,
}

/// The end of a period: the nominal last day, and the day it actually ends after rolling off
/// rest days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodEnd {
    /// The day the period ends on.
    pub end: NaiveDate,
    /// The last day before rolling forward off rest days (equal to `end` when it is a working
    /// day, and always for working-day periods).
    pub nominal_end: NaiveDate,
}

impl PeriodEnd {
    /// Whether the nominal last day was a rest day and the end moved to the next working day.
    pub fn rolled_forward(&self) -> bool {
        self.end != self.nominal_end
    }
}

/// A calendar with a policy for dates beyond its data. See [`WorkingCalendar::reckon`]. The
/// calendar is the view under that policy ([`WorkingCalendar::under`]).
#[derive(Clone, Copy, Debug)]
pub struct Reckoner<'a> {
    calendar: &'a WorkingCalendar,
    beyond_data: BeyondData,
}

impl<'a> Reckoner<'a> {
    pub(crate) fn new(calendar: &'a WorkingCalendar, beyond_data: BeyondData) -> Reckoner<'a> {
        Reckoner { calendar, beyond_data }
    }

    pub fn calendar(&self) -> &'a WorkingCalendar {
        self.calendar
    }

    pub fn beyond_data(&self) -> BeyondData {
        self.beyond_data
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] beyond the data under [`BeyondData::Refuse`].
    pub fn is_working_day(&self, date: NaiveDate) -> Result<Reckoned<bool>, CalendarError> {
        let day = day_number(date);
        let provisional = self.admit_date(date)?;
        Ok(Reckoned { value: self.calendar.is_working_day_number(day), provisional })
    }

    /// The date, whether it is a working day, and why.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] beyond the data under [`BeyondData::Refuse`].
    pub fn day_info(&self, date: NaiveDate) -> Result<Reckoned<DayInfo<'a>>, CalendarError> {
        let provisional = self.admit_date(date)?;
        if let Some(index) = self.calendar.index_of(date) {
            return Ok(Reckoned { value: self.calendar.day_info_at(date, index), provisional });
        }
        let working = self.calendar.is_working_day_number(day_number(date));
        let info = DayInfo { date, weekday: chrono::Datelike::weekday(&date), working, reason: DayReason::Provisional };
        Ok(Reckoned { value: info, provisional: true })
    }

    /// See [`WorkingCalendar::working_days_between`].
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] beyond the data under [`BeyondData::Refuse`].
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Reckoned<i64>, CalendarError> {
        let provisional = self.admit_date(from)? | self.admit_date(to)?;
        let value = self.calendar.count_through(day_number(to)) - self.calendar.count_through(day_number(from));
        Ok(Reckoned { value, provisional })
    }

    /// See [`WorkingCalendar::add_working_days`].
    ///
    /// # Errors
    /// As [`WorkingCalendar::add_working_days`]; beyond the data only under
    /// [`BeyondData::Refuse`].
    pub fn add_working_days(&self, start: NaiveDate, amount: i64) -> Result<Reckoned<NaiveDate>, CalendarError> {
        expect_amount_within_limit(amount, PeriodUnit::WorkingDays)?;
        let start_provisional = self.admit_date(start)?;
        if amount == 0 {
            return Ok(Reckoned { value: start, provisional: start_provisional });
        }
        let start_day = day_number(start);
        let end_day = self.calendar.day_with_count(self.calendar.count_through(start_day) + amount);
        let end_provisional = self.admit_result(start, amount, PeriodUnit::WorkingDays, end_day)?;
        Ok(Reckoned { value: date_of_day(end_day), provisional: start_provisional | end_provisional })
    }

    /// See [`WorkingCalendar::period_end`].
    ///
    /// # Errors
    /// As [`WorkingCalendar::period_end`]; beyond the data only under [`BeyondData::Refuse`].
    pub fn period_end(&self, start: NaiveDate, period: Period) -> Result<Reckoned<PeriodEnd>, CalendarError> {
        let Period { amount, unit } = period;
        expect_amount_within_limit(amount, unit)?;
        if unit == PeriodUnit::WorkingDays {
            let end = self.add_working_days(start, amount)?;
            let value = PeriodEnd { end: end.value, nominal_end: end.value };
            return Ok(Reckoned { value, provisional: end.provisional });
        }
        if amount < 0 {
            return Err(CalendarError::NegativePeriod { amount, unit });
        }
        let start_provisional = self.admit_date(start)?;
        let nominal_end = nominal_end(start, period);
        let nominal_day = day_number(nominal_end);
        // The next working day on or after the nominal end: the first day whose running count
        // exceeds the count of the day before.
        let end_day = self.calendar.day_with_count(self.calendar.count_through(nominal_day - 1) + 1);
        let end_provisional =
            self.admit_result(start, amount, unit, nominal_day)? | self.admit_result(start, amount, unit, end_day)?;
        let value = PeriodEnd { end: date_of_day(end_day), nominal_end };
        Ok(Reckoned { value, provisional: start_provisional | end_provisional })
    }

    /// `Ok(false)` inside the data, `Ok(true)` (provisional) after it when the policy allows;
    /// a date before the data is refused under every policy.
    fn admit_date(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let day = day_number(date);
        if self.calendar.in_data_day(day) {
            return Ok(false);
        }
        self.admit_beyond(day).ok_or_else(|| self.calendar.date_outside_error(date))
    }

    fn admit_result(&self, start: NaiveDate, amount: i64, unit: PeriodUnit, day: i64) -> Result<bool, CalendarError> {
        if self.calendar.in_data_day(day) {
            return Ok(false);
        }
        self.admit_beyond(day).ok_or_else(|| self.calendar.result_outside_error(start, amount, unit, day))
    }

    /// `Some(true)` for a day outside the data that the policy counts, `None` when it refuses it.
    fn admit_beyond(&self, day: i64) -> Option<bool> {
        if self.calendar.before_data_day(day) {
            return None;
        }
        match self.beyond_data {
            BeyondData::Refuse => None,
            // Past its table, weekends only is still closed-form weekday arithmetic.
            BeyondData::WeekendsOnly => Some(true),
            BeyondData::Statutory => self.calendar.covers_day(day).then_some(true),
        }
    }
}

fn expect_amount_within_limit(amount: i64, unit: PeriodUnit) -> Result<(), CalendarError> {
    let max = unit.amount_max();
    if amount.unsigned_abs() > max.unsigned_abs() {
        return Err(CalendarError::AmountTooLarge { amount, unit, max });
    }
    Ok(())
}

/// The last day of a calendar-day, month or year period before rolling off rest days.
/// Amounts are non-negative and capped, so the arithmetic stays inside chrono's range.
fn nominal_end(start: NaiveDate, period: Period) -> NaiveDate {
    let amount = period.amount.unsigned_abs();
    let end = match period.unit {
        PeriodUnit::CalendarDays => start.checked_add_days(Days::new(amount)),
        // chrono clamps to the month's last day when the corresponding day does not exist,
        // which is the rule of 民法典 第202条.
        PeriodUnit::Months => {
            u32::try_from(amount).ok().and_then(|months| start.checked_add_months(Months::new(months)))
        }
        PeriodUnit::Years => {
            u32::try_from(amount * 12).ok().and_then(|months| start.checked_add_months(Months::new(months)))
        }
        PeriodUnit::WorkingDays => Some(start),
    };
    end.expect("internal: capped period amounts stay within chrono's range")
}
