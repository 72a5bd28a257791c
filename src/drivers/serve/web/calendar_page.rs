//! The calendar page: a year of a working calendar, month by month, with its rest days, its
//! makeup working days (调休上班) and the notices that set them; a year beyond the calendar's
//! data, projected from the law under the store's policy, is marked provisional with its
//! reason. Each day says what it is in a word as well as a colour.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::labels::Lang;
use super::page::{Chrome, Section, error_page, html};
use super::visitor::Visitor;
use crate::core::calendar::WorkingCalendar;
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::service::Shared;
use crate::drivers::views::calendar::YearShown;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CalendarQuery {
    year: Option<i32>,
    calendar: Option<String>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    calendar: String,
    calendars: Vec<String>,
    year: i32,
    previous_year: i32,
    next_year: i32,
    working_days: u32,
    rest_days: u32,
    provisional: bool,
    basis: String,
    months: Vec<Month>,
    festivals: Vec<FestivalLine>,
    notices: Vec<String>,
}

struct Month {
    title: String,
    /// Weeks from Monday; `None` pads the days of other months.
    weeks: Vec<[Option<Day>; 7]>,
}

#[derive(Clone)]
struct Day {
    number: u32,
    /// `work`, `rest`, `holiday` (a rest day on a weekday) or `makeup` (a working weekend day).
    kind: &'static str,
    /// The word shown with the colour.
    mark: &'static str,
    title: String,
    provisional: bool,
}

struct FestivalLine {
    name: String,
    rest: String,
    work: String,
    notice: String,
}

/// `GET /calendar`.
pub(crate) async fn calendar_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Query(query): Query<CalendarQuery>,
) -> Response {
    let lang = visitor.lang;
    let year = query.year.unwrap_or_else(|| service.today().year());
    let asked = query.calendar.clone();
    let built = service
        .readers
        .run(move |engine| -> Result<Result<CalendarPageParts, (StatusCode, String)>, Problem> {
            let calendars: Vec<String> = engine.calendars().ids().map(str::to_owned).collect();
            let id = asked.unwrap_or_else(|| "cn-mainland".to_owned());
            let calendar = match engine.calendars().require(&id) {
                Ok(calendar) => calendar,
                Err(unknown) => return Ok(Err((StatusCode::NOT_FOUND, unknown.to_string()))),
            };
            Ok(parts(calendar, year, lang)
                .map(|parts| CalendarPageParts { calendars, ..parts })
                .map_err(|outside| (StatusCode::UNPROCESSABLE_ENTITY, outside)))
        })
        .await;
    let parts = match built {
        Ok(Ok(parts)) => parts,
        Ok(Err((status, refusal))) => return error_page(lang, status, &refusal),
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let t = lang.labels();
    let page = CalendarPage {
        chrome: Chrome::for_visitor(&visitor, format!("{} {year}", t.calendar), Section::Calendar),
        calendar: parts.calendar,
        calendars: parts.calendars,
        year,
        previous_year: year - 1,
        next_year: year + 1,
        working_days: parts.year.working_days,
        rest_days: parts.year.rest_days,
        provisional: parts.year.provisional,
        basis: parts.year.basis.clone().unwrap_or_default(),
        months: parts.months,
        festivals: parts
            .year
            .festivals
            .iter()
            .map(|festival| FestivalLine {
                name: festival.name.clone(),
                rest: festival.rest.join(", "),
                work: festival.work.join(", "),
                notice: festival.notice.title.clone(),
            })
            .collect(),
        notices: parts
            .year
            .notices
            .iter()
            .map(|notice| match &notice.number {
                Some(number) => format!("{} ({number})", notice.title),
                None => notice.title.clone(),
            })
            .collect(),
    };
    html(&page)
}

/// What the reader builds of the page.
struct CalendarPageParts {
    calendar: String,
    calendars: Vec<String>,
    year: YearShown,
    months: Vec<Month>,
}

/// The year's figures and its months; the calendar's error when the year is outside its data.
fn parts(calendar: &WorkingCalendar, year: i32, lang: Lang) -> Result<CalendarPageParts, String> {
    let shown = YearShown::of(calendar, year).map_err(|error| error.to_string())?;
    let t = lang.labels();
    let mut months = Vec::with_capacity(12);
    for month in 1..=12 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else { continue };
        let mut weeks: Vec<[Option<Day>; 7]> = Vec::new();
        let mut week: [Option<Day>; 7] = Default::default();
        let mut date = first;
        while date.month() == month {
            let column = date.weekday().num_days_from_monday() as usize;
            let working = calendar.is_working_day(date).map_err(|error| error.to_string())?;
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let (kind, mark, title) = match (working, weekend) {
                (true, false) => ("work", "", t.day_work),
                (true, true) => ("makeup", t.mark_makeup, t.day_makeup),
                (false, true) => ("rest", "", t.day_rest),
                (false, false) => ("holiday", t.mark_holiday, t.day_holiday),
            };
            week[column] = Some(Day {
                number: date.day(),
                kind,
                mark,
                title: format!("{} {title}", lang.date(date)),
                provisional: calendar.is_provisional(date),
            });
            if column == 6 {
                weeks.push(std::mem::take(&mut week));
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        if week.iter().any(Option::is_some) {
            weeks.push(week);
        }
        months.push(Month { title: month_title(lang, month), weeks });
    }
    Ok(CalendarPageParts { calendar: calendar.id().to_owned(), calendars: Vec::new(), year: shown, months })
}

fn month_title(lang: Lang, month: u32) -> String {
    match lang {
        Lang::Zh => format!("{month}月"),
        Lang::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][(month as usize).saturating_sub(1).min(11)]
        .to_owned(),
    }
}
