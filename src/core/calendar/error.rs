//! Errors of calendar queries. Loading errors live in `file_error.rs`.

use chrono::NaiveDate;

use super::period::PeriodUnit;

/// A query the calendar cannot answer truthfully.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date the calendar has no data for.
    #[error(
        "{date} is outside the data of calendar `{calendar}` ({first} to {last}); add year {year} from its notice in a calendar file (`--calendar-file` or `RENEWFLOW_CALENDAR`)"
    )]
    DateOutsideData { calendar: String, date: NaiveDate, year: i32, first: NaiveDate, last: NaiveDate },

    /// A result that would fall outside the data, although the start is inside it.
    #[error(
        "{amount} {unit} from {start} ends in {year}, outside the data of calendar `{calendar}` ({first} to {last}); add year {year} from its notice in a calendar file (`--calendar-file` or `RENEWFLOW_CALENDAR`)"
    )]
    ResultOutsideData {
        calendar: String,
        start: NaiveDate,
        amount: i64,
        unit: PeriodUnit,
        year: i32,
        first: NaiveDate,
        last: NaiveDate,
    },

    /// An amount beyond the named limit for its unit.
    #[error("{amount} {unit} is beyond the limit of {max} {unit} for one period")]
    AmountTooLarge { amount: i64, unit: PeriodUnit, max: i64 },

    /// A calendar-day, month or year period with a negative amount.
    #[error("a period of {amount} {unit} is negative; only working days can be counted backwards")]
    NegativePeriod { amount: i64, unit: PeriodUnit },

    /// A year the calendar has no data for, asked for as a whole.
    #[error(
        "year {year} is outside the data of calendar `{calendar}` ({first_year} to {last_year}); add it from its notice in a calendar file (`--calendar-file` or `RENEWFLOW_CALENDAR`)"
    )]
    YearOutsideData { calendar: String, year: i32, first_year: i32, last_year: i32 },
}
