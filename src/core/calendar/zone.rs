//! `CalendarZone`: the civil time zone whose dates a calendar counts, either a fixed offset
//! (`+08:00`, as `cn-mainland` has) or an IANA zone with its daylight-saving rules
//! (`Europe/Amsterdam`, from the tz database compiled in by chrono-tz).
//!
//! Instants stay `DateTime<FixedOffset>` everywhere (the offset in force at that instant); the
//! zone only answers the two questions the counting needs: the civil date of an instant, and the
//! instant of a local time written without an offset. Pure: no system tz files are read.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset as _, TimeDelta, TimeZone,
};
use chrono_tz::Tz;

/// The civil time zone of a calendar.
///
/// It is a [`TimeZone`] whose offsets are [`FixedOffset`]s, so `at.with_timezone(&zone)` gives
/// the local time. (chrono's `TimeZone::from_offset`, used only by `DateTime::timezone`, cannot
/// know the zone an offset came from and gives a fixed zone.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarZone {
    /// The same offset all year, such as `+08:00`.
    Fixed(FixedOffset),
    /// An IANA zone, such as `Europe/Amsterdam`, whose offset follows its DST rules.
    Named(Tz),
}

/// A `zone:` that is neither an offset nor a known IANA zone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a time zone; write an offset such as \"+08:00\" or an IANA zone such as `Europe/Amsterdam`{}",
    suggestion.as_ref().map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
)]
pub struct ZoneParseError {
    pub text: String,
    pub suggestion: Option<String>,
}

impl CalendarZone {
    /// The zone `+HH:MM` (a fixed offset) or `Area/Location` (an IANA zone) names.
    ///
    /// # Errors
    /// [`ZoneParseError`], with the nearest IANA name when one is close.
    ///
    /// # Example
    /// ```
    /// use renewflow::core::calendar::CalendarZone;
    /// assert_eq!(CalendarZone::parse("+08:00").unwrap().to_string(), "+08:00");
    /// assert_eq!(CalendarZone::parse("Europe/Amsterdam").unwrap().to_string(), "Europe/Amsterdam");
    /// let error = CalendarZone::parse("Europe/Amsterdm").unwrap_err();
    /// assert_eq!(error.suggestion.as_deref(), Some("Europe/Amsterdam"));
    /// ```
    pub fn parse(text: &str) -> Result<CalendarZone, ZoneParseError> {
        if text.starts_with(['+', '-']) {
            if let Ok(offset) = text.parse::<FixedOffset>() {
                return Ok(CalendarZone::Fixed(offset));
            }
        } else if let Ok(zone) = Tz::from_str(text) {
            return Ok(CalendarZone::Named(zone));
        }
        let names = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name());
        let suggestion = crate::core::suggest::nearest(text, names).map(str::to_owned);
        Err(ZoneParseError { text: text.to_owned(), suggestion })
    }

    /// The civil date of an instant in this zone.
    ///
    /// # Example
    /// ```
    /// use chrono::{DateTime, NaiveDate};
    /// use renewflow::core::calendar::CalendarZone;
    /// let amsterdam = CalendarZone::parse("Europe/Amsterdam").unwrap();
    /// // 23:30 UTC in June is 01:30 summer time the next day.
    /// let at = DateTime::parse_from_rfc3339("2012-06-01T23:30:00Z").unwrap();
    /// assert_eq!(amsterdam.civil_date(at), NaiveDate::from_ymd_opt(2012, 6, 2).unwrap());
    /// ```
    pub fn civil_date(&self, at: DateTime<FixedOffset>) -> NaiveDate {
        at.with_timezone(self).date_naive()
    }

    /// The offset in force at an instant.
    pub fn offset_at(&self, at: DateTime<FixedOffset>) -> FixedOffset {
        self.offset_from_utc_datetime(&at.naive_utc())
    }

    /// The same instant, written with the offset in force then (`2012-06-01T23:30:00Z` becomes
    /// `2012-06-02T01:30:00+02:00` in Amsterdam).
    pub fn localize(&self, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The instant of a local time written without an offset. Deterministic in the hour the
    /// clocks change:
    /// - a time that occurs twice (the clocks go back) is taken at its **first** occurrence,
    ///   with the offset in force before the change (`2012-10-28 02:30` in Amsterdam is
    ///   `02:30+02:00`);
    /// - a time that never occurs (the clocks go forward) is read with the offset in force
    ///   before the change, which **shifts it forward** by the gap (`2012-03-25 02:30` in
    ///   Amsterdam is `03:30+02:00`), as RFC 5545 and Temporal's "compatible" rule do.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use renewflow::core::calendar::CalendarZone;
    /// let amsterdam = CalendarZone::parse("Europe/Amsterdam").unwrap();
    /// let local = |d, h, m| NaiveDate::from_ymd_opt(2012, if d == 25 { 3 } else { 10 }, d)
    ///     .unwrap().and_hms_opt(h, m, 0).unwrap();
    /// assert_eq!(amsterdam.instant_of_local(local(28, 2, 30)).to_rfc3339(), "2012-10-28T02:30:00+02:00");
    /// assert_eq!(amsterdam.instant_of_local(local(25, 2, 30)).to_rfc3339(), "2012-03-25T03:30:00+02:00");
    /// ```
    pub fn instant_of_local(&self, local: NaiveDateTime) -> DateTime<FixedOffset> {
        match self.offset_from_local_datetime(&local) {
            MappedLocalTime::Single(offset) | MappedLocalTime::Ambiguous(offset, _) => {
                DateTime::from_naive_utc_and_offset(local - offset, offset)
            }
            MappedLocalTime::None => {
                // The offset before the gap: a day earlier no real zone has another change.
                let before = self.offset_from_utc_datetime(&(local - TimeDelta::days(1)));
                let utc = local - before;
                DateTime::from_naive_utc_and_offset(utc, self.offset_from_utc_datetime(&utc))
            }
        }
    }

    /// The instant a civil date begins (its first moment, should midnight fall in a gap).
    pub fn midnight(&self, date: NaiveDate) -> DateTime<FixedOffset> {
        self.instant_of_local(date.and_time(NaiveTime::MIN))
    }
}

impl From<FixedOffset> for CalendarZone {
    fn from(offset: FixedOffset) -> CalendarZone {
        CalendarZone::Fixed(offset)
    }
}

impl fmt::Display for CalendarZone {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarZone::Fixed(offset) => write!(formatter, "{offset}"),
            CalendarZone::Named(zone) => formatter.write_str(zone.name()),
        }
    }
}

impl TimeZone for CalendarZone {
    type Offset = FixedOffset;

    fn from_offset(offset: &FixedOffset) -> CalendarZone {
        CalendarZone::Fixed(*offset)
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<FixedOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<FixedOffset> {
        match self {
            CalendarZone::Fixed(offset) => MappedLocalTime::Single(*offset),
            CalendarZone::Named(zone) => zone.offset_from_local_datetime(local).map(|offset| offset.fix()),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        match self {
            CalendarZone::Fixed(offset) => *offset,
            CalendarZone::Named(zone) => zone.offset_from_utc_datetime(utc).fix(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amsterdam() -> CalendarZone {
        CalendarZone::parse("Europe/Amsterdam").unwrap()
    }

    fn instant(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        crate::core::calendar::parse_iso_date(text).unwrap()
    }

    /// Civil dates around the 2012 changes in Amsterdam (CET +01:00, CEST +02:00 from
    /// 2012-03-25 01:00 UTC to 2012-10-28 01:00 UTC).
    #[test]
    fn the_civil_date_follows_daylight_saving_time() {
        for (at, expected_date, expected_local) in [
            ("2012-06-01T23:30:00Z", "2012-06-02", "2012-06-02T01:30:00+02:00"),
            ("2012-06-01T21:59:59Z", "2012-06-01", "2012-06-01T23:59:59+02:00"),
            ("2012-06-01T22:00:00+00:00", "2012-06-02", "2012-06-02T00:00:00+02:00"),
            ("2012-01-10T22:30:00Z", "2012-01-10", "2012-01-10T23:30:00+01:00"),
            ("2012-01-10T23:00:00Z", "2012-01-11", "2012-01-11T00:00:00+01:00"),
            ("2012-03-25T00:59:59Z", "2012-03-25", "2012-03-25T01:59:59+01:00"),
            ("2012-03-25T01:00:00Z", "2012-03-25", "2012-03-25T03:00:00+02:00"),
            ("2012-03-24T22:30:00Z", "2012-03-24", "2012-03-24T23:30:00+01:00"),
            ("2012-10-27T22:30:00Z", "2012-10-28", "2012-10-28T00:30:00+02:00"),
            ("2012-10-28T00:30:00Z", "2012-10-28", "2012-10-28T02:30:00+02:00"),
            ("2012-10-28T01:30:00Z", "2012-10-28", "2012-10-28T02:30:00+01:00"),
            ("2012-10-28T23:30:00Z", "2012-10-29", "2012-10-29T00:30:00+01:00"),
        ] {
            assert_eq!(amsterdam().civil_date(instant(at)), date(expected_date), "{at}");
            assert_eq!(amsterdam().localize(instant(at)).to_rfc3339(), expected_local, "{at}");
        }
    }

    #[test]
    fn a_local_time_is_read_deterministically_around_the_changes() {
        for (text, expected) in [
            ("2012-06-02 01:30", "2012-06-02T01:30:00+02:00"),
            ("2012-01-10 23:30", "2012-01-10T23:30:00+01:00"),
            // The clocks go back at 03:00 CEST: 02:00–02:59 occurs twice; the first is taken.
            ("2012-10-28 02:30", "2012-10-28T02:30:00+02:00"),
            ("2012-10-28 01:59", "2012-10-28T01:59:00+02:00"),
            ("2012-10-28 03:00", "2012-10-28T03:00:00+01:00"),
            // The clocks go forward at 02:00 CET: 02:00–02:59 never occurs; shifted an hour on.
            ("2012-03-25 02:00", "2012-03-25T03:00:00+02:00"),
            ("2012-03-25 02:30", "2012-03-25T03:30:00+02:00"),
            ("2012-03-25 01:59", "2012-03-25T01:59:00+01:00"),
            ("2012-03-25 03:00", "2012-03-25T03:00:00+02:00"),
        ] {
            assert_eq!(amsterdam().instant_of_local(local(text)).to_rfc3339(), expected, "{text}");
        }
        assert_eq!(amsterdam().midnight(date("2012-06-02")).to_rfc3339(), "2012-06-02T00:00:00+02:00");
    }

    #[test]
    fn a_fixed_offset_is_the_same_all_year() {
        let beijing = CalendarZone::parse("+08:00").unwrap();
        assert_eq!(beijing, CalendarZone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap()));
        assert_eq!(beijing.civil_date(instant("2012-06-01T16:00:00Z")), date("2012-06-02"));
        assert_eq!(beijing.civil_date(instant("2012-06-01T15:59:59Z")), date("2012-06-01"));
        assert_eq!(beijing.instant_of_local(local("2012-03-25 02:30")).to_rfc3339(), "2012-03-25T02:30:00+08:00");
        let shanghai = CalendarZone::parse("Asia/Shanghai").unwrap();
        assert_eq!(shanghai.civil_date(instant("2012-06-01T16:00:00Z")), date("2012-06-02"));
        assert_ne!(shanghai, beijing, "a named zone is not the offset it has today");
    }

    #[test]
    fn a_zone_that_is_not_one_is_refused_with_a_suggestion() {
        for (text, suggestion) in
            [("Europe/Amsterdm", Some("Europe/Amsterdam")), ("+25:00", None), ("Mars/Olympus_Mons", None)]
        {
            let error = CalendarZone::parse(text).unwrap_err();
            assert_eq!(error.suggestion.as_deref(), suggestion, "{text}");
        }
        insta::assert_snapshot!(
            CalendarZone::parse("Europe/Amsterdm").unwrap_err(),
            @r#"`Europe/Amsterdm` is not a time zone; write an offset such as "+08:00" or an IANA zone such as `Europe/Amsterdam`; did you mean `Europe/Amsterdam`?"#
        );
    }
}
