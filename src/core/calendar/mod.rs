//! The working-day calendar: which dates are working days, how many lie between two dates, and
//! where a period ends, by the counting rules of 行政许可法 第82条 and 民法典 第201–203条.
//!
//! Pure: no I/O, no clock. The built-in data (`calendars/cn-mainland.yaml`) is compiled in;
//! callers pass more calendar files as text.

mod calendars;
mod civil;
mod day;
mod error;
mod file_error;
mod holiday_rule;
mod iso_date;
mod load;
mod lunar_table;
mod notice;
mod period;
mod raw;
mod reckoner;
mod rules_load;
mod statutory;
mod timestamp;
mod working_calendar;
mod zone;

pub use crate::core::problem::Problem;
pub use calendars::{BUILTIN_CALENDAR_FILES, Calendars, DEFAULT_CALENDAR_ID, UnknownCalendarError};
pub use day::{DayInfo, DayReason};
pub use error::{CalendarError, Remedy};
pub use file_error::CalendarFileError;
pub use iso_date::{parse_iso_date, parse_iso_ymd, weekday_name};
pub use load::{CALENDAR_FILE_BYTES_MAX, PROBLEMS_MAX, RANGE_DAYS_MAX, YEAR_MAX, YEAR_MIN};
pub use lunar_table::{LUNAR_TABLE_FIRST_YEAR, LUNAR_TABLE_LAST_YEAR, LunarYear, lunar_year};
pub use notice::{Adjustment, AdjustmentKind, Festival, Notice, NoticeId};
pub use period::{
    AMOUNT_DAYS_MAX, AMOUNT_MONTHS_MAX, AMOUNT_YEARS_MAX, Period, PeriodParseError, PeriodUnit, UnknownUnitError,
};
pub use reckoner::{BeyondData, PeriodEnd, Reckoned, Reckoner};
pub use rules_load::{EASTER_OFFSET_DAYS_MAX, HOLIDAY_RULES_MAX};
pub use statutory::{
    HolidayLaw, ProjectedDay, ProjectedKind, ProjectionYearError, STATUTORY_FIRST_YEAR, STATUTORY_LAST_YEAR,
    statutory_rest_days,
};
pub use timestamp::{TIMESTAMP_FORMS, parse_timestamp};
pub use working_calendar::{FestivalRule, WorkingCalendar};
pub use zone::{CalendarZone, ZoneParseError};

#[cfg(test)]
mod tests;
