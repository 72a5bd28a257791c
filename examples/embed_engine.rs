//! Embedding the engine: deploy a workflow, open a case, act on it, read its timing, verify its
//! hash chain, all in an in-memory SQLite store (use `SqliteStore::open(path)` for a file).
//!
//! `cargo run --example embed_engine`

use chrono::{DateTime, NaiveDate};
use renewflow::core::calendar::Calendars;
use renewflow::core::case::{Command, CommandKind};
use renewflow::core::workflow::NoExtends;
use renewflow::engine::{CaseOpening, Engine, EngineError};
use renewflow::store::SqliteStore;

const LICENCE: &str = include_str!("../workflows/administrative-license.yaml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    let at = |text: &str| DateTime::parse_from_rfc3339(text);
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;

    let opened = engine.open_case(&CaseOpening {
        workflow: "administrative-license".to_owned(),
        version: None,
        number: Some("XK-2026-0001".to_owned()),
        at: at("2026-09-21T09:30:00+08:00")?,
        actor: "窗口".to_owned(),
        attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
        idempotency_key: Some("intake-0001".to_owned()),
    })?;
    println!("opened {} ({}), version {}", opened.number, opened.case_id, opened.version);

    // Acting needs the version last read: a case that moved on since is a conflict.
    let accept = Command {
        at: at("2026-09-22T10:00:00+08:00")?,
        actor: "承办人甲".to_owned(),
        role: "officer".to_owned(),
        kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    };
    let accepted = engine.act("XK-2026-0001", &accept, opened.version, None)?;
    println!("accepted: version {}", accepted.version);

    // A refused action writes nothing and says why.
    let grant_by_officer =
        Command { kind: CommandKind::Act { action: "grant".to_owned(), attributes: Vec::new() }, ..accept.clone() };
    match engine.act("XK-2026-0001", &grant_by_officer, accepted.version, None) {
        Err(EngineError::Rejected(rejection)) => println!("refused: {rejection}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }

    // 中秋 (09-25..27) and 国庆 (10-01..07) 2026 do not count; 10-10, a Saturday, does.
    let as_of = NaiveDate::from_ymd_opt(2026, 10, 12).ok_or("bad date")?;
    let (view, timing) = engine.timing("XK-2026-0001", as_of)?;
    for clock in timing.clocks.iter().filter(|clock| clock.runs > 0) {
        let name = &view.workflow.clock(clock.clock).name;
        if let Some(limit) = &clock.statutory {
            println!(
                "{name}: {} {} of {}, due {:?}, level {}",
                clock.status.name(),
                clock.elapsed,
                limit.limit,
                limit.due.date(),
                clock.level().name()
            );
        }
    }
    let broken = engine.verify()?;
    println!("hash chains: {}", if broken.is_empty() { "all verify" } else { "broken" });
    Ok(())
}
