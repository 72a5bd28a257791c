//! Validation of a calendar file into calendar parts, collecting every problem before refusing.
//!
//! A file either defines a calendar (id, title, zone, years) or extends a known one. An
//! extension may add whole years that follow on from the data, and `adjustments` that change
//! covered days with a reason. A notice in an added year may reach back into a covered year only
//! when `adjustments` lists the same day with the same kind. Any other clash is refused.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde_saphyr::{Location, Spanned};

use super::civil::is_weekday;
use super::day::{DayEntry, DayKind};
use super::file_error::CalendarFileError;
use super::iso_date::{parse_iso_date, weekday_name};
use super::notice::{Adjustment, AdjustmentKind, Festival, Notice, NoticeId};
use super::raw::{RawAdjustment, RawCalendarFile, RawFestival, RawNoticeBlock};
use super::rules_load::{ParsedRules, check_rules};
use super::working_calendar::{CalendarParts, FestivalRule, day_number, year_end, year_start};
use super::zone::CalendarZone;
use crate::core::problem::Problem;
use crate::core::problem::{byte_span, yaml_error_message};

/// Largest calendar file read, in bytes.
pub const CALENDAR_FILE_BYTES_MAX: usize = 4 << 20;
/// Most days one `A..B` range may span (the longest break so far, 2020's 春节, is 10 days).
pub const RANGE_DAYS_MAX: i64 = 62;
/// Most problems reported for one file; the rest are counted.
pub const PROBLEMS_MAX: usize = 50;
/// The years a calendar may cover.
pub const YEAR_MIN: i64 = 1900;
pub const YEAR_MAX: i64 = 2200;

/// Parses the YAML of a calendar file.
pub(crate) fn parse_calendar_file(file: &str, text: &str) -> Result<RawCalendarFile, CalendarFileError> {
    if text.len() > CALENDAR_FILE_BYTES_MAX {
        let problem = Problem {
            file: file.to_owned(),
            line: 1,
            column: 1,
            message: format!("calendar file is {} bytes, beyond the limit of {CALENDAR_FILE_BYTES_MAX}", text.len()),
            label: "file too large".to_owned(),
            help: None,
            span: None,
            source: None,
        };
        return Err(CalendarFileError::new(file, text, vec![problem]));
    }
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
        let (message, location) = yaml_error_message(&error);
        let mut checker = Checker::new(file, text);
        match &location {
            Some(location) => checker.at(location, message, "here", None),
            None => checker.push(1, 1, None, message, "here", None),
        }
        CalendarFileError::new(file, text, checker.problems)
    })
}

/// Validates a parsed file, on its own (`base` is `None`) or as an extension of `base`.
pub(crate) fn build_calendar(
    base: Option<&CalendarParts>,
    raw: &RawCalendarFile,
    file: &str,
    text: &str,
) -> Result<CalendarParts, CalendarFileError> {
    let mut checker = Checker::new(file, text);
    let header = check_header(&mut checker, base, raw);
    let rules = match (&raw.rules, base) {
        (Some(rules), None) => check_rules(&mut checker, rules),
        (Some(rules), Some(base)) => {
            let message = format!(
                "an extension of calendar `{}` cannot declare `rules`; only a file that defines a new calendar can",
                base.id
            );
            checker.at(&rules.referenced, message, "remove this", None);
            None
        }
        (None, _) => None,
    };
    let notices = check_years(&mut checker, base, raw);
    let adjustments = check_adjustments(&mut checker, &raw.adjustments);
    let Some(header) = header else {
        return Err(checker.into_error());
    };
    let range = match &rules {
        Some(rules) => rule_year_range(&mut checker, raw, rules),
        None if raw.rules.is_some() => None,
        None => year_range(&mut checker, base, raw),
    };
    let Some(range) = range else {
        return Err(checker.into_error());
    };
    let parts = merge(&mut checker, base, header, range, rules, notices, adjustments);
    if let Some(rule) = &parts.festival_rule {
        check_festival_rule(&mut checker, base, raw, &parts, rule);
    }
    if checker.problems.is_empty() { Ok(parts) } else { Err(checker.into_error()) }
}

pub(super) struct Checker<'t> {
    pub(super) file: &'t str,
    text: &'t str,
    problems: Vec<Problem>,
    problems_dropped: usize,
}

impl<'t> Checker<'t> {
    fn new(file: &'t str, text: &'t str) -> Checker<'t> {
        Checker { file, text, problems: Vec::new(), problems_dropped: 0 }
    }

    pub(super) fn problem_count(&self) -> usize {
        self.problems.len() + self.problems_dropped
    }

    pub(super) fn at(
        &mut self,
        location: &Location,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let span = byte_span(location);
        self.push(location.line(), location.column(), span, message.into(), label, help);
    }

    fn push(
        &mut self,
        line: u64,
        column: u64,
        span: Option<(usize, usize)>,
        message: String,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        if self.problems.len() >= PROBLEMS_MAX {
            self.problems_dropped += 1;
            return;
        }
        let label = label.into();
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line,
            column,
            message,
            label,
            help,
            span,
            source: None,
        });
    }

    fn into_error(mut self) -> CalendarFileError {
        if self.problems_dropped > 0 {
            let message = format!("{} more problems not shown", self.problems_dropped);
            self.problems.push(Problem {
                file: self.file.to_owned(),
                line: 1,
                column: 1,
                message,
                label: String::new(),
                help: None,
                span: None,
                source: None,
            });
        }
        CalendarFileError::new(self.file, self.text, self.problems)
    }
}

struct Header {
    id: String,
    title: String,
    zone: CalendarZone,
    festival_rule: Option<FestivalRule>,
}

fn check_header(checker: &mut Checker<'_>, base: Option<&CalendarParts>, raw: &RawCalendarFile) -> Option<Header> {
    let id = &raw.calendar;
    let id_ok = !id.value.is_empty()
        && id.value.len() <= 64
        && id.value.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
    if !id_ok {
        checker.at(
            &id.referenced,
            format!("calendar id `{}` must be lower-case letters, digits and `-`", id.value),
            "invalid id",
            None,
        );
    }
    match base {
        Some(base) => Some(check_extension_header(checker, base, raw)),
        None => check_new_header(checker, raw, id_ok),
    }
}

fn check_extension_header(checker: &mut Checker<'_>, base: &CalendarParts, raw: &RawCalendarFile) -> Header {
    if let Some(title) = &raw.title {
        let message = format!("an extension of calendar `{}` cannot change its title", base.id);
        checker.at(&title.referenced, message, "remove this", None);
    }
    if let Some(rule) = &raw.festivals {
        let message = format!("an extension of calendar `{}` cannot change its festivals", base.id);
        checker.at(&rule.referenced, message, "remove this", None);
    }
    if let Some(zone) = &raw.zone
        && parse_zone(checker, zone).is_some_and(|zone| zone != base.zone)
    {
        let message = format!("calendar `{}` counts dates in zone {}, not {}", base.id, base.zone, zone.value);
        checker.at(&zone.referenced, message, "different zone", None);
    }
    Header {
        id: base.id.clone(),
        title: base.title.clone(),
        zone: base.zone,
        festival_rule: base.festival_rule.clone(),
    }
}

fn check_new_header(checker: &mut Checker<'_>, raw: &RawCalendarFile, id_ok: bool) -> Option<Header> {
    let help = Some(
        "a calendar file that does not extend a known calendar must declare `title`, `zone`, and `years` or `rules`"
            .to_owned(),
    );
    let title = match &raw.title {
        Some(title) if !title.value.trim().is_empty() => Some(title.value.clone()),
        Some(title) => {
            checker.at(&title.referenced, "the title is empty", "empty", None);
            None
        }
        None => {
            let message = format!("calendar `{}` is not known, and the file has no `title`", raw.calendar.value);
            checker.at(&raw.calendar.referenced, message, "new calendar", help.clone());
            None
        }
    };
    let zone = match &raw.zone {
        Some(zone) => parse_zone(checker, zone),
        None => {
            let message = format!(
                "calendar `{}` is not known, and the file has no `zone` (such as \"+08:00\")",
                raw.calendar.value
            );
            checker.at(&raw.calendar.referenced, message, "new calendar", help);
            None
        }
    };
    let festival_rule = raw.festivals.as_ref().map(|rule| FestivalRule {
        since: year_value(checker, &rule.value.since).unwrap_or(i32::MAX),
        names: rule.value.names.iter().map(|name| name.value.clone()).collect(),
    });
    Some(Header { id: raw.calendar.value.clone(), title: title?, zone: zone?, festival_rule }).filter(|_| id_ok)
}

fn parse_zone(checker: &mut Checker<'_>, zone: &Spanned<String>) -> Option<CalendarZone> {
    CalendarZone::parse(&zone.value)
        .map_err(|error| checker.at(&zone.referenced, error.to_string(), "not a time zone", None))
        .ok()
}

pub(super) fn year_value(checker: &mut Checker<'_>, year: &Spanned<i64>) -> Option<i32> {
    if (YEAR_MIN..=YEAR_MAX).contains(&year.value) {
        return i32::try_from(year.value).ok();
    }
    let message = format!("year {} is outside the years a calendar may cover ({YEAR_MIN} to {YEAR_MAX})", year.value);
    checker.at(&year.referenced, message, "year out of range", None);
    None
}

/// The first and last year of the merged data, if the years follow on without a gap.
fn year_range(checker: &mut Checker<'_>, base: Option<&CalendarParts>, raw: &RawCalendarFile) -> Option<(i32, i32)> {
    let mut years: Vec<(i32, &Location)> = Vec::new();
    for (year, _) in &raw.years.0 {
        let Ok(value) = i32::try_from(year.value) else { continue };
        if (YEAR_MIN..=YEAR_MAX).contains(&year.value)
            && base.is_none_or(|base| !(base.first_year..=base.last_year).contains(&value))
        {
            years.push((value, &year.referenced));
        }
    }
    years.sort_by_key(|(year, _)| *year);
    let (mut first, mut last) = match base {
        Some(base) => (base.first_year, base.last_year),
        None => {
            let Some(&(first, _)) = years.first() else {
                let message = format!("calendar `{}` has no years", raw.calendar.value);
                checker.at(&raw.calendar.referenced, message, "no `years`", None);
                return None;
            };
            (first, first - 1)
        }
    };
    let problems_before = checker.problems.len();
    let (data_first, data_last) = (first, last);
    // Years before the data, latest first, must each be the year just before; likewise after.
    for &(year, location) in years.iter().rev().filter(|(year, _)| *year < data_first) {
        if year == first - 1 {
            first = year;
        } else {
            let message = format!(
                "year {year} does not follow on from the data, which starts in {first}; year {} is missing",
                first - 1
            );
            checker.at(location, message, "gap before this year", None);
        }
    }
    for &(year, location) in years.iter().filter(|(year, _)| *year > data_last) {
        if year == last + 1 {
            last = year;
        } else {
            let message = format!(
                "year {year} does not follow on from the data, which ends in {last}; year {} is missing",
                last + 1
            );
            checker.at(location, message, "gap before this year", None);
        }
    }
    (checker.problems.len() == problems_before).then_some((first, last))
}

/// The years of a calendar declared by rule: those of `rules.years`, which every listed year
/// must lie in.
fn rule_year_range(checker: &mut Checker<'_>, raw: &RawCalendarFile, rules: &ParsedRules) -> Option<(i32, i32)> {
    let problems_before = checker.problem_count();
    for (year, _) in &raw.years.0 {
        if !(i64::from(rules.first_year)..=i64::from(rules.last_year)).contains(&year.value) {
            let message = format!(
                "year {} is outside the years of the rules ({}..{}); widen `rules.years` to cover it",
                year.value, rules.first_year, rules.last_year
            );
            checker.at(&year.referenced, message, "outside the rules' years", None);
        }
    }
    (checker.problem_count() == problems_before).then_some((rules.first_year, rules.last_year))
}

struct ParsedNotice {
    year: i32,
    notice: Notice,
    festivals: Vec<ParsedFestival>,
}

struct ParsedFestival {
    name: String,
    note: Option<String>,
    rest: Vec<(NaiveDate, Location)>,
    work: Vec<(NaiveDate, Location)>,
}

fn check_years(checker: &mut Checker<'_>, base: Option<&CalendarParts>, raw: &RawCalendarFile) -> Vec<ParsedNotice> {
    let mut notices = Vec::new();
    for (year, blocks) in &raw.years.0 {
        let Some(year_number) = year_value(checker, year) else { continue };
        if let Some(base) = base
            && (base.first_year..=base.last_year).contains(&year_number)
        {
            let message = format!("year {year_number} is already in the data of calendar `{}`", base.id);
            let help =
                "to change days of a covered year, list them under `adjustments` with their new kind and a reason";
            checker.at(&year.referenced, message, "already covered", Some(help.to_owned()));
            continue;
        }
        if blocks.is_empty() {
            let message = format!("year {year_number} names no notice; a year must list the notice it comes from");
            checker.at(&year.referenced, message, "no notice", None);
        }
        for block in blocks {
            notices.push(check_notice_block(checker, year_number, block));
        }
    }
    notices
}

fn check_notice_block(checker: &mut Checker<'_>, year: i32, block: &RawNoticeBlock) -> ParsedNotice {
    let raw_notice = &block.notice.value;
    if raw_notice.title.value.trim().is_empty() {
        checker.at(&raw_notice.title.referenced, "the notice's title is empty", "empty", None);
    }
    if !is_notice_date(&raw_notice.date.value) {
        let message = format!(
            "`{}` is not a notice date; write YYYY-MM-DD (or YYYY-MM, or YYYY when only that is known)",
            raw_notice.date.value
        );
        checker.at(&raw_notice.date.referenced, message, "not a date", None);
    }
    if raw_notice.number.is_none() && raw_notice.url.is_none() {
        let message = "the notice has neither a document `number` nor a `url`; give at least one so it can be traced";
        checker.at(&block.notice.referenced, message, "untraceable notice", None);
    }
    let notice = Notice {
        year,
        title: raw_notice.title.value.clone(),
        date: raw_notice.date.value.clone(),
        number: raw_notice.number.as_ref().map(|number| number.value.clone()),
        url: raw_notice.url.as_ref().map(|url| url.value.clone()),
        origin: checker.file.to_owned(),
    };
    let festivals = block.holidays.iter().map(|festival| check_festival(checker, year, festival)).collect();
    ParsedNotice { year, notice, festivals }
}

fn check_festival(checker: &mut Checker<'_>, year: i32, festival: &RawFestival) -> ParsedFestival {
    if festival.name.value.trim().is_empty() {
        checker.at(&festival.name.referenced, "the festival's name is empty", "empty", None);
    }
    if festival.rest.is_empty() {
        let message = format!("festival `{}` has no rest days", festival.name.value);
        checker.at(&festival.name.referenced, message, "no `rest`", None);
    }
    let mut rest = Vec::new();
    for item in &festival.rest {
        for date in parse_days(checker, item) {
            expect_in_notice_year(checker, year, date, item);
            rest.push((date, item.referenced));
        }
    }
    let mut work = Vec::new();
    for item in &festival.work {
        for date in parse_days(checker, item) {
            expect_in_notice_year(checker, year, date, item);
            if is_weekday(day_number(date)) {
                let message = format!(
                    "{date} is a {}; a makeup working day (`work`) must be a Saturday or Sunday",
                    weekday_name(date.weekday())
                );
                checker.at(&item.referenced, message, "not a weekend day", None);
            }
            work.push((date, item.referenced));
        }
    }
    let note = festival.note.as_ref().map(|note| note.value.clone());
    ParsedFestival { name: festival.name.value.clone(), note, rest, work }
}

fn expect_in_notice_year(checker: &mut Checker<'_>, year: i32, date: NaiveDate, item: &Spanned<String>) {
    let in_year = date.year() == year;
    let in_december_before = date.year() == year - 1 && date.month() == 12;
    if !(in_year || in_december_before) {
        let message =
            format!("{date} is not in {year}; a notice for {year} sets days of {year} (or of the December before)");
        let help = format!("list days of {} under that year's notice", date.year());
        checker.at(&item.referenced, message, "wrong year", Some(help));
    }
}

struct ParsedAdjustment {
    dates: Vec<NaiveDate>,
    kind: AdjustmentKind,
    reason: String,
    location: Location,
}

fn check_adjustments(checker: &mut Checker<'_>, raw: &[RawAdjustment]) -> Vec<ParsedAdjustment> {
    let mut adjustments = Vec::new();
    for adjustment in raw {
        let kind = match adjustment.kind.value.as_str() {
            "rest" => Some(AdjustmentKind::Rest),
            "work" => Some(AdjustmentKind::Work),
            other => {
                let message = format!("unknown adjustment kind `{other}`; expected `rest` or `work`");
                checker.at(&adjustment.kind.referenced, message, "unknown kind", None);
                None
            }
        };
        if adjustment.reason.value.trim().is_empty() {
            checker.at(&adjustment.reason.referenced, "the adjustment's reason is empty", "empty", None);
        }
        let dates = parse_days(checker, &adjustment.date);
        if let Some(kind) = kind {
            let reason = adjustment.reason.value.clone();
            adjustments.push(ParsedAdjustment { dates, kind, reason, location: adjustment.date.referenced });
        }
    }
    adjustments
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD` into its days.
fn parse_days(checker: &mut Checker<'_>, item: &Spanned<String>) -> Vec<NaiveDate> {
    let text = item.value.trim();
    let (first_text, last_text) = text.split_once("..").unwrap_or((text, text));
    let (Some(first), Some(last)) = (parse_iso_date(first_text), parse_iso_date(last_text)) else {
        let message = format!("`{text}` is not a date or a range of dates; write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD");
        checker.at(&item.referenced, message, "not a date", None);
        return Vec::new();
    };
    let span_days = day_number(last) - day_number(first) + 1;
    if span_days < 1 {
        checker.at(&item.referenced, format!("range `{text}` ends before it starts"), "backwards range", None);
        return Vec::new();
    }
    if span_days > RANGE_DAYS_MAX {
        let message = format!("range `{text}` spans {span_days} days, beyond the limit of {RANGE_DAYS_MAX}");
        checker.at(&item.referenced, message, "range too long", None);
        return Vec::new();
    }
    first.iter_days().take(span_days as usize).collect()
}

pub(super) fn is_notice_date(text: &str) -> bool {
    let digits = |part: &str, length: usize| part.len() == length && part.bytes().all(|byte| byte.is_ascii_digit());
    match text.len() {
        4 => digits(text, 4),
        7 => digits(&text[..4], 4) && text.as_bytes()[4] == b'-' && matches!(text[5..].parse::<u32>(), Ok(1..=12)),
        10 => parse_iso_date(text).is_some(),
        _ => false,
    }
}

/// Lays the file's years and adjustments over the base's days.
fn merge(
    checker: &mut Checker<'_>,
    base: Option<&CalendarParts>,
    header: Header,
    (first_year, last_year): (i32, i32),
    rules: Option<ParsedRules>,
    notices: Vec<ParsedNotice>,
    adjustments: Vec<ParsedAdjustment>,
) -> CalendarParts {
    let first_day = day_number(year_start(first_year));
    let last_day = day_number(year_end(last_year));
    let mut days: Vec<DayEntry> = (first_day..=last_day).map(|day| DayEntry::plain(is_weekday(day))).collect();
    let mut parts = CalendarParts {
        id: header.id,
        title: header.title,
        zone: header.zone,
        first_year,
        last_year,
        days: Vec::new(),
        notices: Vec::new(),
        festivals: Vec::new(),
        adjustments: Vec::new(),
        festival_rule: header.festival_rule,
    };
    let base_days = base.map(|base| (day_number(year_start(base.first_year)), day_number(year_end(base.last_year))));
    if let (Some(base), Some((base_first, _))) = (base, base_days) {
        let offset = (base_first - first_day) as usize;
        days[offset..offset + base.days.len()].copy_from_slice(&base.days);
        parts.notices.clone_from(&base.notices);
        parts.festivals.clone_from(&base.festivals);
        parts.adjustments.clone_from(&base.adjustments);
    }
    let in_base = |date: NaiveDate| base_days.is_some_and(|(first, last)| (first..=last).contains(&day_number(date)));
    let adjusted = adjustment_kinds(checker, &adjustments);
    let mut listed: HashMap<NaiveDate, Location> = HashMap::new();
    let mut confirmed: HashSet<NaiveDate> = HashSet::new();
    if let Some(rules) = rules {
        lay_rules(&mut parts, &mut days, first_day, &rules, &mut listed);
    }
    for parsed in notices {
        let notice_id = NoticeId(parts.notices.len() as u32);
        parts.notices.push(parsed.notice);
        debug_assert!(parsed.year >= first_year);
        for festival in parsed.festivals {
            let festival_index = parts.festivals.len() as u32;
            let days_set = [(DayKind::Holiday, &festival.rest), (DayKind::Makeup, &festival.work)];
            for (kind, dated) in days_set {
                for (date, location) in dated {
                    if let Some(first) = listed.insert(*date, *location) {
                        let message = format!("{date} is listed twice; it was first listed on line {}", first.line());
                        checker.at(location, message, "listed again", None);
                        continue;
                    }
                    if in_base(*date) {
                        let wanted = if kind == DayKind::Holiday { AdjustmentKind::Rest } else { AdjustmentKind::Work };
                        if adjusted.get(date) == Some(&wanted) {
                            confirmed.insert(*date);
                        } else {
                            let message = format!("{date} is already covered by the data of calendar `{}`", parts.id);
                            let help = format!(
                                "to change a covered day, also list it under `adjustments` with kind `{}` and a reason",
                                wanted.symbol()
                            );
                            checker.at(location, message, "covered day", Some(help));
                            continue;
                        }
                    }
                    days[(day_number(*date) - first_day) as usize] = DayEntry { kind, source: festival_index };
                }
            }
            parts.festivals.push(Festival {
                name: festival.name,
                rest: festival.rest.iter().map(|(date, _)| *date).collect(),
                work: festival.work.iter().map(|(date, _)| *date).collect(),
                note: festival.note,
                notice: notice_id,
            });
        }
    }
    for adjustment in adjustments {
        apply_adjustment(checker, &mut parts, &mut days, first_day, &confirmed, &adjustment);
    }
    parts.days = days;
    parts
}

/// Lays the days of every rule into the data, in date order, one festival per rule and year. Two
/// rules on one date (Bevrijdingsdag and Hemelvaartsdag on 2005-05-05) both list it; the day
/// names the first.
fn lay_rules(
    parts: &mut CalendarParts,
    days: &mut [DayEntry],
    first_day: i64,
    rules: &ParsedRules,
    listed: &mut HashMap<NaiveDate, Location>,
) {
    let notice_base = parts.notices.len();
    let mut dated: Vec<(NaiveDate, usize)> = Vec::new();
    // A shift may carry a day across New Year, so the years on either side are asked too.
    for year in rules.first_year - 1..=rules.last_year + 1 {
        for (index, parsed) in rules.rules.iter().enumerate() {
            if let Some(date) = parsed.rule.day_in(year)
                && (rules.first_year..=rules.last_year).contains(&date.year())
            {
                dated.push((date, index));
            }
        }
    }
    dated.sort_unstable();
    // Rules that cite the same source share one notice, dated by the earliest rule's year.
    let mut notice_of_rule = Vec::with_capacity(rules.rules.len());
    for parsed in &rules.rules {
        let source = &parsed.source;
        let same = |notice: &Notice| {
            (&notice.title, &notice.date, &notice.number, &notice.url)
                == (&source.title, &source.date, &source.number, &source.url)
        };
        let index = match parts.notices[notice_base..].iter().position(same) {
            Some(offset) => {
                let notice = &mut parts.notices[notice_base + offset];
                notice.year = notice.year.min(source.year);
                notice_base + offset
            }
            None => {
                parts.notices.push(source.clone());
                parts.notices.len() - 1
            }
        };
        notice_of_rule.push(NoticeId(index as u32));
    }
    for (date, index) in dated {
        let parsed = &rules.rules[index];
        let festival_index = parts.festivals.len() as u32;
        parts.festivals.push(Festival {
            name: parsed.rule.name.clone(),
            rest: vec![date],
            work: Vec::new(),
            note: parsed.rule.note.clone(),
            notice: notice_of_rule[index],
        });
        if listed.insert(date, parsed.location).is_none() {
            days[(day_number(date) - first_day) as usize] = DayEntry { kind: DayKind::Holiday, source: festival_index };
        }
    }
}

/// The kind each adjusted date is given, refusing a date adjusted twice.
fn adjustment_kinds(checker: &mut Checker<'_>, adjustments: &[ParsedAdjustment]) -> HashMap<NaiveDate, AdjustmentKind> {
    let mut kinds = HashMap::new();
    let mut first_lines: HashMap<NaiveDate, u64> = HashMap::new();
    for adjustment in adjustments {
        for date in &adjustment.dates {
            if let Some(line) = first_lines.insert(*date, adjustment.location.line()) {
                let message = format!("{date} is adjusted twice; it was first adjusted on line {line}");
                checker.at(&adjustment.location, message, "adjusted again", None);
            }
            kinds.entry(*date).or_insert(adjustment.kind);
        }
    }
    kinds
}

fn apply_adjustment(
    checker: &mut Checker<'_>,
    parts: &mut CalendarParts,
    days: &mut [DayEntry],
    first_day: i64,
    confirmed: &HashSet<NaiveDate>,
    adjustment: &ParsedAdjustment,
) {
    for date in &adjustment.dates {
        let Some(entry) = usize::try_from(day_number(*date) - first_day).ok().and_then(|index| days.get_mut(index))
        else {
            let message = format!(
                "{date} is outside the data of calendar `{}` ({} to {}); add year {} first",
                parts.id,
                parts.first_year,
                parts.last_year,
                date.year()
            );
            checker.at(&adjustment.location, message, "outside the data", None);
            continue;
        };
        let adjustment_index = parts.adjustments.len() as u32;
        parts.adjustments.push(Adjustment {
            date: *date,
            kind: adjustment.kind,
            reason: adjustment.reason.clone(),
            origin: format!("{}:{}", checker.file, adjustment.location.line()),
        });
        if confirmed.contains(date) {
            continue; // a later notice reaching back; the festival already set the day
        }
        let wants_working = adjustment.kind == AdjustmentKind::Work;
        if entry.kind.is_working() == wants_working {
            let kind_name = if wants_working { "working" } else { "rest" };
            let message = format!("adjustment of {date} changes nothing: it is already a {kind_name} day");
            checker.at(&adjustment.location, message, "no change", None);
            continue;
        }
        let kind = if wants_working { DayKind::AdjustedWork } else { DayKind::AdjustedRest };
        *entry = DayEntry { kind, source: adjustment_index };
    }
}

/// Every year the file adds, from the rule's first year on, names every festival of the rule.
fn check_festival_rule(
    checker: &mut Checker<'_>,
    base: Option<&CalendarParts>,
    raw: &RawCalendarFile,
    parts: &CalendarParts,
    rule: &FestivalRule,
) {
    for (year, _) in &raw.years.0 {
        let Ok(year_number) = i32::try_from(year.value) else { continue };
        let in_base = base.is_some_and(|base| (base.first_year..=base.last_year).contains(&year_number));
        if year_number < rule.since || in_base {
            continue;
        }
        let named: HashSet<&str> = parts
            .festivals
            .iter()
            .filter(|festival| parts.notices[festival.notice.0 as usize].year == year_number)
            .flat_map(|festival| festival.name.split('、'))
            .collect();
        let missing: Vec<&str> = rule.names.iter().map(String::as_str).filter(|name| !named.contains(name)).collect();
        if !missing.is_empty() {
            let message = format!(
                "year {year_number} does not name {}; every year from {} names each of {}",
                missing.join(", "),
                rule.since,
                rule.names.join(", ")
            );
            let help = "a break that merges two festivals names both, as in `国庆节、中秋节`".to_owned();
            checker.at(&year.referenced, message, "incomplete year", Some(help));
        }
    }
}
