//! The statutory projection: which days are 法定节假日 in a year that has no notice yet, by the
//! revision of 《全国年节及纪念日放假办法》 in force that year, and the substitute days off (补假)
//! its 第6条 gives a holiday that falls on a Saturday or Sunday.
//!
//! What the law fixes is projected; what only a notice can fix (调休: weekend days worked, bridged
//! rest days) is not, and every answer that rests on a projected year says so.

use chrono::{Datelike, NaiveDate, Weekday};

use super::lunar_table::{LUNAR_TABLE_LAST_YEAR, lunar_year};

/// The first year a revision of the law with today's festivals (清明, 端午, 中秋) was in force.
pub const STATUTORY_FIRST_YEAR: i32 = 2008;
/// The last year the projection reaches: the lunar table's last year.
pub const STATUTORY_LAST_YEAR: i32 = LUNAR_TABLE_LAST_YEAR;

/// A revision of 《全国年节及纪念日放假办法》 that lists the holidays for all citizens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayLaw {
    /// In force 2008–2013: 春节 is 除夕, 初一 and 初二; 11 days.
    Revision2007,
    /// In force 2014–2024: 春节 is 初一 to 初三; 11 days.
    Revision2013,
    /// In force from 2025: 春节 is 除夕 to 初三, 劳动节 1–2 May; 13 days.
    Revision2024,
}

impl HolidayLaw {
    /// The revision in force in `year`, or `None` before 2008.
    pub fn in_force(year: i32) -> Option<HolidayLaw> {
        if year < STATUTORY_FIRST_YEAR {
            None
        } else if year <= 2013 {
            Some(HolidayLaw::Revision2007)
        } else if year <= 2024 {
            Some(HolidayLaw::Revision2013)
        } else {
            Some(HolidayLaw::Revision2024)
        }
    }

    /// Its name, as a basis is written: `全国年节及纪念日放假办法 (2024)`.
    pub fn title(self) -> &'static str {
        match self {
            HolidayLaw::Revision2007 => "全国年节及纪念日放假办法 (2007)",
            HolidayLaw::Revision2013 => "全国年节及纪念日放假办法 (2013)",
            HolidayLaw::Revision2024 => "全国年节及纪念日放假办法 (2024)",
        }
    }

    /// How many holidays for all citizens it gives in a year.
    pub fn days_per_year(self) -> usize {
        match self {
            HolidayLaw::Revision2007 | HolidayLaw::Revision2013 => 11,
            HolidayLaw::Revision2024 => 13,
        }
    }
}

/// Why a projected day is a rest day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProjectedKind {
    /// A holiday for all citizens that the law names (法定节假日).
    Statutory,
    /// A substitute day off (补假) for a holiday that fell on a weekend or on another holiday.
    Substitute,
}

impl ProjectedKind {
    pub fn symbol(self) -> &'static str {
        match self {
            ProjectedKind::Statutory => "statutory",
            ProjectedKind::Substitute => "substitute",
        }
    }
}

/// One projected rest day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProjectedDay {
    pub date: NaiveDate,
    /// The festival, such as `春节`.
    pub festival: &'static str,
    pub kind: ProjectedKind,
    pub law: HolidayLaw,
}

/// A year the projection cannot reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "year {year} is outside the statutory projection ({STATUTORY_FIRST_YEAR} to {STATUTORY_LAST_YEAR}: the law's festivals from 2008, lunar dates to {STATUTORY_LAST_YEAR})"
)]
pub struct ProjectionYearError {
    pub year: i32,
}

/// The rest days the law fixes in `year`, sorted by date: each festival's statutory days, then
/// for each of them that falls on a Saturday or Sunday (or on another festival's day) a
/// substitute on the next weekday after the run of rest days the festival belongs to, as the
/// notices placed it in 54 of the 56 such cases of 2008–2026.
///
/// # Errors
/// [`ProjectionYearError`] outside 2008..=2100.
///
/// # Example
/// ```
/// use renewflow::core::calendar::{ProjectedKind, statutory_rest_days};
/// let days = statutory_rest_days(2027).unwrap();
/// let spring: Vec<String> =
///     days.iter().filter(|day| day.festival == "春节").map(|day| day.date.to_string()).collect();
/// assert_eq!(spring, ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10"]);
/// assert_eq!(days.iter().filter(|day| day.kind == ProjectedKind::Statutory).count(), 13);
/// ```
pub fn statutory_rest_days(year: i32) -> Result<Vec<ProjectedDay>, ProjectionYearError> {
    let law = HolidayLaw::in_force(year).ok_or(ProjectionYearError { year })?;
    let lunar = lunar_year(year).ok_or(ProjectionYearError { year })?;
    let ymd = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("internal: fixed festival dates exist");
    let days_from =
        |first: NaiveDate, count: u64| -> Vec<NaiveDate> { first.iter_days().take(count as usize).collect() };
    let spring = match law {
        HolidayLaw::Revision2007 => days_from(lunar.chuxi(), 3),
        HolidayLaw::Revision2013 => days_from(lunar.new_year, 3),
        HolidayLaw::Revision2024 => days_from(lunar.chuxi(), 4),
    };
    let labour = match law {
        HolidayLaw::Revision2007 | HolidayLaw::Revision2013 => vec![ymd(5, 1)],
        HolidayLaw::Revision2024 => vec![ymd(5, 1), ymd(5, 2)],
    };
    let mut festivals: Vec<(&'static str, Vec<NaiveDate>)> = vec![
        ("元旦", vec![ymd(1, 1)]),
        ("春节", spring),
        ("清明节", vec![lunar.qingming]),
        ("劳动节", labour),
        ("端午节", vec![lunar.duanwu]),
        ("中秋节", vec![lunar.zhongqiu]),
        ("国庆节", days_from(ymd(10, 1), 3)),
    ];
    festivals.sort_by_key(|(_, dates)| dates[0]);

    let mut projected: Vec<ProjectedDay> = Vec::with_capacity(24);
    let mut owed: Vec<(&'static str, NaiveDate)> = Vec::new();
    for (festival, dates) in &festivals {
        for date in dates {
            let taken = projected.iter().any(|day| day.date == *date);
            if taken || is_weekend(*date) {
                owed.push((festival, *date));
            }
            if !taken {
                projected.push(ProjectedDay { date: *date, festival, kind: ProjectedKind::Statutory, law });
            }
        }
    }
    for (festival, holiday) in owed {
        // The next weekday after the run of rest days (weekends, holidays, substitutes already
        // placed) that the holiday lies in.
        let mut date = holiday;
        loop {
            date = date.succ_opt().expect("internal: projected dates are far inside chrono's range");
            let rest = is_weekend(date) || projected.iter().any(|day| day.date == date);
            if !rest {
                break;
            }
        }
        projected.push(ProjectedDay { date, festival, kind: ProjectedKind::Substitute, law });
    }
    projected.sort_by_key(|day| day.date);
    Ok(projected)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}
