//! A calendar's answers as shown: a day, a count between two dates, a period's end, a year.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::core::calendar::{
    Adjustment, CalendarError, DayInfo, DayReason, Festival, Notice, Period, PeriodEnd, ProjectedDay, Reckoned,
    Reckoner, WorkingCalendar, weekday_name,
};

pub(crate) fn notice_of<'a>(calendar: &'a WorkingCalendar, festival: &Festival) -> &'a Notice {
    &calendar.notices()[festival.notice.0 as usize]
}

/// A notice (or other source) that sets a year's holidays.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notice)]
pub(crate) struct NoticeShown {
    /// The year whose arrangement it sets.
    pub(crate) year: i32,
    /// Its title; a Chinese title in book-title marks (《…》).
    pub(crate) title: String,
    /// Its date, as precise as the sources allow (`2025-11-04`, or `2003`); null when unknown.
    pub(crate) date: Option<String>,
    /// Its document number (`国办发明电〔2005〕35号`).
    pub(crate) number: Option<String>,
    /// Where its text is.
    pub(crate) url: Option<String>,
}

impl From<&Notice> for NoticeShown {
    fn from(notice: &Notice) -> NoticeShown {
        NoticeShown {
            year: notice.year,
            title: notice.title.clone(),
            date: Some(&notice.date).filter(|date| !date.is_empty()).cloned(),
            number: notice.number.clone(),
            url: notice.url.clone(),
        }
    }
}

/// What a local adjustment makes of a day.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Adjustment)]
pub(crate) struct AdjustmentShown {
    /// `rest` or `work`.
    kind: &'static str,
    /// Why (a typhoon closure, a district's own rest day).
    reason: String,
    /// The file and line it was read from.
    origin: String,
}

impl From<&Adjustment> for AdjustmentShown {
    fn from(adjustment: &Adjustment) -> AdjustmentShown {
        AdjustmentShown {
            kind: adjustment.kind.symbol(),
            reason: adjustment.reason.clone(),
            origin: adjustment.origin.clone(),
        }
    }
}

/// One day on a calendar.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Day)]
pub(crate) struct DayShown {
    /// The date.
    date: String,
    /// `Mon` to `Sun`.
    weekday: &'static str,
    /// Whether it is a working day.
    working: bool,
    /// `weekday`, `weekend`, `holiday`, `makeup`, `adjusted`, `provisional` or `projected`.
    reason: &'static str,
    /// Whether it lies beyond the data, counted under the policy.
    provisional: bool,
    /// Why a provisional answer is what it is.
    basis: Option<String>,
    /// The festival (`春节`): on a `holiday`, a `makeup` day or a `projected` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    festival: Option<String>,
    /// The festival's note: on a `holiday` or `makeup` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[expect(clippy::option_option, reason = "absent, null or a note: three cases in the answer")]
    note: Option<Option<String>>,
    /// The notice that set the festival's break: on a `holiday` or `makeup` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<NoticeShown>,
    /// The local adjustment: on an `adjusted` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    adjustment: Option<AdjustmentShown>,
    /// `statutory` or `substitute` (补假): on a `projected` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    projected: Option<&'static str>,
    /// The law it is projected from: on a `projected` day.
    #[serde(skip_serializing_if = "Option::is_none")]
    law: Option<&'static str>,
}

impl DayShown {
    pub(crate) fn of(calendar: &WorkingCalendar, info: &DayInfo<'_>, provisional: bool) -> DayShown {
        let mut shown = DayShown {
            date: info.date.to_string(),
            weekday: weekday_name(info.weekday),
            working: info.working,
            reason: info.reason.symbol(),
            provisional,
            basis: calendar.basis(info.date.year()),
            festival: None,
            note: None,
            notice: None,
            adjustment: None,
            projected: None,
            law: None,
        };
        match &info.reason {
            DayReason::Holiday(festival) | DayReason::Makeup(festival) => {
                shown.festival = Some(festival.name.clone());
                shown.note = Some(festival.note.clone());
                shown.notice = Some(notice_of(calendar, festival).into());
            }
            DayReason::Adjusted(adjustment) => shown.adjustment = Some((*adjustment).into()),
            DayReason::Projected(day) => {
                shown.festival = Some(day.festival.to_owned());
                shown.projected = Some(day.kind.symbol());
                shown.law = Some(day.law.title());
            }
            DayReason::Weekday | DayReason::Weekend | DayReason::Provisional => {}
        }
        shown
    }
}

pub(crate) fn day_json(calendar: &WorkingCalendar, info: &DayInfo<'_>, provisional: bool) -> Value {
    json!(DayShown::of(calendar, info, provisional))
}

/// The working days after `from` up to `to`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WorkingDaysBetween)]
pub(crate) struct BetweenShown {
    /// The calendar's id.
    calendar: String,
    from: String,
    to: String,
    /// The working days after `from` up to and including `to`; negative when `to` is earlier.
    working_days: i64,
    /// Whether the count reached beyond the data.
    provisional: bool,
    /// Why a provisional answer is what it is.
    basis: Option<String>,
}

impl BetweenShown {
    pub(crate) fn of(
        reckoner: &Reckoner<'_>,
        from: NaiveDate,
        to: NaiveDate,
        reckoned: &Reckoned<i64>,
    ) -> BetweenShown {
        BetweenShown {
            calendar: reckoner.calendar().id().to_owned(),
            from: from.to_string(),
            to: to.to_string(),
            working_days: reckoned.value,
            provisional: reckoned.provisional,
            basis: basis_of(reckoner, reckoned.provisional, from.max(to)),
        }
    }
}

/// The working days after `from` up to `to`, as [`BetweenShown`] shows them.
pub(crate) fn between_json(reckoner: &Reckoner<'_>, from: NaiveDate, to: NaiveDate, reckoned: &Reckoned<i64>) -> Value {
    json!(BetweenShown::of(reckoner, from, to, reckoned))
}

/// Where a period from a start date ends.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PeriodEnd)]
pub(crate) struct AddShown {
    /// The calendar's id.
    calendar: String,
    /// The start date (not itself counted).
    start: String,
    /// The period's amount.
    amount: i64,
    /// The period's unit: `wd`, `cd`, `months` or `years`.
    unit: &'static str,
    /// The day the period ends on.
    end: String,
    /// The last day before rolling forward off rest days.
    nominal_end: String,
    /// Whether the end was rolled forward off rest days.
    rolled_forward: bool,
    /// Whether the answer reached beyond the data.
    provisional: bool,
    /// Why a provisional answer is what it is.
    basis: Option<String>,
}

impl AddShown {
    pub(crate) fn of(
        reckoner: &Reckoner<'_>,
        start: NaiveDate,
        period: Period,
        reckoned: &Reckoned<PeriodEnd>,
    ) -> AddShown {
        let end = &reckoned.value;
        AddShown {
            calendar: reckoner.calendar().id().to_owned(),
            start: start.to_string(),
            amount: period.amount,
            unit: period.unit.symbol(),
            end: end.end.to_string(),
            nominal_end: end.nominal_end.to_string(),
            rolled_forward: end.rolled_forward(),
            provisional: reckoned.provisional,
            basis: basis_of(reckoner, reckoned.provisional, end.end.max(start)),
        }
    }
}

/// Where `period` from `start` ends, as [`AddShown`] shows it.
pub(crate) fn add_json(
    reckoner: &Reckoner<'_>,
    start: NaiveDate,
    period: Period,
    reckoned: &Reckoned<PeriodEnd>,
) -> Value {
    json!(AddShown::of(reckoner, start, period, reckoned))
}

/// A festival's break in a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Festival)]
pub(crate) struct FestivalShown {
    /// The festival (`春节`; merged breaks name both).
    pub(crate) name: String,
    /// Its rest days.
    pub(crate) rest: Vec<String>,
    /// Its makeup working days (调休上班日).
    pub(crate) work: Vec<String>,
    pub(crate) note: Option<String>,
    /// The notice that set it.
    pub(crate) notice: NoticeShown,
}

/// A local adjustment of a day.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DatedAdjustment)]
pub(crate) struct DatedAdjustmentShown {
    /// The day adjusted.
    date: String,
    #[serde(flatten)]
    adjustment: AdjustmentShown,
}

/// A rest day projected from the law in force, beyond the data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProjectedDay)]
pub(crate) struct ProjectedShown {
    pub(crate) date: String,
    /// The festival (`春节`).
    pub(crate) festival: &'static str,
    /// `statutory` or `substitute` (补假).
    pub(crate) kind: &'static str,
    /// The law it is projected from.
    pub(crate) law: &'static str,
}

impl From<&ProjectedDay> for ProjectedShown {
    fn from(day: &ProjectedDay) -> ProjectedShown {
        ProjectedShown {
            date: day.date.to_string(),
            festival: day.festival,
            kind: day.kind.symbol(),
            law: day.law.title(),
        }
    }
}

/// A year: its counts, its festivals with their notices, its adjustments and projected days.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CalendarYear)]
pub(crate) struct YearShown {
    /// The calendar's id.
    pub(crate) calendar: String,
    pub(crate) year: i32,
    pub(crate) working_days: u32,
    pub(crate) rest_days: u32,
    /// Whether the year lies beyond the data (projected from the law).
    pub(crate) provisional: bool,
    /// Why a provisional year is what it is.
    pub(crate) basis: Option<String>,
    /// The rest days projected from the law, for a year beyond the data.
    pub(crate) projected: Vec<ProjectedShown>,
    /// The festivals whose breaks touch the year.
    pub(crate) festivals: Vec<FestivalShown>,
    /// The notices of the year and of its festivals.
    pub(crate) notices: Vec<NoticeShown>,
    /// The local adjustments in the year.
    pub(crate) adjustments: Vec<DatedAdjustmentShown>,
}

impl YearShown {
    /// # Errors
    ///
    /// [`CalendarError`] when the year is outside the calendar's data.
    pub(crate) fn of(calendar: &WorkingCalendar, year: i32) -> Result<YearShown, CalendarError> {
        let (working, rest) = calendar.year_counts(year)?;
        let (festivals, notice_ids) = year_festivals(calendar, year);
        let basis = calendar.basis(year);
        let dates = |dates: &[NaiveDate]| dates.iter().map(ToString::to_string).collect();
        Ok(YearShown {
            calendar: calendar.id().to_owned(),
            year,
            working_days: working,
            rest_days: rest,
            provisional: basis.is_some(),
            basis,
            projected: calendar.projected_days(year).map(ProjectedShown::from).collect(),
            festivals: festivals
                .iter()
                .map(|festival| FestivalShown {
                    name: festival.name.clone(),
                    rest: dates(&festival.rest),
                    work: dates(&festival.work),
                    note: festival.note.clone(),
                    notice: notice_of(calendar, festival).into(),
                })
                .collect(),
            notices: notice_ids.iter().map(|index| NoticeShown::from(&calendar.notices()[*index])).collect(),
            adjustments: calendar
                .adjustments()
                .iter()
                .filter(|adjustment| adjustment.date.year() == year)
                .map(|adjustment| DatedAdjustmentShown {
                    date: adjustment.date.to_string(),
                    adjustment: adjustment.into(),
                })
                .collect(),
        })
    }
}

/// A year, as [`YearShown`] shows it.
///
/// # Errors
///
/// [`CalendarError`] when the year is outside the calendar's data.
pub(crate) fn year_json(calendar: &WorkingCalendar, year: i32) -> Result<Value, CalendarError> {
    Ok(json!(YearShown::of(calendar, year)?))
}

/// Why a provisional answer is what it is: the basis of the latest year it touched.
pub(crate) fn basis_of(reckoner: &Reckoner<'_>, provisional: bool, latest: NaiveDate) -> Option<String> {
    provisional.then(|| reckoner.calendar().basis(latest.year())).flatten()
}

/// The festivals that touch `year`, and the indices of the notices they and the year's own
/// notices come from, sorted, once each.
pub(crate) fn year_festivals(calendar: &WorkingCalendar, year: i32) -> (Vec<&Festival>, Vec<usize>) {
    let touches = |dates: &[NaiveDate]| dates.iter().any(|date| date.year() == year);
    let festivals: Vec<&Festival> =
        calendar.festivals().iter().filter(|festival| touches(&festival.rest) || touches(&festival.work)).collect();
    let mut notice_ids: Vec<usize> = festivals.iter().map(|festival| festival.notice.0 as usize).collect();
    notice_ids.extend(
        calendar.notices().iter().enumerate().filter(|(_, notice)| notice.year == year).map(|(index, _)| index),
    );
    notice_ids.sort_unstable();
    notice_ids.dedup();
    (festivals, notice_ids)
}
