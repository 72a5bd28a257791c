//! Administrators' reads over the whole store: `verify` (every hash chain, every deployment's
//! content hash, every calendar installation) and `check` (derived data against the fold of
//! every history).

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::answer::ok;
use super::caller::Caller;
use super::problem::Problem;
use super::service::Shared;

pub(crate) async fn verify(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("verifying the store")?;
    let shown = service
        .readers
        .run(|engine| {
            let broken = engine.verify()?;
            let installs = engine.verify_calendar_installs()?;
            let keys = engine.verify_keys()?;
            Ok(json!({
                "verifies": broken.is_empty() && installs.is_empty() && keys.is_empty(),
                "broken_chains": broken, "broken_installs": installs, "broken_keys": keys,
            }))
        })
        .await?;
    Ok(ok(&shown))
}

pub(crate) async fn check(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    caller.check_admin("checking the store")?;
    let shown = service
        .readers
        .run(|engine| {
            let mismatches = engine.check()?;
            let stale = engine.stale_calendar()?;
            Ok(json!({
                "matches": mismatches.is_empty() && stale.is_none(), "mismatches": mismatches,
                "stale_calendar": stale.map(|(computed_with, now)| json!({"computed_with": computed_with, "now": now})),
            }))
        })
        .await?;
    Ok(ok(&shown))
}
