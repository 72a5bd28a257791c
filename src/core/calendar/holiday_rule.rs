//! `HolidayRule`: a holiday a law sets by rule rather than a yearly notice: a fixed date or an
//! offset from Gregorian Easter, moved to a weekday, moved again when it falls on a Saturday or
//! a Sunday, in a range of years or every N years. Pure date arithmetic; `rules_load.rs`
//! validates the rules a calendar file writes.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Where a rule's day falls before any shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Anchor {
    /// The same month and day every year (`date: 12-25`).
    Fixed { month: u32, day: u32 },
    /// Days after Gregorian Easter Sunday (`easter: 1` is Easter Monday).
    Easter(i32),
}

/// Which way a weekday shift looks from the day it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Before,
    After,
    OnOrBefore,
    OnOrAfter,
}

/// A move to the nearest given weekday in one direction (`monday-after`, `saturday-before`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct WeekdayShift {
    pub(crate) weekday: Weekday,
    pub(crate) direction: Direction,
}

/// Every `every` years counted from `from` (`every: 5, from: 1990` is 1990, 1995, 2000 …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Recurrence {
    pub(crate) every: i32,
    pub(crate) from: i32,
}

/// A validated holiday rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HolidayRule {
    pub(crate) name: String,
    pub(crate) anchor: Anchor,
    /// Applied every year (`shift: monday-on-or-after`).
    pub(crate) shift: Option<WeekdayShift>,
    /// Applied when the (shifted) day is a Saturday, or a Sunday: the holiday moves there.
    pub(crate) if_saturday: Option<WeekdayShift>,
    pub(crate) if_sunday: Option<WeekdayShift>,
    pub(crate) since: Option<i32>,
    pub(crate) until: Option<i32>,
    pub(crate) recurrence: Option<Recurrence>,
    pub(crate) note: Option<String>,
}

impl HolidayRule {
    /// Whether the rule gives a holiday in `year`.
    pub(crate) fn applies_in(&self, year: i32) -> bool {
        self.since.is_none_or(|since| year >= since)
            && self.until.is_none_or(|until| year <= until)
            && self
                .recurrence
                .is_none_or(|recurrence| year >= recurrence.from && (year - recurrence.from) % recurrence.every == 0)
    }

    /// The day the rule gives for `year` (which may be in the year before or after, when a
    /// shift crosses New Year), or `None` when it does not apply that year.
    pub(crate) fn day_in(&self, year: i32) -> Option<NaiveDate> {
        if !self.applies_in(year) {
            return None;
        }
        let mut day = match self.anchor {
            Anchor::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day)?,
            Anchor::Easter(offset) => add_days(easter_sunday(year)?, offset)?,
        };
        if let Some(shift) = self.shift {
            day = shift.apply(day)?;
        }
        let observed = match day.weekday() {
            Weekday::Sat => self.if_saturday,
            Weekday::Sun => self.if_sunday,
            _ => None,
        };
        match observed {
            Some(shift) => shift.apply(day),
            None => Some(day),
        }
    }

    /// Whether two rules would give the same days: the same anchor and the same shifts.
    pub(crate) fn same_days_as(&self, other: &HolidayRule) -> bool {
        (self.anchor, self.shift, self.if_saturday, self.if_sunday)
            == (other.anchor, other.shift, other.if_saturday, other.if_sunday)
    }
}

impl WeekdayShift {
    /// Parses `WEEKDAY-before`, `WEEKDAY-after`, `WEEKDAY-on-or-before` or `WEEKDAY-on-or-after`
    /// (English weekday names, lower case).
    pub(crate) fn parse(text: &str) -> Option<WeekdayShift> {
        let (weekday, rest) = text.split_once('-')?;
        let weekday = match weekday {
            "monday" => Weekday::Mon,
            "tuesday" => Weekday::Tue,
            "wednesday" => Weekday::Wed,
            "thursday" => Weekday::Thu,
            "friday" => Weekday::Fri,
            "saturday" => Weekday::Sat,
            "sunday" => Weekday::Sun,
            _ => return None,
        };
        let direction = match rest {
            "before" => Direction::Before,
            "after" => Direction::After,
            "on-or-before" => Direction::OnOrBefore,
            "on-or-after" => Direction::OnOrAfter,
            _ => return None,
        };
        Some(WeekdayShift { weekday, direction })
    }

    /// The nearest day with this weekday in this direction from `day`.
    pub(crate) fn apply(self, day: NaiveDate) -> Option<NaiveDate> {
        let from = i64::from(day.weekday().num_days_from_monday());
        let to = i64::from(self.weekday.num_days_from_monday());
        let forward = (to - from).rem_euclid(7);
        let backward = (from - to).rem_euclid(7);
        let offset = match self.direction {
            Direction::OnOrAfter => forward,
            Direction::After => {
                if forward == 0 {
                    7
                } else {
                    forward
                }
            }
            Direction::OnOrBefore => -backward,
            Direction::Before => -(if backward == 0 { 7 } else { backward }),
        };
        add_days(day, i32::try_from(offset).ok()?)
    }
}

/// Gregorian Easter Sunday of `year`, by the anonymous Gregorian algorithm (Meeus, *Astronomical
/// Algorithms*, ch. 8; the "Meeus/Jones/Butcher" computus).
#[allow(clippy::many_single_char_names)] // the published algorithm's names, so it can be checked against it
pub(crate) fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn add_days(day: NaiveDate, offset: i32) -> Option<NaiveDate> {
    let days = Days::new(u64::from(offset.unsigned_abs()));
    if offset >= 0 { day.checked_add_days(days) } else { day.checked_sub_days(days) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        crate::core::calendar::parse_iso_date(text).unwrap()
    }

    fn rule(anchor: Anchor) -> HolidayRule {
        HolidayRule {
            name: "test".to_owned(),
            anchor,
            shift: None,
            if_saturday: None,
            if_sunday: None,
            since: None,
            until: None,
            recurrence: None,
            note: None,
        }
    }

    #[test]
    fn easter_sunday_matches_published_dates() {
        // Dates as the Dutch and English calendars list them; 2285 has the earliest possible
        // Easter (22 March) and 2038 the latest (25 April).
        for expected in [
            "1943-04-25",
            "2000-04-23",
            "2005-03-27",
            "2008-03-23",
            "2011-04-24",
            "2012-04-08",
            "2019-04-21",
            "2024-03-31",
            "2025-04-20",
            "2026-04-05",
            "2030-04-21",
            "2038-04-25",
            "2285-03-22",
        ] {
            let expected = date(expected);
            assert_eq!(easter_sunday(expected.year()), Some(expected));
        }
    }

    proptest::proptest! {
        /// Easter is a Sunday between 22 March and 25 April.
        #[test]
        fn easter_is_a_sunday_in_its_window(year in 1583_i32..4000) {
            let easter = easter_sunday(year).unwrap();
            proptest::prop_assert_eq!(easter.weekday(), Weekday::Sun);
            let window = NaiveDate::from_ymd_opt(year, 3, 22).unwrap()..=NaiveDate::from_ymd_opt(year, 4, 25).unwrap();
            proptest::prop_assert!(window.contains(&easter), "{}", easter);
        }
    }

    #[test]
    fn shifts_move_to_the_nearest_weekday_in_their_direction() {
        let thursday = date("2026-04-30");
        for (shift, expected) in [
            ("monday-after", "2026-05-04"),
            ("thursday-after", "2026-05-07"),
            ("thursday-on-or-after", "2026-04-30"),
            ("friday-on-or-after", "2026-05-01"),
            ("monday-before", "2026-04-27"),
            ("thursday-before", "2026-04-23"),
            ("thursday-on-or-before", "2026-04-30"),
            ("saturday-on-or-before", "2026-04-25"),
        ] {
            assert_eq!(WeekdayShift::parse(shift).unwrap().apply(thursday), Some(date(expected)), "{shift}");
        }
        for bad in ["monday", "mon-after", "monday-next", "Monday-after", ""] {
            assert_eq!(WeekdayShift::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_rule_applies_in_its_years_and_moves_off_the_weekend() {
        let mut queens_day = rule(Anchor::Fixed { month: 4, day: 30 });
        queens_day.until = Some(2013);
        queens_day.if_sunday = WeekdayShift::parse("saturday-before");
        assert_eq!(queens_day.day_in(2006), Some(date("2006-04-29")));
        assert_eq!(queens_day.day_in(2012), Some(date("2012-04-30")));
        assert_eq!(queens_day.day_in(2014), None);
        let mut liberation_day = rule(Anchor::Fixed { month: 5, day: 5 });
        liberation_day.recurrence = Some(Recurrence { every: 5, from: 1990 });
        let years: Vec<i32> = (1985..=2026).filter(|year| liberation_day.day_in(*year).is_some()).collect();
        assert_eq!(years, [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2025]);
        let ascension = rule(Anchor::Easter(39));
        assert_eq!(ascension.day_in(2012), Some(date("2012-05-17")));
        let mut good_friday = rule(Anchor::Easter(-2));
        good_friday.since = Some(2020);
        assert_eq!(good_friday.day_in(2024), Some(date("2024-03-29")));
        // New Year's Day observed on the Friday before falls in the year before.
        let mut new_year = rule(Anchor::Fixed { month: 1, day: 1 });
        new_year.if_saturday = WeekdayShift::parse("friday-before");
        new_year.if_sunday = WeekdayShift::parse("monday-after");
        assert_eq!(new_year.day_in(2022), Some(date("2021-12-31")));
        assert_eq!(new_year.day_in(2023), Some(date("2023-01-02")));
        // The first Monday in May, with a weekday shift applied every year.
        let mut early_may = rule(Anchor::Fixed { month: 5, day: 1 });
        early_may.shift = WeekdayShift::parse("monday-on-or-after");
        assert_eq!(early_may.day_in(2026), Some(date("2026-05-04")));
        assert_eq!(early_may.day_in(2028), Some(date("2028-05-01")));
    }
}
