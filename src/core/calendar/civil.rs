//! Closed-form weekday arithmetic on day numbers (days from the common era, as chrono counts
//! them: 0001-01-01 is day 1, a Monday). Used where the calendar has no data and a caller opted in
//! to "weekends only", and to build the tables. No loops over days.

/// Day 1 (0001-01-01) is a Monday in the proleptic Gregorian calendar.
const MONDAY_DAY_NUMBER: i64 = 1;

/// Number of Monday-to-Friday days in `[1, day]`, extended to all integers so that
/// `weekdays_through(b) - weekdays_through(a)` counts the weekdays in `(a, b]` for any `a <= b`.
pub(crate) fn weekdays_through(day: i64) -> i64 {
    let days_since_monday = day - MONDAY_DAY_NUMBER;
    let weeks = days_since_monday.div_euclid(7);
    let weekday_index = days_since_monday.rem_euclid(7); // 0 = Monday … 6 = Sunday
    weeks * 5 + (weekday_index + 1).min(5)
}

/// The earliest day `d` with `weekdays_through(d) == count`: the `count`-th weekday from day 1
/// (a weekday itself). The inverse of [`weekdays_through`] on weekdays.
pub(crate) fn weekday_with_count(count: i64) -> i64 {
    let zero_based = count - 1;
    MONDAY_DAY_NUMBER + zero_based.div_euclid(5) * 7 + zero_based.rem_euclid(5)
}

/// Monday to Friday.
pub(crate) fn is_weekday(day: i64) -> bool {
    (day - MONDAY_DAY_NUMBER).rem_euclid(7) < 5
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn day_number(date: &str) -> i64 {
        i64::from(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap().num_days_from_ce())
    }

    #[test]
    fn day_one_is_a_monday() {
        assert_eq!(NaiveDate::from_num_days_from_ce_opt(1).unwrap().weekday(), chrono::Weekday::Mon);
    }

    #[test]
    fn counts_match_a_walk_over_days() {
        // A walk is fine in a test: it is the slow, obvious definition the formula must match.
        let first = day_number("2026-01-01") - 40;
        for a in first..first + 30 {
            let mut walked = 0;
            for b in a..a + 60 {
                assert_eq!(weekdays_through(b) - weekdays_through(a), walked, "({a}, {b}]");
                if is_weekday(b + 1) {
                    walked += 1;
                }
            }
        }
    }

    #[test]
    fn inverse_lands_on_the_weekday_with_that_count() {
        for count in -30..30 {
            let day = weekday_with_count(count);
            assert!(is_weekday(day), "count {count} gave a weekend day");
            assert_eq!(weekdays_through(day), count);
            assert!(weekdays_through(day - 1) < count);
        }
    }
}
