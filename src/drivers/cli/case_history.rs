//! `renewflow case history CASE`: a case's events with their hashes, each marked `ok` or
//! `broken` as the engine's verification finds its link in the hash chain (the reason on the
//! first broken one); exit 1 when the chain is broken.

use serde_json::Value as Json;

use super::case::engine_error_exit;
use super::format::{DataFormat, plural, records, shown};
use super::store::open_engine_to_read;
use super::{Context, EXIT_FINDINGS, EXIT_OK};
use crate::drivers::views::history::event_json;

pub(crate) fn run(context: &Context, format: DataFormat, case: &str) -> anyhow::Result<i32> {
    let engine = open_engine_to_read(context)?;
    let history = match engine.verified_history(case) {
        Ok(history) => history,
        Err(error) => return Ok(engine_error_exit(&error)),
    };
    let rows: Vec<Json> =
        history.events.iter().enumerate().map(|(index, row)| event_json(&history, index, row)).collect();
    let columns = ["sequence", "at", "kind", "what", "actor", "role", "status", "reason", "hash"];
    context.output.write(&shown(&records(format, &columns, &rows)?))?;
    let events = plural(history.events.len() as u64, "event", "events");
    let number = shown(&history.case.number);
    match &history.broken {
        None => {
            eprintln!("case `{number}`: {events}; the hash chain verifies");
            Ok(EXIT_OK)
        }
        Some(broken) => {
            let place = match broken.first_broken.and_then(|index| history.events.get(index)) {
                Some(event) => format!("at event {}", event.sequence),
                None => "in its case row".to_owned(),
            };
            eprintln!("case `{number}`: {events}; the hash chain is broken {place}: {}", shown(&broken.reason));
            Ok(EXIT_FINDINGS)
        }
    }
}
