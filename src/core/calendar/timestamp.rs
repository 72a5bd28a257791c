//! Timestamps as event logs (and `date` attributes) write them: with an offset (RFC 3339, `T` or a
//! space), without one (then in the log's zone: the mapping's `zone`, else the calendar's), to the
//! minute or second with optional fractions, or a date alone (midnight in that zone). In a zone with daylight-saving
//! time, a local time that occurs twice is read at its first occurrence and one that never occurs
//! is shifted forward by the gap ([`CalendarZone::instant_of_local`]).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset as _, TimeZone};

use super::CalendarZone;

/// The forms accepted, for messages.
pub const TIMESTAMP_FORMS: &str = "YYYY-MM-DDTHH:MM:SS+08:00, YYYY-MM-DD HH:MM:SS, YYYY-MM-DDTHH:MM or YYYY-MM-DD";

/// Parses a log timestamp; one without an offset is read in `zone`.
///
/// # Errors
///
/// A message naming the text and the accepted forms.
///
/// # Example
///
/// ```
/// use chrono::FixedOffset;
/// use renewflow::core::calendar::parse_timestamp;
/// use renewflow::core::calendar::CalendarZone;
///
/// let zone = CalendarZone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap());
/// let with_offset = parse_timestamp("2017-03-01T09:00:00+08:00", zone).unwrap();
/// assert_eq!(parse_timestamp("2017-03-01 09:00:00", zone).unwrap(), with_offset);
/// assert_eq!(parse_timestamp("2017-03-01T01:00:00Z", zone).unwrap(), with_offset);
/// assert!(parse_timestamp("01/03/2017", zone).is_err());
/// // Summer time in Amsterdam: a local time is read at +02:00.
/// let amsterdam = CalendarZone::parse("Europe/Amsterdam").unwrap();
/// let summer = parse_timestamp("2012-06-02 01:30:00", amsterdam).unwrap();
/// assert_eq!(summer.to_rfc3339(), "2012-06-02T01:30:00+02:00");
/// ```
pub fn parse_timestamp(text: &str, zone: CalendarZone) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if let Some(instant) = parse_common(text.as_bytes(), zone) {
        return Ok(instant);
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant);
    }
    if text.len() > 10 {
        // RFC 3339 with a space, or with no seconds.
        for form in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"] {
            if let Ok(instant) = DateTime::parse_from_str(text, form) {
                return Ok(instant);
            }
        }
        let local = text.strip_suffix('Z').map_or(text, str::trim_end);
        for form in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(local, form) {
                if local.len() < text.len() {
                    return Ok(DateTime::from_naive_utc_and_offset(naive, chrono::Utc.fix()));
                }
                return Ok(zone.instant_of_local(naive));
            }
        }
    } else if let Some(date) = super::parse_iso_date(text) {
        return Ok(zone.midnight(date));
    } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(zone.midnight(date));
    }
    Err(format!("`{text}` is not a timestamp; write one of {TIMESTAMP_FORMS}"))
}

/// The common forms without a format parser (logs hold millions of timestamps):
/// `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`, `:SS`, `.fraction`, and `Z` or
/// `±HH:MM`. `None` for anything else, which the general parsers then try.
fn parse_common(bytes: &[u8], zone: CalendarZone) -> Option<DateTime<FixedOffset>> {
    fn number(bytes: &[u8]) -> Option<u32> {
        bytes.iter().try_fold(0_u32, |value, byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
    }
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(number(&bytes[..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(&bytes[5..7])?, number(&bytes[8..10])?)?;
    if bytes.len() == 10 {
        return Some(zone.midnight(date));
    }
    if !matches!(bytes[10], b'T' | b' ') || bytes.len() < 16 || bytes[13] != b':' {
        return None;
    }
    let (hour, minute) = (number(&bytes[11..13])?, number(&bytes[14..16])?);
    let mut rest = &bytes[16..];
    let mut second = 0;
    let mut nanos = 0;
    if let [b':', tens, units, tail @ ..] = rest {
        second = number(&[*tens, *units])?;
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let digits = tail.iter().take_while(|byte| byte.is_ascii_digit()).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            nanos = number(&tail[..digits])? * 10_u32.pow(9 - digits as u32);
            rest = &tail[digits..];
        }
    }
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = match rest {
        [] => return Some(zone.instant_of_local(date.and_time(time))),
        [b'Z'] => FixedOffset::east_opt(0)?,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let seconds = i32::try_from(number(&[*h1, *h2])? * 3600 + number(&[*m1, *m2])? * 60).ok()?;
            FixedOffset::east_opt(if *sign == b'-' { -seconds } else { seconds })?
        }
        _ => return None,
    };
    offset.from_local_datetime(&date.and_time(time)).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> CalendarZone {
        CalendarZone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap())
    }

    #[test]
    fn every_form_reads_the_same_instant() {
        let expected = DateTime::parse_from_rfc3339("2017-02-06T09:30:00+08:00").unwrap();
        for text in [
            "2017-02-06T09:30:00+08:00",
            "2017-02-06 09:30:00+08:00",
            "2017-02-06T09:30:00.000+08:00",
            "2017-02-06T01:30:00Z",
            "2017-02-06T01:30:00.000Z",
            "2017-02-06T09:30:00",
            "2017-02-06 09:30:00",
            "2017-02-06 09:30",
            "2017-02-06T09:30",
            " 2017-02-06 09:30:00 ",
        ] {
            assert_eq!(parse_timestamp(text, zone()), Ok(expected), "{text}");
        }
    }

    #[test]
    fn a_date_alone_is_midnight_in_the_zone() {
        let midnight = parse_timestamp("2017-02-06", zone()).unwrap();
        assert_eq!(midnight.to_rfc3339(), "2017-02-06T00:00:00+08:00");
    }

    /// A log written in Dutch local time, summer and winter, around the 2012 changes: the form
    /// without an offset reads as the zone's offset then; `Z` and offsets are kept.
    #[test]
    fn a_named_zone_reads_local_times_with_the_offset_in_force() {
        let amsterdam = CalendarZone::parse("Europe/Amsterdam").unwrap();
        for (text, expected) in [
            ("2012-06-02 01:30:00", "2012-06-02T01:30:00+02:00"),
            ("2012-06-02T01:30", "2012-06-02T01:30:00+02:00"),
            ("2012-06-02 01:30:00.5", "2012-06-02T01:30:00.500+02:00"),
            ("2012-01-10 23:30:00", "2012-01-10T23:30:00+01:00"),
            ("2012-06-01T23:30:00Z", "2012-06-01T23:30:00+00:00"),
            ("2012-06-01T23:30:00.000+00:00", "2012-06-01T23:30:00+00:00"),
            ("2012-10-28 02:30:00", "2012-10-28T02:30:00+02:00"),
            ("2012-03-25 02:30:00", "2012-03-25T03:30:00+02:00"),
            ("2012-06-02", "2012-06-02T00:00:00+02:00"),
            ("2012-01-10", "2012-01-10T00:00:00+01:00"),
        ] {
            let parsed = parse_timestamp(text, amsterdam).unwrap();
            assert_eq!(parsed.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false), expected, "{text}");
        }
    }

    proptest::proptest! {
        /// The hand-written fast path reads what chrono's RFC 3339 parser reads.
        #[test]
        fn the_fast_path_agrees_with_chrono(
            seconds in 0_i64..4_102_444_800,
            nanos in 0_u32..1_000_000_000,
            offset_minutes in -14 * 60_i32..=14 * 60,
            space in proptest::bool::ANY,
        ) {
            let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
            let instant = DateTime::from_timestamp(seconds, nanos).unwrap().with_timezone(&offset);
            let mut text = instant.to_rfc3339();
            if space {
                text.replace_range(10..11, " ");
            }
            let fast = parse_common(text.as_bytes(), zone());
            proptest::prop_assert_eq!(fast, Some(instant), "{}", text);
            proptest::prop_assert_eq!(fast, DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)).ok());
        }
    }

    #[test]
    fn other_forms_are_refused_with_the_forms_named() {
        for text in ["", "06/02/2017", "2017-02-30", "2017-02-06T25:00:00", "tomorrow", "2017-02-06T09:30:00+25:00"] {
            let error = parse_timestamp(text, zone()).unwrap_err();
            assert!(error.contains("YYYY-MM-DD"), "{text}: {error}");
        }
    }
}
