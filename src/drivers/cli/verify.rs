//! `renewflow verify` (every case's hash chain) and `renewflow check` (the store's derived data
//! against the fold of every history). Both exit 1 naming what is wrong.

use serde_json::json;

use super::format::records;
use super::store::open_engine_to_read;
use super::{Context, EXIT_FINDINGS, EXIT_OK};

/// `verify` options: export the chain heads, or check the store against exported ones.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Write every case's chain head (`case_id,version,head_hash`, CSV) to FILE, to keep outside
    /// the database.
    #[arg(long, value_name = "FILE")]
    export_heads: Option<std::path::PathBuf>,
    /// Check the store against chain heads exported earlier: a history rewritten since, even
    /// with fresh hashes and its case row edited, is named.
    #[arg(long, value_name = "FILE")]
    heads: Option<std::path::PathBuf>,
}

pub(crate) fn verify(context: &Context, args: &VerifyArgs) -> anyhow::Result<i32> {
    use anyhow::Context as _;
    let format = context.format.data("verify")?;
    let engine = open_engine_to_read(context)?;
    let mut broken = engine.verify()?;
    if let Some(path) = &args.heads {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading chain heads `{}`", path.display()))?;
        let mut heads = Vec::new();
        for (index, line) in text.lines().enumerate().skip(1).filter(|(_, line)| !line.trim().is_empty()) {
            let fields: Vec<&str> = line.trim().split(',').collect();
            let [case_id, version, head] = fields.as_slice() else {
                anyhow::bail!("{}:{}: expected `case_id,version,head_hash`", path.display(), index + 1);
            };
            let version = version.parse().with_context(|| format!("{}:{}: version", path.display(), index + 1))?;
            heads.push(((*case_id).to_owned(), version, (*head).to_owned()));
        }
        for found in engine.verify_heads(&heads)? {
            if !broken.iter().any(|known| known.case_id == found.case_id) {
                broken.push(found);
            }
        }
    }
    if let Some(path) = &args.export_heads {
        let mut rows = vec![vec!["case_id".to_owned(), "version".to_owned(), "head_hash".to_owned()]];
        rows.extend(engine.chain_heads()?.into_iter().map(|(id, version, head)| vec![id, version.to_string(), head]));
        std::fs::write(path, super::format::csv(&rows)).with_context(|| format!("writing `{}`", path.display()))?;
    }
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
        let verb = if broken.len() == 1 { "has" } else { "have" };
        eprintln!("{} of {cases} cases {verb} a broken chain", broken.len());
        Ok(EXIT_FINDINGS)
    }
}

pub(crate) fn check(context: &Context) -> anyhow::Result<i32> {
    let format = context.format.data("check")?;
    let mut engine = open_engine_to_read(context)?;
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
