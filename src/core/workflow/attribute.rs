//! `Attribute`: a typed case field that guards read, and `Value`, one value of it.

use std::cmp::Ordering;
use std::fmt;

use chrono::NaiveDate;

use crate::core::calendar::{CalendarZone, parse_iso_date};

/// Decimal places a decimal attribute keeps.
pub const DECIMAL_PLACES_MAX: u32 = 6;
const DECIMAL_SCALE: i64 = 10_i64.pow(DECIMAL_PLACES_MAX);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub title: Option<String>,
    pub kind: AttributeType,
    pub default: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeType {
    Bool,
    Integer,
    Decimal,
    Text,
    /// The allowed value ids, in the order written.
    Enum(Vec<String>),
    Date,
}

impl AttributeType {
    /// The type's name as written in a workflow file.
    pub fn name(&self) -> &'static str {
        match self {
            AttributeType::Bool => "bool",
            AttributeType::Integer => "integer",
            AttributeType::Decimal => "decimal",
            AttributeType::Text => "text",
            AttributeType::Enum(_) => "enum",
            AttributeType::Date => "date",
        }
    }

    pub(crate) fn parse_name(name: &str) -> Option<AttributeType> {
        Some(match name {
            "bool" => AttributeType::Bool,
            "integer" => AttributeType::Integer,
            "decimal" => AttributeType::Decimal,
            "text" => AttributeType::Text,
            "enum" => AttributeType::Enum(Vec::new()),
            "date" => AttributeType::Date,
            _ => return None,
        })
    }

    /// As [`AttributeType::parse_value`], for a value a case is given: a `date` may also be
    /// written as a timestamp (`2012-03-04T23:30:00Z`), whose date is taken in `zone` (the
    /// calendar's), as logs write dates.
    ///
    /// # Errors
    ///
    /// A message saying what was expected and what was found.
    pub fn parse_value_in(&self, text: &str, zone: CalendarZone) -> Result<Value, String> {
        if *self != AttributeType::Date {
            return self.parse_value(text);
        }
        if text.trim().len() > 10 {
            return crate::core::calendar::parse_timestamp(text, zone)
                .map(|instant| Value::Date(zone.civil_date(instant)))
                .map_err(|_| format!("expected a date such as `2017-03-01` or a timestamp, found `{}`", text.trim()));
        }
        self.parse_value(text)
    }

    /// Reads a value of this type from text (`true`, `12`, `1.5`, `2017-03-01`, an enum id).
    ///
    /// # Errors
    ///
    /// A message in the house voice when the text is not a value of this type.
    pub fn parse_value(&self, text: &str) -> Result<Value, String> {
        let text = text.trim();
        match self {
            AttributeType::Bool => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("expected `true` or `false`, found `{text}`")),
            },
            AttributeType::Integer => {
                text.parse().map(Value::Integer).map_err(|_| format!("expected an integer, found `{text}`"))
            }
            AttributeType::Decimal => Decimal::parse(text).map(Value::Decimal),
            AttributeType::Text => Ok(Value::Text(text.to_owned())),
            AttributeType::Enum(values) => match values.iter().position(|value| value == text) {
                Some(index) => Ok(Value::Enum(index as u16)),
                None => Err(format!("expected one of {}, found `{text}`", quoted_list(values))),
            },
            AttributeType::Date => parse_iso_date(text)
                .map(Value::Date)
                .ok_or_else(|| format!("expected a date such as `2017-03-01`, found `{text}`")),
        }
    }
}

/// `a`, `b` or `c`, in backticks.
pub(crate) fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A decimal with up to `DECIMAL_PLACES_MAX` places, held exactly as millionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i64);

impl Decimal {
    /// # Errors
    ///
    /// When the text is not a decimal, has too many places or is too large.
    pub fn parse(text: &str) -> Result<Decimal, String> {
        let invalid = || format!("expected a decimal such as `1.5`, found `{text}`");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        if fraction.len() > DECIMAL_PLACES_MAX as usize {
            return Err(format!("`{text}` has more than {DECIMAL_PLACES_MAX} decimal places"));
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let fraction_value: i64 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| invalid())? };
        let fraction_scaled = fraction_value * 10_i64.pow(DECIMAL_PLACES_MAX - fraction.len() as u32);
        let magnitude = whole
            .checked_mul(DECIMAL_SCALE)
            .and_then(|scaled| scaled.checked_add(fraction_scaled))
            .ok_or_else(|| format!("`{text}` is too large"))?;
        Ok(Decimal(if negative { -magnitude } else { magnitude }))
    }

    pub(crate) fn from_integer(value: i64) -> Option<Decimal> {
        value.checked_mul(DECIMAL_SCALE).map(Decimal)
    }

    /// The next representable value above (`up`) or below this one.
    pub(crate) fn step(self, up: bool) -> Decimal {
        Decimal(if up { self.0.saturating_add(1) } else { self.0.saturating_sub(1) })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let scale = DECIMAL_SCALE as u64;
        let whole = magnitude / scale;
        let fraction = magnitude % scale;
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let fraction = format!("{fraction:06}");
        write!(f, "{sign}{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// One value of an attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    Integer(i64),
    Decimal(Decimal),
    Text(String),
    /// The index of the value in the attribute's `values`.
    Enum(u16),
    Date(NaiveDate),
}

impl Value {
    /// Orders two values of one attribute; `None` when they cannot be compared.
    pub(crate) fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Bool(left), Value::Bool(right)) => Some(left.cmp(right)),
            (Value::Integer(left), Value::Integer(right)) => Some(left.cmp(right)),
            (Value::Decimal(left), Value::Decimal(right)) => Some(left.cmp(right)),
            (Value::Integer(left), Value::Decimal(right)) => Decimal::from_integer(*left).map(|left| left.cmp(right)),
            (Value::Decimal(left), Value::Integer(right)) => {
                Decimal::from_integer(*right).map(|right| left.cmp(&right))
            }
            (Value::Text(left), Value::Text(right)) => Some(left.cmp(right)),
            (Value::Enum(left), Value::Enum(right)) => Some(left.cmp(right)),
            (Value::Date(left), Value::Date(right)) => Some(left.cmp(right)),
            _ => None,
        }
    }

    /// Whether `render` gives `text`, without making the string for booleans and enum names.
    pub fn renders_as(&self, kind: &AttributeType, text: &str) -> bool {
        match (self, kind) {
            (Value::Bool(value), _) => text == if *value { "true" } else { "false" },
            (Value::Enum(index), AttributeType::Enum(values)) if usize::from(*index) < values.len() => {
                values[usize::from(*index)] == text
            }
            _ => self.render(kind) == text,
        }
    }

    /// The value as written in a guard, given the attribute's type (for enum names).
    pub fn render(&self, kind: &AttributeType) -> String {
        match (self, kind) {
            (Value::Bool(value), _) => value.to_string(),
            (Value::Integer(value), _) => value.to_string(),
            (Value::Decimal(value), _) => value.to_string(),
            (Value::Text(value), _) => format!("'{}'", value.replace('\'', "\\'")),
            (Value::Enum(index), AttributeType::Enum(values)) => {
                values.get(usize::from(*index)).cloned().unwrap_or_else(|| format!("#{index}"))
            }
            (Value::Enum(index), _) => format!("#{index}"),
            (Value::Date(value), _) => value.format("%Y-%m-%d").to_string(),
        }
    }
}
