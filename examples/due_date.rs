//! Embedding the calendar: when is a 20-working-day decision due, and how much of it is used?
//!
//! `cargo run --example due_date`

use chrono::NaiveDate;
use renewflow::core::calendar::{Calendars, DEFAULT_CALENDAR_ID, Period, PeriodUnit};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calendars = Calendars::builtin();
    let calendar = calendars.require(DEFAULT_CALENDAR_ID)?;

    // 行政许可法 第42条: a decision within 20 working days of acceptance (受理).
    let accepted = NaiveDate::from_ymd_opt(2026, 9, 21).ok_or("bad date")?;
    let due = calendar.add_working_days(accepted, 20)?;
    let today = NaiveDate::from_ymd_opt(2026, 10, 12).ok_or("bad date")?;
    let used = calendar.working_days_between(accepted, today)?;
    println!("accepted {accepted}, due {due} (20 wd), {used} of 20 working days used by {today}");

    // A 公示 of 30 calendar days: a period ending on a rest day runs to the next working day.
    let notice_end = calendar.period_end(accepted, Period::new(30, PeriodUnit::CalendarDays))?;
    println!("a 30-day notice from {accepted} ends {} (nominally {})", notice_end.end, notice_end.nominal_end);
    Ok(())
}
