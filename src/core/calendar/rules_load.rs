//! Validation of a calendar file's `rules`: the years they cover and each holiday rule, with
//! every problem at its line and column. `load.rs` lays the rules' days into the calendar.

use chrono::{Datelike, NaiveDate};
use serde_saphyr::{Location, Spanned};

use super::holiday_rule::{Anchor, HolidayRule, Recurrence, WeekdayShift};
use super::load::{Checker, YEAR_MAX, YEAR_MIN, is_notice_date, year_value};
use super::notice::Notice;
use super::raw::{RawHolidayRule, RawRuleSource, RawRules};

/// Most holiday rules one calendar file may declare.
pub const HOLIDAY_RULES_MAX: usize = 200;
/// The largest `easter` offset, in days either way.
pub const EASTER_OFFSET_DAYS_MAX: i64 = 366;

/// The rules of a file, validated: the years they cover, and each rule with its source.
pub(crate) struct ParsedRules {
    pub(crate) first_year: i32,
    pub(crate) last_year: i32,
    pub(crate) rules: Vec<ParsedRule>,
}

pub(crate) struct ParsedRule {
    pub(crate) rule: HolidayRule,
    /// The source, as a notice of the rule's first year in the data.
    pub(crate) source: Notice,
    pub(crate) location: Location,
}

/// Checks `rules`; `None` when the years cannot be read (the rules are then not laid out).
pub(crate) fn check_rules(checker: &mut Checker<'_>, raw: &Spanned<RawRules>) -> Option<ParsedRules> {
    let years = check_years(checker, &raw.value.years);
    if raw.value.holidays.len() > HOLIDAY_RULES_MAX {
        let message = format!("{} holiday rules, beyond the limit of {HOLIDAY_RULES_MAX}", raw.value.holidays.len());
        checker.at(&raw.referenced, message, "too many rules", None);
        return None;
    }
    let (first_year, last_year) = years?;
    let mut rules: Vec<ParsedRule> = Vec::new();
    for raw_rule in &raw.value.holidays {
        let Some(parsed) = check_rule(checker, &raw_rule.value, raw_rule.referenced, first_year, last_year) else {
            continue;
        };
        if !(first_year..=last_year).any(|year| parsed.rule.applies_in(year)) {
            let message = format!(
                "rule `{}` gives no holiday in {first_year}..{last_year}; check `since`, `until`, `every` and `from`",
                parsed.rule.name
            );
            checker.at(&parsed.location, message, "never applies", None);
            continue;
        }
        expect_no_duplicate(checker, &rules, &parsed, first_year, last_year);
        rules.push(parsed);
    }
    Some(ParsedRules { first_year, last_year, rules })
}

/// `YYYY..YYYY`, inside the years a calendar may cover.
fn check_years(checker: &mut Checker<'_>, years: &Spanned<String>) -> Option<(i32, i32)> {
    let parsed = years.value.split_once("..").and_then(|(first, last)| {
        let first = first.trim().parse::<i64>().ok()?;
        let last = last.trim().parse::<i64>().ok()?;
        Some((first, last))
    });
    let Some((first, last)) = parsed else {
        let message = format!("`{}` is not a range of years; write it as YYYY..YYYY, such as 2000..2030", years.value);
        checker.at(&years.referenced, message, "not a range of years", None);
        return None;
    };
    let in_bounds = |year: i64| (YEAR_MIN..=YEAR_MAX).contains(&year);
    if !in_bounds(first) || !in_bounds(last) {
        let message =
            format!("`{}` reaches outside the years a calendar may cover ({YEAR_MIN} to {YEAR_MAX})", years.value);
        checker.at(&years.referenced, message, "year out of range", None);
        return None;
    }
    if last < first {
        checker.at(&years.referenced, format!("`{}` ends before it starts", years.value), "backwards range", None);
        return None;
    }
    Some((i32::try_from(first).ok()?, i32::try_from(last).ok()?))
}

fn check_rule(
    checker: &mut Checker<'_>,
    raw: &RawHolidayRule,
    location: Location,
    first_year: i32,
    last_year: i32,
) -> Option<ParsedRule> {
    let name = raw.name.value.trim();
    let problems_before = checker.problem_count();
    if name.is_empty() {
        checker.at(&raw.name.referenced, "the holiday's name is empty", "empty", None);
    }
    let anchor = check_anchor(checker, raw, location);
    let shift = check_shift(checker, raw.shift.as_ref(), "shift");
    let if_saturday = check_shift(checker, raw.if_saturday.as_ref(), "if_saturday");
    let if_sunday = check_shift(checker, raw.if_sunday.as_ref(), "if_sunday");
    let since = raw.since.as_ref().and_then(|since| year_value(checker, since));
    let until = raw.until.as_ref().and_then(|until| year_value(checker, until));
    if let (Some(since), Some(until), Some(raw_until)) = (since, until, &raw.until)
        && until < since
    {
        let message = format!("rule `{name}` runs until {until}, before it starts in {since}");
        checker.at(&raw_until.referenced, message, "before `since`", None);
    }
    let recurrence = check_recurrence(checker, raw);
    let source = check_source(checker, raw.source.as_ref(), name, location);
    if checker.problem_count() > problems_before {
        return None;
    }
    let rule = HolidayRule {
        name: name.to_owned(),
        anchor: anchor?,
        shift,
        if_saturday,
        if_sunday,
        since,
        until,
        recurrence,
        note: raw.note.as_ref().map(|note| note.value.clone()),
    };
    let year = (first_year..=last_year).find(|year| rule.applies_in(*year)).unwrap_or(first_year);
    let source = source.map(|source| Notice { year, origin: checker.file.to_owned(), ..source })?;
    Some(ParsedRule { rule, source, location: raw.name.referenced })
}

fn check_anchor(checker: &mut Checker<'_>, raw: &RawHolidayRule, location: Location) -> Option<Anchor> {
    match (&raw.date, &raw.easter) {
        (Some(date), None) => {
            let parsed = parse_month_day(&date.value);
            if parsed.is_none() {
                let message = format!(
                    "`{}` is not a day of every year; write MM-DD, such as 12-25 (29 February is not every year's)",
                    date.value
                );
                checker.at(&date.referenced, message, "not a month and day", None);
            }
            parsed.map(|(month, day)| Anchor::Fixed { month, day })
        }
        (None, Some(easter)) => {
            if easter.value.abs() > EASTER_OFFSET_DAYS_MAX {
                let message = format!(
                    "an Easter offset of {} days is beyond the limit of {EASTER_OFFSET_DAYS_MAX} either way",
                    easter.value
                );
                checker.at(&easter.referenced, message, "offset too large", None);
                return None;
            }
            i32::try_from(easter.value).ok().map(Anchor::Easter)
        }
        (Some(date), Some(_)) => {
            let message = format!("rule `{}` has both `date` and `easter`; give one", raw.name.value);
            checker.at(&date.referenced, message, "both given", None);
            None
        }
        (None, None) => {
            let message =
                format!("rule `{}` has neither `date` (MM-DD) nor `easter` (days after Easter Sunday)", raw.name.value);
            checker.at(&location, message, "no day", None);
            None
        }
    }
}

fn check_shift(checker: &mut Checker<'_>, raw: Option<&Spanned<String>>, key: &str) -> Option<WeekdayShift> {
    let raw = raw?;
    let parsed = WeekdayShift::parse(&raw.value);
    if parsed.is_none() {
        let message = format!(
            "`{}` is not a weekday shift for `{key}`; write WEEKDAY-before, WEEKDAY-after, WEEKDAY-on-or-before or WEEKDAY-on-or-after, such as monday-after",
            raw.value
        );
        checker.at(&raw.referenced, message, "not a shift", None);
    }
    parsed
}

fn check_recurrence(checker: &mut Checker<'_>, raw: &RawHolidayRule) -> Option<Recurrence> {
    match (&raw.every, &raw.from) {
        (None, None) => None,
        (Some(every), None) => {
            let message =
                format!("rule `{}` has `every` but no `from`: which year does it count from?", raw.name.value);
            checker.at(&every.referenced, message, "no `from`", None);
            None
        }
        (None, Some(from)) => {
            let message = format!("rule `{}` has `from` but no `every`", raw.name.value);
            checker.at(&from.referenced, message, "no `every`", None);
            None
        }
        (Some(every), Some(from)) => {
            let from_year = year_value(checker, from);
            if !(2..=100).contains(&every.value) {
                let message = format!("`every: {}` must be 2 to 100 years", every.value);
                checker.at(&every.referenced, message, "not 2 to 100", None);
                return None;
            }
            Some(Recurrence { every: i32::try_from(every.value).ok()?, from: from_year? })
        }
    }
}

fn check_source(
    checker: &mut Checker<'_>,
    raw: Option<&Spanned<RawRuleSource>>,
    name: &str,
    location: Location,
) -> Option<Notice> {
    let Some(raw) = raw else {
        let message =
            format!("rule `{name}` has no `source`; give the law or decree that sets it (title, and url or number)");
        checker.at(&location, message, "no source", None);
        return None;
    };
    let source = &raw.value;
    if source.title.value.trim().is_empty() {
        checker.at(&source.title.referenced, "the source's title is empty", "empty", None);
    }
    if let Some(date) = &source.date
        && !is_notice_date(&date.value)
    {
        let message =
            format!("`{}` is not a date; write YYYY-MM-DD (or YYYY-MM, or YYYY when only that is known)", date.value);
        checker.at(&date.referenced, message, "not a date", None);
    }
    if source.number.is_none() && source.url.is_none() {
        let message = "the source has neither a `number` nor a `url`; give at least one so it can be traced";
        checker.at(&raw.referenced, message, "untraceable source", None);
    }
    Some(Notice {
        year: 0,
        title: source.title.value.clone(),
        date: source.date.as_ref().map(|date| date.value.clone()).unwrap_or_default(),
        number: source.number.as_ref().map(|number| number.value.clone()),
        url: source.url.as_ref().map(|url| url.value.clone()),
        origin: String::new(),
    })
}

/// A rule that repeats an earlier one in a year both apply in: the same name, or the same days
/// under another name. Two different holidays that fall on one date (Bevrijdingsdag and
/// Hemelvaartsdag on 2005-05-05) are not duplicates.
fn expect_no_duplicate(
    checker: &mut Checker<'_>,
    earlier: &[ParsedRule],
    parsed: &ParsedRule,
    first_year: i32,
    last_year: i32,
) {
    for other in earlier {
        let same_name = other.rule.name == parsed.rule.name;
        if !same_name && !other.rule.same_days_as(&parsed.rule) {
            continue;
        }
        let Some(year) =
            (first_year..=last_year).find(|year| other.rule.applies_in(*year) && parsed.rule.applies_in(*year))
        else {
            continue;
        };
        let what = if same_name { "has the same name as" } else { "gives the same days as" };
        let message = format!(
            "rule `{}` {what} rule `{}` on line {}, and both apply in {year}",
            parsed.rule.name,
            other.rule.name,
            other.location.line()
        );
        let help = "give the two rules years that do not overlap (`since`, `until`), or remove one".to_owned();
        checker.at(&parsed.location, message, "duplicate rule", Some(help));
        return;
    }
}

/// `MM-DD` of a day every year has.
fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let (month, day) = text.split_once('-')?;
    if month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (month, day) = (month.parse::<u32>().ok()?, day.parse::<u32>().ok()?);
    // 2001 is not a leap year: a day it has, every year has.
    NaiveDate::from_ymd_opt(2001, month, day).map(|date| (date.month(), date.day()))
}
