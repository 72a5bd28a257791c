//! Writes a large synthetic event log for the audit benchmark: cases walked through a shipped
//! Longgang flow by the engine's own transition function, with injected violations whose counts
//! go to stderr as JSON.
//!
//! `cargo run --release --example generate_log -- CASES [SEED] > log.csv`

#[path = "../tests/cli/log_generator.rs"]
mod log_generator;

use std::io::{BufWriter, Write};

use renewflow::core::calendar::Calendars;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let cases: usize = args.next().ok_or("usage: generate_log CASES [SEED] [WORKFLOW]")?.parse()?;
    let seed: u64 = args.next().map_or(Ok(1), |seed| seed.parse())?;
    let path =
        args.next().unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/longgang-2017.yaml").to_owned());
    let calendars = Calendars::builtin();
    let workflow = log_generator::load_workflow_file(&path, &calendars);
    let calendar = calendars.require(workflow.calendar())?;
    let plan = log_generator::Plan {
        cases,
        window: 200,
        inject_per_mille: 20,
        first_day: chrono::NaiveDate::from_ymd_opt(2017, 1, 3).ok_or("date")?,
        spread_days: 365,
        seed,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let injected = log_generator::generate(&workflow, calendar, &plan, &mut out)?;
    out.flush()?;
    eprintln!(
        "{{\"rows\": {}, \"AUD001\": {}, \"AUD002\": {}, \"AUD003\": {}, \"AUD004\": {}}}",
        injected.rows,
        injected.unknown_activity,
        injected.step_not_allowed,
        injected.role_not_permitted,
        injected.time_backwards
    );
    Ok(())
}
