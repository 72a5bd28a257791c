//! A calendar's answers as shown: a day, a count between two dates, a period's end, a year.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::core::calendar::{
    CalendarError, DayInfo, DayReason, Festival, Notice, Period, PeriodEnd, ProjectedDay, Reckoned, Reckoner,
    WorkingCalendar, weekday_name,
};

pub(crate) fn notice_of<'a>(calendar: &'a WorkingCalendar, festival: &Festival) -> &'a Notice {
    &calendar.notices()[festival.notice.0 as usize]
}

/// A notice or other source as text: a Chinese title in book-title marks (《…》), any other as
/// it is; the date when the source has one.
pub(crate) fn notice_json(notice: &Notice) -> Value {
    let date = Some(&notice.date).filter(|date| !date.is_empty());
    json!({"year": notice.year, "title": notice.title, "date": date, "number": notice.number, "url": notice.url})
}

pub(crate) fn day_json(calendar: &WorkingCalendar, info: &DayInfo<'_>, provisional: bool) -> Value {
    let mut value = json!({
        "date": info.date.to_string(),
        "weekday": weekday_name(info.weekday),
        "working": info.working,
        "reason": info.reason.symbol(),
        "provisional": provisional,
        "basis": calendar.basis(info.date.year()),
    });
    match &info.reason {
        DayReason::Holiday(festival) | DayReason::Makeup(festival) => {
            value["festival"] = json!(festival.name);
            value["note"] = json!(festival.note);
            value["notice"] = notice_json(notice_of(calendar, festival));
        }
        DayReason::Adjusted(adjustment) => {
            value["adjustment"] =
                json!({"kind": adjustment.kind.symbol(), "reason": adjustment.reason, "origin": adjustment.origin});
        }
        DayReason::Projected(day) => {
            value["festival"] = json!(day.festival);
            value["projected"] = json!(day.kind.symbol());
            value["law"] = json!(day.law.title());
        }
        DayReason::Weekday | DayReason::Weekend | DayReason::Provisional => {}
    }
    value
}

/// The working days after `from` up to `to`.
pub(crate) fn between_json(reckoner: &Reckoner<'_>, from: NaiveDate, to: NaiveDate, reckoned: &Reckoned<i64>) -> Value {
    json!({
        "calendar": reckoner.calendar().id(),
        "from": from.to_string(),
        "to": to.to_string(),
        "working_days": reckoned.value,
        "provisional": reckoned.provisional,
        "basis": basis_of(reckoner, reckoned.provisional, from.max(to)),
    })
}

/// Where `period` from `start` ends.
pub(crate) fn add_json(
    reckoner: &Reckoner<'_>,
    start: NaiveDate,
    period: Period,
    reckoned: &Reckoned<PeriodEnd>,
) -> Value {
    let end = &reckoned.value;
    json!({
        "calendar": reckoner.calendar().id(),
        "start": start.to_string(),
        "amount": period.amount,
        "unit": period.unit.symbol(),
        "end": end.end.to_string(),
        "nominal_end": end.nominal_end.to_string(),
        "rolled_forward": end.rolled_forward(),
        "provisional": reckoned.provisional,
        "basis": basis_of(reckoner, reckoned.provisional, end.end.max(start)),
    })
}

/// A year: its counts, its festivals with their notices, its adjustments and projected days.
///
/// # Errors
///
/// [`CalendarError`] when the year is outside the calendar's data.
pub(crate) fn year_json(calendar: &WorkingCalendar, year: i32) -> Result<Value, CalendarError> {
    let (working, rest) = calendar.year_counts(year)?;
    let touches = |dates: &[NaiveDate]| dates.iter().any(|date| date.year() == year);
    let festivals: Vec<&Festival> =
        calendar.festivals().iter().filter(|festival| touches(&festival.rest) || touches(&festival.work)).collect();
    let mut notice_ids: Vec<usize> = festivals.iter().map(|festival| festival.notice.0 as usize).collect();
    notice_ids.extend(
        calendar.notices().iter().enumerate().filter(|(_, notice)| notice.year == year).map(|(index, _)| index),
    );
    notice_ids.sort_unstable();
    notice_ids.dedup();
    let notices: Vec<&Notice> = notice_ids.iter().map(|index| &calendar.notices()[*index]).collect();
    let basis = calendar.basis(year);
    Ok(json!({
        "calendar": calendar.id(),
        "year": year,
        "working_days": working,
        "rest_days": rest,
        "provisional": basis.is_some(),
        "basis": basis,
        "projected": calendar.projected_days(year).map(projected_json).collect::<Vec<_>>(),
        "festivals": festivals.iter().map(|festival| json!({
            "name": festival.name,
            "rest": festival.rest.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "work": festival.work.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "note": festival.note,
            "notice": notice_json(notice_of(calendar, festival)),
        })).collect::<Vec<_>>(),
        "notices": notices.iter().map(|notice| notice_json(notice)).collect::<Vec<_>>(),
        "adjustments": calendar.adjustments().iter().filter(|adjustment| adjustment.date.year() == year).map(|adjustment| json!({
            "date": adjustment.date.to_string(), "kind": adjustment.kind.symbol(),
            "reason": adjustment.reason, "origin": adjustment.origin,
        })).collect::<Vec<_>>(),
    }))
}

pub(crate) fn projected_json(day: &ProjectedDay) -> Value {
    json!({"date": day.date.to_string(), "festival": day.festival, "kind": day.kind.symbol(), "law": day.law.title()})
}

/// The projected rest days of a year, as a table.
/// Why a provisional answer is what it is: the basis of the latest year it touched.
pub(crate) fn basis_of(reckoner: &Reckoner<'_>, provisional: bool, latest: NaiveDate) -> Option<String> {
    provisional.then(|| reckoner.calendar().basis(latest.year())).flatten()
}
