//! `Duration`: how long a simulated case stays in a state, in working days, drawn from a
//! distribution the scenario names. A fractional draw is a position on the working-day axis (see
//! `working_day_axis.rs`): the step is dated on the working day that position falls in.

use rand::RngExt as _;
use rand::distr::Distribution as _;
use rand_distr::{Exp, LogNormal, Pert, Triangular};

/// The largest duration a scenario may give one state, in working days (about 40 years).
pub const DURATION_WORKING_DAYS_MAX: f64 = 10_000.0;

/// Most values in an empirical duration.
pub const EMPIRICAL_VALUES_MAX: usize = 1_000_000;

/// A distribution of working days, checked when the scenario is read.
#[derive(Clone, Debug)]
pub enum Duration {
    Fixed(f64),
    /// Uniform on `[min, max)`.
    Uniform {
        min: f64,
        max: f64,
    },
    Exponential(Exp<f64>),
    Triangular(Triangular<f64>),
    Pert(Pert<f64>),
    LogNormal(LogNormal<f64>),
    /// One of the values, each as likely (values fitted from an audit).
    Empirical(Vec<f64>),
}

impl Duration {
    /// A fixed duration; `None` when it is not a finite number in `0..=DURATION_WORKING_DAYS_MAX`.
    pub(crate) fn fixed(days: f64) -> Result<Duration, String> {
        check_days("a fixed duration", days)?;
        Ok(Duration::Fixed(days))
    }

    pub(crate) fn uniform(min: f64, max: f64) -> Result<Duration, String> {
        check_days("the minimum", min)?;
        check_days("the maximum", max)?;
        if max < min {
            return Err(format!("a uniform duration needs min ≤ max, not [{min}, {max}]"));
        }
        Ok(Duration::Uniform { min, max })
    }

    pub(crate) fn exponential(mean: f64) -> Result<Duration, String> {
        check_days("the mean", mean)?;
        if mean <= 0.0 {
            return Err("an exponential duration needs a mean above 0".to_owned());
        }
        Exp::new(1.0 / mean).map(Duration::Exponential).map_err(|error| error.to_string())
    }

    pub(crate) fn triangular(min: f64, mode: f64, max: f64) -> Result<Duration, String> {
        check_ordered("triangular", min, mode, max)?;
        if min >= max {
            return Ok(Duration::Fixed(min));
        }
        Triangular::new(min, max, mode).map(Duration::Triangular).map_err(|error| error.to_string())
    }

    pub(crate) fn pert(min: f64, mode: f64, max: f64) -> Result<Duration, String> {
        check_ordered("PERT", min, mode, max)?;
        if min >= max {
            return Ok(Duration::Fixed(min));
        }
        Pert::new(min, max).with_mode(mode).map(Duration::Pert).map_err(|error| error.to_string())
    }

    /// A lognormal with this mean and standard deviation (of the working days, not their log).
    pub(crate) fn lognormal(mean: f64, sd: f64) -> Result<Duration, String> {
        check_days("the mean", mean)?;
        check_days("the standard deviation", sd)?;
        if mean <= 0.0 {
            return Err("a lognormal duration needs a mean above 0".to_owned());
        }
        LogNormal::from_mean_cv(mean, sd / mean).map(Duration::LogNormal).map_err(|error| error.to_string())
    }

    pub(crate) fn empirical(values: Vec<f64>) -> Result<Duration, String> {
        if values.is_empty() {
            return Err("an empirical duration needs at least one value".to_owned());
        }
        if values.len() > EMPIRICAL_VALUES_MAX {
            return Err(format!(
                "an empirical duration has {} values, beyond the limit of {EMPIRICAL_VALUES_MAX}",
                values.len()
            ));
        }
        for value in &values {
            check_days("every value", *value)?;
        }
        Ok(Duration::Empirical(values))
    }

    /// A draw, in working days, never negative and never above `DURATION_WORKING_DAYS_MAX`.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let days = match self {
            Duration::Fixed(days) => *days,
            Duration::Uniform { min, max } => {
                if min >= max {
                    *min
                } else {
                    rng.random_range(*min..*max)
                }
            }
            Duration::Exponential(distribution) => distribution.sample(rng),
            Duration::Triangular(distribution) => distribution.sample(rng),
            Duration::Pert(distribution) => distribution.sample(rng),
            Duration::LogNormal(distribution) => distribution.sample(rng),
            Duration::Empirical(values) => values[rng.random_range(0..values.len())],
        };
        days.clamp(0.0, DURATION_WORKING_DAYS_MAX)
    }
}

fn check_days(what: &str, days: f64) -> Result<(), String> {
    if !days.is_finite() || !(0.0..=DURATION_WORKING_DAYS_MAX).contains(&days) {
        return Err(format!("{what} must be between 0 and {DURATION_WORKING_DAYS_MAX} working days, not {days}"));
    }
    Ok(())
}

fn check_ordered(name: &str, min: f64, mode: f64, max: f64) -> Result<(), String> {
    check_days("the minimum", min)?;
    check_days("the mode", mode)?;
    check_days("the maximum", max)?;
    if !(min <= mode && mode <= max) {
        return Err(format!("a {name} duration needs min ≤ mode ≤ max, not [{min}, {mode}, {max}]"));
    }
    Ok(())
}
