//! Deciding things about guards by trying every distinct case: two guards are **exclusive** when
//! no assignment of attributes makes both true, and the **profiles** of a workflow are the
//! assignments that can change its route.
//!
//! Comparisons against constants cut each attribute's values into a few classes (a bool's two
//! values, an enum's values, each constant of a number, date or text and one value on each side of
//! it, and unset). Trying one value per class decides the question exactly, as long as the number
//! of combinations stays under `ASSIGNMENTS_MAX`.

use super::attribute::{Attribute, AttributeType, Value};
use super::guard::Guard;
use super::ids::AttributeId;

/// Most combinations tried; beyond it two guards are not provably exclusive.
pub const ASSIGNMENTS_MAX: usize = 4096;

/// Whether no assignment (unset attributes included) makes both guards true. `false` when it
/// cannot be decided within `ASSIGNMENTS_MAX` combinations.
pub(crate) fn provably_exclusive(left: &Guard, right: &Guard, attributes: &[Attribute]) -> bool {
    let classes = value_classes(&[left, right], attributes, true);
    let mut exclusive = true;
    let complete = for_each_assignment(&classes, attributes.len(), |values| {
        if left.holds(values) && right.holds(values) {
            exclusive = false;
            return false;
        }
        true
    });
    complete && exclusive
}

/// One value per class for every attribute the guards read, unset (`None`) included when asked.
pub(crate) fn value_classes(
    guards: &[&Guard],
    attributes: &[Attribute],
    with_unset: bool,
) -> Vec<(AttributeId, Vec<Option<Value>>)> {
    let mut constants = Vec::new();
    for guard in guards {
        guard.constants(&mut constants);
    }
    let mut ids: Vec<AttributeId> = constants.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let mut values: Vec<Option<Value>> = if with_unset { vec![None] } else { Vec::new() };
            let mentioned = constants.iter().filter(|(other, _)| *other == id).filter_map(|(_, value)| value.as_ref());
            values.extend(classes_of(&attributes[id.index()].kind, mentioned).into_iter().map(Some));
            (id, values)
        })
        .collect()
}

fn classes_of<'a>(kind: &AttributeType, constants: impl Iterator<Item = &'a Value>) -> Vec<Value> {
    let mut values = Vec::new();
    match kind {
        AttributeType::Bool => return vec![Value::Bool(false), Value::Bool(true)],
        AttributeType::Enum(names) => return (0..names.len()).map(|index| Value::Enum(index as u16)).collect(),
        AttributeType::Text => {
            values.extend(constants.cloned());
            values.push(Value::Text("\u{0}other".to_owned()));
        }
        AttributeType::Integer | AttributeType::Decimal | AttributeType::Date => {
            for constant in constants {
                values.extend(neighbours(constant));
            }
            if values.is_empty() {
                values.push(match kind {
                    AttributeType::Date => Value::Date(chrono::NaiveDate::MIN),
                    _ => Value::Integer(0),
                });
            }
        }
    }
    values.sort_by(|left, right| left.compare(right).unwrap_or(std::cmp::Ordering::Equal));
    values.dedup();
    values
}

/// A constant and the values just below and above it.
fn neighbours(constant: &Value) -> Vec<Value> {
    match constant {
        Value::Integer(value) => {
            vec![Value::Integer(value.saturating_sub(1)), constant.clone(), Value::Integer(value.saturating_add(1))]
        }
        Value::Decimal(value) => {
            vec![Value::Decimal(value.step(false)), constant.clone(), Value::Decimal(value.step(true))]
        }
        Value::Date(date) => {
            let before = date.pred_opt().map_or(constant.clone(), Value::Date);
            let after = date.succ_opt().map_or(constant.clone(), Value::Date);
            vec![before, constant.clone(), after]
        }
        other => vec![other.clone()],
    }
}

/// Calls `visit` with every combination of the classes (as a slice indexed by attribute id),
/// until it returns `false`. Returns `false` when there were too many combinations to try.
pub(crate) fn for_each_assignment(
    classes: &[(AttributeId, Vec<Option<Value>>)],
    attribute_count: usize,
    mut visit: impl FnMut(&[Option<Value>]) -> bool,
) -> bool {
    let total = classes.iter().try_fold(1_usize, |product, (_, values)| product.checked_mul(values.len()));
    if total.is_none_or(|total| total > ASSIGNMENTS_MAX) {
        return false;
    }
    let mut values: Vec<Option<Value>> = vec![None; attribute_count];
    let mut counters = vec![0_usize; classes.len()];
    loop {
        for (slot, (id, options)) in classes.iter().enumerate() {
            values[id.index()].clone_from(&options[counters[slot]]);
        }
        if !visit(&values) {
            return true;
        }
        let mut slot = 0;
        loop {
            if slot == classes.len() {
                return true;
            }
            counters[slot] += 1;
            if counters[slot] < classes[slot].1.len() {
                break;
            }
            counters[slot] = 0;
            slot += 1;
        }
    }
}
