//! `renewflow verify` (every case's hash chain) and `renewflow check` (the store's derived data
//! against the fold of every history). Both exit 1 naming what is wrong.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use super::atomic_file::write_atomically;

use super::format::{plural, records};
use super::store::open_engine_to_read;
use super::{Context, EXIT_FINDINGS, EXIT_OK};

/// `verify` options: export the chain heads, or check the store against exported ones.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Write every case's chain head (`case_id,version,head_hash`, CSV) to FILE, to keep outside
    /// the database. FILE is replaced atomically: on any error the previous one stays.
    #[arg(long, value_name = "FILE")]
    export_heads: Option<std::path::PathBuf>,
    /// Check the store against chain heads exported earlier: a history rewritten since, even
    /// with fresh hashes and its case row edited, is named. The header line is optional; an
    /// empty or malformed file is refused (exit 2).
    #[arg(long, value_name = "FILE")]
    heads: Option<std::path::PathBuf>,
}

/// The largest chain heads file read (about a million cases).
const HEADS_FILE_BYTES_MAX: usize = 128 << 20;

/// The header line an export writes first.
const HEADS_HEADER: &str = "case_id,version,head_hash";

pub(crate) fn verify(context: &Context, args: &VerifyArgs) -> anyhow::Result<i32> {
    let format = context.format.data("verify")?;
    // A heads file that cannot be read refuses the run before anything is checked or written.
    let heads = match &args.heads {
        None => None,
        Some(path) => {
            let text = super::regular_file::read_text(path, HEADS_FILE_BYTES_MAX)
                .with_context(|| format!("reading chain heads `{}`", path.display()))?;
            Some(parse_heads(path, &text)?)
        }
    };
    let engine = open_engine_to_read(context)?;
    let mut broken = engine.verify()?;
    if let Some(heads) = &heads {
        for found in engine.verify_heads(heads)? {
            if !broken.iter().any(|known| known.case_id == found.case_id) {
                broken.push(found);
            }
        }
    }
    let chain_heads = engine.chain_heads()?;
    if let Some(path) = &args.export_heads {
        let mut rows = vec![HEADS_HEADER.split(',').map(str::to_owned).collect::<Vec<_>>()];
        rows.extend(chain_heads.iter().map(|(id, version, head)| vec![id.clone(), version.to_string(), head.clone()]));
        write_atomically(path, super::format::csv(&rows).as_bytes())?;
    }
    let rows: Vec<serde_json::Value> = broken
        .iter()
        .map(|broken| {
            json!({"case_id": broken.case_id, "number": broken.number, "first_bad_event": broken.sequence, "reason": broken.reason})
        })
        .collect();
    context.output.write(&records(format, &["number", "first_bad_event", "reason", "case_id"], &rows)?)?;
    let checked =
        heads.as_ref().map(|heads| plural(heads.len() as u64, "exported head", "exported heads") + " checked");
    if broken.is_empty() {
        let cases = plural(chain_heads.len() as u64, "case", "cases");
        let checked = checked.map(|checked| format!("; {checked}")).unwrap_or_default();
        eprintln!("every chain verifies ({cases}{checked})");
        Ok(EXIT_OK)
    } else {
        let verb = if broken.len() == 1 { "has" } else { "have" };
        let checked = checked.map(|checked| format!(" ({checked})")).unwrap_or_default();
        let total = plural(chain_heads.len() as u64, "case", "cases");
        eprintln!("{} of {total} {verb} a broken chain{checked}", broken.len());
        Ok(EXIT_FINDINGS)
    }
}

/// The heads of an exported file: `case_id,version,head_hash` lines, after that header when
/// the file has it (an export does; a file put together by hand may not). Blank lines are
/// skipped; a file without a head, or any line that is not a head, is refused naming the line.
fn parse_heads(path: &Path, text: &str) -> anyhow::Result<Vec<(String, u64, String)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()).peekable();
    // The header is read only when it is there: a head on the first line is a head.
    let _header = lines.next_if(|(_, line)| line.trim() == HEADS_HEADER);
    let mut heads: Vec<(String, u64, String)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, line) in lines {
        let at = || format!("chain heads `{}` line {}", path.display(), index + 1);
        let head = parse_head(line.trim()).with_context(at)?;
        if let Some(first) = seen.insert(head.0.clone(), index + 1) {
            return Err(anyhow::anyhow!("case `{}` is on line {first} already", head.0)).with_context(at);
        }
        heads.push(head);
    }
    if heads.is_empty() {
        anyhow::bail!("chain heads `{}` has no heads; expected `{HEADS_HEADER}` lines", path.display());
    }
    Ok(heads)
}

fn parse_head(line: &str) -> anyhow::Result<(String, u64, String)> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [case_id, version, head] = fields.as_slice() else {
        anyhow::bail!("expected `{HEADS_HEADER}`, found {} fields", fields.len());
    };
    anyhow::ensure!(!case_id.is_empty(), "the case id is empty");
    let version: u64 = version
        .parse()
        .ok()
        .filter(|version| *version > 0)
        .ok_or_else(|| anyhow::anyhow!("version `{version}` is not a positive whole number"))?;
    anyhow::ensure!(
        head.len() == 64 && head.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')),
        "head hash `{head}` is not 64 lower-case hex digits"
    );
    Ok(((*case_id).to_owned(), version, (*head).to_owned()))
}

pub(crate) fn check(context: &Context) -> anyhow::Result<i32> {
    let format = context.format.data("check")?;
    let mut engine = open_engine_to_read(context)?;
    let mismatches = engine.check()?;
    let rows: Vec<serde_json::Value> = mismatches
        .iter()
        .map(|mismatch| json!({"case_id": mismatch.case_id, "number": mismatch.number, "what": mismatch.what}))
        .collect();
    context.output.write(&records(format, &["number", "what", "case_id"], &rows)?)?;
    if mismatches.is_empty() {
        eprintln!("the derived data of every case equals the fold of its history");
        Ok(EXIT_OK)
    } else {
        eprintln!("{} differences between the derived data and the histories", mismatches.len());
        Ok(EXIT_FINDINGS)
    }
}
