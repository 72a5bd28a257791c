//! Timestamps as event logs write them: with an offset (RFC 3339, `T` or a space), without one
//! (then in the calendar's zone), to the minute or second with optional fractions, or a date
//! alone (midnight in the calendar's zone).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

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
/// use renewflow::audit::parse_timestamp;
///
/// let zone = FixedOffset::east_opt(8 * 3600).unwrap();
/// let with_offset = parse_timestamp("2017-03-01T09:00:00+08:00", zone).unwrap();
/// assert_eq!(parse_timestamp("2017-03-01 09:00:00", zone).unwrap(), with_offset);
/// assert_eq!(parse_timestamp("2017-03-01T01:00:00Z", zone).unwrap(), with_offset);
/// assert!(parse_timestamp("01/03/2017", zone).is_err());
/// ```
pub fn parse_timestamp(text: &str, zone: FixedOffset) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
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
                let offset = if local.len() < text.len() { FixedOffset::east_opt(0).unwrap_or(zone) } else { zone };
                return offset
                    .from_local_datetime(&naive)
                    .single()
                    .ok_or_else(|| format!("`{text}` is not an instant in {offset}"));
            }
        }
    } else if let Some(date) = crate::core::calendar::parse_iso_date(text) {
        return Ok(midnight(date, zone));
    } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(midnight(date, zone));
    }
    Err(format!("`{text}` is not a timestamp; write one of {TIMESTAMP_FORMS}"))
}

fn midnight(date: NaiveDate, zone: FixedOffset) -> DateTime<FixedOffset> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_utc_datetime(&(naive - zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
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

    #[test]
    fn other_forms_are_refused_with_the_forms_named() {
        for text in ["", "06/02/2017", "2017-02-30", "2017-02-06T25:00:00", "tomorrow", "2017-02-06T09:30:00+25:00"] {
            let error = parse_timestamp(text, zone()).unwrap_err();
            assert!(error.contains("YYYY-MM-DD"), "{text}: {error}");
        }
    }
}
