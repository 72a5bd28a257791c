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
    pub(crate) rules: Option<Spanned<RawRules>>,
}

/// Holidays declared by rule, for a calendar whose country sets its holidays by law rather
/// than by a yearly notice: the years the rules cover, and the rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRules {
    /// `YYYY..YYYY`: the data's years.
    pub(crate) years: Spanned<String>,
    pub(crate) holidays: Vec<Spanned<RawHolidayRule>>,
}

/// One holiday by rule: a fixed date or an Easter offset, optional weekday shifts, the years it
/// applies in, and the source that sets it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHolidayRule {
    pub(crate) name: Spanned<String>,
    /// `MM-DD`.
    pub(crate) date: Option<Spanned<String>>,
    /// Days after Easter Sunday (negative before).
    pub(crate) easter: Option<Spanned<i64>>,
    /// `WEEKDAY-after`, `WEEKDAY-before`, `WEEKDAY-on-or-after`, `WEEKDAY-on-or-before`.
    pub(crate) shift: Option<Spanned<String>>,
    pub(crate) if_saturday: Option<Spanned<String>>,
    pub(crate) if_sunday: Option<Spanned<String>>,
    pub(crate) since: Option<Spanned<i64>>,
    pub(crate) until: Option<Spanned<i64>>,
    pub(crate) every: Option<Spanned<i64>>,
    pub(crate) from: Option<Spanned<i64>>,
    pub(crate) note: Option<Spanned<String>>,
    pub(crate) source: Option<Spanned<RawRuleSource>>,
}

/// Where a rule comes from: a law or decree, with an address or a number to trace it by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleSource {
    pub(crate) title: Spanned<String>,
    pub(crate) date: Option<Spanned<String>>,
    pub(crate) number: Option<Spanned<String>>,
    pub(crate) url: Option<Spanned<String>>,
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
