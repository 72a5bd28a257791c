//! `CaseTrace`: the activities of one open case as the log names them, for the per-activity and
//! variant figures: their numbers in order (in the auditor's `ActivityTally`), the variant key so
//! far, and the date of the previous row with the working days since the first.

use chrono::NaiveDate;

use super::variant_stats::VariantKey;
use crate::core::calendar::WorkingCalendar;

/// Activities kept per case for the example sequence and the per-activity case counts; a case
/// longer than this still gets its whole sequence's variant key.
pub const TRACE_ACTIVITIES_MAX: usize = 4096;

#[derive(Default)]
pub(crate) struct CaseTrace {
    pub(crate) activities: Vec<u32>,
    pub(crate) key: VariantKey,
    previous: Option<NaiveDate>,
    /// Working days from the first row to the previous one.
    pub(crate) total_working_days: i64,
    /// Activities started and not yet completed, with the date they started (`lifecycle.pair`).
    starts: Vec<(u32, NaiveDate)>,
}

impl CaseTrace {
    /// Activity `id` started on `date` (a later start of it replaces an earlier one).
    pub(crate) fn start(&mut self, id: u32, date: NaiveDate) {
        if let Some(start) = self.starts.iter_mut().find(|(started, _)| *started == id) {
            start.1 = date;
        } else if self.starts.len() < TRACE_ACTIVITIES_MAX {
            self.starts.push((id, date));
        }
    }

    /// The date activity `id` started, if it did and has not completed since; it is then
    /// completed.
    pub(crate) fn take_start(&mut self, id: u32) -> Option<NaiveDate> {
        let position = self.starts.iter().position(|(started, _)| *started == id)?;
        Some(self.starts.swap_remove(position).1)
    }

    /// Notes a row of activity `id` (named `name`) dated `date`; returns the working days since
    /// the case's previous row (none for its first). A row dated before the previous one counts
    /// as on the previous one's date, as the replay counts it.
    pub(crate) fn note(&mut self, id: u32, name: &str, date: NaiveDate, calendar: &WorkingCalendar) -> Option<i64> {
        if self.activities.len() < TRACE_ACTIVITIES_MAX {
            self.activities.push(id);
        }
        self.key = self.key.then(name);
        let Some(previous) = self.previous else {
            self.previous = Some(date);
            return None;
        };
        self.previous = Some(previous.max(date));
        let since = calendar.working_days_between(previous, previous.max(date)).ok()?;
        self.total_working_days += since;
        Some(since)
    }
}
