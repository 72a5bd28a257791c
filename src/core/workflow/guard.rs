//! `Guard`: a typed condition over a case's attributes, checked at load, evaluated by the engine.

use super::attribute::{Attribute, Value};
use super::guard_parse::CompareOp;
use super::ids::AttributeId;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Guard {
    Const(bool),
    /// A bool attribute that is set and true.
    Attribute(AttributeId),
    Compare {
        attribute: AttributeId,
        op: CompareOp,
        value: Value,
    },
    In {
        attribute: AttributeId,
        values: Vec<Value>,
    },
    Not(Box<Guard>),
    And(Box<Guard>, Box<Guard>),
    Or(Box<Guard>, Box<Guard>),
}

impl Guard {
    /// Whether the guard holds for these attribute values (indexed by `AttributeId`; `None` is
    /// unset). Every comparison with an unset attribute is false.
    pub fn holds(&self, values: &[Option<Value>]) -> bool {
        let value_of = |attribute: &AttributeId| values.get(attribute.index()).and_then(Option::as_ref);
        match self {
            Guard::Const(value) => *value,
            Guard::Attribute(attribute) => matches!(value_of(attribute), Some(Value::Bool(true))),
            Guard::Compare { attribute, op, value } => {
                let Some(ordering) = value_of(attribute).and_then(|actual| actual.compare(value)) else {
                    return false;
                };
                match op {
                    CompareOp::Equal => ordering.is_eq(),
                    CompareOp::NotEqual => ordering.is_ne(),
                    CompareOp::Less => ordering.is_lt(),
                    CompareOp::LessOrEqual => ordering.is_le(),
                    CompareOp::Greater => ordering.is_gt(),
                    CompareOp::GreaterOrEqual => ordering.is_ge(),
                }
            }
            Guard::In { attribute, values: allowed } => value_of(attribute).is_some_and(|actual| {
                allowed.iter().any(|value| actual.compare(value).is_some_and(std::cmp::Ordering::is_eq))
            }),
            Guard::Not(inner) => !inner.holds(values),
            Guard::And(left, right) => left.holds(values) && right.holds(values),
            Guard::Or(left, right) => left.holds(values) || right.holds(values),
        }
    }

    /// Every attribute the guard reads, with every value it compares that attribute with.
    pub(crate) fn constants(&self, out: &mut Vec<(AttributeId, Option<Value>)>) {
        match self {
            Guard::Const(_) => {}
            Guard::Attribute(attribute) => out.push((*attribute, None)),
            Guard::Compare { attribute, value, .. } => out.push((*attribute, Some(value.clone()))),
            Guard::In { attribute, values } => {
                out.push((*attribute, None));
                out.extend(values.iter().map(|value| (*attribute, Some(value.clone()))));
            }
            Guard::Not(inner) => inner.constants(out),
            Guard::And(left, right) | Guard::Or(left, right) => {
                left.constants(out);
                right.constants(out);
            }
        }
    }

    /// The guard written out in canonical form, fully parenthesised below the top level.
    pub fn render(&self, attributes: &[Attribute]) -> String {
        let name = |attribute: &AttributeId| attributes[attribute.index()].name.as_str();
        let kind = |attribute: &AttributeId| &attributes[attribute.index()].kind;
        match self {
            Guard::Const(value) => value.to_string(),
            Guard::Attribute(attribute) => name(attribute).to_owned(),
            Guard::Compare { attribute, op, value } => {
                format!("{} {} {}", name(attribute), op.symbol(), value.render(kind(attribute)))
            }
            Guard::In { attribute, values } => {
                let values: Vec<String> = values.iter().map(|value| value.render(kind(attribute))).collect();
                format!("{} in [{}]", name(attribute), values.join(", "))
            }
            Guard::Not(inner) => format!("not {}", inner.render_operand(attributes)),
            Guard::And(left, right) => {
                format!("{} and {}", left.render_operand(attributes), right.render_operand(attributes))
            }
            Guard::Or(left, right) => {
                format!("{} or {}", left.render_operand(attributes), right.render_operand(attributes))
            }
        }
    }

    fn render_operand(&self, attributes: &[Attribute]) -> String {
        match self {
            Guard::And(..) | Guard::Or(..) => format!("({})", self.render(attributes)),
            _ => self.render(attributes),
        }
    }
}
