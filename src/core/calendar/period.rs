//! A length of time in one unit: working days, calendar days, months or years.

use std::fmt;
use std::str::FromStr;

/// The unit of a [`Period`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    /// Working days (`wd`): counted on the calendar, rest days skipped.
    WorkingDays,
    /// Calendar days (`cd`): every day counts; a period ending on a rest day runs to the next
    /// working day.
    CalendarDays,
    /// Months, ending on the corresponding day (or the month's last day).
    Months,
    /// Years, ending on the corresponding day (or the month's last day).
    Years,
}

impl PeriodUnit {
    /// The largest amount accepted in this unit. Larger amounts are refused rather than
    /// computed: no statutory period is anywhere near these.
    pub fn amount_max(self) -> i64 {
        match self {
            PeriodUnit::WorkingDays | PeriodUnit::CalendarDays => AMOUNT_DAYS_MAX,
            PeriodUnit::Months => AMOUNT_MONTHS_MAX,
            PeriodUnit::Years => AMOUNT_YEARS_MAX,
        }
    }

    /// The short name used in files and on the command line.
    pub fn symbol(self) -> &'static str {
        match self {
            PeriodUnit::WorkingDays => "wd",
            PeriodUnit::CalendarDays => "cd",
            PeriodUnit::Months => "months",
            PeriodUnit::Years => "years",
        }
    }
}

/// Largest amount of working or calendar days in one query (about 270 years).
pub const AMOUNT_DAYS_MAX: i64 = 100_000;
/// Largest amount of months in one query.
pub const AMOUNT_MONTHS_MAX: i64 = 3_000;
/// Largest amount of years in one query.
pub const AMOUNT_YEARS_MAX: i64 = 250;

impl fmt::Display for PeriodUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A unit name that is not one of `wd`, `cd`, `months`, `years`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit `{0}`; expected one of `wd`, `cd`, `months`, `years`")]
pub struct UnknownUnitError(pub String);

impl FromStr for PeriodUnit {
    type Err = UnknownUnitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "wd" | "working-days" => Ok(PeriodUnit::WorkingDays),
            "cd" | "days" | "calendar-days" => Ok(PeriodUnit::CalendarDays),
            "month" | "months" => Ok(PeriodUnit::Months),
            "year" | "years" => Ok(PeriodUnit::Years),
            other => Err(UnknownUnitError(other.to_owned())),
        }
    }
}

/// An amount in a unit, such as `20 wd` or `3 months`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub amount: i64,
    pub unit: PeriodUnit,
}

impl Period {
    pub fn new(amount: i64, unit: PeriodUnit) -> Period {
        Period { amount, unit }
    }

    /// The period as the canonical encoding of a workflow writes it, `<amount> <symbol>`
    /// (`1 months`): fixed, since content hashes cover it. [`fmt::Display`] is for people.
    pub fn canonical_text(&self) -> String {
        format!("{} {}", self.amount, self.unit.symbol())
    }
}

/// For people: `20 wd`, `30 cd`, `1 month`, `3 months`, `1 year`.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match (self.unit, self.amount.abs() == 1) {
            (PeriodUnit::Months, true) => "month",
            (PeriodUnit::Years, true) => "year",
            (unit, _) => unit.symbol(),
        };
        write!(f, "{} {unit}", self.amount)
    }
}

/// Text that is not `<integer> <unit>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodParseError {
    #[error("`{0}` is not a period; write an amount and a unit, as in `20 wd` or `3 months`")]
    Shape(String),
    #[error(transparent)]
    Unit(#[from] UnknownUnitError),
}

impl FromStr for Period {
    type Err = PeriodParseError;

    /// # Example
    ///
    /// ```
    /// use renewflow::core::calendar::{Period, PeriodUnit};
    /// let period: Period = "20 wd".parse().unwrap();
    /// assert_eq!(period, Period::new(20, PeriodUnit::WorkingDays));
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let shape_error = || PeriodParseError::Shape(text.to_owned());
        let mut parts = text.split_whitespace();
        let (Some(amount), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(shape_error());
        };
        let amount = amount.parse::<i64>().map_err(|_| shape_error())?;
        Ok(Period::new(amount, unit.parse()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let period: Period = "3 months".parse().unwrap();
        assert_eq!(period, Period::new(3, PeriodUnit::Months));
        assert_eq!(period.to_string(), "3 months");
        assert_eq!("1 year".parse::<Period>().unwrap().unit, PeriodUnit::Years);
        // People read `1 month`; the canonical encoding (content hashes) keeps `1 months`.
        let one = Period::new(1, PeriodUnit::Months);
        assert_eq!((one.to_string(), one.canonical_text()), ("1 month".to_owned(), "1 months".to_owned()));
        assert_eq!(Period::new(1, PeriodUnit::Years).to_string(), "1 year");
        assert_eq!(Period::new(-1, PeriodUnit::Years).to_string(), "-1 year");
        assert_eq!(Period::new(1, PeriodUnit::WorkingDays).to_string(), "1 wd");
        assert_eq!(one.to_string().parse::<Period>().unwrap(), one, "what is shown reads back");
    }

    #[test]
    fn refuses_bad_text() {
        assert_eq!(
            "20wd".parse::<Period>().unwrap_err().to_string(),
            "`20wd` is not a period; write an amount and a unit, as in `20 wd` or `3 months`"
        );
        assert_eq!(
            "20 weeks".parse::<Period>().unwrap_err().to_string(),
            "unknown unit `weeks`; expected one of `wd`, `cd`, `months`, `years`"
        );
    }
}
