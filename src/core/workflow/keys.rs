//! The keys of a workflow or reform file: every unknown key, with the nearest known one as a
//! suggestion, and every missing required key, found in one pass over the file's mappings.
//!
//! serde stops at the first unknown field, so the shapes in `raw.rs` accept any key and this
//! pass reports them, beside the draft's own problems: a misspelled key does not hide a
//! misspelled name three lines below. The keys each shape knows are serde's own (the field list
//! its derived `Deserialize` declares), so the two cannot drift apart.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::checker::{Checker, Named, Origin};
use super::raw::{
    RawAttribute, RawClock, RawCut, RawExtension, RawParallelize, RawPause, RawReform, RawRestart, RawState,
    RawTransition, RawTransitionRef, RawWorkflowFile,
};

/// Reports the unknown and missing keys of the file `source` (its text `text`). A file the YAML
/// parser refuses is left to the typed reading, which reports why.
pub(crate) fn check_keys(checker: &mut Checker, source: usize, text: &str) {
    let options = serde_saphyr::options! { strict_booleans: true };
    let Ok(tree) = serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options) else { return };
    let mut walk = KeyWalk { checker, source };
    let at = walk.origin(&tree);
    walk.file(&tree.value, &at);
}

/// A YAML value reduced to what the keys need: mappings, lists, strings (keys are) and the rest.
/// It reads whatever serde's `IgnoredAny` reads, so any file the typed reading accepts is walked.
#[derive(Debug)]
enum Node {
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
    List(Vec<Spanned<Node>>),
    Text(String),
    Other,
}

impl Node {
    /// The text of a key that is a string.
    fn text(&self) -> Option<&str> {
        match self {
            Node::Text(text) => Some(text),
            Node::Map(_) | Node::List(_) | Node::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

/// Every scalar is `Other`.
macro_rules! scalars_are_other {
    ($($method:ident: $type:ty),*) => {
        $(fn $method<E: de::Error>(self, _: $type) -> Result<Node, E> {
            Ok(Node::Other)
        })*
    };
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any YAML value")
    }

    scalars_are_other!(visit_bool: bool, visit_i64: i64, visit_i128: i128, visit_u64: u64, visit_u128: u128,
        visit_f64: f64, visit_bytes: &[u8]);

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Node, E> {
        Ok(Node::Text(text.to_owned()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Node>>()? {
            entries.push((key, map.next_value::<Spanned<Node>>()?));
        }
        Ok(Node::Map(entries))
    }
}

/// A shape of `raw.rs`: its keys (serde's) and the keys it requires.
struct Shape {
    keys: &'static [&'static str],
    required: &'static [&'static str],
}

impl Shape {
    fn of<T: DeserializeOwned>(required: &'static [&'static str]) -> Shape {
        Shape { keys: field_names::<T>(), required }
    }
}

/// The field names `T`'s derived `Deserialize` declares (after renames).
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names = FieldNames(&[]);
    // It always fails: it only records the names it is given.
    let _ = T::deserialize(&mut names);
    names.0
}

struct FieldNames(&'static [&'static str]);

impl<'de> Deserializer<'de> for &mut FieldNames {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

struct KeyWalk<'c> {
    checker: &'c mut Checker,
    source: usize,
}

impl KeyWalk<'_> {
    fn origin<T>(&self, spanned: &Spanned<T>) -> Origin {
        self.checker.origin(self.source, &spanned.referenced)
    }

    /// Checks a mapping's keys against `shape` (`at`: where to report a missing key) and returns
    /// its entries by key text; `None` when it is not a mapping (the typed reading says so).
    fn shape<'n>(&mut self, node: &'n Node, at: &Origin, shape: &Shape) -> Option<Vec<(&'n str, &'n Spanned<Node>)>> {
        let Node::Map(entries) = node else { return None };
        let mut suggested = Vec::new();
        let mut known = Vec::new();
        for (key, value) in entries {
            let Some(text) = key.value.text() else { continue };
            if shape.keys.contains(&text) {
                known.push((text, value));
                continue;
            }
            let named = Named { name: text.to_owned(), at: self.origin(key) };
            suggested.extend(self.checker.unknown_key(&named, shape.keys));
        }
        for required in shape.required {
            // `limt:` already said "did you mean `limit`?".
            if !known.iter().any(|(text, _)| text == required) && !suggested.contains(required) {
                self.checker.error(at, format!("missing field `{required}`"), "here");
            }
        }
        Some(known)
    }

    /// Each value of a mapping whose keys are names (states, clocks), reported at its key.
    fn each_value(&mut self, node: &Node, mut visit: impl FnMut(&mut Self, &Node, &Origin)) {
        let Node::Map(entries) = node else { return };
        for (key, value) in entries {
            let at = self.checker.value_or_key(&self.origin(value), key.value.text().unwrap_or_default());
            visit(self, &value.value, &at);
        }
    }

    /// Each item of a list, reported where it is.
    fn each_item(&mut self, node: &Node, mut visit: impl FnMut(&mut Self, &Node, &Origin)) {
        let Node::List(items) = node else { return };
        for item in items {
            let at = self.origin(item);
            visit(self, &item.value, &at);
        }
    }

    fn file(&mut self, node: &Node, at: &Origin) {
        let Some(entries) = self.shape(node, at, &Shape::of::<RawWorkflowFile>(&[])) else {
            return;
        };
        for (key, value) in entries {
            let node = &value.value;
            match key {
                "attributes" => self.each_value(node, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawAttribute>(RawAttribute::REQUIRED));
                }),
                "states" => self.states(node),
                "transitions" => self.each_item(node, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawTransition>(RawTransition::REQUIRED));
                }),
                "clocks" => self.each_value(node, Self::clock),
                "reform" => self.reform(node, &self.origin(value)),
                _ => {}
            }
        }
    }

    fn states(&mut self, node: &Node) {
        self.each_value(node, |walk, node, at| {
            let Some(entries) = walk.shape(node, at, &Shape::of::<RawState>(&[])) else { return };
            for (key, value) in entries {
                if key == "states" || key == "parallel" {
                    walk.states(&value.value);
                }
            }
        });
    }

    fn clock(&mut self, node: &Node, at: &Origin) {
        let Some(entries) = self.shape(node, at, &Shape::of::<RawClock>(RawClock::REQUIRED)) else {
            return;
        };
        for (key, value) in entries {
            let at = self.checker.value_or_key(&self.origin(value), key);
            match key {
                "paused_in" => self.each_value(&value.value, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawPause>(RawPause::REQUIRED));
                }),
                "restart" => {
                    self.shape(&value.value, &at, &Shape::of::<RawRestart>(&[]));
                }
                "extensions" => self.each_item(&value.value, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawExtension>(RawExtension::REQUIRED));
                }),
                _ => {}
            }
        }
    }

    fn reform(&mut self, node: &Node, at: &Origin) {
        let at = self.checker.value_or_key(at, "reform");
        let Some(entries) = self.shape(node, &at, &Shape::of::<RawReform>(RawReform::REQUIRED)) else {
            return;
        };
        for (key, value) in entries {
            let node = &value.value;
            match key {
                "cut" => {
                    let at = self.checker.value_or_key(&self.origin(value), key);
                    self.shape(node, &at, &Shape::of::<RawCut>(&[]));
                }
                "parallelize" => self.each_item(node, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawParallelize>(RawParallelize::REQUIRED));
                }),
                "add_states" => self.states(node),
                "add_transitions" => self.each_item(node, |walk, node, at| {
                    walk.shape(node, at, &Shape::of::<RawTransition>(RawTransition::REQUIRED));
                }),
                "drop_transitions" => self.each_item(node, |walk, node, at| {
                    let shape = Shape::of::<RawTransitionRef>(RawTransitionRef::REQUIRED);
                    walk.shape(node, at, &shape);
                }),
                _ => {}
            }
        }
    }
}
