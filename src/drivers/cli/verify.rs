//! `renewflow verify` (every case's hash chain) and `renewflow check` (the store's derived data
//! against the fold of every history). Both exit 1 naming what is wrong.

use serde_json::json;

use super::format::records;
use super::store::open_engine;
use super::{Context, EXIT_FINDINGS, EXIT_OK};

pub(crate) fn verify(context: &Context) -> anyhow::Result<i32> {
    let format = context.format.data("verify")?;
    let engine = open_engine(context)?;
    let broken = engine.verify()?;
    let rows: Vec<serde_json::Value> = broken
        .iter()
        .map(|broken| {
            json!({"case_id": broken.case_id, "number": broken.number, "first_bad_event": broken.sequence, "reason": broken.reason})
        })
        .collect();
    print!("{}", records(format, &["number", "first_bad_event", "reason", "case_id"], &rows)?);
    let cases = engine.chain_heads()?.len();
    if broken.is_empty() {
        eprintln!("every chain verifies ({cases} cases)");
        Ok(EXIT_OK)
    } else {
        eprintln!("{} of {cases} cases have a broken chain", broken.len());
        Ok(EXIT_FINDINGS)
    }
}

pub(crate) fn check(context: &Context) -> anyhow::Result<i32> {
    let format = context.format.data("check")?;
    let mut engine = open_engine(context)?;
    let mismatches = engine.check()?;
    let rows: Vec<serde_json::Value> = mismatches
        .iter()
        .map(|mismatch| json!({"case_id": mismatch.case_id, "number": mismatch.number, "what": mismatch.what}))
        .collect();
    print!("{}", records(format, &["number", "what", "case_id"], &rows)?);
    if mismatches.is_empty() {
        eprintln!("the derived data of every case equals the fold of its history");
        Ok(EXIT_OK)
    } else {
        eprintln!("{} differences between the derived data and the histories", mismatches.len());
        Ok(EXIT_FINDINGS)
    }
}
