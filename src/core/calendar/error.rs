//! Errors of calendar queries. Loading errors live in `file_error.rs`.

use chrono::NaiveDate;

use super::period::PeriodUnit;

/// A query the calendar cannot answer truthfully.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date the calendar has no data for.
    #[error("{date} is outside the data of calendar `{calendar}` ({first} to {last}); {remedy}")]
    DateOutsideData { calendar: String, date: NaiveDate, year: i32, first: NaiveDate, last: NaiveDate, remedy: Remedy },

    /// A result that would fall outside the data, although the start is inside it.
    #[error(
        "{amount} {unit} from {start} ends in {year}, outside the data of calendar `{calendar}` ({first} to {last}); {remedy}"
    )]
    ResultOutsideData {
        calendar: String,
        start: NaiveDate,
        amount: i64,
        unit: PeriodUnit,
        year: i32,
        first: NaiveDate,
        last: NaiveDate,
        remedy: Remedy,
    },

    /// A date before the calendar's first year: refused under every policy.
    #[error(
        "{date} is before the data of calendar `{calendar}`, which starts on {first}; no policy counts days before the data"
    )]
    DateBeforeData { calendar: String, date: NaiveDate, first: NaiveDate },

    /// A day past the last year a projection reaches.
    #[error(
        "{year} is beyond the {policy} projection of calendar `{calendar}`, which ends in {last_year}; add year {year} from its notice in a calendar file"
    )]
    BeyondProjection { calendar: String, year: i32, policy: &'static str, last_year: i32 },

    /// An amount beyond the named limit for its unit.
    #[error("{amount} {unit} is beyond the limit of {max} {unit} for one period")]
    AmountTooLarge { amount: i64, unit: PeriodUnit, max: i64 },

    /// A calendar-day, month or year period with a negative amount.
    #[error("a period of {amount} {unit} is negative; only working days can be counted backwards")]
    NegativePeriod { amount: i64, unit: PeriodUnit },

    /// A year the calendar has no data for, asked for as a whole.
    #[error(
        "year {year} is outside the data of calendar `{calendar}` ({first_year} to {last_year}); add it from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or list its projection with `--beyond-data statutory`"
    )]
    YearOutsideData { calendar: String, year: i32, first_year: i32, last_year: i32 },
}

/// What a user can do about a date outside a calendar's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// A mainland year: install its notice, or count it by the statutory projection.
    NoticeOrProjection(i32),
    /// Another calendar's year: give its days in the calendar file; there is no law to project
    /// its holidays from.
    MoreData(i32),
}

impl std::fmt::Display for Remedy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Remedy::NoticeOrProjection(year) => write!(
                f,
                "add year {year} from its notice in a calendar file (`calendar install`, `--calendar-file` or \
                 `RENEWFLOW_CALENDAR`), or count it provisionally with `--beyond-data statutory`"
            ),
            Remedy::MoreData(year) => write!(
                f,
                "add year {year} to the calendar's file (`calendar install`, `--calendar-file` or \
                 `RENEWFLOW_CALENDAR`); its holidays are not projected (`--beyond-data statutory` projects the \
                 mainland's law only), and `--beyond-data weekends-only` counts Monday to Friday, provisionally"
            ),
        }
    }
}
