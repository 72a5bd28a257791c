//! Dates as people write them here: exactly `YYYY-MM-DD`, and weekday names in English.

use chrono::{NaiveDate, Weekday};

/// `(year, month, day)` from exactly `YYYY-MM-DD` bytes, checking only the shape and digits;
/// the month and day are validated by whoever turns them into a date.
#[inline]
pub fn parse_iso_ymd(field: &[u8]) -> Option<(i32, u32, u32)> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *field else {
        return None;
    };
    let digit = |byte: u8| {
        let value = byte.wrapping_sub(b'0');
        (value < 10).then_some(u32::from(value))
    };
    let year = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
    Some((year as i32, digit(m0)? * 10 + digit(m1)?, digit(d0)? * 10 + digit(d1)?))
}

/// A date from exactly `YYYY-MM-DD`; `None` for any other shape or an impossible date.
///
/// # Example
/// ```
/// use renewflow::core::calendar::parse_iso_date;
/// assert!(parse_iso_date("2026-02-28").is_some());
/// assert!(parse_iso_date("2026-02-29").is_none());
/// assert!(parse_iso_date("2026-2-28").is_none());
/// ```
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let (year, month, day) = parse_iso_ymd(text.as_bytes())?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `Monday` … `Sunday`.
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
