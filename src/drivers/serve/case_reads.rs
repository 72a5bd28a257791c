//! Reads of cases: the list (filtered and paged by the store), one case, the actions the caller
//! may take on it now, its timing as of a date, its history with hashes. A caller reads only the
//! cases of the workflows its grants name (an administrator reads every case).

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::answer::{ok, with_version};
use super::caller::Caller;
use super::limits::{PAGE_ROWS_DEFAULT, PAGE_ROWS_MAX};
use super::problem::Problem;
use super::request::{QueryOf, date, date_or};
use super::service::Shared;
use crate::core::case::{Level, available_actions};
use crate::drivers::views::case::{case_json, listed_json};
use crate::drivers::views::history::event_json;
use crate::drivers::views::timing::{Counted, timing_json};
use crate::engine::{CaseQuery, EngineError, Principal};
use crate::store::Store as _;

/// `GET /v1/cases` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    workflow: Option<String>,
    version: Option<String>,
    state: Option<String>,
    /// `yellow` or `red`: cases with an open clock at that level or worse as of `as_of`.
    level: Option<String>,
    as_of: Option<String>,
    opened_from: Option<String>,
    opened_to: Option<String>,
    finished: Option<bool>,
    /// The cursor: cases after this one (its id, as `next` gives it).
    after: Option<String>,
    limit: Option<u64>,
}

/// The rows a page asks for, within the limit.
pub(crate) fn page_rows(limit: Option<u64>) -> Result<u64, Problem> {
    match limit {
        None => Ok(PAGE_ROWS_DEFAULT),
        Some(limit) if (1..=PAGE_ROWS_MAX).contains(&limit) => Ok(limit),
        Some(limit) => Err(Problem::new("bad-request", format!("`limit` must be 1 to {PAGE_ROWS_MAX}, not {limit}"))),
    }
}

/// The workflow a listing is confined to: the one asked for, if the caller may read it; else,
/// for a caller that is not an administrator, its only workflow.
fn listed_workflow(caller: &Principal, asked: Option<String>) -> Result<Option<String>, Problem> {
    if let Some(workflow) = asked {
        caller.check_read(&workflow)?;
        return Ok(Some(workflow));
    }
    match (caller.admin, caller.grants.as_slice()) {
        (true, _) => Ok(None),
        (false, [grant]) => Ok(Some(grant.workflow.clone())),
        (false, grants) => Err(Problem::new(
            "bad-request",
            format!(
                "name a workflow with `workflow=`: this key reads {}",
                grants.iter().map(|grant| format!("`{}`", grant.workflow)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

pub(crate) async fn list(
    State(service): State<Shared>,
    caller: Caller,
    QueryOf(params): QueryOf<ListParams>,
) -> Result<Response, Problem> {
    let limit = page_rows(params.limit)?;
    let today = service.today();
    let level = match params.level.as_deref() {
        None => None,
        Some("yellow") => Some(Level::Yellow),
        Some("red") => Some(Level::Red),
        Some(other) => return Err(Problem::new("bad-request", format!("`level` is `yellow` or `red`, not `{other}`"))),
    };
    let as_of = date_or("as_of", params.as_of.as_deref(), today)?;
    let query = CaseQuery {
        workflow: listed_workflow(&caller, params.workflow)?,
        version: params.version,
        state: params.state,
        level: level.map(|level| (level, as_of)),
        opened_from: params.opened_from.as_deref().map(|text| date("opened_from", text)).transpose()?,
        opened_to: params.opened_to.as_deref().map(|text| date("opened_to", text)).transpose()?,
        finished: params.finished,
        after: params.after,
        offset: 0,
        // One more than the page shows, to know whether another page follows.
        limit: Some(limit + 1),
    };
    let listed = service.readers.run(move |engine| Ok(engine.list_cases(&query)?)).await?;
    let page = &listed[..listed.len().min(limit as usize)];
    let next = (listed.len() as u64 > limit).then(|| page.last().map(|listed| listed.case.id.clone())).flatten();
    Ok(ok(&json!({"cases": page.iter().map(listed_json).collect::<Vec<Json>>(), "next": next})))
}

pub(crate) async fn show(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let view = engine.case(&case)?;
            caller.check_read(&view.row.workflow)?;
            let mark = engine.store().import_mark(&view.row.id).map_err(EngineError::from)?;
            Ok((case_json(&view, mark.as_ref()), view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

pub(crate) async fn available(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let view = engine.case(&case)?;
            caller.check_read(&view.row.workflow)?;
            let granted: &[String] = if caller.supervisor {
                &[]
            } else {
                caller.grant(&view.row.workflow).map_or(&[], |grant| &grant.roles)
            };
            let actions: Vec<Json> = available_actions(&view.workflow, &view.replay)
                .into_iter()
                .filter_map(|action| {
                    let yours: Vec<&String> = action.roles.iter().filter(|role| granted.contains(role)).collect();
                    (!yours.is_empty()).then(|| {
                        let mut shown = json!(action);
                        shown["your_roles"] = json!(yours);
                        shown
                    })
                })
                .collect();
            let shown = json!({
                "id": view.row.id, "number": view.row.number, "version": view.row.version, "actions": actions,
            });
            Ok((shown, view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

/// `GET /v1/cases/{case}/timing` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TimingParams {
    as_of: Option<String>,
}

pub(crate) async fn timing(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    QueryOf(params): QueryOf<TimingParams>,
) -> Result<Response, Problem> {
    let as_of = date_or("as_of", params.as_of.as_deref(), service.today())?;
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            caller.check_read(&row.workflow)?;
            let (view, timing) = engine.timing(&row.id, as_of)?;
            let calendar = engine
                .calendars()
                .require(view.workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let counted = Counted { calendar, data_id: engine.calendar_data_id() };
            let mut shown = timing_json(&view.workflow, &timing, &counted);
            shown["id"] = json!(view.row.id);
            shown["number"] = json!(view.row.number);
            Ok((shown, view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

pub(crate) async fn history(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            caller.check_read(&row.workflow)?;
            let history = engine.verified_history(&row.id)?;
            let events: Vec<Json> =
                history.events.iter().enumerate().map(|(index, row)| event_json(&history, index, row)).collect();
            let chain = match &history.broken {
                None => json!({"verifies": true}),
                Some(broken) => json!({
                    "verifies": false,
                    "first_broken": broken.first_broken.and_then(|index| history.events.get(index)).map(|event| event.sequence),
                    "reason": broken.reason,
                }),
            };
            let shown = json!({
                "id": history.case.id, "number": history.case.number, "version": history.case.version,
                "head_hash": history.case.head_hash, "chain": chain, "events": events,
            });
            Ok((shown, history.case.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}
