//! Reads of cases: the list (filtered and paged by the store), one case, the actions the caller
//! may take on it now, its timing as of a date, its history with hashes. A caller reads only the
//! cases of the workflows its grants name (an administrator reads every case).

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::{ok, with_version};
use super::caller::Caller;
use super::documents::{ActionsShown, AvailableActionShown, CasePage, CaseTimingShown, ChainShown, HistoryShown};
use super::limits::{PAGE_ROWS_DEFAULT, PAGE_ROWS_MAX};
use super::problem::Problem;
use super::request::{QueryOf, date, date_or};
use super::service::Shared;
use crate::core::case::{Level, available_actions};
use crate::drivers::views::case::{CaseShown, ListedShown};
use crate::drivers::views::history::EventShown;
use crate::drivers::views::timing::{Counted, TimingShown};
use crate::engine::{CaseQuery, EngineError, Principal};
use crate::store::Store as _;

/// `GET /v1/cases` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Cases of this workflow; required for a key that reads several workflows.
    workflow: Option<String>,
    /// Cases under this version of the workflow.
    version: Option<String>,
    /// Cases with this state active.
    state: Option<String>,
    /// `yellow` or `red`: cases with an open clock at that level or worse as of `as_of`.
    level: Option<String>,
    /// The date `level` is judged on (`YYYY-MM-DD`); default today.
    as_of: Option<String>,
    /// Cases opened on or after this date.
    opened_from: Option<String>,
    /// Cases opened on or before this date.
    opened_to: Option<String>,
    /// `true`: finished cases only; `false`: open ones only.
    finished: Option<bool>,
    /// The cursor: cases after this one (its id, as `next` gives it).
    after: Option<String>,
    /// Cases per page (the schema gives the default and the maximum).
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

/// List cases
///
/// The cases of the workflows the key reads, by workflow and number, filtered and paged by the
/// store. A key that reads several workflows names one with `workflow`.
#[utoipa::path(
    get, path = "/v1/cases", operation_id = "list_cases", tag = "cases",
    params(ListParams),
    responses((status = 200, description = "A page of cases", body = CasePage)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "grant-missing"]))),
)]
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
    let as_of = date_or("as_of", params.as_of.as_deref(), || today)?;
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
    Ok(ok(&CasePage { cases: page.iter().map(ListedShown::of).collect(), next }))
}

/// Show a case
///
/// Its row, workflow version, active states and attributes, and the import that created it.
#[utoipa::path(
    get, path = "/v1/cases/{case}", operation_id = "show_case", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case")),
    responses((status = 200, description = "The case", body = CaseShown, headers(("ETag" = String, description = "The case version, quoted (`\"3\"`): the `If-Match` of the next write")))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["unknown-case", "ambiguous-case", "grant-missing"]))),
)]
pub(crate) async fn show(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            caller.check_read(&row.workflow)?;
            let view = engine.view_of(row)?;
            let mark = engine.store().import_mark(&view.row.id).map_err(EngineError::from)?;
            Ok((CaseShown::of(&view, mark.as_ref()), view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

/// Actions open now
///
/// The actions the case offers in its active states that the key may take, in the roles it
/// holds (none for a supervisor's key).
#[utoipa::path(
    get, path = "/v1/cases/{case}/actions", operation_id = "available_actions", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case")),
    responses((status = 200, description = "The actions open to the caller", body = ActionsShown, headers(("ETag" = String, description = "The case version, quoted (`\"3\"`): the `If-Match` of the next write")))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["unknown-case", "ambiguous-case", "grant-missing"]))),
)]
pub(crate) async fn available(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            caller.check_read(&row.workflow)?;
            let view = engine.view_of(row)?;
            let granted: &[String] = if caller.supervisor {
                &[]
            } else {
                caller.grant(&view.row.workflow).map_or(&[], |grant| &grant.roles)
            };
            let actions: Vec<AvailableActionShown> = available_actions(&view.workflow, &view.replay)
                .into_iter()
                .filter_map(|action| {
                    let yours: Vec<String> =
                        action.roles.iter().filter(|role| granted.contains(role)).cloned().collect();
                    (!yours.is_empty()).then(|| AvailableActionShown::of(action, yours))
                })
                .collect();
            let shown = ActionsShown {
                id: view.row.id.clone(),
                number: view.row.number.clone(),
                version: view.row.version,
                actions,
            };
            Ok((shown, view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

/// `GET /v1/cases/{case}/timing` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimingParams {
    /// The date to count to (`YYYY-MM-DD`); default today.
    as_of: Option<String>,
}

/// A case's timing
///
/// Every clock that has run, against its statutory and promised limits, as of a date, with the
/// calendar it was counted on.
#[utoipa::path(
    get, path = "/v1/cases/{case}/timing", operation_id = "case_timing", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case"), TimingParams),
    responses((status = 200, description = "The case's timing", body = CaseTimingShown, headers(("ETag" = String, description = "The case version, quoted (`\"3\"`): the `If-Match` of the next write")))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "unknown-case", "ambiguous-case", "grant-missing", "date-outside-calendar"]))),
)]
pub(crate) async fn timing(
    State(service): State<Shared>,
    Path(case): Path<String>,
    caller: Caller,
    QueryOf(params): QueryOf<TimingParams>,
) -> Result<Response, Problem> {
    let as_of = date_or("as_of", params.as_of.as_deref(), || service.today())?;
    let (shown, version) = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            caller.check_read(&row.workflow)?;
            let view = engine.view_of(row)?;
            let timing = engine.timing_of(&view, as_of)?;
            let calendar = engine.calendar(&view.workflow)?;
            let counted = Counted { calendar, data_id: engine.calendar_data_id() };
            let shown = CaseTimingShown {
                id: view.row.id.clone(),
                number: view.row.number.clone(),
                timing: TimingShown::of(&view.workflow, &timing, &counted),
            };
            Ok((shown, view.row.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}

/// A case's history
///
/// Every event as stored, with its hash and whether its link in the hash chain verifies.
#[utoipa::path(
    get, path = "/v1/cases/{case}/history", operation_id = "case_history", tag = "cases",
    params(("case" = String, Path, description = "The case: its id, or its number where that names one case")),
    responses((status = 200, description = "The case's history", body = HistoryShown, headers(("ETag" = String, description = "The case version, quoted (`\"3\"`): the `If-Match` of the next write")))),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["unknown-case", "ambiguous-case", "grant-missing"]))),
)]
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
            let events: Vec<EventShown> =
                history.events.iter().enumerate().map(|(index, row)| EventShown::of(&history, index, row)).collect();
            let chain = match &history.broken {
                None => ChainShown { verifies: true, first_broken: None, reason: None },
                Some(broken) => ChainShown {
                    verifies: false,
                    first_broken: Some(
                        broken.first_broken.and_then(|index| history.events.get(index)).map(|event| event.sequence),
                    ),
                    reason: Some(broken.reason.clone()),
                },
            };
            let shown = HistoryShown {
                id: history.case.id.clone(),
                number: history.case.number.clone(),
                version: history.case.version,
                head_hash: history.case.head_hash.clone(),
                chain,
                events,
            };
            Ok((shown, history.case.version))
        })
        .await?;
    Ok(with_version(ok(&shown), version))
}
