//! Type-checks a parsed guard against the workflow's attributes, giving a `Guard` over ids.

use std::collections::HashMap;

use super::attribute::{Attribute, AttributeType, Decimal, Value, quoted_list};
use super::checker::Checker;
use super::guard::Guard;
use super::guard_parse::{Expr, Literal, LiteralKind};
use super::ids::AttributeId;
use crate::core::calendar::parse_iso_date;

/// Checks `expr`; every problem goes to `checker`, and the result is `None` if there was one.
pub(crate) fn check_guard(
    checker: &mut Checker,
    expr: &Expr,
    attributes: &[Attribute],
    by_name: &HashMap<String, AttributeId>,
) -> Option<Guard> {
    let mut typer = Typer { checker, attributes, by_name };
    typer.check(expr)
}

struct Typer<'a, 'c> {
    checker: &'c mut Checker,
    attributes: &'a [Attribute],
    by_name: &'a HashMap<String, AttributeId>,
}

impl Typer<'_, '_> {
    fn check(&mut self, expr: &Expr) -> Option<Guard> {
        match expr {
            Expr::Const(value) => Some(Guard::Const(*value)),
            Expr::Attribute(name) => {
                let id = self.attribute(name)?;
                let attribute = &self.attributes[id.index()];
                if attribute.kind == AttributeType::Bool {
                    return Some(Guard::Attribute(id));
                }
                let message = format!(
                    "attribute `{}` is {} {}, not a bool; compare it with a value",
                    attribute.name,
                    article(attribute.kind.name()),
                    attribute.kind.name()
                );
                self.checker.error(&name.at, message, "not a bool");
                None
            }
            Expr::Compare { attribute: name, op, literal } => {
                let id = self.attribute(name);
                let id = id?;
                let attribute = &self.attributes[id.index()];
                let orderable =
                    matches!(attribute.kind, AttributeType::Integer | AttributeType::Decimal | AttributeType::Date);
                if op.is_ordering() && !orderable {
                    let message = format!(
                        "`{}` needs an integer, decimal or date, but `{}` is {} {}",
                        op.symbol(),
                        attribute.name,
                        article(attribute.kind.name()),
                        attribute.kind.name()
                    );
                    self.checker.error(&name.at, message, "cannot be ordered");
                    return None;
                }
                let value = self.literal(attribute, literal)?;
                Some(Guard::Compare { attribute: id, op: *op, value })
            }
            Expr::In { attribute: name, literals } => {
                let id = self.attribute(name)?;
                let attribute = &self.attributes[id.index()];
                if !matches!(attribute.kind, AttributeType::Enum(_) | AttributeType::Text | AttributeType::Integer) {
                    let message = format!(
                        "`in` needs an enum, text or integer, but `{}` is {} {}",
                        attribute.name,
                        article(attribute.kind.name()),
                        attribute.kind.name()
                    );
                    self.checker.error(&name.at, message, "not a list type");
                    return None;
                }
                let values: Vec<Option<Value>> =
                    literals.iter().map(|literal| self.literal(attribute, literal)).collect();
                let values: Option<Vec<Value>> = values.into_iter().collect();
                Some(Guard::In { attribute: id, values: values? })
            }
            Expr::Not(inner) => Some(Guard::Not(Box::new(self.check(inner)?))),
            Expr::And(left, right) => {
                let (left, right) = (self.check(left), self.check(right));
                Some(Guard::And(Box::new(left?), Box::new(right?)))
            }
            Expr::Or(left, right) => {
                let (left, right) = (self.check(left), self.check(right));
                Some(Guard::Or(Box::new(left?), Box::new(right?)))
            }
        }
    }

    fn attribute(&mut self, name: &super::checker::Named) -> Option<AttributeId> {
        if let Some(id) = self.by_name.get(&name.name) {
            return Some(*id);
        }
        let known = self.attributes.iter().map(|attribute| attribute.name.as_str());
        self.checker.unknown("attribute", name, known);
        None
    }

    fn literal(&mut self, attribute: &Attribute, literal: &Literal) -> Option<Value> {
        let mismatch = |expected: &str| {
            format!(
                "`{}` is {} {}, so expected {expected}, found `{}`",
                attribute.name,
                article(attribute.kind.name()),
                attribute.kind.name(),
                literal.text
            )
        };
        let result = match (&attribute.kind, literal.kind) {
            (AttributeType::Bool, LiteralKind::Name) if matches!(literal.text.as_str(), "true" | "false") => {
                Ok(Value::Bool(literal.text == "true"))
            }
            (AttributeType::Bool, _) => Err(mismatch("`true` or `false`")),
            (AttributeType::Integer, LiteralKind::Number) => {
                literal.text.parse().map(Value::Integer).map_err(|_| mismatch("an integer"))
            }
            (AttributeType::Integer, _) => Err(mismatch("an integer")),
            (AttributeType::Decimal, LiteralKind::Number) => Decimal::parse(&literal.text).map(Value::Decimal),
            (AttributeType::Decimal, _) => Err(mismatch("a number")),
            (AttributeType::Text, LiteralKind::Text) => Ok(Value::Text(literal.text.clone())),
            (AttributeType::Text, _) => Err(mismatch("a quoted text such as 'A'")),
            (AttributeType::Date, LiteralKind::Date) => parse_iso_date(&literal.text)
                .map(Value::Date)
                .ok_or_else(|| format!("`{}` is not a date", literal.text)),
            (AttributeType::Date, _) => Err(mismatch("a date such as 2017-03-01")),
            (AttributeType::Enum(values), LiteralKind::Name) => match values.iter().position(|v| *v == literal.text) {
                Some(index) => Ok(Value::Enum(index as u16)),
                None => {
                    let suggestion = crate::core::suggest::nearest(&literal.text, values.iter().map(String::as_str));
                    Err(match suggestion {
                        Some(near) => {
                            format!("`{}` has no value `{}`; did you mean `{near}`?", attribute.name, literal.text)
                        }
                        None => format!(
                            "`{}` has no value `{}`; expected {}",
                            attribute.name,
                            literal.text,
                            quoted_list(values)
                        ),
                    })
                }
            },
            (AttributeType::Enum(values), _) => Err(mismatch(&format!("one of {}", quoted_list(values)))),
        };
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.checker.error(&literal.at, message, "wrong value");
                None
            }
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}
