//! The shapes of a calendar file as written, with source spans. `load.rs` validates them.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::core::spanned_map::SpannedMap;

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
