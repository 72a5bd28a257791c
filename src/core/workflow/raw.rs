//! The shapes of a workflow or reform file as written, with source spans. `draft.rs` turns them
//! into a draft; nothing else reads them.
//!
//! Unknown keys are not refused here: serde would stop at the first one, and every problem of a
//! file is to be reported at once. `keys.rs` reports them, each with a suggestion, and reports
//! the keys each shape requires (`REQUIRED`), which are optional here for the same reason: a
//! shape missing one is skipped by the draft.

use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::raw_limit::RawLimit;
use crate::core::spanned_map::SpannedMap;

/// A workflow file, or a reform file (`extends` + `reform`). Which keys a reform may have is
/// checked in `draft.rs`, so that the error can say what to do instead.
#[derive(Debug, Deserialize)]
pub(crate) struct RawWorkflowFile {
    pub(crate) extends: Option<Spanned<String>>,
    pub(crate) workflow: Option<Spanned<String>>,
    pub(crate) version: Option<Spanned<String>>,
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) calendar: Option<Spanned<String>>,
    pub(crate) roles: Option<Spanned<SpannedMap<String, Spanned<String>>>>,
    pub(crate) actions: Option<Spanned<SpannedMap<String, Spanned<String>>>>,
    pub(crate) attributes: Option<Spanned<SpannedMap<String, Spanned<RawAttribute>>>>,
    pub(crate) stages: Option<Spanned<SpannedMap<String, Spanned<String>>>>,
    pub(crate) initial: Option<Spanned<String>>,
    pub(crate) states: Option<Spanned<RawStates>>,
    pub(crate) transitions: Option<Spanned<Vec<Spanned<RawTransition>>>>,
    pub(crate) clocks: Option<Spanned<SpannedMap<String, Spanned<RawClock>>>>,
    pub(crate) reform: Option<Spanned<RawReform>>,
}

/// States in file order; a state written with no value (`closed:`) is a plain state.
pub(crate) type RawStates = SpannedMap<String, Option<Spanned<RawState>>>;

#[derive(Debug, Deserialize)]
pub(crate) struct RawAttribute {
    #[serde(rename = "type")]
    pub(crate) kind: Option<Spanned<String>>,
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) values: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) default: Option<Spanned<String>>,
}

impl RawAttribute {
    pub(crate) const REQUIRED: &[&str] = &["type"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawState {
    pub(crate) title: Option<Spanned<String>>,
    #[serde(rename = "final")]
    pub(crate) is_final: Option<Spanned<bool>>,
    pub(crate) initial: Option<Spanned<String>>,
    pub(crate) states: Option<Spanned<RawStates>>,
    pub(crate) parallel: Option<Spanned<RawStates>>,
    pub(crate) done: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawTransition {
    pub(crate) action: Option<Spanned<String>>,
    pub(crate) from: Option<Spanned<Names>>,
    pub(crate) to: Option<Spanned<String>>,
    pub(crate) by: Option<Spanned<Names>>,
    #[serde(rename = "if")]
    pub(crate) guard: Option<Spanned<String>>,
    pub(crate) title: Option<Spanned<String>>,
}

impl RawTransition {
    pub(crate) const REQUIRED: &[&str] = &["action", "from", "to", "by"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawClock {
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) stage: Option<Spanned<String>>,
    pub(crate) matter: Option<Spanned<bool>>,
    pub(crate) basis: Option<Spanned<String>>,
    pub(crate) limit: Option<Spanned<RawLimit>>,
    pub(crate) promised: Option<Spanned<RawLimit>>,
    pub(crate) from: Option<Spanned<Names>>,
    pub(crate) until: Option<Spanned<Names>>,
    pub(crate) over: Option<Spanned<String>>,
    pub(crate) paused_in: Option<Spanned<SpannedMap<String, Spanned<RawPause>>>>,
    pub(crate) restart: Option<Spanned<RawRestart>>,
    pub(crate) extensions: Option<Spanned<Vec<Spanned<RawExtension>>>>,
    pub(crate) within: Option<Spanned<String>>,
    pub(crate) warn_at: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) warn_before: Option<Spanned<Vec<Spanned<String>>>>,
}

impl RawClock {
    pub(crate) const REQUIRED: &[&str] = &["limit"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawPause {
    pub(crate) basis: Option<Spanned<String>>,
    pub(crate) max: Option<Spanned<String>>,
}

impl RawPause {
    pub(crate) const REQUIRED: &[&str] = &["basis"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawRestart {
    pub(crate) actions: Option<Spanned<Names>>,
    pub(crate) entering: Option<Spanned<Names>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawExtension {
    pub(crate) by: Option<Spanned<String>>,
    pub(crate) times: Option<Spanned<u32>>,
    pub(crate) action: Option<Spanned<String>>,
    pub(crate) by_role: Option<Spanned<Names>>,
    pub(crate) basis: Option<Spanned<String>>,
}

impl RawExtension {
    pub(crate) const REQUIRED: &[&str] = &["by", "action", "by_role"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawReform {
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) rounding: Option<Spanned<String>>,
    pub(crate) cut: Option<Spanned<RawCut>>,
    pub(crate) parallelize: Option<Spanned<Vec<Spanned<RawParallelize>>>>,
    pub(crate) add_states: Option<Spanned<RawStates>>,
    pub(crate) drop_states: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) add_transitions: Option<Spanned<Vec<Spanned<RawTransition>>>>,
    pub(crate) drop_transitions: Option<Spanned<Vec<Spanned<RawTransitionRef>>>>,
}

impl RawReform {
    pub(crate) const REQUIRED: &[&str] = &["title"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawCut {
    pub(crate) clocks: Option<Spanned<SpannedMap<String, Spanned<String>>>>,
    pub(crate) stages: Option<Spanned<SpannedMap<String, Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawParallelize {
    pub(crate) sequence: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(rename = "as")]
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) title: Option<Spanned<String>>,
    pub(crate) when: Option<Spanned<String>>,
}

impl RawParallelize {
    pub(crate) const REQUIRED: &[&str] = &["sequence", "as"];
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawTransitionRef {
    pub(crate) action: Option<Spanned<String>>,
    pub(crate) from: Option<Spanned<String>>,
    pub(crate) to: Option<Spanned<String>>,
}

impl RawTransitionRef {
    pub(crate) const REQUIRED: &[&str] = &["action", "from"];
}

/// One name or a list of names (`by: bureau` or `by: [bureau, group]`). The span is the whole
/// value's; `Checker::at_name` finds a single name inside it.
#[derive(Debug, Default)]
pub(crate) struct Names(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;

        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a name or a list of names")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Names, E> {
                Ok(Names(vec![value.to_owned()]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(Names(names))
            }
        }

        deserializer.deserialize_any(NamesVisitor)
    }
}
