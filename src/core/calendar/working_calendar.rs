//! `WorkingCalendar`: which dates are working days, answered in constant time from prefix sums.
//!
//! The data covers whole years `first_year..=last_year`. Three tables are built once:
//! `working_through[i]` (working days among the first `i + 1` days), `working_day_index[k]`
//! (the index of the `k + 1`-th working day) and `year_start_index` (the index of each 1 January).
//! Every query is a few lookups; nothing loops over days.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::civil::is_weekday;
use super::day::{DayEntry, DayInfo, DayKind, DayReason};
use super::error::{CalendarError, Remedy};
use super::load::YEAR_MAX;
use super::notice::{Adjustment, Festival, Notice};
use super::period::{Period, PeriodUnit};
use super::reckoner::{BeyondData, PeriodEnd, Reckoner};
use super::statutory::{HolidayLaw, ProjectedDay, STATUTORY_LAST_YEAR, statutory_rest_days};
use super::zone::CalendarZone;

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
    pub(crate) zone: CalendarZone,
    pub(crate) first_year: i32,
    pub(crate) last_year: i32,
    /// One entry per day from `first_year`-01-01 to `last_year`-12-31.
    pub(crate) days: Vec<DayEntry>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) festivals: Vec<Festival>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) festival_rule: Option<FestivalRule>,
}

impl CalendarParts {
    /// Whether `--beyond-data statutory` can project this calendar's years: only the mainland's
    /// have a law fixing their holidays (全国年节及纪念日放假办法) that the projection reads.
    pub(crate) fn has_statutory_law(&self) -> bool {
        self.id == super::DEFAULT_CALENDAR_ID
    }

    fn remedy(&self, year: i32) -> Remedy {
        if self.has_statutory_law() { Remedy::NoticeOrProjection(year) } else { Remedy::MoreData(year) }
    }
}

/// A working-day calendar over whole years of data, such as the built-in `cn-mainland`.
///
/// Build one with [`Calendars`](super::Calendars). Queries on dates outside the data are errors,
/// unless the calendar is a view under a [`BeyondData`] policy ([`WorkingCalendar::under`]): then
/// the years after the data are projected (weekends only, or weekends and the statutory holidays
/// the law fixes) up to a last year, and [`WorkingCalendar::basis`] says why such a day is what it
/// is. [`WorkingCalendar::reckon`] answers with a `provisional` mark on every answer that touched
/// a projected day.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    /// The data as files gave it (what a file extending this calendar is checked against).
    parts: CalendarParts,
    /// What lies after the data, under a policy other than `Refuse`.
    projection: Option<Projection>,
    /// One entry per day of the table: the data's days, then the projected years' days.
    days: Vec<DayEntry>,
    /// Day number (days from the common era) of `first_year`-01-01.
    first_day: i64,
    /// Day number of the table's last day: `last_year`-12-31, or the projection's last day.
    last_day: i64,
    /// Day number of `last_year`-12-31, the last day with data.
    data_last_day: i64,
    year_start_index: Vec<u32>,
    working_through: Vec<u32>,
    working_day_index: Vec<u32>,
    /// This calendar under each policy, made on first use (`Refuse`, `WeekendsOnly`, `Statutory`).
    views: [OnceLock<Box<WorkingCalendar>>; 3],
}

/// The years after the data, as a policy projects them.
#[derive(Clone, Debug)]
struct Projection {
    policy: BeyondData,
    last_year: i32,
    /// The projected rest days other than weekends (statutory holidays and 补假), by date.
    days: Vec<ProjectedDay>,
}

/// The last year a weekends-only projection reaches.
const WEEKENDS_ONLY_LAST_YEAR: i32 = YEAR_MAX as i32;

impl WorkingCalendar {
    pub(crate) fn from_parts(parts: CalendarParts) -> WorkingCalendar {
        WorkingCalendar::projected_from(parts, BeyondData::Refuse)
    }

    /// The calendar of `parts`, with the years after the data projected under `policy`.
    fn projected_from(parts: CalendarParts, policy: BeyondData) -> WorkingCalendar {
        let projection = match policy {
            BeyondData::Refuse => None,
            // The law that fixes the statutory holidays is the mainland's: another calendar has
            // nothing to project them from, and guessing them is refused.
            BeyondData::Statutory if !parts.has_statutory_law() => None,
            BeyondData::WeekendsOnly => {
                Some(Projection { policy, last_year: WEEKENDS_ONLY_LAST_YEAR.max(parts.last_year), days: Vec::new() })
            }
            BeyondData::Statutory => {
                let last_year = STATUTORY_LAST_YEAR.max(parts.last_year);
                let days = (parts.last_year + 1..=last_year)
                    .flat_map(|year| statutory_rest_days(year).unwrap_or_default())
                    .collect();
                Some(Projection { policy, last_year, days })
            }
        };
        let first_day = day_number(year_start(parts.first_year));
        let data_last_day = day_number(year_end(parts.last_year));
        let last_year = projection.as_ref().map_or(parts.last_year, |projection| projection.last_year);
        let last_day = day_number(year_end(last_year));
        debug_assert_eq!(parts.days.len() as i64, data_last_day - first_day + 1);
        let year_start_index =
            (parts.first_year..=last_year).map(|year| index_u32(day_number(year_start(year)) - first_day)).collect();
        let mut days = Vec::with_capacity((last_day - first_day + 1) as usize);
        days.extend_from_slice(&parts.days);
        let mut projected = projection.iter().flat_map(|projection| projection.days.iter().enumerate()).peekable();
        for day in data_last_day + 1..=last_day {
            match projected.next_if(|(_, projected)| day_number(projected.date) == day) {
                Some((index, _)) => days.push(DayEntry { kind: DayKind::Projected, source: index_u32(index as i64) }),
                None => days.push(DayEntry::plain(is_weekday(day))),
            }
        }
        let mut working_through = Vec::with_capacity(days.len());
        let mut working_day_index = Vec::with_capacity(days.len());
        let mut count = 0_u32;
        for (index, entry) in days.iter().enumerate() {
            if entry.kind.is_working() {
                count += 1;
                working_day_index.push(index_u32(index as i64));
            }
            working_through.push(count);
        }
        WorkingCalendar {
            parts,
            projection,
            days,
            first_day,
            last_day,
            data_last_day,
            year_start_index,
            working_through,
            working_day_index,
            views: Default::default(),
        }
    }

    /// This calendar under `policy`: for `Refuse` the data alone; otherwise the data and the
    /// years after it projected up to [`WorkingCalendar::projection_last_year`]. Its strict
    /// queries answer on projected days; [`WorkingCalendar::is_provisional`] and
    /// [`WorkingCalendar::basis`] tell which answers rest on them. Made once, then borrowed.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use renewflow::core::calendar::{BeyondData, Calendars};
    /// let calendars = Calendars::builtin();
    /// let calendar = calendars.get("cn-mainland").unwrap().under(BeyondData::Statutory);
    /// let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// // 2027's 元旦 is a statutory holiday although no notice sets it yet.
    /// assert!(!calendar.is_working_day(date(2027, 1, 1)).unwrap());
    /// assert!(calendar.is_provisional(date(2027, 1, 1)));
    /// assert_eq!(calendar.add_working_days(date(2026, 12, 20), 20).unwrap(), date(2027, 1, 18));
    /// ```
    pub fn under(&self, policy: BeyondData) -> &WorkingCalendar {
        if self.policy() == policy {
            return self;
        }
        let slot = match policy {
            BeyondData::Refuse => &self.views[0],
            BeyondData::WeekendsOnly => &self.views[1],
            BeyondData::Statutory => &self.views[2],
        };
        slot.get_or_init(|| Box::new(WorkingCalendar::projected_from(self.parts.clone(), policy)))
    }

    /// The policy the years after the data are projected under (`Refuse`: none are).
    pub fn policy(&self) -> BeyondData {
        self.projection.as_ref().map_or(BeyondData::Refuse, |projection| projection.policy)
    }

    /// The last year the calendar answers for: the data's last year, or the projection's.
    pub fn projection_last_year(&self) -> i32 {
        self.projection.as_ref().map_or(self.parts.last_year, |projection| projection.last_year)
    }

    /// The last date the calendar answers for (see [`WorkingCalendar::projection_last_year`]).
    pub fn counted_last_date(&self) -> NaiveDate {
        year_end(self.projection_last_year())
    }

    /// Whether an answer that touches `date` rests on a projection rather than a notice.
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        day_number(date) > self.data_last_day
    }

    /// Why the days of `year` are what they are, when no notice covers it: `None` inside the data;
    /// otherwise the year and the rule it is projected by, such as "2027: no notice yet; statutory
    /// holidays projected from 全国年节及纪念日放假办法 (2024); 调休 (weekend days worked) cannot be
    /// known".
    pub fn basis(&self, year: i32) -> Option<String> {
        if year <= self.parts.last_year {
            return None;
        }
        // A calendar without makeup days (one written by rule) has no yearly notice to wait for.
        let missing = if self.has_makeup_days() { "no notice yet" } else { "beyond the data" };
        Some(match self.policy() {
            BeyondData::Refuse => format!("{year}: {missing}; outside the data of calendar `{}`", self.parts.id),
            BeyondData::WeekendsOnly => format!("{year}: {missing}; counted as weekends only"),
            BeyondData::Statutory => match HolidayLaw::in_force(year) {
                Some(law) => format!(
                    "{year}: no notice yet; statutory holidays projected from {}; 调休 (weekend days worked) cannot be known",
                    law.title()
                ),
                None => format!("{year}: no notice yet"),
            },
        })
    }

    /// Whether a figure that reached `date` rests on a projection, and its basis; a figure the
    /// calendar could not count (`beyond_year`, a year after the data under `refuse`) is not
    /// provisional but still gets the basis that says why.
    pub fn provisional_basis(&self, date: Option<NaiveDate>, beyond_year: Option<i32>) -> (bool, Option<String>) {
        if let Some(date) = date
            && self.is_provisional(date)
        {
            return (true, self.basis(date.year()));
        }
        (false, beyond_year.and_then(|year| self.basis(year)))
    }

    /// The projected rest days other than weekends (statutory holidays and 补假) in `year`.
    pub fn projected_days(&self, year: i32) -> impl Iterator<Item = &ProjectedDay> {
        self.projection.iter().flat_map(|projection| &projection.days).filter(move |day| day.date.year() == year)
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

    /// The civil time zone whose dates the calendar counts (+08:00 for `cn-mainland`; a named
    /// zone such as `Europe/Amsterdam` follows its daylight-saving rules).
    pub fn zone(&self) -> CalendarZone {
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

    /// Whether any festival of the data has makeup working days (调休上班日), as the notices of
    /// `cn-mainland` do; a calendar written by rule has none.
    pub fn has_makeup_days(&self) -> bool {
        self.parts.festivals.iter().any(|festival| !festival.work.is_empty())
    }

    pub fn festival_rule(&self) -> Option<&FestivalRule> {
        self.parts.festival_rule.as_ref()
    }

    /// Queries under an explicit policy for dates beyond the data: answers carry a
    /// `provisional` mark when they touched a day no notice covers.
    pub fn reckon(&self, beyond_data: BeyondData) -> Reckoner<'_> {
        Reckoner::new(self.under(beyond_data), beyond_data)
    }

    /// Queries under this calendar's own policy (for the strict methods, which ignore the mark).
    fn reckon_own(&self) -> Reckoner<'_> {
        Reckoner::new(self, self.policy())
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::DateOutsideData`] when the calendar has no data for `date` (or
    /// [`CalendarError::BeyondProjection`] past a projection's last year).
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
            Some(index) => Ok(self.days[index].kind.is_working()),
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
        self.reckon_own().add_working_days(start, amount).map(|reckoned| reckoned.value)
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
        self.reckon_own().period_end(start, period).map(|reckoned| reckoned.value)
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
        let entry = self.days[index];
        let source = entry.source as usize;
        let reason = match entry.kind {
            DayKind::Weekday | DayKind::Weekend if self.is_provisional(date) => DayReason::Provisional,
            DayKind::Projected => match &self.projection {
                Some(projection) => DayReason::Projected(&projection.days[source]),
                None => DayReason::Provisional,
            },
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

    /// Whether the day number is inside the table (the data and any projected years).
    pub(crate) fn covers_day(&self, day: i64) -> bool {
        (self.first_day..=self.last_day).contains(&day)
    }

    /// Whether the day number is inside the data.
    pub(crate) fn in_data_day(&self, day: i64) -> bool {
        (self.first_day..=self.data_last_day).contains(&day)
    }

    /// Whether the day number lies before the data (refused under every policy).
    pub(crate) fn before_data_day(&self, day: i64) -> bool {
        day < self.first_day
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

    /// Whether a day number is a working day, counting weekdays only beyond the table.
    pub(crate) fn is_working_day_number(&self, day: i64) -> bool {
        if self.covers_day(day) {
            self.days[(day - self.first_day) as usize].kind.is_working()
        } else {
            is_weekday(day)
        }
    }

    fn working_total(&self) -> i64 {
        self.working_day_index.len() as i64
    }

    pub(crate) fn date_outside_error(&self, date: NaiveDate) -> CalendarError {
        if let Some(error) = self.beyond_projection_error(day_number(date)) {
            return error;
        }
        CalendarError::DateOutsideData {
            calendar: self.parts.id.clone(),
            date,
            year: date.year(),
            remedy: self.parts.remedy(date.year()),
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
        if let Some(error) = self.beyond_projection_error(result_day) {
            return error;
        }
        CalendarError::ResultOutsideData {
            calendar: self.parts.id.clone(),
            start,
            amount,
            unit,
            year: date_of_day(result_day).year(),
            remedy: self.parts.remedy(date_of_day(result_day).year()),
            first: self.first_date(),
            last: self.last_date(),
        }
    }

    /// The error for a day before the data, or past a projection's last year, if the day is one.
    fn beyond_projection_error(&self, day: i64) -> Option<CalendarError> {
        if day < self.first_day {
            return Some(CalendarError::DateBeforeData {
                calendar: self.parts.id.clone(),
                date: date_of_day(day),
                first: self.first_date(),
            });
        }
        let projection = self.projection.as_ref()?;
        (day > self.last_day).then(|| CalendarError::BeyondProjection {
            calendar: self.parts.id.clone(),
            year: date_of_day(day).year(),
            policy: projection.policy.name(),
            last_year: projection.last_year,
        })
    }

    /// Working days and rest days of one year of data (or of a projected year).
    ///
    /// # Errors
    /// [`CalendarError::YearOutsideData`] when the year is not in the data.
    pub fn year_counts(&self, year: i32) -> Result<(u32, u32), CalendarError> {
        if year > self.projection_last_year()
            && let Some(error) = self.beyond_projection_error(day_number(year_start(year)))
        {
            return Err(error);
        }
        if !(self.parts.first_year..=self.projection_last_year()).contains(&year) {
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
