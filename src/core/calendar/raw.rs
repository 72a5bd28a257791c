//! The shapes of a calendar file as written, with source spans. `load.rs` validates them.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

/// A calendar file: either a whole calendar (such as the built-in `cn-mainland.yaml`) or an
/// extension of a known one (more years, adjustments).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendarFile {
    pub(crate) calendar: Spanned<String>,
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) zone: Option<Spanned<String>>,
    pub(crate) festivals: Option<Spanned<RawFestivalRule>>,
    #[serde(default)]
    pub(crate) years: SpannedMap<i64, Vec<RawNoticeBlock>>,
    #[serde(default)]
    pub(crate) adjustments: Vec<RawAdjustment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFestivalRule {
    pub(crate) since: Spanned<i64>,
    pub(crate) names: Vec<Spanned<String>>,
}

/// One notice and the festivals it sets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNoticeBlock {
    pub(crate) notice: Spanned<RawNotice>,
    #[serde(default)]
    pub(crate) holidays: Vec<RawFestival>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotice {
    pub(crate) title: Spanned<String>,
    pub(crate) date: Spanned<String>,
    pub(crate) number: Option<Spanned<String>>,
    pub(crate) url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFestival {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) rest: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) work: Vec<Spanned<String>>,
    pub(crate) note: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAdjustment {
    pub(crate) date: Spanned<String>,
    pub(crate) kind: Spanned<String>,
    pub(crate) reason: Spanned<String>,
}

/// A YAML mapping kept in file order, with the span of every key.
#[derive(Debug)]
pub(crate) struct SpannedMap<K, V>(pub(crate) Vec<(Spanned<K>, V)>);

impl<K, V> Default for SpannedMap<K, V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);

        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SpannedMap<K, V>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<K>>()? {
                    entries.push((key, map.next_value::<V>()?));
                }
                Ok(SpannedMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}
