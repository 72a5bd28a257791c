//! Where a calendar's days come from: the notices that set holidays and makeup working days, the
//! festivals each notice declares, and local adjustments.

use chrono::NaiveDate;

/// Index of a [`Notice`] within its calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeId(pub(crate) u32);

/// A notice that sets a year's holidays, such as the State Council's annual
/// 《关于2026年部分节假日安排的通知》, or an ad-hoc one that changes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The year whose arrangement it sets.
    pub year: i32,
    pub title: String,
    /// As precise as the sources allow: `2025-11-04`, or `2003` when only the year is known.
    pub date: String,
    /// Document number, such as `国办发明电〔2005〕35号`.
    pub number: Option<String>,
    /// Address of the text.
    pub url: Option<String>,
    /// The file the notice was read from (`built-in` for the embedded data).
    pub origin: String,
}

/// One festival's break as a notice sets it: its rest days and its makeup working days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Festival {
    /// Festival name, such as `春节`; merged breaks name both (`国庆节、中秋节`).
    pub name: String,
    pub rest: Vec<NaiveDate>,
    pub work: Vec<NaiveDate>,
    pub note: Option<String>,
    pub notice: NoticeId,
}

/// What an adjustment makes of a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdjustmentKind {
    Rest,
    Work,
}

impl AdjustmentKind {
    pub fn symbol(self) -> &'static str {
        match self {
            AdjustmentKind::Rest => "rest",
            AdjustmentKind::Work => "work",
        }
    }
}

/// A local change to a day the data already covers: a typhoon closure, a district's own rest
/// day, or a later notice reaching back into a covered year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub date: NaiveDate,
    pub kind: AdjustmentKind,
    pub reason: String,
    /// The file and line the adjustment was read from.
    pub origin: String,
}
