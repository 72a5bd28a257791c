//! `RawLimit`: a clock's `limit` or `promised` as written: a period (`20 wd`), or where each case's
//! comes from: an `integer` attribute (`{attribute: decision_days, unit: cd}`) or a `date`
//! attribute the limit runs to (`{due: deadline}`).

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A clock's limit as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawLimit {
    /// `20 wd`.
    Period(String),
    /// `{attribute: NAME, unit: UNIT}`; the unit may be left out of a promised limit.
    Attribute { attribute: String, unit: Option<String> },
    /// `{due: NAME, unit: UNIT}`; the unit (`wd` or `cd`) defaults to `cd`.
    Due { attribute: String, unit: Option<String> },
}

impl<'de> Deserialize<'de> for RawLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawLimit, D::Error> {
        deserializer.deserialize_any(LimitVisitor)
    }
}

struct LimitVisitor;

impl<'de> Visitor<'de> for LimitVisitor {
    type Value = RawLimit;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a period such as `20 wd`, `{attribute: NAME, unit: wd}` or `{due: NAME}`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<RawLimit, E> {
        Ok(RawLimit::Period(text.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawLimit, A::Error> {
        let (mut attribute, mut due, mut unit) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "attribute" => &mut attribute,
                "due" => &mut due,
                "unit" => &mut unit,
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}` in a limit; a limit taken from the case has `attribute` (or `due`) \
                         and `unit`"
                    )));
                }
            };
            if slot.is_some() {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            *slot = Some(map.next_value::<String>()?);
        }
        match (attribute, due) {
            (Some(attribute), None) => Ok(RawLimit::Attribute { attribute, unit }),
            (None, Some(attribute)) => Ok(RawLimit::Due { attribute, unit }),
            (Some(_), Some(_)) => Err(de::Error::custom(
                "a limit is taken from `attribute` (a number of units) or from `due` (a date), not both",
            )),
            (None, None) => Err(de::Error::custom(
                "a limit taken from the case names `attribute` (an integer attribute) or `due` (a date attribute)",
            )),
        }
    }
}
