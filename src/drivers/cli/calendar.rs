//! `renewflow calendar`: check a date, count working days, end a period, list a year; and the
//! bulk modes that read pairs from stdin.

use std::fmt::Write as _;

use anyhow::bail;
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use serde_json::Value;

use super::format::{DataFormat, csv, date_ranges, parse_date, table};
use super::{Context, EXIT_OK, bulk, calendar_install};
use crate::core::calendar::{
    BeyondData, DEFAULT_CALENDAR_ID, DayInfo, DayReason, Festival, Notice, Period, PeriodUnit, ProjectedDay,
    ProjectedKind, Reckoner, WorkingCalendar, weekday_name,
};
use crate::drivers::views::calendar::{self as views, basis_of, notice_of};

#[derive(Debug, Args)]
pub(crate) struct CalendarArgs {
    /// The calendar to use.
    #[arg(long, default_value = DEFAULT_CALENDAR_ID, value_name = "ID")]
    calendar: String,

    #[command(subcommand)]
    command: CalendarCommand,
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Whether a date is a working day or a rest day, and why.
    Check {
        /// The date, YYYY-MM-DD.
        date: String,
    },
    /// Working days after A up to and including B (negative when B is before A).
    Between {
        /// Start date (not counted).
        from: Option<String>,
        /// End date.
        to: Option<String>,
        /// Read one pair `A B` per line from stdin (space, tab or comma between) and write one
        /// integer per line.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        stdin: bool,
    },
    /// The end of a period of N units from A (working days unless --unit says otherwise).
    #[command(allow_negative_numbers = true)]
    Add {
        /// Start date (not counted).
        start: Option<String>,
        /// Amount; negative working days count backwards.
        amount: Option<i64>,
        /// Unit of the amount.
        #[arg(long, value_enum, default_value_t = UnitArg::Wd)]
        unit: UnitArg,
        /// Read one `A N` per line from stdin and write one date per line.
        #[arg(long, conflicts_with_all = ["start", "amount"])]
        stdin: bool,
    },
    /// A year's holidays, makeup working days, working-day count and sources (with
    /// `--beyond-data statutory`, a year without a notice lists its projected statutory days).
    Year {
        /// The year.
        year: i32,
    },
    /// Validate a calendar file and install it into the store (`--db`), so every process and every
    /// later run of the store counts on it; every open case's dates are recomputed in the same
    /// transaction, and each due date that moved is listed.
    Install {
        /// The calendar file (see docs/calendar-files.md).
        file: std::path::PathBuf,
        /// Why, when the file changes days the data already covers (required then).
        #[arg(long)]
        reason: Option<String>,
        /// Who installs it.
        #[arg(long, env = "USER", default_value = "unknown")]
        by: String,
        /// When (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// The calendar files installed into the store, oldest first.
    Installed,
    /// Recompute every open case's dates with the store's calendar data (after an upgrade that
    /// brings new built-in data), listing each due date that moved.
    Recompute,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum UnitArg {
    /// Working days.
    Wd,
    /// Calendar days.
    Cd,
    Months,
    Years,
}

impl From<UnitArg> for PeriodUnit {
    fn from(unit: UnitArg) -> PeriodUnit {
        match unit {
            UnitArg::Wd => PeriodUnit::WorkingDays,
            UnitArg::Cd => PeriodUnit::CalendarDays,
            UnitArg::Months => PeriodUnit::Months,
            UnitArg::Years => PeriodUnit::Years,
        }
    }
}

pub(crate) fn run(context: &Context, args: CalendarArgs) -> anyhow::Result<i32> {
    let format = context.format.data("calendar")?;
    match &args.command {
        CalendarCommand::Install { file, reason, by, at } => {
            return calendar_install::install(context, format, file, reason.as_deref(), by, at.as_deref());
        }
        CalendarCommand::Installed => return calendar_install::installed(context, format),
        CalendarCommand::Recompute => return calendar_install::recompute(context, format),
        _ => {}
    }
    let calendar = context.calendars.require(&args.calendar)?;
    let reckoner = calendar.reckon(context.beyond_data_or(BeyondData::Refuse));
    let output = match args.command {
        CalendarCommand::Check { date } => check(format, &reckoner, parse_date(&date)?)?,
        CalendarCommand::Between { stdin: true, .. } => {
            return bulk::between(&reckoner, &context.output).map(|()| EXIT_OK);
        }
        CalendarCommand::Between { from: Some(from), to: Some(to), .. } => {
            between(format, &reckoner, parse_date(&from)?, parse_date(&to)?)?
        }
        CalendarCommand::Between { .. } => bail!("`calendar between` needs two dates, or --stdin"),
        CalendarCommand::Add { stdin: true, unit, .. } => {
            return bulk::add(&reckoner, unit.into(), &context.output).map(|()| EXIT_OK);
        }
        CalendarCommand::Add { start: Some(start), amount: Some(amount), unit, .. } => {
            add(format, &reckoner, parse_date(&start)?, Period::new(amount, unit.into()))?
        }
        CalendarCommand::Add { .. } => bail!("`calendar add` needs a date and an amount, or --stdin"),
        CalendarCommand::Year { year } => list_year(format, reckoner.calendar(), year)?,
        CalendarCommand::Install { .. } | CalendarCommand::Installed | CalendarCommand::Recompute => {
            unreachable!("answered above")
        }
    };
    context.output.write(&super::format::shown(&output))?;
    Ok(EXIT_OK)
}

fn check(format: DataFormat, reckoner: &Reckoner<'_>, date: NaiveDate) -> anyhow::Result<String> {
    let reckoned = reckoner.day_info(date)?;
    let calendar = reckoner.calendar();
    let info = &reckoned.value;
    Ok(match format {
        DataFormat::Table => {
            let kind = if info.working { "working day" } else { "rest day" };
            format!("{} {}: {kind}, {}\n", info.date, weekday_name(info.weekday), describe_reason(calendar, info))
        }
        DataFormat::Json => pretty(&views::day_json(calendar, info, reckoned.provisional)),
        DataFormat::Csv => csv(&[
            vec!["date", "weekday", "working", "reason", "detail", "provisional"]
                .into_iter()
                .map(str::to_owned)
                .collect(),
            vec![
                info.date.to_string(),
                weekday_name(info.weekday).to_owned(),
                info.working.to_string(),
                info.reason.symbol().to_owned(),
                describe_reason(calendar, info),
                reckoned.provisional.to_string(),
            ],
        ]),
    })
}

fn describe_reason(calendar: &WorkingCalendar, info: &DayInfo<'_>) -> String {
    match &info.reason {
        DayReason::Weekday => "Monday to Friday".to_owned(),
        DayReason::Weekend => "weekend".to_owned(),
        DayReason::Holiday(festival) => {
            format!("{}{} ({})", festival.name, note(festival), cite(notice_of(calendar, festival)))
        }
        DayReason::Makeup(festival) => {
            format!(
                "makeup working day (调休上班日) for {}{} ({})",
                festival.name,
                note(festival),
                cite(notice_of(calendar, festival))
            )
        }
        DayReason::Adjusted(adjustment) => format!("adjusted: {} ({})", adjustment.reason, adjustment.origin),
        DayReason::Provisional => {
            format!("provisional: {}", calendar.basis(info.date.year()).unwrap_or_default())
        }
        DayReason::Projected(day) => {
            let kind = match day.kind {
                ProjectedKind::Statutory => "statutory holiday (法定节假日)",
                ProjectedKind::Substitute => "substitute day off (补假, 第6条)",
            };
            format!("{} {kind}, provisional: {}", day.festival, calendar.basis(info.date.year()).unwrap_or_default())
        }
    }
}

fn note(festival: &Festival) -> String {
    festival.note.as_ref().map(|note| format!(", {note}")).unwrap_or_default()
}

fn cite(notice: &Notice) -> String {
    let title = if notice.title.chars().any(is_cjk) { format!("《{}》", notice.title) } else { notice.title.clone() };
    let mut parts = vec![title];
    parts.extend(Some(notice.date.clone()).filter(|date| !date.is_empty()));
    parts.extend(notice.number.clone());
    parts.extend(notice.url.clone());
    parts.join(", ")
}

fn is_cjk(character: char) -> bool {
    matches!(character, '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

fn between(format: DataFormat, reckoner: &Reckoner<'_>, from: NaiveDate, to: NaiveDate) -> anyhow::Result<String> {
    let reckoned = reckoner.working_days_between(from, to)?;
    let count = reckoned.value;
    let basis = basis_of(reckoner, reckoned.provisional, from.max(to));
    Ok(match format {
        DataFormat::Table => {
            let mark = provisional_mark(basis.as_deref());
            format!("{count} working days after {from} up to {to}{mark}\n")
        }
        DataFormat::Json => pretty(&views::between_json(reckoner, from, to, &reckoned)),
        DataFormat::Csv => csv(&[
            ["from", "to", "working_days", "provisional", "basis"].map(str::to_owned).to_vec(),
            vec![
                from.to_string(),
                to.to_string(),
                count.to_string(),
                reckoned.provisional.to_string(),
                basis.unwrap_or_default(),
            ],
        ]),
    })
}

fn add(format: DataFormat, reckoner: &Reckoner<'_>, start: NaiveDate, period: Period) -> anyhow::Result<String> {
    let reckoned = reckoner.period_end(start, period)?;
    let end = reckoned.value;
    let basis = basis_of(reckoner, reckoned.provisional, end.end.max(start));
    Ok(match format {
        DataFormat::Table => {
            let rolled = if end.rolled_forward() {
                format!(" ({} is a rest day, so the period ends on the next working day)", end.nominal_end)
            } else {
                String::new()
            };
            format!("{}: {period} from {start} ends{rolled}{}\n", end.end, provisional_mark(basis.as_deref()))
        }
        DataFormat::Json => pretty(&views::add_json(reckoner, start, period, &reckoned)),
        DataFormat::Csv => csv(&[
            ["start", "amount", "unit", "end", "nominal_end", "rolled_forward", "provisional", "basis"]
                .map(str::to_owned)
                .to_vec(),
            vec![
                start.to_string(),
                period.amount.to_string(),
                period.unit.symbol().to_owned(),
                end.end.to_string(),
                end.nominal_end.to_string(),
                end.rolled_forward().to_string(),
                reckoned.provisional.to_string(),
                basis.unwrap_or_default(),
            ],
        ]),
    })
}

fn list_year(format: DataFormat, calendar: &WorkingCalendar, year: i32) -> anyhow::Result<String> {
    let (working, rest) = calendar.year_counts(year)?;
    let (festivals, notice_ids) = crate::drivers::views::calendar::year_festivals(calendar, year);
    let notices: Vec<&Notice> = notice_ids.iter().map(|index| &calendar.notices()[*index]).collect();
    let adjustments: Vec<_> =
        calendar.adjustments().iter().filter(|adjustment| adjustment.date.year() == year).collect();
    let basis = calendar.basis(year);
    let projected: Vec<&ProjectedDay> = calendar.projected_days(year).collect();
    Ok(match format {
        DataFormat::Table => {
            let mut text = format!("{} {year}: {working} working days, {rest} rest days\n", calendar.id());
            if let Some(basis) = &basis {
                let _ = writeln!(text, "provisional: {basis}");
            }
            if !projected.is_empty() {
                let _ = writeln!(text, "{}", projected_table(&projected));
            }
            let festival_table = festival_table(calendar, &festivals, &notice_ids, year);
            if !festivals.is_empty() {
                let _ = writeln!(text, "{festival_table}");
            }
            for (index, notice) in notices.iter().enumerate() {
                let _ = writeln!(text, "[{}] {}", index + 1, cite(notice));
            }
            for adjustment in &adjustments {
                let _ = writeln!(
                    text,
                    "adjusted {} to {}: {} ({})",
                    adjustment.date,
                    adjustment.kind.symbol(),
                    adjustment.reason,
                    adjustment.origin
                );
            }
            text
        }
        DataFormat::Json => pretty(&views::year_json(calendar, year)?),
        DataFormat::Csv => {
            let mut rows = vec![["date", "kind", "festival", "notice"].map(str::to_owned).to_vec()];
            for festival in &festivals {
                let notice = &notice_of(calendar, festival).title;
                for (kind, dates) in [("rest", &festival.rest), ("work", &festival.work)] {
                    for date in dates.iter().filter(|date| date.year() == year) {
                        rows.push(vec![date.to_string(), kind.to_owned(), festival.name.clone(), notice.clone()]);
                    }
                }
            }
            for day in &projected {
                rows.push(vec![
                    day.date.to_string(),
                    format!("projected {}", day.kind.symbol()),
                    day.festival.to_owned(),
                    day.law.title().to_owned(),
                ]);
            }
            rows[1..].sort();
            csv(&rows)
        }
    })
}

/// The year's festivals (or holidays) as a table. The 调休 column and the Chinese glosses belong
/// to calendars that have makeup days.
fn festival_table(
    calendar: &WorkingCalendar,
    festivals: &[&Festival],
    notice_ids: &[usize],
    year: i32,
) -> super::format::Table {
    let makeup = calendar.has_makeup_days();
    let mut festival_table = if makeup {
        table(&["festival 节日", "rest days 放假", "makeup working days 调休上班", "notice"])
    } else {
        table(&["holiday", "rest days", "source"])
    };
    for festival in festivals {
        let notice_index = notice_ids.iter().position(|index| *index == festival.notice.0 as usize).unwrap_or_default();
        let mut row = vec![festival.name.clone(), date_ranges(&festival.rest, year)];
        if makeup {
            row.push(date_ranges(&festival.work, year));
        }
        row.push(format!("[{}]", notice_index + 1));
        festival_table.add_row(row);
    }
    festival_table
}

fn projected_table(projected: &[&ProjectedDay]) -> super::format::Table {
    let mut projected_table = table(&["date", "weekday", "festival 节日", "projected as", "law"]);
    for day in projected {
        projected_table.add_row(vec![
            day.date.to_string(),
            weekday_name(day.date.weekday()).to_owned(),
            day.festival.to_owned(),
            projected_kind_name(day.kind).to_owned(),
            day.law.title().to_owned(),
        ]);
    }
    projected_table
}

fn projected_kind_name(kind: ProjectedKind) -> &'static str {
    match kind {
        ProjectedKind::Statutory => "statutory holiday 法定节假日",
        ProjectedKind::Substitute => "substitute day off 补假",
    }
}

fn provisional_mark(basis: Option<&str>) -> String {
    basis.map(|basis| format!(" (provisional: {basis})")).unwrap_or_default()
}

fn pretty(value: &Value) -> String {
    // Serialising a `Value` cannot fail.
    super::format::json(value).unwrap_or_default()
}
