//! Unit tests of the simulator's parts: durations stay in range, histograms count exactly, the
//! working-day axis dates positions across the Spring Festival, and no scenario text panics.

use chrono::NaiveDate;
use proptest::prelude::*;
use rand::SeedableRng as _;
use rand::rngs::ChaCha8Rng;

use super::choice::choose;
use super::duration::Duration;
use super::histogram::Histogram;
use super::model::build_models;
use super::scenario::Scenario;
use super::working_day_axis::{WorkingDayAxis, office_instant, opens_utc_seconds};
use crate::core::calendar::Calendars;
use crate::core::workflow::{NoExtends, load_workflow};

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
const SCENARIO: &str = include_str!("../../tests/data/scenarios/licence-loops.yaml");

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn every_distribution_draws_inside_its_range_and_near_its_mean() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cases: Vec<(Duration, f64, f64, f64)> = vec![
        (Duration::fixed(3.0).unwrap(), 3.0, 3.0, 3.0),
        (Duration::uniform(1.0, 5.0).unwrap(), 1.0, 5.0, 3.0),
        (Duration::exponential(4.0).unwrap(), 0.0, f64::INFINITY, 4.0),
        (Duration::triangular(1.0, 2.0, 6.0).unwrap(), 1.0, 6.0, 3.0),
        (Duration::pert(1.0, 2.0, 6.0).unwrap(), 1.0, 6.0, (1.0 + 4.0 * 2.0 + 6.0) / 6.0),
        (Duration::lognormal(6.0, 2.0).unwrap(), 0.0, f64::INFINITY, 6.0),
        (Duration::empirical(vec![1.0, 2.0, 6.0]).unwrap(), 1.0, 6.0, 3.0),
    ];
    for (duration, low, high, mean) in cases {
        let draws: Vec<f64> = (0..20_000).map(|_| duration.sample(&mut rng)).collect();
        assert!(draws.iter().all(|draw| (low..=high).contains(draw)), "{duration:?}");
        let observed = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((observed - mean).abs() < 0.05 * mean.max(1.0), "{duration:?}: mean {observed}, expected {mean}");
    }
    for refused in [
        Duration::fixed(-1.0),
        Duration::fixed(f64::NAN),
        Duration::uniform(5.0, 1.0),
        Duration::exponential(0.0),
        Duration::triangular(1.0, 7.0, 6.0),
        Duration::lognormal(0.0, 1.0),
        Duration::empirical(Vec::new()),
    ] {
        assert!(refused.is_err());
    }
}

#[test]
fn histograms_give_exact_means_and_nearest_rank_percentiles_in_any_merge_order() {
    let values = [5, 1, 9, 3, 3, 7, 10, 2, 8, 4];
    let mut whole = Histogram::default();
    for value in values {
        whole.add(value);
    }
    assert_eq!((whole.percentile(50), whole.percentile(90), whole.percentile(100)), (Some(4), Some(9), Some(10)));
    assert_eq!(whole.mean(), Some(5.2));
    let (mut left, mut right) = (Histogram::default(), Histogram::default());
    for value in &values[..4] {
        left.add(*value);
    }
    for value in &values[4..] {
        right.add(*value);
    }
    let mut merged = right.clone();
    merged.merge(&left);
    assert_eq!(merged, whole);
    assert_eq!(Histogram::default().percentile(50), None);
}

#[test]
fn the_axis_dates_positions_on_working_days_across_the_spring_festival() {
    let calendars = Calendars::builtin();
    let calendar = calendars.get("cn-mainland").unwrap();
    let axis = WorkingDayAxis::new(calendar, date("2026-02-11")).unwrap();
    // 02-12, 02-13, Saturday 02-14 (worked), 春节 02-15..02-23 off, 02-24 …
    assert_eq!(axis.date(0.0).unwrap(), date("2026-02-11"));
    assert_eq!(axis.date(3.0).unwrap(), date("2026-02-14"));
    assert_eq!(axis.date(4.99).unwrap(), date("2026-02-24"));
    assert_eq!(axis.date(10.0).unwrap(), date("2026-03-03"));
    assert_eq!(axis.instant(1.5).unwrap().to_rfc3339(), "2026-02-12T13:00:00+08:00");
    assert_eq!(axis.position_of(date("2026-02-15")), Some(4.0), "a rest day rolls to the next working day");
    let past = axis.date(axis.len() as f64).unwrap_err();
    assert_eq!(past.year, 2027);
}

/// An office instant built in UTC is the local opening time plus the seconds, in any zone,
/// including zones whose opening falls on the day before or after in UTC.
#[test]
fn an_office_instant_is_the_local_time_in_every_zone() {
    use chrono::{TimeDelta, TimeZone as _};
    for hours in [-12, -5, 0, 8, 14] {
        let zone = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
        for day in ["2026-02-12", "2026-12-31", "2027-01-01"] {
            for seconds in [0, 1, 3600 * 4 + 17, 8 * 3600 - 1] {
                let local = date(day).and_hms_opt(9, 0, 0).unwrap() + TimeDelta::seconds(seconds);
                let expected = zone.from_local_datetime(&local).single();
                let built = office_instant(zone, opens_utc_seconds(zone), date(day), seconds);
                assert_eq!(built, expected, "{zone} {day} +{seconds}s");
                assert_eq!(built.map(|at| at.to_rfc3339()), expected.map(|at| at.to_rfc3339()));
            }
        }
    }
}

/// A state's fixed weights draw the same way out as weighing its choices on every draw, for
/// every unguarded state of the licence flow and its loop scenario.
#[test]
fn fixed_weights_draw_as_weighing_each_time_does() {
    let calendars = Calendars::builtin();
    let workflow = load_workflow("licence.yaml", LICENCE, &mut NoExtends, &calendars).unwrap();
    let scenario = Scenario::parse("licence-loops.yaml", SCENARIO).unwrap();
    let models = build_models(&scenario, &[&workflow]).unwrap();
    let model = &models[0];
    let mut fixed = 0;
    for (state, weights) in model.fixed_weights.iter().enumerate() {
        let Some(weights) = weights else { continue };
        fixed += 1;
        let choices = &model.choices[state];
        for seed in 0..200 {
            let (mut left, mut right) = (ChaCha8Rng::seed_from_u64(seed), ChaCha8Rng::seed_from_u64(seed));
            assert_eq!(weights.draw(&mut left), choose(&workflow, choices, &[], &mut right), "state {state}");
        }
    }
    assert!(fixed > 3, "only {fixed} states with fixed weights");
}

#[test]
fn a_scenario_names_every_problem_at_once() {
    let text = "scenario:\n  workflows: [w.yaml]\n  cases: 0\n  arrivals:\n    uniform: {from: 2026-03-02, to: 2026-01-01}\n  durations:\n    a: {triangular: {min: 3, mode: 1, max: 2}}\n  branches:\n    x: 1.5\n";
    let error = Scenario::parse("s.yaml", text).unwrap_err();
    let messages: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "s.yaml:3:10: `cases` must be between 1 and 100000000, not 0",
            "s.yaml:5:37: arrivals end on 2026-01-01, before they start on 2026-03-02",
            "s.yaml:7:8: a triangular duration needs min ≤ mode ≤ max, not [3, 1, 2]",
            "s.yaml:9:8: the probability of `x` must be a share between 0 and 1, not 1.5",
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(500)
    ))]

    /// Scenario text cut, spliced and garbled never panics the reader or the resolver.
    #[test]
    fn no_scenario_text_panics(cut in 0..SCENARIO.len(), splice in ".{0,40}", at in 0..SCENARIO.len()) {
        let calendars = Calendars::builtin();
        let workflow = load_workflow("licence.yaml", LICENCE, &mut NoExtends, &calendars).unwrap();
        let mut text: String = SCENARIO.chars().take(cut).collect();
        let at = at.min(text.len());
        if text.is_char_boundary(at) {
            text.insert_str(at, &splice);
        }
        if let Ok(scenario) = Scenario::parse("fuzz.yaml", &text) {
            let _ = build_models(&scenario, &[&workflow]);
        }
    }
}
