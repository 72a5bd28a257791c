//! Sweeps of warnings over a store: the right warnings, each once, across sweeps, engines and
//! concurrent sweepers; what events, pauses and extensions do to them; prompts only with a
//! promised limit; the delivery queue. Expected dates are counted on the calendar here, not read
//! from the engine.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use super::{AttemptOutcome, DELIVERY_ATTEMPTS_MAX, DELIVERY_LEASE, DeliveryQuery, Engine, WarningKind, WarningQuery};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::NoExtends;
use crate::engine::{CaseOpening, Warning, next_attempt_at};
use crate::store::SqliteStore;

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
const LONGGANG_2016: &str = include_str!("../../workflows/longgang-2016.yaml");

/// The day the licence cases are accepted: the decision clock (20 wd, yellow at 50 %) runs from it.
const ACCEPTED: &str = "2026-09-22";

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn morning(date: NaiveDate) -> DateTime<FixedOffset> {
    at(&format!("{date}T08:00:00+08:00"))
}

/// `date` plus `amount` working days on the mainland calendar.
fn working_days(date: &str, amount: i64) -> NaiveDate {
    let calendars = Calendars::builtin();
    calendars.get("cn-mainland").unwrap().add_working_days(day(date), amount).unwrap()
}

fn file_engine(directory: &tempfile::TempDir) -> Engine<SqliteStore> {
    let store = SqliteStore::open(&directory.path().join("cases.db")).unwrap();
    Engine::open(store, Calendars::builtin(), None).unwrap()
}

fn deployed(mut engine: Engine<SqliteStore>) -> Engine<SqliteStore> {
    let deployed_at = at("2017-01-03T09:00:00+08:00");
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, deployed_at).unwrap();
    engine.deploy("longgang-2016.yaml", LONGGANG_2016, &mut NoExtends, deployed_at).unwrap();
    engine
}

fn act(engine: &mut Engine<SqliteStore>, number: &str, role: &str, action: &str, date: NaiveDate) {
    let command = Command {
        at: at(&format!("{date}T10:00:00+08:00")),
        actor: "承办人甲".to_owned(),
        role: role.to_owned(),
        kind: CommandKind::Act { action: action.to_owned(), attributes: Vec::new() },
    };
    let version = engine.find_case(number).unwrap().version;
    engine.act(number, &command, version, None).unwrap();
}

fn open(engine: &mut Engine<SqliteStore>, workflow: &str, number: &str, on: &str, attribute: (&str, &str)) {
    engine
        .open_case(&CaseOpening {
            workflow: workflow.to_owned(),
            version: None,
            number: Some(number.to_owned()),
            at: at(&format!("{on}T09:30:00+08:00")),
            actor: "窗口".to_owned(),
            attributes: vec![(attribute.0.to_owned(), attribute.1.to_owned())],
            idempotency_key: None,
        })
        .unwrap();
}

/// A licence case accepted on [`ACCEPTED`].
fn licence_case(engine: &mut Engine<SqliteStore>, number: &str) {
    open(engine, "administrative-license", number, "2026-09-21", ("joint_handling", "false"));
    act(engine, number, "officer", "accept", day(ACCEPTED));
}

fn sweep(engine: &mut Engine<SqliteStore>, date: NaiveDate) -> Vec<(WarningKind, String, NaiveDate)> {
    let warnings = engine.sweep_warnings(date, morning(date)).unwrap();
    warnings.into_iter().map(|warning| (warning.kind, warning.clock, warning.applies_on)).collect()
}

#[test]
fn each_crossing_is_recorded_once_across_sweeps_and_engines() {
    let directory = tempfile::tempdir().unwrap();
    let mut engine = deployed(file_engine(&directory));
    licence_case(&mut engine, "XK-1");
    let (yellow, red) = (working_days(ACCEPTED, 10), working_days(ACCEPTED, 21));
    assert_eq!(sweep(&mut engine, yellow.pred_opt().unwrap()), []);
    assert_eq!(sweep(&mut engine, yellow), [(WarningKind::Yellow, "decision".to_owned(), yellow)]);
    assert_eq!(sweep(&mut engine, yellow), []);
    assert_eq!(sweep(&mut engine, red.pred_opt().unwrap()), []);
    assert_eq!(sweep(&mut engine, red), [(WarningKind::Red, "decision".to_owned(), red)]);
    drop(engine);

    let mut engine = file_engine(&directory);
    assert_eq!(sweep(&mut engine, red + Duration::days(30)), [], "a new engine over the same file");
    let listed = engine.warnings(&WarningQuery::default()).unwrap();
    assert_eq!(listed.iter().map(|warning| warning.kind).collect::<Vec<_>>(), [WarningKind::Yellow, WarningKind::Red]);
    let red_warning: &Warning = &listed[1];
    assert_eq!(red_warning.limit.as_deref(), Some("20 wd"));
    assert_eq!(red_warning.due_date, Some(working_days(ACCEPTED, 20)));
    assert_eq!(red_warning.level_set_by.as_deref(), Some("statutory"));
    assert_eq!((red_warning.number.as_str(), red_warning.workflow.as_str()), ("XK-1", "administrative-license"));
    assert_eq!(red_warning.issued_at, morning(red));
    let query = |query: WarningQuery| engine.warnings(&query).unwrap().len();
    assert_eq!(query(WarningQuery { kind: Some(WarningKind::Red), ..WarningQuery::default() }), 1);
    assert_eq!(query(WarningQuery { since: Some(red), ..WarningQuery::default() }), 1);
    assert_eq!(query(WarningQuery { case: Some("XK-1".to_owned()), ..WarningQuery::default() }), 2);
    assert_eq!(query(WarningQuery { after: Some(listed[0].id), ..WarningQuery::default() }), 1);
    assert_eq!(query(WarningQuery { limit: Some(1), offset: 1, ..WarningQuery::default() }), 1);
    assert!(engine.warnings(&WarningQuery { case: Some("XK-404".to_owned()), ..WarningQuery::default() }).is_err());
}

#[test]
fn a_pause_and_its_end_issue_nothing_again_and_the_moved_red_comes_once() {
    let mut engine = deployed(Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin()));
    licence_case(&mut engine, "XK-1");
    let yellow = working_days(ACCEPTED, 10);
    assert_eq!(sweep(&mut engine, yellow).len(), 1);
    // Paused for an expert review on its 12th working day, resumed five working days later.
    let paused = working_days(ACCEPTED, 12);
    act(&mut engine, "XK-1", "officer", "order_expert_review", paused);
    assert_eq!(sweep(&mut engine, paused.succ_opt().unwrap()), [], "the pause changes no crossing");
    let resumed = working_days(&paused.to_string(), 5);
    act(&mut engine, "XK-1", "officer", "close_expert_review", resumed);
    assert_eq!(sweep(&mut engine, resumed), [], "nor does its end");
    // 12 working days before the pause; the 21st after it is the 9th after resuming.
    let red = working_days(&resumed.to_string(), 9);
    assert_eq!(sweep(&mut engine, red.pred_opt().unwrap()), []);
    assert_eq!(sweep(&mut engine, red), [(WarningKind::Red, "decision".to_owned(), red)]);
    assert_eq!(sweep(&mut engine, red + Duration::days(3)), []);
}

#[test]
fn an_extension_that_moves_the_red_date_gives_a_new_red_only_when_reached() {
    let mut engine = deployed(Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin()));
    licence_case(&mut engine, "XK-1");
    let yellow = working_days(ACCEPTED, 10);
    assert_eq!(sweep(&mut engine, yellow).len(), 1);
    let extended = working_days(ACCEPTED, 18);
    act(&mut engine, "XK-1", "head", "extend_decision", extended);
    // Under 30 wd the clock is yellow from the day of the extension (a new crossing, naming the
    // new limit), and red only after 30.
    assert_eq!(sweep(&mut engine, extended), [(WarningKind::Yellow, "decision".to_owned(), extended)]);
    assert_eq!(sweep(&mut engine, working_days(ACCEPTED, 21)), [], "the old red date passes quietly");
    let new_red = working_days(ACCEPTED, 31);
    assert_eq!(sweep(&mut engine, new_red.pred_opt().unwrap()), []);
    let issued = engine.sweep_warnings(new_red, morning(new_red)).unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!((issued[0].kind, issued[0].applies_on), (WarningKind::Red, new_red));
    assert_eq!(issued[0].limit.as_deref(), Some("30 wd"));
    assert_eq!(issued[0].due_date, Some(working_days(ACCEPTED, 30)));
}

#[test]
fn a_prompt_comes_one_working_day_before_a_promised_limit_and_only_with_one() {
    let mut engine = deployed(Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin()));
    open(&mut engine, "longgang-renewal", "LG-1", "2017-02-06", ("property_rights_clear", "true"));
    for (role, action, on) in [
        ("bureau", "register", "2017-02-06"),
        ("bureau", "accept_plan", "2017-02-08"),
        ("land_office", "recognize_old_village", "2017-03-06"),
        ("land_office", "verify_land_buildings", "2017-04-14"),
    ] {
        act(&mut engine, "LG-1", role, action, day(on));
    }
    licence_case(&mut engine, "XK-1");
    // plan_review runs from 2017-04-14: promised 15 wd, statutory 20 wd, yellow at 50 %.
    let (prompt, promised_due) = (working_days("2017-04-14", 14), working_days("2017-04-14", 15));
    assert_eq!(working_days(&promised_due.to_string(), -1), prompt);
    let review = |engine: &mut Engine<SqliteStore>, date: NaiveDate| -> Vec<Warning> {
        let issued = engine.sweep_warnings(date, morning(date)).unwrap();
        issued.into_iter().filter(|warning| warning.clock == "plan_review").collect()
    };
    let yellow = review(&mut engine, working_days("2017-04-14", 8));
    assert_eq!(yellow.len(), 1, "{yellow:?}");
    assert_eq!((yellow[0].kind, yellow[0].level_set_by.as_deref()), (WarningKind::Yellow, Some("promised")));
    assert_eq!((yellow[0].limit.as_deref(), yellow[0].due_date), (Some("15 wd"), Some(promised_due)));
    assert_eq!(review(&mut engine, prompt.pred_opt().unwrap()), []);
    let prompted = review(&mut engine, prompt);
    assert_eq!(prompted.len(), 1, "{prompted:?}");
    assert_eq!((prompted[0].kind, prompted[0].applies_on), (WarningKind::Prompt, prompt));
    assert_eq!((prompted[0].limit.as_deref(), prompted[0].due_date), (Some("15 wd"), Some(promised_due)));
    assert_eq!(prompted[0].level_set_by.as_deref(), Some("promised"));
    // The licence's clocks have no promised limit: never a prompt, however late.
    engine.sweep_warnings(day("2026-12-31"), morning(day("2026-12-31"))).unwrap();
    let licence = WarningQuery { case: Some("XK-1".to_owned()), ..WarningQuery::default() };
    let kinds: Vec<WarningKind> = engine.warnings(&licence).unwrap().iter().map(|warning| warning.kind).collect();
    assert_eq!(kinds, [WarningKind::Yellow, WarningKind::Red]);
}

#[test]
fn concurrent_sweepers_record_and_report_each_crossing_once() {
    let directory = tempfile::tempdir().unwrap();
    let mut engine = deployed(file_engine(&directory));
    for number in ["XK-1", "XK-2", "XK-3", "XK-4"] {
        licence_case(&mut engine, number);
    }
    drop(engine);
    let red = working_days(ACCEPTED, 21);
    let sweepers: Vec<_> = (0..3)
        .map(|_| {
            let path = directory.path().to_owned();
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path.join("cases.db")).unwrap();
                let mut engine = Engine::open(store, Calendars::builtin(), None).unwrap();
                engine.sweep_warnings(red, morning(red)).unwrap()
            })
        })
        .collect();
    let mut reported: Vec<i64> =
        sweepers.into_iter().flat_map(|sweeper| sweeper.join().unwrap()).map(|warning| warning.id).collect();
    reported.sort_unstable();
    let recorded: Vec<i64> =
        file_engine(&directory).warnings(&WarningQuery::default()).unwrap().iter().map(|warning| warning.id).collect();
    assert_eq!(recorded.len(), 8, "a yellow and a red for each of four cases");
    assert_eq!(reported, recorded, "every warning reported by exactly one sweeper");
}

#[test]
fn derived_dates_computed_with_other_data_are_recomputed_before_a_sweep() {
    let directory = tempfile::tempdir().unwrap();
    let mut engine = deployed(file_engine(&directory));
    licence_case(&mut engine, "XK-1");
    // What an upgrade to schema 9 does to a store: its derived figures lack the new dates.
    let stale = "UPDATE settings SET value = value || ' (before schema 9)' WHERE key = 'derived_calendar'";
    engine.store().connection().execute(stale, []).unwrap();
    let red = working_days(ACCEPTED, 21);
    let refused = engine.sweep_warnings(red, morning(red)).unwrap_err();
    assert!(refused.to_string().contains("run `renewflow calendar recompute` before sweeping warnings"), "{refused}");
    assert!(engine.warnings(&WarningQuery::default()).unwrap().is_empty());
    engine.recompute_calendar().unwrap();
    assert_eq!(sweep(&mut engine, red).len(), 2);
}

#[test]
fn warnings_are_append_only() {
    let mut engine = deployed(Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin()));
    licence_case(&mut engine, "XK-1");
    sweep(&mut engine, working_days(ACCEPTED, 21));
    let connection = engine.store().connection();
    let update = connection.execute("UPDATE warnings SET applies_on = '2026-01-01'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(connection.execute("DELETE FROM warnings", []).unwrap_err().to_string().contains("append-only"));
}

#[test]
fn deliveries_go_to_the_webhooks_that_want_them_are_leased_retried_and_logged() {
    let mut engine = deployed(Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin()));
    let secret = "0123456789abcdef";
    let added = morning(day("2026-09-01"));
    let every = engine.add_webhook("http://127.0.0.1:9/every", secret, &[], "管理员", added).unwrap();
    let red_only = engine.add_webhook("http://127.0.0.1:9/red", secret, &[WarningKind::Red], "管理员", added).unwrap();
    let removed = engine.add_webhook("http://127.0.0.1:9/gone", secret, &[], "管理员", added).unwrap();
    assert!(engine.remove_webhook(removed.id, "管理员", added).unwrap().1);
    assert!(!engine.remove_webhook(removed.id, "管理员", added).unwrap().1, "removed before");
    licence_case(&mut engine, "XK-1");
    let red = working_days(ACCEPTED, 21);
    assert_eq!(sweep(&mut engine, red).len(), 2);

    let now = morning(red);
    let due = engine.due_deliveries(now, 10).unwrap();
    let mut targets: Vec<(i64, WarningKind, u32)> =
        due.iter().map(|due| (due.webhook, due.warning.kind, due.attempt)).collect();
    targets.sort();
    assert_eq!(
        targets,
        [(every.id, WarningKind::Yellow, 1), (every.id, WarningKind::Red, 1), (red_only.id, WarningKind::Red, 1)]
    );
    assert!(due.iter().all(|due| due.secret == secret));
    assert!(engine.due_deliveries(now, 10).unwrap().is_empty(), "leased");
    let lease = Duration::from_std(DELIVERY_LEASE).unwrap();
    let again = engine.due_deliveries(now + lease + Duration::seconds(1), 10).unwrap();
    assert_eq!(again.len(), 3, "an attempt never recorded is made again: at least once");
    assert!(again.iter().all(|due| due.attempt == 1));

    // The first fails (HTTP 500) and is tried again by the backoff; the second attempt delivers.
    let first = again[0].delivery;
    let failed = AttemptOutcome {
        http_status: Some(500),
        error: Some("HTTP 500".to_owned()),
        duration: std::time::Duration::from_millis(7),
    };
    engine.record_delivery_attempt(first, now, &failed, next_attempt_at(1, now)).unwrap();
    assert!(engine.due_deliveries(now + Duration::seconds(5), 10).unwrap().is_empty(), "10 s later, not 5");
    let later = now + Duration::seconds(11);
    let retried = engine.due_deliveries(later, 10).unwrap();
    let retried: Vec<_> = retried.iter().filter(|due| due.delivery == first).collect();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempt, 2);
    let ok = AttemptOutcome { http_status: Some(204), error: None, duration: std::time::Duration::from_millis(3) };
    engine.record_delivery_attempt(first, later, &ok, None).unwrap();
    let listed = engine.deliveries(&DeliveryQuery::default()).unwrap();
    let delivered = listed.iter().find(|delivery| delivery.id == first).unwrap();
    assert_eq!(
        (delivered.status.as_str(), delivered.attempts, delivered.next_attempt_at.as_deref()),
        ("delivered", 2, None)
    );
    let statuses: Vec<Option<u16>> = delivered.attempt_log.iter().map(|attempt| attempt.http_status).collect();
    assert_eq!(statuses, [Some(500), Some(204)]);
    assert_eq!(delivered.attempt_log[0].duration_ms, 7);

    // Another fails every time: after the last attempt it has failed for good.
    let second = listed.iter().find(|delivery| delivery.id != first).unwrap().id;
    let refused = AttemptOutcome {
        http_status: None,
        error: Some("connection refused".to_owned()),
        duration: std::time::Duration::ZERO,
    };
    for attempt in 1..=DELIVERY_ATTEMPTS_MAX {
        engine.record_delivery_attempt(second, now, &refused, next_attempt_at(attempt, now)).unwrap();
    }
    let failed_for_good = engine.deliveries(&DeliveryQuery { failed: true, ..DeliveryQuery::default() }).unwrap();
    assert_eq!(
        failed_for_good.iter().map(|delivery| (delivery.id, delivery.attempts)).collect::<Vec<_>>(),
        [(second, u64::from(DELIVERY_ATTEMPTS_MAX))]
    );
    assert!(engine.due_deliveries(later + Duration::days(30), 10).unwrap().iter().all(|due| due.delivery != second));
    let by_warning = DeliveryQuery { warning: Some(delivered.warning), ..DeliveryQuery::default() };
    assert!(engine.deliveries(&by_warning).unwrap().iter().all(|delivery| delivery.warning == delivered.warning));
}

#[test]
fn a_webhook_is_refused_for_its_url_secret_or_actor_and_nothing_is_stored() {
    let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), Calendars::builtin());
    let now = morning(day("2026-09-01"));
    assert!(engine.add_webhook("https://example.org/", "0123456789abcdef", &[], "管理员", now).is_err());
    let short = engine.add_webhook("http://127.0.0.1:9/", "short", &[], "管理员", now).unwrap_err();
    assert_eq!(short.to_string(), "the webhook secret has 5 bytes; it needs at least 16 (and at most 1024)");
    assert!(engine.add_webhook("http://127.0.0.1:9/", "0123456789abcdef", &[], " ", now).is_err());
    assert!(engine.webhooks().unwrap().is_empty());
    assert!(engine.remove_webhook(1, "管理员", now).is_err());
}
