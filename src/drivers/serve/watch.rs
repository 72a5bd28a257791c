//! `GET /v1/watch`: the yellow and red clocks of the cases the caller may read, most urgent
//! first, filtered and paged.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::answer::ok;
use super::caller::Caller;
use super::case_reads::page_rows;
use super::problem::Problem;
use super::request::{QueryOf, date_or};
use super::service::Shared;
use crate::drivers::views::watch::watch_json;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WatchParams {
    as_of: Option<String>,
    workflow: Option<String>,
    /// `yellow` or `red` (red only), or `overrun` (pauses past their maximum only).
    level: Option<String>,
    clock: Option<String>,
    offset: Option<u64>,
    limit: Option<u64>,
}

pub(crate) async fn watch(
    State(service): State<Shared>,
    caller: Caller,
    QueryOf(params): QueryOf<WatchParams>,
) -> Result<Response, Problem> {
    let as_of = date_or("as_of", params.as_of.as_deref(), service.today())?;
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
    let rows = service.readers.run(move |engine| Ok(engine.watch(as_of)?)).await?;
    let selected: Vec<_> = rows
        .iter()
        .filter(|row| caller.may_read(&row.workflow))
        .filter(|row| params.workflow.as_ref().is_none_or(|workflow| &row.workflow == workflow))
        .filter(|row| params.clock.as_ref().is_none_or(|clock| &row.clock == clock))
        .filter(|row| match params.level.as_deref() {
            Some("red") => row.level == "red",
            Some("overrun") => row.pause_over_max.is_some(),
            _ => true,
        })
        .collect();
    let total = selected.len() as u64;
    let page: Vec<Json> =
        selected.iter().skip(offset as usize).take(limit as usize).map(|row| watch_json(row)).collect();
    let next_offset = (offset + limit < total).then_some(offset + limit);
    Ok(ok(&json!({"as_of": as_of.to_string(), "total": total, "next_offset": next_offset, "rows": page})))
}
