//! `Scenario`: a Monte Carlo scenario file (YAML, top-level key `scenario:`): the workflows to
//! compare, how many cases and when they arrive, the mix of case attributes, how long each state
//! takes, how often each branch is taken, optional staff per role, and the seed. Read here with
//! every problem at its line and column; names are checked against the workflows in `model.rs`.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::duration::Duration;
use crate::core::problem::{NamedText, Problem, named_text, problems_diagnostic, yaml_error_message};
use crate::core::spanned_map::SpannedMap;

/// Largest scenario file read, in bytes (empirical durations can be long).
pub const SCENARIO_FILE_BYTES_MAX: usize = 16 << 20;

/// Most cases per workflow in one run.
pub const CASES_MAX: u64 = 100_000_000;

/// Most replications of a scenario with staff.
pub const REPLICATIONS_MAX: u32 = 10_000;

/// Most handlers of one role.
pub const STAFF_MAX: u32 = 100_000;

/// Cases per workflow when the scenario and the command line give none.
pub const CASES_DEFAULT: u64 = 1_000;

/// How long a state takes: working days, or a share of the working-day limit of the clock that
/// starts in the state (so a reform's cut limits carry into the durations).
#[derive(Clone, Debug)]
pub enum StateDuration {
    WorkingDays(Duration),
    OfLimit(Duration),
}

/// Branch probabilities by state: (state, [(action, probability)]).
pub type BranchesIn = Vec<(Located<String>, Vec<(Located<String>, f64)>)>;

/// A value with where the scenario file wrote it.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub location: Location,
}

impl<T> Located<T> {
    fn of(spanned: Spanned<T>) -> Located<T> {
        Located { value: spanned.value, location: spanned.referenced }
    }
}

/// When cases arrive.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// Case `i` arrives on `dates[i % len]`.
    Fixed(Vec<NaiveDate>),
    /// Uniformly over the working days from `from` to `to`, both included.
    Uniform { from: NaiveDate, to: NaiveDate },
    /// A Poisson process from `from`: exponential gaps, on average `rate_per_working_day` cases a
    /// working day.
    Poisson { from: NaiveDate, rate_per_working_day: f64 },
}

impl Arrivals {
    /// The earliest date a case can arrive.
    pub fn first_date(&self) -> NaiveDate {
        match self {
            Arrivals::Fixed(dates) => dates.iter().min().copied().unwrap_or_default(),
            Arrivals::Uniform { from, .. } | Arrivals::Poisson { from, .. } => *from,
        }
    }
}

/// The share of cases with each value of one attribute.
#[derive(Clone, Debug)]
pub enum Mix {
    /// A `bool` attribute: the share that is true.
    True(f64),
    /// Any attribute: the share of each value (as the workflow's text form), summing to 1.
    Values(Vec<(String, f64)>),
}

/// What to do when a simulated date runs past the calendar's data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BeyondDataChoice {
    /// Stop with an error naming the year.
    #[default]
    Refuse,
    /// Count Monday to Friday as working days beyond the data; the report says the results are
    /// provisional.
    WeekendsOnly,
    /// Count weekends and the projected statutory holidays as rest days beyond the data; the
    /// report says the results are provisional.
    Statutory,
}

impl BeyondDataChoice {
    /// The calendar policy it asks for.
    pub fn policy(self) -> crate::core::calendar::BeyondData {
        use crate::core::calendar::BeyondData;
        match self {
            BeyondDataChoice::Refuse => BeyondData::Refuse,
            BeyondDataChoice::WeekendsOnly => BeyondData::WeekendsOnly,
            BeyondDataChoice::Statutory => BeyondData::Statutory,
        }
    }
}

/// A scenario as read: its values checked, its names not yet.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub title: Option<String>,
    /// Workflow files as written (relative to the scenario file); the first is the baseline.
    pub workflows: Vec<Located<String>>,
    pub cases: u64,
    pub seed: Option<u64>,
    pub arrivals: Arrivals,
    pub attributes: Vec<(Located<String>, Located<Mix>)>,
    /// Durations by state name; a state made by `parallelize` (`review.plan_intake`) also uses its
    /// serial state's (`plan_intake`).
    pub durations: Vec<(Located<String>, StateDuration)>,
    pub default_duration: Option<StateDuration>,
    /// Where `durations` was written.
    pub durations_location: Location,
    /// A file of durations (`renewflow audit --fit-durations`) for the states `durations` leaves
    /// out, relative to the scenario file.
    pub durations_from: Option<Located<String>>,
    /// The durations read from that file (by the driver, with [`Scenario::add_fitted`]).
    pub fitted: Vec<(String, StateDuration)>,
    /// The probability an action is taken when it is enabled, by action name.
    pub branches: Vec<(Located<String>, f64)>,
    /// The same, for actions leaving one state.
    pub branches_in: BranchesIn,
    pub staff: Vec<(Located<String>, u32)>,
    pub replications: u32,
    pub beyond_data: BeyondDataChoice,
    pub(crate) source: Arc<NamedText>,
    pub(crate) file: String,
}

/// A scenario file that was refused, with every problem found in it.
#[derive(Debug)]
pub struct ScenarioError {
    file: String,
    problems: Vec<Problem>,
}

impl ScenarioError {
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub(crate) fn new(file: &str, source: &Arc<NamedText>, mut problems: Vec<Problem>) -> ScenarioError {
        for problem in &mut problems {
            problem.source.get_or_insert_with(|| Arc::clone(source));
        }
        ScenarioError { file: file.to_owned(), problems }
    }
}

problems_diagnostic!(ScenarioError, "scenario file");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: RawScenario,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    title: Option<String>,
    workflows: Vec<Spanned<String>>,
    cases: Option<Spanned<u64>>,
    seed: Option<u64>,
    arrivals: Spanned<RawArrivals>,
    attributes: Option<SpannedMap<String, Spanned<RawMix>>>,
    durations: Spanned<SpannedMap<String, Spanned<RawDuration>>>,
    durations_from: Option<Spanned<String>>,
    branches: Option<SpannedMap<String, Spanned<f64>>>,
    branches_in: Option<SpannedMap<String, SpannedMap<String, Spanned<f64>>>>,
    staff: Option<SpannedMap<String, Spanned<u32>>>,
    replications: Option<Spanned<u32>>,
    beyond_data: Option<RawBeyondData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawArrivals {
    Fixed(Vec<Spanned<String>>),
    Uniform { from: Spanned<String>, to: Spanned<String> },
    Poisson { from: Spanned<String>, rate_per_working_day: Spanned<f64> },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawMix {
    Share(f64),
    Values(SpannedMap<String, Spanned<f64>>),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawDuration {
    Fixed(f64),
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
    Pert { min: f64, mode: f64, max: f64 },
    Lognormal { mean: f64, sd: f64 },
    Empirical(Vec<f64>),
    OfLimit(Box<RawDuration>),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawBeyondData {
    Refuse,
    WeekendsOnly,
    Statutory,
}

/// The key under `durations` that every state without its own duration uses.
pub const DEFAULT_DURATION_KEY: &str = "default";

fn date(text: &Spanned<String>, problems: &mut Vec<Problem>, file: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(&text.value, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            let message = format!("`{}` is not a date; write YYYY-MM-DD", text.value);
            problems.push(Problem::at(file, Some(&text.referenced), message, "not a date"));
            None
        }
    }
}

fn share(value: &Spanned<f64>, what: &str, problems: &mut Vec<Problem>, file: &str) -> Option<f64> {
    if value.value.is_finite() && (0.0..=1.0).contains(&value.value) {
        return Some(value.value);
    }
    let message = format!("{what} must be a share between 0 and 1, not {}", value.value);
    problems.push(Problem::at(file, Some(&value.referenced), message, "not a share"));
    None
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    ///
    /// [`ScenarioError`] with every problem, each at its line and column.
    ///
    /// # Example
    ///
    /// ```
    /// use renewflow::simulate::{Arrivals, Scenario};
    ///
    /// let text = "scenario:\n  workflows: [licence.yaml]\n  arrivals:\n    fixed: [2026-03-02]\n  durations:\n    default: {fixed: 2}\n";
    /// let scenario = Scenario::parse("s.yaml", text).unwrap();
    /// assert_eq!(scenario.arrivals, Arrivals::Fixed(vec![chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()]));
    ///
    /// let error = Scenario::parse("s.yaml", &text.replace("fixed: 2", "fixed: -2")).unwrap_err();
    /// assert_eq!(error.to_string(), "s.yaml:6:14: a fixed duration must be between 0 and 10000 working days, not -2");
    /// ```
    #[allow(clippy::too_many_lines)] // one section per key, in file order
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let source = Arc::new(named_text(file, text));
        let mut problems = Vec::new();
        if text.len() > SCENARIO_FILE_BYTES_MAX {
            let message =
                format!("scenario file is {} bytes, beyond the limit of {SCENARIO_FILE_BYTES_MAX}", text.len());
            problems.push(Problem::at(file, None, message, "file too large"));
            return Err(ScenarioError::new(file, &source, problems));
        }
        let options = serde_saphyr::options! { strict_booleans: true };
        let raw: RawFile = match serde_saphyr::from_str_with_options(text, options) {
            Ok(raw) => raw,
            Err(error) => {
                let (message, location) = yaml_error_message(&error);
                let message = if message.contains("untagged enum RawMix") {
                    "an attribute's mix is a share of true (a bool attribute: `0.6`) or a share per value \
                     (`{a: 0.5, b: 0.5}`)"
                        .to_owned()
                } else {
                    message
                };
                problems.push(Problem::at(file, location.as_ref(), message, "here"));
                return Err(ScenarioError::new(file, &source, problems));
            }
        };
        let raw = raw.scenario;
        let problems = &mut problems;
        if raw.workflows.is_empty() {
            problems.push(Problem::at(file, None, "a scenario names at least one workflow".to_owned(), "here"));
        }
        let cases = match raw.cases {
            None => CASES_DEFAULT,
            Some(cases) if (1..=CASES_MAX).contains(&cases.value) => cases.value,
            Some(cases) => {
                let message = format!("`cases` must be between 1 and {CASES_MAX}, not {}", cases.value);
                problems.push(Problem::at(file, Some(&cases.referenced), message, "out of range"));
                CASES_DEFAULT
            }
        };
        let replications = match raw.replications {
            None => 1,
            Some(count) if (1..=REPLICATIONS_MAX).contains(&count.value) => count.value,
            Some(count) => {
                let message = format!("`replications` must be between 1 and {REPLICATIONS_MAX}, not {}", count.value);
                problems.push(Problem::at(file, Some(&count.referenced), message, "out of range"));
                1
            }
        };
        let arrivals = arrivals(raw.arrivals, problems, file);
        let mut attributes = Vec::new();
        for (name, mix) in raw.attributes.unwrap_or_default().0 {
            let location = mix.referenced;
            let value = match mix.value {
                RawMix::Share(value) => share(
                    &Spanned { value, referenced: location, defined: location },
                    "a share of true",
                    problems,
                    file,
                )
                .map(Mix::True),
                RawMix::Values(values) => {
                    let mut shares = Vec::new();
                    for (value, part) in values.0 {
                        if let Some(part) = share(&part, &format!("the share of `{}`", value.value), problems, file) {
                            shares.push((value.value, part));
                        }
                    }
                    let total: f64 = shares.iter().map(|(_, part)| part).sum();
                    if (total - 1.0).abs() > 1e-9 {
                        let message = format!("the shares of `{}` add up to {total}, not 1", name.value);
                        problems.push(Problem::at(file, Some(&location), message, "shares"));
                    }
                    Some(Mix::Values(shares))
                }
            };
            if let Some(value) = value {
                attributes.push((Located::of(name), Located { value, location }));
            }
        }
        let durations_location = raw.durations.referenced;
        let (durations, default_duration) = state_durations(raw.durations.value, problems, file);
        let mut branches = Vec::new();
        for (action, probability) in raw.branches.unwrap_or_default().0 {
            let what = format!("the probability of `{}`", action.value);
            if let Some(probability) = share(&probability, &what, problems, file) {
                branches.push((Located::of(action), probability));
            }
        }
        let mut branches_in = Vec::new();
        for (state, actions) in raw.branches_in.unwrap_or_default().0 {
            let mut list = Vec::new();
            for (action, probability) in actions.0 {
                let what = format!("the probability of `{}` in `{}`", action.value, state.value);
                if let Some(probability) = share(&probability, &what, problems, file) {
                    list.push((Located::of(action), probability));
                }
            }
            branches_in.push((Located::of(state), list));
        }
        let mut staff = Vec::new();
        for (role, count) in raw.staff.unwrap_or_default().0 {
            if !(1..=STAFF_MAX).contains(&count.value) {
                let message =
                    format!("the staff of `{}` must be between 1 and {STAFF_MAX}, not {}", role.value, count.value);
                problems.push(Problem::at(file, Some(&count.referenced), message, "out of range"));
                continue;
            }
            staff.push((Located::of(role), count.value));
        }
        let beyond_data = match raw.beyond_data {
            None | Some(RawBeyondData::Refuse) => BeyondDataChoice::Refuse,
            Some(RawBeyondData::WeekendsOnly) => BeyondDataChoice::WeekendsOnly,
            Some(RawBeyondData::Statutory) => BeyondDataChoice::Statutory,
        };
        if !problems.is_empty() {
            return Err(ScenarioError::new(file, &source, std::mem::take(problems)));
        }
        Ok(Scenario {
            title: raw.title,
            workflows: raw.workflows.into_iter().map(Located::of).collect(),
            cases,
            seed: raw.seed,
            arrivals: arrivals.unwrap_or(Arrivals::Fixed(Vec::new())),
            attributes,
            durations,
            default_duration,
            durations_location,
            durations_from: raw.durations_from.map(Located::of),
            fitted: Vec::new(),
            branches,
            branches_in,
            staff,
            replications,
            beyond_data,
            source,
            file: file.to_owned(),
        })
    }

    /// The file name the scenario was read from.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// `(state, duration)` entries and the `default`, each problem at its place.
fn state_durations(
    raw: SpannedMap<String, Spanned<RawDuration>>,
    problems: &mut Vec<Problem>,
    file: &str,
) -> (Vec<(Located<String>, StateDuration)>, Option<StateDuration>) {
    let mut durations = Vec::new();
    let mut default_duration = None;
    for (state, raw_duration) in raw.0 {
        let duration = match raw_duration.value {
            RawDuration::OfLimit(inner) => match *inner {
                RawDuration::OfLimit(_) => Err("`of_limit` cannot hold another `of_limit`".to_owned()),
                inner => distribution(inner).map(StateDuration::OfLimit),
            },
            other => distribution(other).map(StateDuration::WorkingDays),
        };
        match duration {
            Err(message) => {
                problems.push(Problem::at(file, Some(&raw_duration.referenced), message, "bad duration"));
            }
            Ok(duration) if state.value == DEFAULT_DURATION_KEY => default_duration = Some(duration),
            Ok(duration) => durations.push((Located::of(state), duration)),
        }
    }
    (durations, default_duration)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFitted {
    #[allow(dead_code)] // read so a fitted file is recognised; the states are what is used
    workflow: Option<String>,
    #[allow(dead_code)]
    version: Option<String>,
    durations: SpannedMap<String, Spanned<RawDuration>>,
}

impl Scenario {
    /// Reads the durations of a fitted file (`renewflow audit --fit-durations`, named by
    /// `durations_from`); they serve every state the scenario's own `durations` leave out (before
    /// the `default`). A fitted state the workflows lack is not used.
    ///
    /// # Errors
    ///
    /// [`ScenarioError`] naming the fitted file's problems at their line and column.
    pub fn add_fitted(&mut self, file: &str, text: &str) -> Result<(), ScenarioError> {
        let source = Arc::new(named_text(file, text));
        let mut problems = Vec::new();
        let options = serde_saphyr::options! { strict_booleans: true };
        let raw: RawFitted = match serde_saphyr::from_str_with_options(text, options) {
            Ok(raw) => raw,
            Err(error) => {
                let (message, location) = yaml_error_message(&error);
                problems.push(Problem::at(file, location.as_ref(), message, "here"));
                return Err(ScenarioError::new(file, &source, problems));
            }
        };
        let (fitted, default) = state_durations(raw.durations, &mut problems, file);
        if default.is_some() {
            problems.push(Problem::at(file, None, "a fitted file has no `default`".to_owned(), "default"));
        }
        if !problems.is_empty() {
            return Err(ScenarioError::new(file, &source, problems));
        }
        self.fitted.extend(fitted.into_iter().map(|(state, duration)| (state.value, duration)));
        Ok(())
    }
}

fn distribution(raw: RawDuration) -> Result<Duration, String> {
    match raw {
        RawDuration::Fixed(days) => Duration::fixed(days),
        RawDuration::Uniform { min, max } => Duration::uniform(min, max),
        RawDuration::Exponential { mean } => Duration::exponential(mean),
        RawDuration::Triangular { min, mode, max } => Duration::triangular(min, mode, max),
        RawDuration::Pert { min, mode, max } => Duration::pert(min, mode, max),
        RawDuration::Lognormal { mean, sd } => Duration::lognormal(mean, sd),
        RawDuration::Empirical(values) => Duration::empirical(values),
        RawDuration::OfLimit(_) => Err("`of_limit` goes around a distribution, not inside one".to_owned()),
    }
}

fn arrivals(raw: Spanned<RawArrivals>, problems: &mut Vec<Problem>, file: &str) -> Option<Arrivals> {
    match raw.value {
        RawArrivals::Fixed(texts) => {
            if texts.is_empty() {
                let message = "`fixed` arrivals need at least one date".to_owned();
                problems.push(Problem::at(file, Some(&raw.referenced), message, "no dates"));
                return None;
            }
            let dates: Vec<Option<NaiveDate>> = texts.iter().map(|text| date(text, problems, file)).collect();
            dates.into_iter().collect::<Option<Vec<_>>>().map(Arrivals::Fixed)
        }
        RawArrivals::Uniform { from, to } => {
            let (start, end) = (date(&from, problems, file)?, date(&to, problems, file)?);
            if end < start {
                let message = format!("arrivals end on {end}, before they start on {start}");
                problems.push(Problem::at(file, Some(&to.referenced), message, "before `from`"));
                return None;
            }
            Some(Arrivals::Uniform { from: start, to: end })
        }
        RawArrivals::Poisson { from, rate_per_working_day } => {
            let start = date(&from, problems, file)?;
            let rate = rate_per_working_day.value;
            if !rate.is_finite() || rate <= 0.0 || rate > 1e6 {
                let message = format!("`rate_per_working_day` must be above 0 and at most 1000000, not {rate}");
                problems.push(Problem::at(file, Some(&rate_per_working_day.referenced), message, "out of range"));
                return None;
            }
            Some(Arrivals::Poisson { from: start, rate_per_working_day: rate })
        }
    }
}
