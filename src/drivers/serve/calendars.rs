//! Calendar queries on the store's calendar data (`check`, `between`, `add`, `year`, and bulk
//! `between`), under the store's policy for dates after the data unless the query names
//! another; and calendar installation (administrators), after which readers reload.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::documents::{BulkResult, BulkShown, CalendarChangeShown, CalendarListShown, CalendarListed};
use super::limits::BULK_PAIRS_MAX;
use super::problem::Problem;
use super::request::{JsonBody, QueryOf, date, instant_or};
use super::service::Shared;
use crate::core::calendar::{BeyondData, Period, Reckoner};
use crate::drivers::views::calendar::{AddShown, BetweenShown, DayShown, YearShown};
use crate::engine::{CalendarInstallRequest, Engine, EngineError};
use crate::store::SqliteStore;

/// The policy a query names, or the store's.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct PolicyParam {
    /// Dates after the data: `refuse`, `weekends-only` or `statutory`; default the store's policy.
    beyond_data: Option<String>,
}

/// `GET /v1/calendars/{calendar}/between` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct BetweenParams {
    /// The first date (`YYYY-MM-DD`), not itself counted.
    from: String,
    /// The last date (`YYYY-MM-DD`).
    to: String,
    /// Dates after the data: `refuse`, `weekends-only` or `statutory`; default the store's policy.
    beyond_data: Option<String>,
}

/// `GET /v1/calendars/{calendar}/add` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AddParams {
    /// The start date (`YYYY-MM-DD`), not itself counted.
    start: String,
    /// A period, `20 wd`, `30 cd`, `3 months`, `1 years`.
    period: String,
    /// Dates after the data: `refuse`, `weekends-only` or `statutory`; default the store's policy.
    beyond_data: Option<String>,
}

/// `POST /v1/calendars/{calendar}/between`: many pairs at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkBody {
    /// `[from, to]` pairs of dates (`YYYY-MM-DD`); the limit is in the schema.
    pairs: Vec<(String, String)>,
    /// Dates after the data: `refuse`, `weekends-only` or `statutory`; default the store's policy.
    beyond_data: Option<String>,
}

/// `POST /v1/calendars/installs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstallBody {
    /// The file's name, kept with it.
    name: String,
    /// The calendar file's YAML: years, adjustments, or a new calendar.
    text: String,
    /// Why, required when the file changes days the data already covers.
    reason: Option<String>,
    /// When it was installed (RFC 3339 with its offset); default now.
    at: Option<String>,
}

fn policy(text: Option<&str>) -> Result<Option<BeyondData>, Problem> {
    text.map(|text| {
        BeyondData::from_name(text).ok_or_else(|| {
            Problem::new(
                "bad-request",
                format!("`beyond_data` is `refuse`, `weekends-only` or `statutory`, not `{text}`"),
            )
        })
    })
    .transpose()
}

/// Runs `answer` on a reader's engine with the calendar's reckoner under the chosen policy.
async fn reckon<T: Serialize + Send + 'static>(
    service: &Shared,
    calendar: String,
    beyond_data: Option<BeyondData>,
    answer: impl FnOnce(&Reckoner<'_>) -> Result<T, Problem> + Send + 'static,
) -> Result<Response, Problem> {
    let shown = service
        .readers
        .run(move |engine: &mut Engine<SqliteStore>| {
            let policy = beyond_data.unwrap_or(engine.beyond_data());
            let calendar = engine
                .calendars()
                .require(&calendar)
                .map_err(|error| Problem::new("not-found", error.to_string()).with("calendar", calendar.clone()))?;
            answer(&calendar.reckon(policy))
        })
        .await?;
    Ok(ok(&shown))
}

fn calendar_problem(error: crate::core::calendar::CalendarError) -> Problem {
    EngineError::Calendar(error).into()
}

/// Check a day
///
/// Whether a date is a working day on a calendar, and why (a festival and its notice, an
/// adjustment, a day projected from the law).
#[utoipa::path(
    get, path = "/v1/calendars/{calendar}/days/{date}", operation_id = "check_day", tag = "calendars",
    params(("calendar" = String, Path, description = "The calendar id (`cn-mainland`)"), ("date" = String, Path, description = "The date (`YYYY-MM-DD`)"), PolicyParam),
    responses((status = 200, description = "The day", body = DayShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "not-found", "date-outside-calendar"]))),
)]
pub(crate) async fn check(
    State(service): State<Shared>,
    Path((calendar, day)): Path<(String, String)>,
    _caller: Caller,
    QueryOf(params): QueryOf<PolicyParam>,
) -> Result<Response, Problem> {
    let day = date("date", &day)?;
    reckon(&service, calendar, policy(params.beyond_data.as_deref())?, move |reckoner| {
        let reckoned = reckoner.day_info(day).map_err(calendar_problem)?;
        Ok(DayShown::of(reckoner.calendar(), &reckoned.value, reckoned.provisional))
    })
    .await
}

/// Count working days
///
/// The working days after one date up to another.
#[utoipa::path(
    get, path = "/v1/calendars/{calendar}/between", operation_id = "count_working_days", tag = "calendars",
    params(("calendar" = String, Path, description = "The calendar id (`cn-mainland`)"), BetweenParams),
    responses((status = 200, description = "The count", body = BetweenShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "not-found", "date-outside-calendar"]))),
)]
pub(crate) async fn between(
    State(service): State<Shared>,
    Path(calendar): Path<String>,
    _caller: Caller,
    QueryOf(params): QueryOf<BetweenParams>,
) -> Result<Response, Problem> {
    let (from, to) = (date("from", &params.from)?, date("to", &params.to)?);
    reckon(&service, calendar, policy(params.beyond_data.as_deref())?, move |reckoner| {
        let reckoned = reckoner.working_days_between(from, to).map_err(calendar_problem)?;
        Ok(BetweenShown::of(reckoner, from, to, &reckoned))
    })
    .await
}

/// End of a period
///
/// Where a period in working days, calendar days, months or years from a start date ends, rolled
/// forward off rest days where the law says so.
#[utoipa::path(
    get, path = "/v1/calendars/{calendar}/add", operation_id = "period_end", tag = "calendars",
    params(("calendar" = String, Path, description = "The calendar id (`cn-mainland`)"), AddParams),
    responses((status = 200, description = "The period's end", body = AddShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "not-found", "date-outside-calendar"]))),
)]
pub(crate) async fn add(
    State(service): State<Shared>,
    Path(calendar): Path<String>,
    _caller: Caller,
    QueryOf(params): QueryOf<AddParams>,
) -> Result<Response, Problem> {
    let start = date("start", &params.start)?;
    let period: Period = params.period.parse().map_err(|error| {
        Problem::new("bad-request", format!("`period`: {error}; write `20 wd`, `30 cd`, `3 months`"))
    })?;
    reckon(&service, calendar, policy(params.beyond_data.as_deref())?, move |reckoner| {
        let reckoned = reckoner.period_end(start, period).map_err(calendar_problem)?;
        Ok(AddShown::of(reckoner, start, period, &reckoned))
    })
    .await
}

/// A calendar year
///
/// A year's counts, festivals with their notices, adjustments, and the days projected from the
/// law for a year beyond the data.
#[utoipa::path(
    get, path = "/v1/calendars/{calendar}/years/{year}", operation_id = "calendar_year", tag = "calendars",
    params(("calendar" = String, Path, description = "The calendar id (`cn-mainland`)"), ("year" = i32, Path, description = "The year")),
    responses((status = 200, description = "The year", body = YearShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "not-found", "date-outside-calendar"]))),
)]
pub(crate) async fn year(
    State(service): State<Shared>,
    Path((calendar, year)): Path<(String, i32)>,
    _caller: Caller,
) -> Result<Response, Problem> {
    reckon(&service, calendar, None, move |reckoner| YearShown::of(reckoner.calendar(), year).map_err(calendar_problem))
        .await
}

/// Count working days of many pairs
///
/// The working days between each pair of dates, in the order sent; a pair outside the data has
/// an `error` instead of a count.
#[utoipa::path(
    post, path = "/v1/calendars/{calendar}/between", operation_id = "count_working_days_bulk", tag = "calendars",
    params(("calendar" = String, Path, description = "The calendar id (`cn-mainland`)")),
    request_body = BulkBody,
    responses((status = 200, description = "The counts", body = BulkShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["not-found"]))),
)]
pub(crate) async fn bulk_between(
    State(service): State<Shared>,
    Path(calendar): Path<String>,
    _caller: Caller,
    JsonBody(body): JsonBody<BulkBody>,
) -> Result<Response, Problem> {
    if body.pairs.len() > BULK_PAIRS_MAX {
        return Err(Problem::new("bad-request", format!("at most {BULK_PAIRS_MAX} pairs per request")));
    }
    let pairs = body
        .pairs
        .iter()
        .enumerate()
        .map(|(index, (from, to))| {
            Ok((date(&format!("pairs[{index}][0]"), from)?, date(&format!("pairs[{index}][1]"), to)?))
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    reckon(&service, calendar, policy(body.beyond_data.as_deref())?, move |reckoner| {
        let results = pairs
            .iter()
            .map(|(from, to)| match reckoner.working_days_between(*from, *to) {
                Ok(reckoned) => BulkResult::Counted { working_days: reckoned.value, provisional: reckoned.provisional },
                Err(error) => BulkResult::Refused { error: error.to_string() },
            })
            .collect();
        Ok(BulkShown { calendar: reckoner.calendar().id().to_owned(), results })
    })
    .await
}

/// List calendars
///
/// The calendars the store counts on, its policy for dates after their data, and the calendar
/// files installed into it.
#[utoipa::path(
    get, path = "/v1/calendars", operation_id = "list_calendars", tag = "calendars",
    responses((status = 200, description = "The calendars", body = CalendarListShown)),
    security(("bearer" = [])),
)]
pub(crate) async fn list(State(service): State<Shared>, _caller: Caller) -> Result<Response, Problem> {
    let shown = service
        .readers
        .run(|engine| {
            let calendars: Vec<CalendarListed> = engine
                .calendars()
                .ids()
                .filter_map(|id| engine.calendars().get(id))
                .map(|calendar| CalendarListed {
                    calendar: calendar.id().to_owned(),
                    first_date: calendar.first_date().to_string(),
                    data_through: calendar.last_date().to_string(),
                })
                .collect();
            let installs = engine.calendar_installs()?;
            Ok(CalendarListShown::of(
                engine.beyond_data().name(),
                engine.calendar_data_id().to_owned(),
                calendars,
                installs,
            ))
        })
        .await?;
    Ok(ok(&shown))
}

/// Install a calendar file
///
/// Installs a calendar file into the store (administrators): more years, adjustments, or a new
/// calendar. Open cases' derived figures are recomputed; installing the same file again changes
/// nothing (200).
#[utoipa::path(
    post, path = "/v1/calendars/installs", operation_id = "install_calendar", tag = "calendars",
    request_body = InstallBody,
    responses(
        (status = 201, description = "The file installed", body = CalendarChangeShown),
        (status = 200, description = "The same file was installed before; nothing changed", body = CalendarChangeShown),
    ),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "calendar-invalid", "reason-required", "busy", "shutting-down"]))),
)]
pub(crate) async fn install(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<InstallBody>,
) -> Result<Response, Problem> {
    caller.check_admin("installing a calendar")?;
    let at = instant_or(body.at.as_deref(), || service.now())?;
    let by = caller.0.name;
    let change = service
        .writer
        .run_alone(move |engine| {
            engine.install_calendar(&CalendarInstallRequest {
                name: &body.name,
                text: &body.text,
                installed_by: &by,
                at,
                reason: body.reason.as_deref(),
            })
        })
        .await??;
    service.readers.calendar_changed();
    service.watch_list.calendar_changed().await;
    let status = if change.installed.is_some() { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json_answer(status, &CalendarChangeShown::from(change)))
}
