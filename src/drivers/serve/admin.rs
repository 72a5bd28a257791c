//! Administrators' reads over the whole store: `verify` (every hash chain, every deployment's
//! content hash, every calendar installation) and `check` (derived data against the fold of
//! every history).

use axum::extract::State;
use axum::response::Response;

use super::answer::ok;
use super::caller::Caller;
use super::documents::{CheckShown, StaleCalendarShown, VerifyShown};
use super::problem::Problem;
use super::service::Shared;

/// Verify the store
///
/// Every case's hash chain, every deployment's content hash and every calendar installation's
/// link (administrators).
#[utoipa::path(
    get, path = "/v1/verify", operation_id = "verify_store", tag = "store",
    responses((status = 200, description = "What verifies and what does not", body = VerifyShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required"]))),
)]
pub(crate) async fn verify(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("verifying the store")?;
    let shown = service
        .readers
        .run(|engine| {
            let broken = engine.verify()?;
            let installs = engine.verify_calendar_installs()?;
            let keys = engine.verify_keys()?;
            Ok(VerifyShown::of(broken, installs, keys))
        })
        .await?;
    Ok(ok(&shown))
}

/// Check derived data
///
/// The store's derived data (configurations, clocks, due dates) against the fold of every
/// history, and the calendar data it was computed with (administrators).
#[utoipa::path(
    get, path = "/v1/check", operation_id = "check_store", tag = "store",
    responses((status = 200, description = "What matches and what does not", body = CheckShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required"]))),
)]
pub(crate) async fn check(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("checking the store")?;
    let shown = service
        .readers
        .run(|engine| {
            let mismatches = engine.check()?;
            let stale = engine.stale_calendar()?;
            Ok(CheckShown::of(mismatches, stale.map(|(computed_with, now)| StaleCalendarShown { computed_with, now })))
        })
        .await?;
    Ok(ok(&shown))
}
