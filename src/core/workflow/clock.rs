//! `Clock`: a named statutory time limit (办理时限) over a span of a workflow, and its parts.

use std::fmt;

use super::ids::{ActionId, AttributeId, ClockId, RoleId, StageId, StateId};
use crate::core::calendar::Period;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    pub name: String,
    pub title: Option<String>,
    pub stage: Option<StageId>,
    /// A 办理事项: one statutory step with its own limit.
    pub matter: bool,
    pub basis: Option<String>,
    /// The statutory limit (法定时限), after any reform cuts. When each case has its own
    /// (`limit_from`), only its unit is the clock's; read a case's with the track's `limit`.
    pub limit: Period,
    /// Where each case's statutory limit comes from.
    pub limit_from: LimitSource,
    /// The promised limit (承诺时限), in the limit's unit and not longer.
    pub promised: Option<Period>,
    /// An `integer` attribute that sets each case's promised limit, in the limit's unit.
    pub promised_from: Option<AttributeId>,
    pub span: ClockSpan,
    pub pauses: Vec<Pause>,
    pub restart_on: Vec<ActionId>,
    pub restart_entering: Vec<StateId>,
    pub extensions: Vec<Extension>,
    /// The clock this one runs inside (a step's limit inside its matter's).
    pub within: Option<ClockId>,
    pub warn_at: Vec<Percent>,
    pub warn_before: Vec<Period>,
    /// The reform cuts that made `limit`, oldest first.
    pub cuts: Vec<Cut>,
}

/// Where each case's statutory limit of a clock comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitSource {
    /// The workflow's `limit`, the same for every case.
    #[default]
    Written,
    /// An `integer` attribute of the case, in the limit's unit (`{attribute: decision_days,
    /// unit: cd}`): a limit set per application.
    Attribute(AttributeId),
    /// A `date` attribute of the case (`{due: deadline}`): the limit runs from the clock's start
    /// to that date, counted in the limit's unit.
    DueDate(AttributeId),
}

impl Clock {
    /// Whether every case has the same statutory limit, `limit`.
    pub fn has_written_limit(&self) -> bool {
        self.limit_from == LimitSource::Written
    }

    /// The statutory limit as reports show it: written (`20 wd`), or where each case's comes
    /// from (`per case (decision_days cd)`, `per case (until deadline)`).
    pub fn limit_text(&self, workflow: &super::Workflow) -> String {
        match self.limit_from {
            LimitSource::Written => self.limit.to_string(),
            LimitSource::Attribute(attribute) => {
                format!("per case ({} {})", workflow.attribute(attribute).name, self.limit.unit)
            }
            LimitSource::DueDate(attribute) => format!("per case (until {})", workflow.attribute(attribute).name),
        }
    }

    /// The promised limit as reports show it, if the clock has one.
    pub fn promised_text(&self, workflow: &super::Workflow) -> Option<String> {
        match self.promised_from {
            Some(attribute) => Some(format!("per case ({} {})", workflow.attribute(attribute).name, self.limit.unit)),
            None => self.promised.map(|promised| promised.to_string()),
        }
    }
}

/// Where a clock runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockSpan {
    /// From entering any of `from` until entering any of `until` (or the case ending).
    Between { from: Vec<StateId>, until: Vec<StateId> },
    /// While any of these states is active.
    Over(Vec<StateId>),
}

impl ClockSpan {
    /// The states whose entry starts the clock.
    pub fn start_states(&self) -> &[StateId] {
        match self {
            ClockSpan::Between { from, .. } => from,
            ClockSpan::Over(states) => states,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pause {
    pub state: StateId,
    /// The legal basis for not counting the time (行政许可法 第45条, a local rule for 公示).
    pub basis: String,
    /// The longest the pause may last.
    pub max: Option<Period>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub by: Period,
    pub times: u32,
    pub action: ActionId,
    pub roles: Vec<RoleId>,
    pub basis: Option<String>,
}

/// A share in basis points (1 % = 100), 0 to 10 000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(u32);

impl Percent {
    pub const HUNDRED_BASIS_POINTS: u32 = 10_000;

    /// Reads `63%` or `62.5%`; at most two decimal places.
    ///
    /// # Errors
    ///
    /// A message in the house voice when the text is not a percentage in 0–100 %.
    pub fn parse(text: &str) -> Result<Percent, String> {
        let trimmed = text.trim();
        let invalid = || format!("expected a percentage such as `63%`, found `{trimmed}`");
        let number = trimmed.strip_suffix('%').ok_or_else(invalid)?.trim_end();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |part: &str| !part.is_empty() && part.len() <= 6 && part.chars().all(|c| c.is_ascii_digit());
        let negative = whole.starts_with('-');
        let whole_digits = whole.trim_start_matches('-');
        if !digits(whole_digits) || (number.contains('.') && !digits(fraction)) {
            return Err(invalid());
        }
        if fraction.len() > 2 {
            return Err(format!("percentage `{trimmed}` has more than two decimal places"));
        }
        let whole_value: u32 = whole_digits.parse().map_err(|_| invalid())?;
        let fraction_value: u32 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| invalid())? };
        let fraction_value = if fraction.len() == 1 { fraction_value * 10 } else { fraction_value };
        let basis_points = whole_value * 100 + fraction_value;
        if negative || basis_points > Percent::HUNDRED_BASIS_POINTS {
            return Err(format!("percentage `{trimmed}` is outside 0–100 %"));
        }
        Ok(Percent(basis_points))
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => write!(f, "{whole}%"),
            _ if fraction % 10 == 0 => write!(f, "{whole}.{}%", fraction / 10),
            _ => write!(f, "{whole}.{fraction:02}%"),
        }
    }
}

/// How a cut limit becomes a whole number of units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// To the nearest whole unit; halves round up.
    Nearest,
    Up,
    Down,
}

impl Rounding {
    pub fn name(self) -> &'static str {
        match self {
            Rounding::Nearest => "nearest",
            Rounding::Up => "up",
            Rounding::Down => "down",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Rounding> {
        match text {
            "nearest" => Some(Rounding::Nearest),
            "up" => Some(Rounding::Up),
            "down" => Some(Rounding::Down),
            _ => None,
        }
    }

    /// `amount` × (100 % − `cut`), made whole by this rule. Exact: no floating point.
    pub fn apply(self, amount: i64, cut: Percent) -> i64 {
        debug_assert!(amount >= 0);
        let numerator = i128::from(amount) * i128::from(Percent::HUNDRED_BASIS_POINTS - cut.0);
        let denominator = i128::from(Percent::HUNDRED_BASIS_POINTS);
        let result = match self {
            Rounding::Down => numerator / denominator,
            Rounding::Up => (numerator + denominator - 1) / denominator,
            Rounding::Nearest => (2 * numerator + denominator) / (2 * denominator),
        };
        result as i64
    }
}

/// One reform's cut of a clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    pub percent: Percent,
    pub rounding: Rounding,
    /// The limit before this cut.
    pub limit_before: Period,
    pub promised_before: Option<Period>,
    /// Whether the cut named the clock (`true`) or its stage.
    pub by_name: bool,
}
