//! Loading and comparing the shipped Longgang workflows, in process.
//!
//! `cargo bench --bench workflow`. The whole-process target (issue 4: `renewflow workflow
//! validate workflows/longgang-2017.yaml` under 20 ms) is measured by `bench/workflow_validate.py`;
//! this shows where the time goes inside it: the base alone, the reform with its base, the
//! critical paths and the comparison.

use criterion::{Criterion, criterion_group, criterion_main};
use renewflow::core::calendar::Calendars;
use renewflow::core::workflow::{SourceReader, compare, critical_paths, load_workflow};
use std::hint::black_box;

const BASE: &str = include_str!("../workflows/longgang-2016.yaml");
const REFORM: &str = include_str!("../workflows/longgang-2017.yaml");

/// Serves the 2016 base to the 2017 reform from memory, so only the core is timed.
struct Base;

impl SourceReader for Base {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        if path == "longgang-2016.yaml" {
            Ok((path.to_owned(), BASE.to_owned()))
        } else {
            Err(format!("`{path}` is not served here"))
        }
    }
}

fn bench_workflow(criterion: &mut Criterion) {
    let calendars = Calendars::builtin();
    let base = load_workflow("longgang-2016.yaml", BASE, &mut Base, &calendars).unwrap();
    let reform = load_workflow("longgang-2017.yaml", REFORM, &mut Base, &calendars).unwrap();

    let mut group = criterion.benchmark_group("workflow");
    group.bench_function("load_longgang_2016", |bencher| {
        bencher.iter(|| load_workflow("longgang-2016.yaml", black_box(BASE), &mut Base, &calendars).unwrap());
    });
    group.bench_function("load_longgang_2017_with_base", |bencher| {
        bencher.iter(|| load_workflow("longgang-2017.yaml", black_box(REFORM), &mut Base, &calendars).unwrap());
    });
    group.bench_function("critical_paths_longgang_2017", |bencher| bencher.iter(|| critical_paths(black_box(&reform))));
    group.bench_function("compare_longgang", |bencher| bencher.iter(|| compare(black_box(&base), black_box(&reform))));
    group.finish();
}

criterion_group!(benches, bench_workflow);
criterion_main!(benches);
