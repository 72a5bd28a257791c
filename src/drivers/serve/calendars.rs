//! Calendar queries on the store's calendar data (`check`, `between`, `add`, `year`, and bulk
//! `between`), under the store's policy for dates after the data unless the query names
//! another; and calendar installation (administrators), after which readers reload.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::limits::BULK_PAIRS_MAX;
use super::problem::Problem;
use super::request::{JsonBody, QueryOf, date, instant_or};
use super::service::Shared;
use crate::core::calendar::{BeyondData, Period, Reckoner};
use crate::drivers::views::calendar::{add_json, between_json, day_json, year_json};
use crate::engine::{CalendarInstallRequest, Engine, EngineError};
use crate::store::SqliteStore;

/// The policy a query names, or the store's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyParam {
    beyond_data: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BetweenParams {
    from: String,
    to: String,
    beyond_data: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddParams {
    start: String,
    /// A period, `20 wd`, `30 cd`, `3 months`, `1 years`.
    period: String,
    beyond_data: Option<String>,
}

/// `POST /v1/calendars/{calendar}/between`: many pairs at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkBody {
    pairs: Vec<(String, String)>,
    beyond_data: Option<String>,
}

/// `POST /v1/calendars/installs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstallBody {
    name: String,
    text: String,
    reason: Option<String>,
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
async fn reckon(
    service: &Shared,
    calendar: String,
    beyond_data: Option<BeyondData>,
    answer: impl FnOnce(&Reckoner<'_>) -> Result<Json, Problem> + Send + 'static,
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

pub(crate) async fn check(
    State(service): State<Shared>,
    Path((calendar, day)): Path<(String, String)>,
    _caller: Caller,
    QueryOf(params): QueryOf<PolicyParam>,
) -> Result<Response, Problem> {
    let day = date("date", &day)?;
    reckon(&service, calendar, policy(params.beyond_data.as_deref())?, move |reckoner| {
        let reckoned = reckoner.day_info(day).map_err(calendar_problem)?;
        Ok(day_json(reckoner.calendar(), &reckoned.value, reckoned.provisional))
    })
    .await
}

pub(crate) async fn between(
    State(service): State<Shared>,
    Path(calendar): Path<String>,
    _caller: Caller,
    QueryOf(params): QueryOf<BetweenParams>,
) -> Result<Response, Problem> {
    let (from, to) = (date("from", &params.from)?, date("to", &params.to)?);
    reckon(&service, calendar, policy(params.beyond_data.as_deref())?, move |reckoner| {
        let reckoned = reckoner.working_days_between(from, to).map_err(calendar_problem)?;
        Ok(between_json(reckoner, from, to, &reckoned))
    })
    .await
}

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
        Ok(add_json(reckoner, start, period, &reckoned))
    })
    .await
}

pub(crate) async fn year(
    State(service): State<Shared>,
    Path((calendar, year)): Path<(String, i32)>,
    _caller: Caller,
) -> Result<Response, Problem> {
    reckon(&service, calendar, None, move |reckoner| year_json(reckoner.calendar(), year).map_err(calendar_problem))
        .await
}

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
        let results: Vec<Json> = pairs
            .iter()
            .map(|(from, to)| match reckoner.working_days_between(*from, *to) {
                Ok(reckoned) => json!({"working_days": reckoned.value, "provisional": reckoned.provisional}),
                Err(error) => json!({"error": error.to_string()}),
            })
            .collect();
        Ok(json!({"calendar": reckoner.calendar().id(), "results": results}))
    })
    .await
}

pub(crate) async fn list(State(service): State<Shared>, _caller: Caller) -> Result<Response, Problem> {
    let shown = service
        .readers
        .run(|engine| {
            let calendars: Vec<Json> = engine
                .calendars()
                .ids()
                .filter_map(|id| engine.calendars().get(id))
                .map(|calendar| {
                    json!({
                        "calendar": calendar.id(), "first_date": calendar.first_date().to_string(),
                        "data_through": calendar.last_date().to_string(),
                    })
                })
                .collect();
            let installs = engine.calendar_installs()?;
            Ok(json!({
                "beyond_data": engine.beyond_data().name(), "data": engine.calendar_data_id(),
                "calendars": calendars, "installs": installs,
            }))
        })
        .await?;
    Ok(ok(&shown))
}

pub(crate) async fn install(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<InstallBody>,
) -> Result<Response, Problem> {
    caller.check_admin("installing a calendar")?;
    let at = instant_or(body.at.as_deref(), service.now())?;
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
    let status = if change.installed.is_some() { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json_answer(status, &json!(change)))
}
