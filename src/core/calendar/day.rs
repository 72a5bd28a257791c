//! What one date is: a working day or a rest day, and why.

use chrono::{NaiveDate, Weekday};

use super::notice::{Adjustment, Festival};
use super::statutory::ProjectedDay;

/// Why a day in the data is what it is. Stored once per day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DayKind {
    /// Monday to Friday, no notice touches it.
    Weekday,
    /// Saturday or Sunday, no notice touches it.
    Weekend,
    /// A rest day of a festival's break (`Festival::rest`).
    Holiday,
    /// A weekend day worked for a festival (调休上班日, `Festival::work`).
    Makeup,
    /// Made a rest day by an adjustment.
    AdjustedRest,
    /// Made a working day by an adjustment.
    AdjustedWork,
    /// After the data: a statutory holiday or 补假 the law fixes (`Projection::days`).
    Projected,
}

impl DayKind {
    pub(crate) fn is_working(self) -> bool {
        match self {
            DayKind::Weekday | DayKind::Makeup | DayKind::AdjustedWork => true,
            DayKind::Weekend | DayKind::Holiday | DayKind::AdjustedRest | DayKind::Projected => false,
        }
    }
}

/// One day of the table: its kind and, for festival or adjusted days, what set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DayEntry {
    pub(crate) kind: DayKind,
    /// Index into the calendar's festivals (for `Holiday`/`Makeup`) or adjustments.
    pub(crate) source: u32,
}

impl DayEntry {
    pub(crate) fn plain(weekday: bool) -> DayEntry {
        let kind = if weekday { DayKind::Weekday } else { DayKind::Weekend };
        DayEntry { kind, source: 0 }
    }
}

/// A date, whether it is a working day, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayInfo<'a> {
    pub date: NaiveDate,
    pub weekday: Weekday,
    pub working: bool,
    pub reason: DayReason<'a>,
}

/// Why a day is a working day or a rest day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DayReason<'a> {
    /// Monday to Friday.
    Weekday,
    /// Saturday or Sunday.
    Weekend,
    /// A rest day of a festival's break.
    Holiday(&'a Festival),
    /// A weekend day worked for a festival (调休上班日).
    Makeup(&'a Festival),
    /// Changed by a local adjustment.
    Adjusted(&'a Adjustment),
    /// Beyond the calendar's data, a weekday or a weekend day as the caller's policy counts it
    /// (no notice covers it, so no 调休 is known).
    Provisional,
    /// Beyond the calendar's data, a statutory holiday or 补假 projected from the law in force.
    Projected(&'a ProjectedDay),
}

impl DayReason<'_> {
    /// A short machine name: `weekday`, `weekend`, `holiday`, `makeup`, `adjusted`,
    /// `provisional`, `projected`.
    pub fn symbol(&self) -> &'static str {
        match self {
            DayReason::Weekday => "weekday",
            DayReason::Weekend => "weekend",
            DayReason::Holiday(_) => "holiday",
            DayReason::Makeup(_) => "makeup",
            DayReason::Adjusted(_) => "adjusted",
            DayReason::Provisional => "provisional",
            DayReason::Projected(_) => "projected",
        }
    }
}
