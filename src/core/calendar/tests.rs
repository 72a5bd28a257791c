//! Tests of the calendar against the notices, the counting rules and the loader's diagnostics.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::statutory::HolidayLaw;
use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn builtin() -> Calendars {
    Calendars::builtin()
}

fn with_calendar<T>(check: impl FnOnce(&WorkingCalendar) -> T) -> T {
    let calendars = builtin();
    check(calendars.get(DEFAULT_CALENDAR_ID).unwrap())
}

#[test]
fn covers_2004_to_2026_in_plus_eight() {
    with_calendar(|calendar| {
        assert_eq!(calendar.first_date(), date("2004-01-01"));
        assert_eq!(calendar.last_date(), date("2026-12-31"));
        assert_eq!(calendar.zone().to_string(), "+08:00");
    });
}

#[test]
fn year_totals_match_the_notices() {
    // Working days per year as the notices give them (issue 3; docs/legal-basis.md §5 for 2026).
    let expected = [(2016, 250), (2017, 249), (2018, 250), (2024, 251), (2025, 248), (2026, 248)];
    with_calendar(|calendar| {
        for (year, working) in expected {
            let (counted, rest) = calendar.year_counts(year).unwrap();
            assert_eq!(counted, working, "working days in {year}");
            let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 };
            assert_eq!(counted + rest, days, "days in {year}");
        }
    });
}

/// One row per day the notices single out: the date, working or not, and the reason's symbol.
#[test]
fn notable_days() {
    let rows = [
        ("2015-09-03", false, "holiday"), // 抗战胜利70周年 ad-hoc notice
        ("2015-09-04", false, "holiday"),
        ("2015-09-06", true, "makeup"),   // a Sunday worked
        ("2020-01-31", false, "holiday"), // 2020 春节 extended to 02-02
        ("2020-02-01", false, "holiday"), // its makeup Saturday was cancelled
        ("2020-02-03", true, "weekday"),
        ("2019-05-02", false, "holiday"), // 2019 劳动节 changed to May 1–4
        ("2019-05-05", true, "makeup"),
        ("2018-12-29", true, "makeup"), // set by the 2019 notice
        ("2018-12-31", false, "holiday"),
        ("2005-12-31", true, "makeup"), // set by the 2006 notice; chinesecalendar differs
        ("2025-01-28", false, "holiday"), // 除夕, a statutory holiday from 2025
        ("2025-05-02", false, "holiday"),
        ("2026-02-14", true, "makeup"),
        ("2026-02-23", false, "holiday"),
        ("2026-11-23", true, "weekday"),
        ("2026-11-22", false, "weekend"),
    ];
    with_calendar(|calendar| {
        for (day, working, reason) in rows {
            let info = calendar.day_info(date(day)).unwrap();
            assert_eq!((info.working, info.reason.symbol()), (working, reason), "{day}");
        }
    });
}

#[test]
fn festival_days_name_their_festival_and_notice() {
    with_calendar(|calendar| {
        let info = calendar.day_info(date("2020-02-02")).unwrap();
        let DayReason::Holiday(festival) = info.reason else { panic!("2020-02-02 should be a holiday") };
        assert_eq!(festival.name, "春节");
        let notice = &calendar.notices()[festival.notice.0 as usize];
        assert_eq!(notice.title, "国务院办公厅关于延长2020年春节假期的通知");
        assert_eq!(notice.date, "2020-01-27");
    });
}

#[test]
fn every_year_names_its_notice() {
    with_calendar(|calendar| {
        for year in 2004..=2026 {
            assert!(calendar.notices().iter().any(|notice| notice.year == year), "no notice for {year}");
        }
        let notices_2025 = calendar.notices().iter().filter(|notice| notice.year == 2025).count();
        assert_eq!(notices_2025, 1);
    });
}

#[test]
fn statutory_holidays_grow_from_11_to_13_in_2025() {
    // The 2025 revision added 除夕 and 2 May; both are festival rest days on weekdays in 2025.
    with_calendar(|calendar| {
        let eve_2025 = calendar.day_info(date("2025-01-28")).unwrap();
        assert!(matches!(eve_2025.reason, DayReason::Holiday(festival) if festival.name == "春节"));
        let may_second = calendar.day_info(date("2025-05-02")).unwrap();
        assert!(matches!(may_second.reason, DayReason::Holiday(festival) if festival.name == "劳动节"));
    });
}

#[test]
fn counting_excludes_the_start_day() {
    with_calendar(|calendar| {
        let between = |a: &str, b: &str| calendar.working_days_between(date(a), date(b)).unwrap();
        assert_eq!(between("2026-11-23", "2026-11-23"), 0);
        assert_eq!(between("2026-11-23", "2026-11-24"), 1);
        assert_eq!(between("2026-11-20", "2026-11-23"), 1); // Fri → Mon
        assert_eq!(between("2026-11-23", "2026-11-20"), -1);
        assert_eq!(between("2026-09-30", "2026-10-10"), 3); // 10-08, 10-09 and the makeup 10-10
        assert_eq!(between("2004-01-01", "2026-12-31"), calendar_total(calendar));
    });
}

fn calendar_total(calendar: &WorkingCalendar) -> i64 {
    (2004..=2026).map(|year| i64::from(calendar.year_counts(year).unwrap().0)).sum()
}

#[test]
fn due_dates() {
    with_calendar(|calendar| {
        let add = |a: &str, n: i64| calendar.add_working_days(date(a), n).unwrap().to_string();
        assert_eq!(add("2026-09-30", 0), "2026-09-30");
        assert_eq!(add("2026-10-03", 0), "2026-10-03"); // a rest day stays itself
        assert_eq!(add("2026-09-30", 1), "2026-10-08");
        assert_eq!(add("2026-09-30", 3), "2026-10-10");
        assert_eq!(add("2026-10-08", -1), "2026-09-30");
        assert_eq!(add("2026-10-04", -1), "2026-09-29"); // from a rest day: see the definition
        assert_eq!(add("2026-01-05", 20), "2026-02-02");
    });
}

#[test]
fn civil_code_periods() {
    // (start, period, end, nominal end)
    let rows = [
        ("2026-01-31", "1 months", "2026-02-28", "2026-02-28"), // clamped; a makeup Saturday
        ("2024-01-31", "1 months", "2024-02-29", "2024-02-29"), // leap year
        ("2025-03-31", "1 months", "2025-04-30", "2025-04-30"),
        ("2024-02-29", "1 years", "2025-02-28", "2025-02-28"),
        ("2025-09-03", "1 months", "2025-10-09", "2025-10-03"), // ends in 国庆: rolls to 10-09
        ("2026-11-20", "1 cd", "2026-11-23", "2026-11-21"),     // Saturday → Monday
        ("2026-11-23", "0 cd", "2026-11-23", "2026-11-23"),
        ("2025-06-01", "3 wd", "2025-06-05", "2025-06-05"),
    ];
    with_calendar(|calendar| {
        for (start, period, end, nominal) in rows {
            let period: Period = period.parse().unwrap();
            let result = calendar.period_end(date(start), period).unwrap();
            assert_eq!(
                (result.end.to_string(), result.nominal_end.to_string()),
                (end.to_owned(), nominal.to_owned()),
                "{start} + {period}"
            );
        }
    });
}

#[test]
fn outside_the_data_is_an_error_naming_the_year() {
    with_calendar(|calendar| {
        let error = calendar.working_days_between(date("2026-12-01"), date("2027-01-04")).unwrap_err();
        insta::assert_snapshot!(error, @"2027-01-04 is outside the data of calendar `cn-mainland` (2004-01-01 to 2026-12-31); add year 2027 from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or count it provisionally with `--beyond-data statutory`");
        let error = calendar.add_working_days(date("2026-12-20"), 20).unwrap_err();
        insta::assert_snapshot!(error, @"20 wd from 2026-12-20 ends in 2027, outside the data of calendar `cn-mainland` (2004-01-01 to 2026-12-31); add year 2027 from its notice in a calendar file (`calendar install`, `--calendar-file` or `RENEWFLOW_CALENDAR`), or count it provisionally with `--beyond-data statutory`");
        let error = calendar.add_working_days(date("2004-01-05"), -5).unwrap_err();
        assert!(matches!(error, CalendarError::DateBeforeData { .. }), "{error}");
        let error = calendar.period_end(date("2026-12-31"), "1 months".parse().unwrap()).unwrap_err();
        assert!(matches!(error, CalendarError::ResultOutsideData { year: 2027, .. }), "{error}");
        assert!(calendar.is_working_day(date("2003-12-31")).is_err());
    });
}

#[test]
fn amounts_beyond_the_limit_are_refused() {
    with_calendar(|calendar| {
        let error = calendar.add_working_days(date("2026-01-05"), AMOUNT_DAYS_MAX + 1).unwrap_err();
        insta::assert_snapshot!(error, @"100001 wd is beyond the limit of 100000 wd for one period");
        let error = calendar.period_end(date("2026-01-05"), Period::new(-1, PeriodUnit::Months)).unwrap_err();
        insta::assert_snapshot!(error, @"a period of -1 months is negative; only working days can be counted backwards");
        let error = calendar.period_end(date("2026-01-05"), Period::new(i64::MIN, PeriodUnit::Years)).unwrap_err();
        assert!(matches!(error, CalendarError::AmountTooLarge { .. }));
    });
}

#[test]
fn weekends_only_beyond_the_data_is_provisional() {
    with_calendar(|calendar| {
        let reckoner = calendar.reckon(BeyondData::WeekendsOnly);
        let inside = reckoner.working_days_between(date("2026-01-05"), date("2026-01-09")).unwrap();
        assert_eq!(inside, Reckoned { value: 4, provisional: false });
        // 2026-12-31 (Thu) → 2027-01-08 (Fri): Jan 1 counts as a plain Friday beyond the data.
        let beyond = reckoner.working_days_between(date("2026-12-31"), date("2027-01-08")).unwrap();
        assert_eq!(beyond, Reckoned { value: 6, provisional: true });
        let due = reckoner.add_working_days(date("2026-12-30"), 3).unwrap();
        assert_eq!(due, Reckoned { value: date("2027-01-04"), provisional: true });
        // Before the data no policy counts: a date there is an error naming where the data starts.
        let before = reckoner.working_days_between(date("2003-12-26"), date("2004-01-02")).unwrap_err();
        insta::assert_snapshot!(before, @"2003-12-26 is before the data of calendar `cn-mainland`, which starts on 2004-01-01; no policy counts days before the data");
    });
}

#[test]
fn extension_adds_a_year_and_adjustments() {
    let mut calendars = builtin();
    let file = include_str!("../../../tests/data/calendar/example-2027.yaml");
    let calendar = calendars.load("ext.yaml", file).unwrap();
    assert_eq!(calendar.last_year(), 2027);
    assert!(!calendar.is_working_day(date("2027-02-08")).unwrap());
    assert!(calendar.is_working_day(date("2027-01-31")).unwrap());
    let info = calendar.day_info(date("2026-09-24")).unwrap();
    assert!(
        matches!(info.reason, DayReason::Adjusted(adjustment) if adjustment.reason == "台风停工" && adjustment.origin == "ext.yaml:14")
    );
    assert_eq!(calendar.working_days_between(date("2026-12-31"), date("2027-01-04")).unwrap(), 1);
}

/// Loads `file` over the built-in calendars and returns every problem, one per line.
fn problems(file: &str) -> String {
    let mut calendars = builtin();
    let error = calendars.load("bad.yaml", file).unwrap_err();
    error.problems().iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

#[test]
fn refuses_a_covered_year() {
    insta::assert_snapshot!(problems("calendar: cn-mainland\nyears:\n  2026:\n    - notice: {title: x, date: 2025-11-04, url: u}\n"), @"bad.yaml:3:3: year 2026 is already in the data of calendar `cn-mainland`");
}

#[test]
fn refuses_a_gap() {
    insta::assert_snapshot!(problems("calendar: cn-mainland\nyears:\n  2028:\n    - notice: {title: x, date: 2027-11-04, url: u}\n      holidays: []\n"), @"bad.yaml:3:3: year 2028 does not follow on from the data, which ends in 2026; year 2027 is missing");
}

#[test]
fn refuses_an_incomplete_year_and_bad_days() {
    let file = "calendar: cn-mainland
years:
  2027:
    - notice: {title: x, date: 2026-11}
      holidays:
        - {name: 元旦, rest: [2027-01-01..2027-01-03], work: [2027-01-04]}
        - {name: 春节, rest: [2027-02-05..2027-02-13, 2027-02-13], work: [2027-02-30]}
";
    insta::assert_snapshot!(problems(file), @r"
    bad.yaml:4:15: the notice has neither a document `number` nor a `url`; give at least one so it can be traced
    bad.yaml:6:61: 2027-01-04 is a Monday; a makeup working day (`work`) must be a Saturday or Sunday
    bad.yaml:7:73: `2027-02-30` is not a date or a range of dates; write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD
    bad.yaml:7:53: 2027-02-13 is listed twice; it was first listed on line 7
    bad.yaml:3:3: year 2027 does not name 清明节, 劳动节, 端午节, 中秋节, 国庆节; every year from 2008 names each of 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
    ");
}

#[test]
fn refuses_clashes_and_no_op_adjustments() {
    let file = "calendar: cn-mainland
adjustments:
  - {date: 2026-10-01, kind: rest, reason: already a holiday}
  - {date: 2027-01-04, kind: rest, reason: not covered}
  - {date: 2026-09-24, kind: holiday, reason: ''}
  - {date: 2026-09-21, kind: rest, reason: first}
  - {date: 2026-09-21, kind: work, reason: second}
";
    insta::assert_snapshot!(problems(file), @r"
    bad.yaml:5:30: unknown adjustment kind `holiday`; expected `rest` or `work`
    bad.yaml:5:47: the adjustment's reason is empty
    bad.yaml:7:12: 2026-09-21 is adjusted twice; it was first adjusted on line 6
    bad.yaml:3:12: adjustment of 2026-10-01 changes nothing: it is already a rest day
    bad.yaml:4:12: 2027-01-04 is outside the data of calendar `cn-mainland` (2004 to 2026); add year 2027 first
    ");
}

#[test]
fn yaml_errors_point_at_line_and_column() {
    insta::assert_snapshot!(problems("calendar: cn-mainland\ncalendar: again\n"), @"bad.yaml:2:1: duplicate key `calendar`");
    insta::assert_snapshot!(problems("calendar: cn-mainland\nyeras: {}\n"), @"bad.yaml:2:1: unknown field `yeras`, expected one of calendar, title, zone, festivals, years, adjustments, rules");
    insta::assert_snapshot!(problems("calendar: [\n"), @"bad.yaml:1:11: expected text here, not a list or a map");
}

#[test]
fn refuses_a_new_calendar_without_title_or_zone() {
    insta::assert_snapshot!(problems("calendar: hk\nzone: 8\nyears: {}\n"), @r#"
    bad.yaml:1:11: calendar `hk` is not known, and the file has no `title`
    bad.yaml:2:7: `8` is not a time zone; write an offset such as "+08:00" or an IANA zone such as `Europe/Amsterdam`
    "#);
}

#[test]
fn a_refused_file_changes_nothing() {
    let mut calendars = builtin();
    let bad = "calendar: cn-mainland\nadjustments:\n  - {date: 2026-09-24, kind: rest, reason: ok}\n  - {date: 2026-10-01, kind: rest, reason: no-op}\n";
    assert!(calendars.load("bad.yaml", bad).is_err());
    let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
    assert!(calendar.is_working_day(date("2026-09-24")).unwrap());
}

fn date_in_range() -> impl Strategy<Value = NaiveDate> {
    let first = date("2004-01-01").num_days_from_ce();
    let last = date("2026-12-31").num_days_from_ce();
    (first..=last).prop_map(|day| NaiveDate::from_num_days_from_ce_opt(day).unwrap())
}

proptest! {
    #[test]
    fn adding_then_counting_gives_the_amount(start in date_in_range(), amount in -400_i64..400) {
        let calendars = builtin();
        let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
        if let Ok(due) = calendar.add_working_days(start, amount) {
            prop_assert_eq!(calendar.working_days_between(start, due).unwrap(), amount);
            if amount > 0 {
                // The earliest such day: the day before counts one less, and it is a working day.
                prop_assert!(calendar.is_working_day(due).unwrap());
                let day_before = due.pred_opt().unwrap();
                prop_assert_eq!(calendar.working_days_between(start, day_before).unwrap(), amount - 1);
            }
        }
    }

    #[test]
    fn counting_is_monotone_and_antisymmetric(a in date_in_range(), b in date_in_range(), c in date_in_range()) {
        let calendars = builtin();
        let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
        let between = |x, y| calendar.working_days_between(x, y).unwrap();
        prop_assert_eq!(between(a, b), -between(b, a));
        prop_assert_eq!(between(a, b) + between(b, c), between(a, c));
        if b <= c { prop_assert!(between(a, b) <= between(a, c)); }
    }

    #[test]
    fn month_periods_end_on_the_corresponding_day_or_month_end(start in date_in_range(), months in 0_i64..24) {
        let calendars = builtin();
        let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
        if let Ok(end) = calendar.period_end(start, Period::new(months, PeriodUnit::Months)) {
            let nominal = end.nominal_end;
            let month_index = start.year() * 12 + start.month0() as i32 + months as i32;
            prop_assert_eq!((nominal.year(), nominal.month0() as i32), (month_index.div_euclid(12), month_index.rem_euclid(12)));
            let month_end = nominal.succ_opt().unwrap().month() != nominal.month();
            prop_assert!(nominal.day() == start.day() || (month_end && nominal.day() < start.day()));
            // The end is the first working day on or after the nominal end.
            prop_assert!(calendar.is_working_day(end.end).unwrap());
            if calendar.is_working_day(nominal).unwrap() {
                prop_assert_eq!(end.end, nominal);
            } else {
                prop_assert!(end.end > nominal);
                prop_assert_eq!(calendar.working_days_between(nominal, end.end).unwrap(), 1);
            }
        }
    }

    #[test]
    fn weekends_only_agrees_inside_the_data(a in date_in_range(), b in date_in_range()) {
        let calendars = builtin();
        let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
        let reckoned = calendar.reckon(BeyondData::WeekendsOnly).working_days_between(a, b).unwrap();
        prop_assert_eq!(reckoned, Reckoned { value: calendar.working_days_between(a, b).unwrap(), provisional: false });
    }
}

/// The official rest days of a year (weekends aside), and each festival's rest days by name, from
/// the built-in notices.
fn official_festivals(calendar: &WorkingCalendar, year: i32) -> Vec<(String, Vec<NaiveDate>)> {
    calendar
        .festivals()
        .iter()
        .filter(|festival| calendar.notices()[festival.notice.0 as usize].year == year)
        .map(|festival| (festival.name.clone(), festival.rest.clone()))
        .collect()
}

#[test]
fn the_lunar_table_agrees_with_every_notice() {
    // Each festival a notice names contains the day the table gives for it (a merged break such
    // as `国庆节、中秋节` names both); before 2008 only 春节 of these was a holiday.
    with_calendar(|calendar| {
        for year in 2004..=2026 {
            let lunar = lunar_year(year).unwrap();
            let festivals = official_festivals(calendar, year);
            let mut expected = vec![("春节", lunar.new_year)];
            if year >= 2008 {
                expected.extend([("清明节", lunar.qingming), ("端午节", lunar.duanwu), ("中秋节", lunar.zhongqiu)]);
            }
            for (name, day) in expected {
                let breaks: Vec<&Vec<NaiveDate>> = festivals
                    .iter()
                    .filter(|(names, _)| names.split('、').any(|n| n == name))
                    .map(|(_, r)| r)
                    .collect();
                assert!(!breaks.is_empty(), "{year}: no notice names {name}");
                // A break lists its rest days; weekend days inside it may be left out (2012's 端午).
                let within = |rest: &&Vec<NaiveDate>| {
                    rest.iter()
                        .min()
                        .zip(rest.iter().max())
                        .is_some_and(|(first, last)| (*first..=*last).contains(&day))
                };
                assert!(breaks.iter().any(within), "{year}: {name} on {day} is not in its break");
            }
        }
    });
}

#[test]
fn projected_statutory_days_are_rest_days_in_every_notice_and_number_what_the_law_says() {
    with_calendar(|calendar| {
        for year in 2008..=2026 {
            let law = HolidayLaw::in_force(year).unwrap();
            let days = statutory_rest_days(year).unwrap();
            let statutory: Vec<&ProjectedDay> =
                days.iter().filter(|day| day.kind == ProjectedKind::Statutory).collect();
            // When 中秋 falls on 国庆 (2009-10-03, 2020-10-01) the two share a day.
            let zhongqiu = lunar_year(year).unwrap().zhongqiu;
            let coinciding = usize::from(zhongqiu.month() == 10 && zhongqiu.day() <= 3);
            assert_eq!(statutory.len() + coinciding, law.days_per_year(), "{year}");
            for day in statutory {
                assert!(
                    !calendar.is_working_day(day.date).unwrap(),
                    "{year}: {} ({}) is worked",
                    day.date,
                    day.festival
                );
            }
        }
        assert_eq!(HolidayLaw::in_force(2013), Some(HolidayLaw::Revision2007));
        assert_eq!(HolidayLaw::in_force(2014), Some(HolidayLaw::Revision2013));
        assert_eq!(HolidayLaw::in_force(2025).map(HolidayLaw::days_per_year), Some(13));
    });
}

#[test]
fn projected_substitutes_agree_with_the_notices_that_followed_article_6() {
    // Every 补假 the projection places on the next weekday after its break was a rest day in the
    // notices, except the two cases where a notice placed it elsewhere (2012's 端午 before the
    // break, 2015's 中秋 not at all).
    with_calendar(|calendar| {
        let mut substitutes = 0;
        let mut differing = Vec::new();
        for year in 2008..=2026 {
            for day in statutory_rest_days(year).unwrap().iter().filter(|day| day.kind == ProjectedKind::Substitute) {
                substitutes += 1;
                if calendar.is_working_day(day.date).unwrap() {
                    differing.push((year, day.festival));
                }
            }
        }
        assert_eq!(differing, [(2012, "端午节"), (2015, "中秋节")]);
        // 61 statutory days fell on a weekend in 2008–2026, and 中秋 fell on 国庆 twice (2009, 2020).
        assert_eq!(substitutes, 63);
    });
}

#[test]
fn projects_2027_from_the_2024_revision() {
    let days: Vec<(String, &str, &str)> = statutory_rest_days(2027)
        .unwrap()
        .iter()
        .map(|day| (day.date.to_string(), day.festival, day.kind.symbol()))
        .collect();
    let expected = [
        ("2027-01-01", "元旦", "statutory"),
        ("2027-02-05", "春节", "statutory"),
        ("2027-02-06", "春节", "statutory"),
        ("2027-02-07", "春节", "statutory"),
        ("2027-02-08", "春节", "statutory"),
        ("2027-02-09", "春节", "substitute"),
        ("2027-02-10", "春节", "substitute"),
        ("2027-04-05", "清明节", "statutory"),
        ("2027-05-01", "劳动节", "statutory"),
        ("2027-05-02", "劳动节", "statutory"),
        ("2027-05-03", "劳动节", "substitute"),
        ("2027-05-04", "劳动节", "substitute"),
        ("2027-06-09", "端午节", "statutory"),
        ("2027-09-15", "中秋节", "statutory"),
        ("2027-10-01", "国庆节", "statutory"),
        ("2027-10-02", "国庆节", "statutory"),
        ("2027-10-03", "国庆节", "statutory"),
        ("2027-10-04", "国庆节", "substitute"),
        ("2027-10-05", "国庆节", "substitute"),
    ];
    let expected: Vec<(String, &str, &str)> =
        expected.iter().map(|(date, festival, kind)| ((*date).to_owned(), *festival, *kind)).collect();
    assert_eq!(days, expected);
}

#[test]
fn statutory_policy_counts_projected_holidays_and_marks_them() {
    with_calendar(|calendar| {
        let reckoner = calendar.reckon(BeyondData::Statutory);
        // Inside the data nothing changes and nothing is provisional.
        let inside = reckoner.working_days_between(date("2026-09-30"), date("2026-10-10")).unwrap();
        assert_eq!(inside, Reckoned { value: 3, provisional: false });
        // 2026-12-31 → 2027-01-08: 元旦 (Fri) is projected as a holiday; weekends only counts it.
        let beyond = reckoner.working_days_between(date("2026-12-31"), date("2027-01-08")).unwrap();
        assert_eq!(beyond, Reckoned { value: 5, provisional: true });
        let weekends_only = calendar.reckon(BeyondData::WeekendsOnly);
        assert_eq!(weekends_only.working_days_between(date("2026-12-31"), date("2027-01-08")).unwrap().value, 6);
        // 春节 2027: 02-05 to 02-10 are rest days, so one working day after 02-04 is 02-11.
        let due = reckoner.add_working_days(date("2027-02-04"), 1).unwrap();
        assert_eq!(due, Reckoned { value: date("2027-02-11"), provisional: true });
        let info = reckoner.day_info(date("2027-02-09")).unwrap();
        let DayReason::Projected(day) = info.value.reason else { panic!("2027-02-09 should be projected") };
        assert_eq!((day.festival, day.kind, info.value.working), ("春节", ProjectedKind::Substitute, false));
        let basis = reckoner.calendar().basis(2027).unwrap();
        insta::assert_snapshot!(basis, @"2027: no notice yet; statutory holidays projected from 全国年节及纪念日放假办法 (2024); 调休 (weekend days worked) cannot be known");
        assert_eq!(reckoner.calendar().basis(2026), None);
        // The strict queries of the view answer on projected days, and say which are provisional.
        let view = calendar.under(BeyondData::Statutory);
        assert_eq!(view.add_working_days(date("2027-02-04"), 1).unwrap(), date("2027-02-11"));
        assert!(view.is_provisional(date("2027-01-01")) && !view.is_provisional(date("2026-12-31")));
        assert_eq!(view.year_counts(2027).unwrap().0, 248);
    });
}

#[test]
fn every_policy_refuses_before_the_data_and_the_projection_names_its_last_year() {
    with_calendar(|calendar| {
        for policy in [BeyondData::Refuse, BeyondData::WeekendsOnly, BeyondData::Statutory] {
            let error = calendar.reckon(policy).is_working_day(date("1900-01-01")).unwrap_err();
            assert!(matches!(error, CalendarError::DateBeforeData { .. }), "{policy}: {error}");
        }
        let reckoner = calendar.reckon(BeyondData::Statutory);
        let error = reckoner.is_working_day(date("2101-01-03")).unwrap_err();
        insta::assert_snapshot!(error, @"2101 is beyond the statutory projection of calendar `cn-mainland`, which ends in 2100; add year 2101 from its notice in a calendar file");
        let error = reckoner.add_working_days(date("2100-12-01"), 40).unwrap_err();
        assert!(matches!(error, CalendarError::BeyondProjection { year: 2101, last_year: 2100, .. }), "{error}");
        assert!(reckoner.is_working_day(date("2100-12-31")).unwrap().provisional);
        assert!(statutory_rest_days(2101).is_err() && statutory_rest_days(2007).is_err());
    });
}

#[test]
fn a_calendar_file_for_a_year_replaces_its_projection() {
    let mut calendars = builtin().under(BeyondData::Statutory);
    let file = include_str!("../../../tests/data/calendar/example-2027.yaml");
    let calendar = calendars.load("ext.yaml", file).unwrap();
    assert_eq!(calendar.policy(), BeyondData::Statutory);
    // The example notice works 2027-01-31 (a Sunday) and rests 02-11 to 02-13.
    assert!(calendar.is_working_day(date("2027-01-31")).unwrap());
    assert!(!calendar.is_provisional(date("2027-12-31")) && calendar.is_provisional(date("2028-01-01")));
    assert_eq!(calendar.basis(2028).unwrap().get(..5), Some("2028:"));
}

proptest! {
    #[test]
    fn statutory_agrees_inside_the_data(a in date_in_range(), b in date_in_range()) {
        let calendars = builtin();
        let calendar = calendars.get(DEFAULT_CALENDAR_ID).unwrap();
        let reckoned = calendar.reckon(BeyondData::Statutory).working_days_between(a, b).unwrap();
        prop_assert_eq!(reckoned, Reckoned { value: calendar.working_days_between(a, b).unwrap(), provisional: false });
    }

    #[test]
    fn statutory_adding_then_counting_gives_the_amount(start in date_in_range(), amount in 0_i64..3000) {
        let calendars = builtin();
        let view = calendars.get(DEFAULT_CALENDAR_ID).unwrap().under(BeyondData::Statutory);
        let end = view.add_working_days(start, amount).unwrap();
        prop_assert_eq!(view.working_days_between(start, end).unwrap(), amount);
        prop_assert!(view.is_working_day(end).unwrap() || amount == 0);
    }
}

/// An extension may repeat its calendar's zone but not change it, not even to the named zone
/// whose offset is the same today (`Asia/Shanghai` had DST in 1986–1991).
#[test]
fn an_extension_may_repeat_the_zone_but_not_change_it() {
    let mut calendars = builtin();
    let same =
        "calendar: cn-mainland\nzone: \"+08:00\"\nadjustments:\n  - {date: 2026-09-24, kind: rest, reason: 台风停工}\n";
    assert!(calendars.load("same.yaml", same).is_ok());
    insta::assert_snapshot!(problems("calendar: cn-mainland\nzone: Asia/Shanghai\n"), @"bad.yaml:2:7: calendar `cn-mainland` counts dates in zone +08:00, not Asia/Shanghai");
    insta::assert_snapshot!(problems("calendar: cn-mainland\nzone: Asia/Shangai\n"), @"bad.yaml:2:7: `Asia/Shangai` is not a time zone; write an offset such as \"+08:00\" or an IANA zone such as `Europe/Amsterdam`; did you mean `Asia/Shanghai`?");
}

/// A calendar by rule with every kind of mistake: each is reported at its line and column.
#[test]
fn refuses_bad_holiday_rules_with_every_problem() {
    let file = "\
calendar: xx
title: Test
zone: Europe/Amsterdam
rules:
  years: 2000..2030
  holidays:
    - {name: A, date: 02-30, source: {title: law, url: u}}
    - {name: B, easter: 400, source: {title: law, url: u}}
    - {name: C, date: 01-01}
    - {name: D, date: 05-05, every: 5, source: {title: law, url: u}}
    - {name: E, date: 12-25, source: {title: law}}
    - {name: F, date: 12-25, source: {title: law, url: u}}
    - {name: F, date: 12-25, since: 2020, source: {title: law, url: u}}
    - {name: G, date: 12-25, easter: 1, source: {title: law, url: u}}
    - {name: H, date: 06-01, if_sunday: monday-next, source: {title: law, url: u}}
    - {name: I, date: 06-02, since: 2040, source: {title: law, url: u}}
    - {name: J, date: 06-03, until: 2001, since: 2010, source: {title: law, url: u}}
";
    insta::assert_snapshot!(problems(file), @r"
    bad.yaml:7:23: `02-30` is not a day of every year; write MM-DD, such as 12-25 (29 February is not every year's)
    bad.yaml:8:25: an Easter offset of 400 days is beyond the limit of 366 either way
    bad.yaml:9:7: rule `C` has no `source`; give the law or decree that sets it (title, and url or number)
    bad.yaml:10:37: rule `D` has `every` but no `from`: which year does it count from?
    bad.yaml:11:38: the source has neither a `number` nor a `url`; give at least one so it can be traced
    bad.yaml:13:14: rule `F` has the same name as rule `F` on line 12, and both apply in 2020
    bad.yaml:14:23: rule `G` has both `date` and `easter`; give one
    bad.yaml:15:41: `monday-next` is not a weekday shift for `if_sunday`; write WEEKDAY-before, WEEKDAY-after, WEEKDAY-on-or-before or WEEKDAY-on-or-after, such as monday-after
    bad.yaml:16:14: rule `I` gives no holiday in 2000..2030; check `since`, `until`, `every` and `from`
    bad.yaml:17:37: rule `J` runs until 2001, before it starts in 2010
    ");
}

#[test]
fn refuses_unknown_rule_keys_bad_years_and_rules_in_an_extension() {
    let rule = "  holidays:\n    - {name: A, date: 01-01, source: {title: law, url: u}}\n";
    let unknown = format!(
        "calendar: xx\ntitle: T\nzone: UTC\nrules:\n  years: 2000..2030\n{rule}    - {{name: B, date: 01-02, observed: monday, source: {{title: law, url: u}}}}\n"
    );
    insta::assert_snapshot!(problems(&unknown), @"bad.yaml:8:30: unknown field `observed`, expected one of name, date, easter, shift, if_saturday, if_sunday, since, until, every, from, note, source");
    let backwards = format!("calendar: xx\ntitle: T\nzone: UTC\nrules:\n  years: 2030..2000\n{rule}");
    insta::assert_snapshot!(problems(&backwards), @"bad.yaml:5:10: `2030..2000` ends before it starts");
    let extension = format!("calendar: cn-mainland\nrules:\n  years: 2027..2030\n{rule}");
    insta::assert_snapshot!(problems(&extension), @"bad.yaml:3:3: an extension of calendar `cn-mainland` cannot declare `rules`; only a file that defines a new calendar can");
    let listed_again = format!(
        "calendar: xx\ntitle: T\nzone: UTC\nrules:\n  years: 2000..2030\n{rule}years:\n  2010:\n    - notice: {{title: n, date: 2009, url: u}}\n      holidays:\n        - {{name: X, rest: [2010-01-01]}}\n  2031:\n    - notice: {{title: n, date: 2030, url: u}}\n"
    );
    insta::assert_snapshot!(problems(&listed_again), @"bad.yaml:13:3: year 2031 is outside the years of the rules (2000..2030); widen `rules.years` to cover it");
    let listed_again = listed_again.split("  2031:").next().unwrap();
    insta::assert_snapshot!(problems(listed_again), @"bad.yaml:12:28: 2010-01-01 is listed twice; it was first listed on line 7");
}

/// Rules and listed days together: a one-off day off is listed under its year's notice.
#[test]
fn a_calendar_by_rule_may_list_days_too() {
    let mut calendars = builtin();
    let file = "calendar: xx\ntitle: T\nzone: UTC\nrules:\n  years: 2000..2030\n  holidays:\n    - {name: A, date: 01-01, source: {title: law, url: u}}\nyears:\n  2010:\n    - notice: {title: n, date: 2009, url: u}\n      holidays:\n        - {name: X, rest: [2010-01-04]}\n";
    let calendar = calendars.load("ok.yaml", file).unwrap();
    assert!(!calendar.is_working_day(date("2010-01-04")).unwrap());
    assert!(calendar.is_working_day(date("2011-01-04")).unwrap());
    assert!(!calendar.has_makeup_days());
}
