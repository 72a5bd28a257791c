//! Throughput of the calendar queries on random dates across 2004–2026.
//!
//! `cargo bench --bench calendar`. Target (bench/README.md): at least 100 million
//! `working_days_between` queries per second on one core.

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use renewflow::core::calendar::{Calendars, DEFAULT_CALENDAR_ID};
use std::hint::black_box;

const QUERIES: usize = 1 << 16;

/// Random dates across the data from a fixed xorshift stream, so every run measures the same.
fn random_dates(count: usize, seed: u64) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    let days = (NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() - first).num_days() as u64 + 1;
    let mut state = seed;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            first + chrono::Days::new(state % days)
        })
        .collect()
}

fn bench_calendar(criterion: &mut Criterion) {
    let calendars = Calendars::builtin();
    let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
    let starts = random_dates(QUERIES, 0x9E37_79B9_7F4A_7C15);
    let ends = random_dates(QUERIES, 0xD1B5_4A32_D192_ED03);
    let amounts: Vec<i64> =
        random_dates(QUERIES, 7).iter().map(|date| i64::from(chrono::Datelike::ordinal(date)) % 200).collect();

    let mut group = criterion.benchmark_group("calendar");
    group.throughput(Throughput::Elements(QUERIES as u64));
    group.bench_function("working_days_between", |bencher| {
        bencher.iter(|| {
            let mut sum = 0_i64;
            for (from, to) in starts.iter().zip(&ends) {
                sum += calendar.working_days_between(black_box(*from), black_box(*to)).unwrap_or(0);
            }
            sum
        });
    });
    group.bench_function("add_working_days", |bencher| {
        bencher.iter(|| {
            let mut last = starts[0];
            for (start, amount) in starts.iter().zip(&amounts) {
                if let Ok(due) = calendar.add_working_days(black_box(*start), black_box(*amount)) {
                    last = last.max(due);
                }
            }
            last
        });
    });
    group.bench_function("is_working_day", |bencher| {
        bencher
            .iter(|| starts.iter().filter(|date| calendar.is_working_day(black_box(**date)).unwrap_or(false)).count());
    });
    group.finish();

    criterion.bench_function("calendar/load_builtin", |bencher| bencher.iter(Calendars::builtin));
}

criterion_group!(benches, bench_calendar);
criterion_main!(benches);
