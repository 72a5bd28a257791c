//! `WorkingDayAxis`: simulated time as a position on the calendar's working days. Position `0.0`
//! is the start of the epoch's working day; position `p` falls on the `floor(p)`-th working day
//! after it, at an office hour given by its fraction (09:00 + fraction × 8 h). So durations in
//! working days move dates across weekends, holidays and 调休 working days as they do in life.
//! Built from the calendar's own day table; nothing here decides what a working day is.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset as _, TimeDelta, Timelike as _};

use crate::core::calendar::{CalendarError, CalendarZone, WorkingCalendar};

/// Office hours a fraction of a working day spreads over.
const OFFICE_OPENS_HOUR: u32 = 9;
const OFFICE_SECONDS: f64 = 8.0 * 3600.0;

/// Where an instant lies on the working-day axis of `calendar`, counted from its first date: the
/// inverse of [`WorkingDayAxis::instant`] (working day, plus the share of the office hours
/// 09:00–17:00 gone by, clamped to the day). A rest day counts as the end of the working day
/// before it. `None` outside the calendar's data. The audit fits durations with it, so fitted
/// stays and simulated ones are measured alike.
pub fn working_day_position(calendar: &WorkingCalendar, at: DateTime<FixedOffset>) -> Option<f64> {
    let local = calendar.zone().localize(at);
    let date = local.date_naive();
    let index = calendar.working_days_between(calendar.first_date(), date).ok()? as f64;
    if !calendar.is_working_day(date).ok()? {
        return Some(index + LAST_FRACTION);
    }
    let opens = NaiveTime::from_hms_opt(OFFICE_OPENS_HOUR, 0, 0).unwrap_or_default();
    let seconds = f64::from(local.time().num_seconds_from_midnight()) - f64::from(opens.num_seconds_from_midnight());
    Some(index + (seconds / OFFICE_SECONDS).clamp(0.0, LAST_FRACTION))
}

const DAY_SECONDS: i64 = 24 * 3600;

/// The instant `seconds` after the office opens on `date` in `zone`, where it opens
/// `opens_utc_seconds` after the date's midnight in UTC. Built in UTC: the date shifted by whole
/// days (none for +08:00), at a time of day, with no time-zone arithmetic. `None` only past
/// chrono's range.
pub(crate) fn office_instant(
    zone: FixedOffset,
    opens_utc_seconds: i64,
    date: NaiveDate,
    seconds: i64,
) -> Option<DateTime<FixedOffset>> {
    let utc_seconds = opens_utc_seconds + seconds;
    let (shift_days, time_seconds) = (utc_seconds.div_euclid(DAY_SECONDS), utc_seconds.rem_euclid(DAY_SECONDS));
    let utc_date = if shift_days == 0 { date } else { date.checked_add_signed(TimeDelta::days(shift_days))? };
    let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(time_seconds).ok()?, 0)?;
    Some(DateTime::from_naive_utc_and_offset(utc_date.and_time(time), zone))
}

/// Where the office opens in `zone`, in seconds from a local date's midnight in UTC.
pub(crate) fn opens_utc_seconds(zone: FixedOffset) -> i64 {
    i64::from(OFFICE_OPENS_HOUR * 3600) - i64::from(zone.local_minus_utc())
}

/// The latest fraction of a working day a position takes (the day's last moment).
const LAST_FRACTION: f64 = 0.999;

/// The working days from an epoch to the end of the calendar's data.
#[derive(Clone, Debug)]
pub struct WorkingDayAxis {
    zone: CalendarZone,
    /// The office's opening time (09:00 local) in UTC, in seconds from the local date's UTC
    /// midnight: worked out once for a fixed zone, so an instant needs no time-zone arithmetic.
    /// (A named zone's offset changes with daylight-saving time: its instants are worked out
    /// per date.)
    opens_utc_seconds: i64,
    days: Vec<NaiveDate>,
    /// The first year the calendar has no data for.
    beyond_year: i32,
}

/// A position past the calendar's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the simulation runs past the calendar's data, into {year}; start the cases earlier or add {year} with --calendar-file"
)]
pub struct BeyondAxis {
    pub year: i32,
}

impl WorkingDayAxis {
    /// The working days from `epoch` (or the first working day after it) to the calendar's last
    /// date.
    ///
    /// # Errors
    ///
    /// [`CalendarError`] when `epoch` is outside the calendar's data.
    pub fn new(calendar: &WorkingCalendar, epoch: NaiveDate) -> Result<WorkingDayAxis, CalendarError> {
        calendar.is_working_day(epoch)?;
        let mut days = Vec::new();
        for date in epoch.iter_days().take_while(|date| *date <= calendar.counted_last_date()) {
            if calendar.is_working_day(date)? {
                days.push(date);
            }
        }
        let zone = calendar.zone();
        let fixed = match zone {
            CalendarZone::Fixed(offset) => offset,
            CalendarZone::Named(_) => chrono::Utc.fix(),
        };
        Ok(WorkingDayAxis {
            zone,
            opens_utc_seconds: opens_utc_seconds(fixed),
            days,
            beyond_year: calendar.projection_last_year() + 1,
        })
    }

    /// The working days on the axis.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The working day a position falls on.
    ///
    /// # Errors
    ///
    /// [`BeyondAxis`] past the calendar's data.
    pub fn date(&self, position: f64) -> Result<NaiveDate, BeyondAxis> {
        // Truncation is the floor of a non-negative position (and saturates past the axis); it
        // spares the call to `floor`, as this runs on every simulated step.
        let index = position.max(0.0) as usize;
        self.days.get(index).copied().ok_or(BeyondAxis { year: self.beyond_year })
    }

    /// The instant of a position: its working day, at 09:00 plus its fraction of eight office
    /// hours, in the calendar's zone.
    ///
    /// # Errors
    ///
    /// [`BeyondAxis`] past the calendar's data.
    pub fn instant(&self, position: f64) -> Result<DateTime<FixedOffset>, BeyondAxis> {
        let date = self.date(position)?;
        let position = position.max(0.0);
        // Both non-negative: truncation is the floor.
        let fraction = position - (position as usize) as f64;
        let seconds = (fraction * OFFICE_SECONDS) as i64;
        let instant = match self.zone {
            CalendarZone::Fixed(offset) => office_instant(offset, self.opens_utc_seconds, date, seconds),
            CalendarZone::Named(_) => {
                let opens = NaiveTime::from_hms_opt(OFFICE_OPENS_HOUR, 0, 0).unwrap_or_default();
                Some(self.zone.instant_of_local(date.and_time(opens) + TimeDelta::seconds(seconds)))
            }
        };
        instant.ok_or(BeyondAxis { year: self.beyond_year })
    }

    /// The position of the start of the first working day on or after `date` (`None` past the
    /// data or before the epoch).
    pub fn position_of(&self, date: NaiveDate) -> Option<f64> {
        let index = self.days.partition_point(|day| *day < date);
        (index < self.days.len()).then_some(index as f64)
    }
}
