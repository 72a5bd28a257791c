//! The simulator on the Longgang 2017 flow with the shipped scenario's durations, branches and
//! mix (`workflows/scenarios/longgang-2016-vs-2017.yaml`, its 2017 workflow alone, no queues):
//! simulated cases per second on all cores (rayon's default pool), each case walked through the
//! engine's transition function and counted by its timing.
//!
//! `cargo bench --bench simulate`. Target (bench/README.md): at least 200 000 cases/s on both
//! cores. `RENEWFLOW_BENCH_SIM_CASES` sets the cases per iteration (default 20 000).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use renewflow::core::calendar::Calendars;
use renewflow::core::workflow::{SourceReader, load_workflow};
use renewflow::simulate::{RunOptions, Scenario, WorkingDayAxis, build_models, run};

const LONGGANG_2016: &str = include_str!("../workflows/longgang-2016.yaml");
const LONGGANG_2017: &str = include_str!("../workflows/longgang-2017.yaml");
const SCENARIO: &str = include_str!("../workflows/scenarios/longgang-2016-vs-2017.yaml");

struct Embedded;

impl SourceReader for Embedded {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        match path {
            "longgang-2016.yaml" => Ok(("longgang-2016.yaml".to_owned(), LONGGANG_2016.to_owned())),
            _ => Err(format!("no `{path}` here")),
        }
    }
}

fn simulate(c: &mut Criterion) {
    let cases: u64 =
        std::env::var("RENEWFLOW_BENCH_SIM_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(20_000);
    let calendars = Calendars::builtin();
    let workflow = load_workflow("longgang-2017.yaml", LONGGANG_2017, &mut Embedded, &calendars).unwrap();
    let scenario = Scenario::parse("longgang-2016-vs-2017.yaml", SCENARIO).unwrap();
    let models = build_models(&scenario, &[&workflow]).unwrap();
    let calendar = calendars.require(workflow.calendar()).unwrap();
    let axis = WorkingDayAxis::new(calendar, scenario.arrivals.first_date()).unwrap();
    let options = RunOptions { cases, seed: 2017, keep_events: false };
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cases));
    group.bench_function(format!("longgang_2017_{cases}_cases"), |b| {
        b.iter(|| run(&scenario, &models, calendar, &axis, options, &mut |_, _| {}).unwrap());
    });
    group.finish();
}

criterion_group!(benches, simulate);
criterion_main!(benches);
