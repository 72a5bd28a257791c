//! `WorkingCalendar`: which dates are working days, answered in constant time from prefix sums.
//!
//! The data covers whole years `first_year..=last_year`. Three tables are built once:
//! `working_through[i]` (working days among the first `i + 1` days), `working_day_index[k]`
//! (the index of the `k + 1`-th working day) and `year_start_index` (the index of each 1 January).
//! Every query is a few lookups; nothing loops over days.

use chrono::{Datelike, FixedOffset, NaiveDate};

use super::civil::is_weekday;
use super::day::{DayEntry, DayInfo, DayKind, DayReason};
use super::error::CalendarError;
use super::notice::{Adjustment, Festival, Notice};
use super::period::{Period, PeriodUnit};
use super::reckoner::{BeyondData, PeriodEnd, Reckoner};

/// Every year from `since` on must name each of `names` in its festivals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FestivalRule {
    pub since: i32,
    pub names: Vec<String>,
}

/// Everything a calendar is made of, before its lookup tables are built.
#[derive(Clone, Debug)]
pub(crate) struct CalendarParts {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) zone: FixedOffset,
    pub(crate) first_year: i32,
    pub(crate) last_year: i32,
    /// One entry per day from `first_year`-01-01 to `last_year`-12-31.
    pub(crate) days: Vec<DayEntry>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) festivals: Vec<Festival>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) festival_rule: Option<FestivalRule>,
}

/// A working-day calendar over whole years of data, such as the built-in `cn-mainland`.
///
/// Build one with [`Calendars`](super::Calendars). Queries on dates outside the data are errors;
/// [`WorkingCalendar::reckon`] with [`BeyondData::WeekendsOnly`] opts in to provisional answers.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    parts: CalendarParts,
    /// Day number (days from the common era) of `first_year`-01-01.
    first_day: i64,
    /// Day number of `last_year`-12-31.
    last_day: i64,
    year_start_index: Vec<u32>,
    working_through: Vec<u32>,
    working_day_index: Vec<u32>,
}

impl WorkingCalendar {
    pub(crate) fn from_parts(parts: CalendarParts) -> WorkingCalendar {
        let first_day = day_number(year_start(parts.first_year));
        let last_day = day_number(year_end(parts.last_year));
        debug_assert_eq!(parts.days.len() as i64, last_day - first_day + 1);
        let year_start_index = (parts.first_year..=parts.last_year)
            .map(|year| index_u32(day_number(year_start(year)) - first_day))
            .collect();
        let mut working_through = Vec::with_capacity(parts.days.len());
        let mut working_day_index = Vec::with_capacity(parts.days.len());
        let mut count = 0_u32;
        for (index, entry) in parts.days.iter().enumerate() {
            if entry.kind.is_working() {
                count += 1;
                working_day_index.push(index_u32(index as i64));
            }
            working_through.push(count);
        }
        WorkingCalendar { parts, first_day, last_day, year_start_index, working_through, working_day_index }
    }

    /// A copy with `years` more years after the data, each Monday to Friday a working day and
    /// no notice: for a caller that opted in to provisional answers beyond the data (the
    /// simulator's `beyond_data: weekends_only`) and says so wherever it uses those years. The
    /// copy's `last_year` is the last added year; a date in it is no longer an error.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let calendars = renewflow::core::calendar::Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let next_new_year = NaiveDate::from_ymd_opt(calendar.last_year() + 1, 1, 1).unwrap();
    /// assert!(calendar.is_working_day(next_new_year).is_err());
    /// let extended = calendar.with_weekends_only_years(2);
    /// // Beyond the data no festival is known: a Friday 1 January is a working day.
    /// assert_eq!(extended.last_year(), calendar.last_year() + 2);
    /// assert!(extended.is_working_day(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).unwrap());
    /// ```
    #[must_use]
    pub fn with_weekends_only_years(&self, years: u16) -> WorkingCalendar {
        let mut parts = self.parts.clone();
        let last = parts.last_year + i32::from(years);
        for date in year_start(parts.last_year + 1).iter_days().take_while(|date| date.year() <= last) {
            parts.days.push(DayEntry::plain(is_weekday(day_number(date))));
        }
        parts.last_year = last;
        WorkingCalendar::from_parts(parts)
    }

    pub(crate) fn parts(&self) -> &CalendarParts {
        &self.parts
    }

    /// The calendar's id, such as `cn-mainland`.
    pub fn id(&self) -> &str {
        &self.parts.id
    }

    pub fn title(&self) -> &str {
        &self.parts.title
    }

    /// The civil time zone whose dates the calendar counts (+08:00 for `cn-mainland`).
    pub fn zone(&self) -> FixedOffset {
        self.parts.zone
    }

    pub fn first_year(&self) -> i32 {
        self.parts.first_year
    }

    pub fn last_year(&self) -> i32 {
        self.parts.last_year
    }

    /// The first date with data.
    pub fn first_date(&self) -> NaiveDate {
        year_start(self.parts.first_year)
    }

    /// The last date with data.
    pub fn last_date(&self) -> NaiveDate {
        year_end(self.parts.last_year)
    }

    pub fn notices(&self) -> &[Notice] {
        &self.parts.notices
    }

    pub fn festivals(&self) -> &[Festival] {
        &self.parts.festivals
    }

    pub fn adjustments(&self) -> &[Adjustment] {
        &self.parts.adjustments
    }

    pub fn festival_rule(&self) -> Option<&FestivalRule> {
        self.parts.festival_rule.as_ref()
    }

    /// Queries under an explicit policy for dates beyond the data.
    pub fn reckon(&self, beyond_data: BeyondData) -> Reckoner<'_> {
        Reckoner::new(self, beyond_data)
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] when the calendar has no data for `date`.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// let calendars = renewflow::core::calendar::Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let makeup_saturday = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    /// assert!(calendar.is_working_day(makeup_saturday).unwrap());
    /// ```
    #[inline]
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        match self.index_of(date) {
            Some(index) => Ok(self.parts.days[index].kind.is_working()),
            None => Err(self.date_outside_error(date)),
        }
    }

    /// Working days `d` with `from < d <= to`; when `to < from`, minus the count over
    /// `(to, from]`. The start day is not counted (期间开始的当日不计入).
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] when either date is outside the data.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// let calendars = renewflow::core::calendar::Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// // 国庆节 2026: Oct 1–7 off, Oct 10 (Saturday) worked.
    /// assert_eq!(calendar.working_days_between(date(9, 30), date(10, 10)).unwrap(), 3);
    /// assert_eq!(calendar.working_days_between(date(10, 10), date(9, 30)).unwrap(), -3);
    /// ```
    #[inline]
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        match (self.index_of(from), self.index_of(to)) {
            (Some(from_index), Some(to_index)) => {
                Ok(i64::from(self.working_through[to_index]) - i64::from(self.working_through[from_index]))
            }
            (None, _) => Err(self.date_outside_error(from)),
            (_, None) => Err(self.date_outside_error(to)),
        }
    }

    /// The due date of `amount` working days from `start`: the earliest `d >= start` with
    /// `working_days_between(start, d) == amount` (so `0` gives `start`). A negative amount
    /// counts backwards: the earliest `d` with `working_days_between(start, d) == amount`.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`], [`CalendarError::ResultOutsideData`], or
    /// [`CalendarError::AmountTooLarge`] beyond [`PeriodUnit::amount_max`].
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// let calendars = renewflow::core::calendar::Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let accepted = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    /// let due = calendar.add_working_days(accepted, 1).unwrap();
    /// assert_eq!(due, NaiveDate::from_ymd_opt(2026, 10, 8).unwrap());
    /// ```
    pub fn add_working_days(&self, start: NaiveDate, amount: i64) -> Result<NaiveDate, CalendarError> {
        self.reckon(BeyondData::Refuse).add_working_days(start, amount).map(|reckoned| reckoned.value)
    }

    /// The end of a period from `start` by the civil-code rules (民法典 第201–203条): the start day
    /// is not counted; a month or year period ends on the corresponding day, or the month's last
    /// day when there is none; a period whose last day is a rest day ends on the next working day.
    /// Working-day periods end as [`WorkingCalendar::add_working_days`] says.
    ///
    /// # Errors
    /// As [`WorkingCalendar::add_working_days`], and [`CalendarError::NegativePeriod`] for a
    /// negative calendar-day, month or year period.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use renewflow::core::calendar::{Calendars, Period, PeriodUnit};
    /// let calendars = Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap();
    /// let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    /// let end = calendar.period_end(start, Period::new(1, PeriodUnit::Months)).unwrap();
    /// // No 31 February: the month's last day, 2026-02-28, is a makeup working day.
    /// assert_eq!(end.end, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    /// ```
    pub fn period_end(&self, start: NaiveDate, period: Period) -> Result<PeriodEnd, CalendarError> {
        self.reckon(BeyondData::Refuse).period_end(start, period).map(|reckoned| reckoned.value)
    }

    /// The date, whether it is a working day, and why.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] when the calendar has no data for `date`.
    pub fn day_info(&self, date: NaiveDate) -> Result<DayInfo<'_>, CalendarError> {
        let index = self.index_of(date).ok_or_else(|| self.date_outside_error(date))?;
        Ok(self.day_info_at(date, index))
    }

    pub(crate) fn day_info_at(&self, date: NaiveDate, index: usize) -> DayInfo<'_> {
        let entry = self.parts.days[index];
        let source = entry.source as usize;
        let reason = match entry.kind {
            DayKind::Weekday => DayReason::Weekday,
            DayKind::Weekend => DayReason::Weekend,
            DayKind::Holiday => DayReason::Holiday(&self.parts.festivals[source]),
            DayKind::Makeup => DayReason::Makeup(&self.parts.festivals[source]),
            DayKind::AdjustedRest | DayKind::AdjustedWork => DayReason::Adjusted(&self.parts.adjustments[source]),
        };
        DayInfo { date, weekday: date.weekday(), working: entry.kind.is_working(), reason }
    }

    /// [`WorkingCalendar::working_days_between`] for dates given as `(year, month, day)`, for
    /// callers that parse dates themselves and answer millions of them (the bulk command line).
    /// `None` when either triple is not a date inside the data; the caller then takes the
    /// general path, which reports why.
    #[inline]
    pub fn working_days_between_ymd(&self, from: (i32, u32, u32), to: (i32, u32, u32)) -> Option<i64> {
        let from_index = self.index_of_ymd(from)?;
        let to_index = self.index_of_ymd(to)?;
        Some(i64::from(self.working_through[to_index]) - i64::from(self.working_through[from_index]))
    }

    #[inline]
    fn index_of_ymd(&self, (year, month, day): (i32, u32, u32)) -> Option<usize> {
        const DAYS_BEFORE_MONTH: [u32; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        const MONTH_DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let year_offset = year.wrapping_sub(self.parts.first_year) as u32 as usize;
        let year_start = *self.year_start_index.get(year_offset)?;
        let month_index = month as usize;
        if !(1..=12).contains(&month_index) || day == 0 {
            return None;
        }
        let leap = u32::from((year % 4 == 0 && year % 100 != 0) || year % 400 == 0);
        let february_extra = u32::from(month_index == 2) * leap;
        if day > MONTH_DAYS[month_index] + february_extra {
            return None;
        }
        let after_february_extra = u32::from(month_index > 2) * leap;
        Some(year_start as usize + (DAYS_BEFORE_MONTH[month_index] + after_february_extra + day - 1) as usize)
    }

    /// Index of `date` in the day table, or `None` outside the data.
    #[inline]
    pub(crate) fn index_of(&self, date: NaiveDate) -> Option<usize> {
        // A year before `first_year` wraps to a huge offset and misses the table.
        let year_offset = date.year().wrapping_sub(self.parts.first_year) as u32 as usize;
        let year_start = *self.year_start_index.get(year_offset)?;
        Some(year_start as usize + date.ordinal0() as usize)
    }

    /// Whether the day number is inside the data.
    pub(crate) fn covers_day(&self, day: i64) -> bool {
        (self.first_day..=self.last_day).contains(&day)
    }

    /// Working days in `[first day of data, day]`, extended beyond the data by counting weekdays
    /// only, so that `count_through(b) - count_through(a)` counts `(a, b]` for any days.
    pub(crate) fn count_through(&self, day: i64) -> i64 {
        use super::civil::weekdays_through;
        if day < self.first_day {
            weekdays_through(day) - weekdays_through(self.first_day - 1)
        } else if day > self.last_day {
            self.working_total() + weekdays_through(day) - weekdays_through(self.last_day)
        } else {
            i64::from(self.working_through[(day - self.first_day) as usize])
        }
    }

    /// The earliest day `d` with `count_through(d) == target`; always a working day (or a
    /// weekday beyond the data).
    pub(crate) fn day_with_count(&self, target: i64) -> i64 {
        use super::civil::{weekday_with_count, weekdays_through};
        let total = self.working_total();
        if target < 1 {
            weekday_with_count(weekdays_through(self.first_day - 1) + target)
        } else if target > total {
            weekday_with_count(weekdays_through(self.last_day) + target - total)
        } else {
            self.first_day + i64::from(self.working_day_index[(target - 1) as usize])
        }
    }

    /// Whether a day number is a working day, counting weekdays only beyond the data.
    pub(crate) fn is_working_day_number(&self, day: i64) -> bool {
        if self.covers_day(day) {
            self.parts.days[(day - self.first_day) as usize].kind.is_working()
        } else {
            is_weekday(day)
        }
    }

    fn working_total(&self) -> i64 {
        self.working_day_index.len() as i64
    }

    pub(crate) fn date_outside_error(&self, date: NaiveDate) -> CalendarError {
        CalendarError::DateOutsideData {
            calendar: self.parts.id.clone(),
            date,
            year: date.year(),
            first: self.first_date(),
            last: self.last_date(),
        }
    }

    pub(crate) fn result_outside_error(
        &self,
        start: NaiveDate,
        amount: i64,
        unit: PeriodUnit,
        result_day: i64,
    ) -> CalendarError {
        CalendarError::ResultOutsideData {
            calendar: self.parts.id.clone(),
            start,
            amount,
            unit,
            year: date_of_day(result_day).year(),
            first: self.first_date(),
            last: self.last_date(),
        }
    }

    /// Working days and rest days of one year of data.
    ///
    /// # Errors
    /// [`CalendarError::YearOutsideData`] when the year is not in the data.
    pub fn year_counts(&self, year: i32) -> Result<(u32, u32), CalendarError> {
        if !(self.parts.first_year..=self.parts.last_year).contains(&year) {
            return Err(CalendarError::YearOutsideData {
                calendar: self.parts.id.clone(),
                year,
                first_year: self.parts.first_year,
                last_year: self.parts.last_year,
            });
        }
        let first = self.index_of(year_start(year)).unwrap_or_default();
        let last = self.index_of(year_end(year)).unwrap_or_default();
        let before = if first == 0 { 0 } else { self.working_through[first - 1] };
        let working = self.working_through[last] - before;
        let days = index_u32((last - first + 1) as i64);
        Ok((working, days - working))
    }
}

/// Day number (days from the common era, 0001-01-01 = 1) of a date.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a day number. Day numbers come from dates plus amounts capped by
/// [`PeriodUnit::amount_max`], so they stay far inside chrono's range.
pub(crate) fn date_of_day(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .expect("internal: day numbers stay within chrono's range because amounts are capped")
}

pub(crate) fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_yo_opt(year, 1).expect("internal: calendar years are validated to 1900..=2200")
}

pub(crate) fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("internal: calendar years are validated to 1900..=2200")
}

fn index_u32(index: i64) -> u32 {
    u32::try_from(index).expect("internal: a calendar spans at most a few hundred years of days")
}
