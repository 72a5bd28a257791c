//! The engine on a SQLite file (WAL): persisted actions per second beside a bare INSERT of the
//! same event row, the watch list over many open cases, and one case's timing.
//!
//! `cargo bench --bench engine`. Targets (bench/README.md): at least 10 000 actions/s, one
//! transaction each, and no more than 2× a bare INSERT; the watch list over 100 000 open cases
//! in under 1 s; one case's timing in under 1 ms. `RENEWFLOW_BENCH_CASES` sets the number of
//! open cases for the watch list (default 100 000; building them takes a minute or so).

use std::time::{Duration, Instant};

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use renewflow::core::calendar::Calendars;
use renewflow::core::case::{Command, CommandKind};
use renewflow::core::workflow::NoExtends;
use renewflow::engine::{CaseOpening, Engine};
use renewflow::store::{SqliteStore, Store};

const LICENCE: &str = include_str!("../workflows/administrative-license.yaml");
/// Cases the action benches cycle through, so each history stays as short as a real case's (a
/// few dozen events) however many iterations criterion runs.
const ACTION_CASES: usize = 10_000;

fn at(date: NaiveDate, hour: u32) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{date}T{hour:02}:00:00+08:00")).unwrap()
}

fn command(action: &str, role: &str, when: DateTime<FixedOffset>) -> Command {
    Command {
        at: when,
        actor: "bench".to_owned(),
        role: role.to_owned(),
        kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
    }
}

/// An engine on a fresh file with the licence deployed and `count` cases opened, the i-th on
/// `first + i % spread` days, accepted the same day.
fn engine_with_cases(path: &std::path::Path, count: usize, first: NaiveDate, spread: u64) -> Engine<SqliteStore> {
    let mut engine = Engine::new(SqliteStore::open(path).unwrap(), Calendars::builtin());
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at(first, 8)).unwrap();
    for index in 0..count {
        let day = first + Days::new(index as u64 % spread);
        let number = format!("B-{index:06}");
        let opening = CaseOpening {
            workflow: "administrative-license".to_owned(),
            version: None,
            number: Some(number.clone()),
            at: at(day, 9),
            actor: "bench".to_owned(),
            attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
            idempotency_key: None,
        };
        let opened = engine.open_case(&opening).unwrap();
        engine.act(&opened.case_id, &command("accept", "officer", at(day, 10)), opened.version, None).unwrap();
    }
    engine
}

fn bench_actions(criterion: &mut Criterion) {
    let directory = tempfile::tempdir().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut engine = engine_with_cases(&directory.path().join("actions.db"), ACTION_CASES, day, 1);
    let ids: Vec<String> = engine.cases().unwrap().into_iter().map(|case| case.id).collect();
    let mut versions = vec![2_u64; ids.len()];
    let mut in_hearing = vec![false; ids.len()];
    let mut next = 0_usize;

    let mut group = criterion.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("act_persisted", |bencher| {
        bencher.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                let case = next % ids.len();
                next += 1;
                let action = if in_hearing[case] { "close_hearing" } else { "order_hearing" };
                let outcome =
                    engine.act(&ids[case], &command(action, "officer", at(day, 11)), versions[case], None).unwrap();
                versions[case] = outcome.version;
                in_hearing[case] = !in_hearing[case];
            }
            started.elapsed()
        });
    });

    // The same actions on an in-memory store: the engine's own cost, without the file.
    let mut memory = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    memory.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at(day, 8)).unwrap();
    let mut memory_cases = Vec::new();
    for index in 0..ACTION_CASES {
        let opening = CaseOpening {
            workflow: "administrative-license".to_owned(),
            version: None,
            number: Some(format!("M-{index:06}")),
            at: at(day, 9),
            actor: "bench".to_owned(),
            attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
            idempotency_key: None,
        };
        let opened = memory.open_case(&opening).unwrap();
        let accepted = memory.act(&opened.case_id, &command("accept", "officer", at(day, 10)), 1, None).unwrap();
        memory_cases.push((opened.case_id, accepted.version, false));
    }
    let mut memory_next = 0_usize;
    group.bench_function("act_in_memory", |bencher| {
        bencher.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                let (id, version, hearing) = &mut memory_cases[memory_next % ACTION_CASES];
                memory_next += 1;
                let action = if *hearing { "close_hearing" } else { "order_hearing" };
                *version = memory.act(id, &command(action, "officer", at(day, 11)), *version, None).unwrap().version;
                *hearing = !*hearing;
            }
            started.elapsed()
        });
    });

    // The same event rows, inserted bare, one transaction each, into the same cases in the same
    // order as the actions above (so both touch the same pages), with no fold, no hash and no
    // derived data. Sequences far past the actions' keep the two apart.
    let connection = rusqlite::Connection::open(directory.path().join("actions.db")).unwrap();
    connection.pragma_update(None, "synchronous", "NORMAL").unwrap();
    connection.pragma_update(None, "wal_autocheckpoint", renewflow::store::WAL_CHECKPOINT_PAGES).unwrap();
    let row = engine.store().events(&ids[0]).unwrap().pop().unwrap();
    let mut bare_sequences = vec![1_000_000_i64; ids.len()];
    let mut bare_next = 0_usize;
    group.bench_function("bare_insert", |bencher| {
        bencher.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                let case = bare_next % ids.len();
                bare_next += 1;
                bare_sequences[case] += 1;
                let transaction = connection.unchecked_transaction().unwrap();
                transaction
                    .execute(
                        "INSERT INTO events (case_id, sequence, at, record, previous_hash, hash, hash_algorithm) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        rusqlite::params![
                            ids[case],
                            bare_sequences[case],
                            row.at,
                            row.record,
                            row.previous_hash,
                            row.hash,
                            row.hash_algorithm
                        ],
                    )
                    .unwrap();
                transaction.commit().unwrap();
            }
            started.elapsed()
        });
    });
    group.finish();
}

fn bench_watch(criterion: &mut Criterion) {
    let count: usize =
        std::env::var("RENEWFLOW_BENCH_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(100_000);
    let directory = tempfile::tempdir().unwrap();
    let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let building = Instant::now();
    // Accepted over 60 days, so by 2026-05-15 some decisions are red, some yellow, most ok.
    let mut engine = engine_with_cases(&directory.path().join("watch.db"), count, first, 60);
    eprintln!("built {count} open cases in {:.1} s", building.elapsed().as_secs_f64());
    let as_of = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
    let rows = engine.watch(as_of).unwrap();
    eprintln!("watch list as of {as_of}: {} rows of {count} open cases", rows.len());

    let mut group = criterion.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function(format!("watch_{count}_open_cases"), |bencher| bencher.iter(|| engine.watch(as_of).unwrap()));
    group.bench_function("timing_one_case", |bencher| bencher.iter(|| engine.timing("B-000042", as_of).unwrap()));
    group.finish();
}

criterion_group!(benches, bench_actions, bench_watch);
criterion_main!(benches);
