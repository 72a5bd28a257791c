//! `SpannedMap`: a YAML mapping kept in file order with the span of every key, for files whose
//! keys are names (states, clocks, years).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

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
