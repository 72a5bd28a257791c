//! `GET /v1/watch`: the yellow and red clocks of the cases the caller may read, most urgent
//! first, filtered and paged.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::{ok_body, sorted_body};
use super::caller::Caller;
use super::case_reads::page_rows;
use super::documents::WatchPage;
use super::problem::Problem;
use super::request::{QueryOf, date_or};
use super::service::Shared;
use super::watch_list::{Selected, Selection};
use crate::drivers::views::watch::WatchRowShown;

/// `GET /v1/watch` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct WatchParams {
    /// The date to count to (`YYYY-MM-DD`); default today.
    as_of: Option<String>,
    /// Clocks of this workflow's cases only.
    workflow: Option<String>,
    /// `yellow` or `red` (red only), or `overrun` (pauses past their maximum only).
    level: Option<String>,
    /// Clocks of this name only.
    clock: Option<String>,
    /// Cases waiting on this role only (`waiting_on`).
    role: Option<String>,
    /// Cases waiting on a role that a key of this organ holds (in that workflow) only.
    organ: Option<String>,
    /// Rows to skip (as `next_offset` gives it).
    offset: Option<u64>,
    /// Rows per page (the schema gives the default and the maximum).
    limit: Option<u64>,
}

/// The watch list
///
/// The yellow and red clocks (and pauses past their maximum) of the cases the key reads, most
/// urgent first, filtered and paged.
#[utoipa::path(
    get, path = "/v1/watch", operation_id = "watch", tag = "cases",
    params(WatchParams),
    responses((status = 200, description = "A page of the watch list", body = WatchPage)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["bad-request", "grant-missing", "date-outside-calendar"]))),
)]
pub(crate) async fn watch(
    State(service): State<Shared>,
    caller: Caller,
    QueryOf(params): QueryOf<WatchParams>,
) -> Result<Response, Problem> {
    let as_of = date_or("as_of", params.as_of.as_deref(), || service.today())?;
    let limit = page_rows(params.limit)?;
    let offset = params.offset.unwrap_or(0);
    if let Some(workflow) = &params.workflow {
        caller.check_read(workflow)?;
    }
    if let Some(level) = params.level.as_deref()
        && !["yellow", "red", "overrun"].contains(&level)
    {
        return Err(Problem::new("bad-request", format!("`level` is `yellow`, `red` or `overrun`, not `{level}`")));
    }
    let held = match params.organ {
        Some(organ) => Some(service.readers.run(move |engine| Ok::<_, Problem>(engine.roles_held_by(&organ)?)).await?),
        None => None,
    };
    let selection = Selection::of(&caller, params.workflow, params.clock, params.level).waiting_on(params.role, held);
    let Selected { rows, picked } = service.watch_list.select(as_of, selection).await?;
    if offset == 0
        && let Some(body) = picked.first_page(limit)
    {
        return Ok(ok_body(body));
    }
    let total = picked.positions.len() as u64;
    let shown = picked
        .positions
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|&position| WatchRowShown::from(&rows[position as usize]))
        .collect();
    let next_offset = (offset.saturating_add(limit) < total).then_some(offset + limit);
    let body = Bytes::from(sorted_body(&WatchPage { as_of: as_of.to_string(), total, next_offset, rows: shown }));
    if offset == 0 {
        picked.keep_first_page(limit, &body);
    }
    Ok(ok_body(body))
}
