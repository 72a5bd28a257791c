//! The delivery loop and the sweeper against a receiver on 127.0.0.1 written here with std's
//! `TcpListener`: the signature verifies, a failing receiver is tried again by the backoff with
//! every attempt logged, each attempt carries the same warning id, and both loops stop on the
//! shutdown signal. The date comes from a clock file the test rewrites.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::signature::{SIGNATURE_TOLERANCE_SECONDS, verify_signature};
use super::{StoreAccess, run_deliveries, run_sweeper};
use crate::core::calendar::Calendars;
use crate::core::case::{Command, CommandKind};
use crate::core::workflow::NoExtends;
use crate::drivers::wall_clock::FileClock;
use crate::engine::{CaseOpening, DeliveryQuery, Engine, Warning, WarningKind};
use crate::store::SqliteStore;

const LICENCE: &str = include_str!("../../../workflows/administrative-license.yaml");
const SECRET: &str = "a secret of 32 bytes, or nearly";

/// One request as the receiver read it: lower-case header names.
#[derive(Clone, Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }
}

/// Most connections a receiver answers before its thread ends.
const RECEIVED_MAX: usize = 16;

/// A receiver on 127.0.0.1 answering `statuses` in turn (200 after them), one request per
/// connection; returns its URL and what it received.
fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/renewflow", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().take(RECEIVED_MAX).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.trim_end().split_once(':') {
                    headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
                }
            }
            let length = headers
                .iter()
                .find(|(name, _)| name == "content-length")
                .map_or(0, |(_, value)| value.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            kept.lock().unwrap().push(Received { headers, body });
            let status = statuses.get(index).copied().unwrap_or(200);
            let answer = format!("HTTP/1.1 {status} Answer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, received)
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

/// A store with one licence case accepted on 2026-09-22 (decision: 20 wd, yellow after 10) and, when `url` is given, a webhook for its red cards.
fn store(directory: &Path, url: Option<&str>) -> StoreAccess {
    let db = directory.join("cases.db");
    let mut engine = Engine::open(SqliteStore::open(&db).unwrap(), Calendars::builtin(), None).unwrap();
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at("2026-01-05T09:00:00+08:00")).unwrap();
    if let Some(url) = url {
        engine.add_webhook(url, SECRET, &[WarningKind::Red], "管理员", at("2026-01-05T09:00:00+08:00")).unwrap();
    }
    let opening = CaseOpening {
        workflow: "administrative-license".to_owned(),
        version: None,
        number: Some("XK-1".to_owned()),
        at: at("2026-09-21T09:30:00+08:00"),
        actor: "窗口".to_owned(),
        attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
        idempotency_key: None,
    };
    let opened = engine.open_case(&opening).unwrap();
    let accept = Command {
        at: at("2026-09-22T10:00:00+08:00"),
        actor: "承办人甲".to_owned(),
        role: "officer".to_owned(),
        kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    };
    engine.act("XK-1", &accept, opened.version, None).unwrap();
    StoreAccess { db, calendars: Calendars::builtin(), beyond_data: None }
}

/// `amount` working days after the case was accepted (2026-09-22).
fn after_acceptance(amount: i64) -> NaiveDate {
    let calendars = Calendars::builtin();
    calendars
        .get("cn-mainland")
        .unwrap()
        .add_working_days(NaiveDate::from_ymd_opt(2026, 9, 22).unwrap(), amount)
        .unwrap()
}

fn morning(date: NaiveDate, seconds: u32) -> DateTime<FixedOffset> {
    at(&format!("{date}T08:00:{seconds:02}+08:00"))
}

fn reader(store: &StoreAccess) -> Engine<SqliteStore> {
    Engine::open(SqliteStore::open(&store.db).unwrap(), Calendars::builtin(), None).unwrap()
}

/// Waits (at most 20 s) until `probe` gives something.
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "waited 20 s for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn a_failing_receiver_is_tried_again_every_attempt_logged_with_the_same_signed_warning() {
    let directory = tempfile::tempdir().unwrap();
    let (url, received) = receiver(vec![500]);
    let store = store(directory.path(), Some(&url));
    let red_day = after_acceptance(21);
    let swept = reader(&store).sweep_warnings(red_day, morning(red_day, 0)).unwrap();
    let red: Warning = swept.into_iter().find(|warning| warning.kind == WarningKind::Red).unwrap();
    let clock_file = directory.path().join("now");
    std::fs::write(&clock_file, morning(red_day, 0).to_rfc3339()).unwrap();

    let runtime = runtime();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let clock = Arc::new(FileClock::new(clock_file.clone()));
    let delivering = runtime.spawn(run_deliveries(store.clone(), clock, shutdown));
    let attempts = |engine: &Engine<SqliteStore>| engine.deliveries(&DeliveryQuery::default()).unwrap()[0].clone();
    let first = eventually("the first attempt logged", || Some(attempts(&reader(&store))).filter(|d| d.attempts == 1));
    assert_eq!((first.status.as_str(), first.attempt_log[0].http_status), ("pending", Some(500)));
    let ten_seconds_later = format!("{red_day}T00:00:10Z");
    assert_eq!(first.next_attempt_at.as_deref(), Some(ten_seconds_later.as_str()));
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(received.lock().unwrap().len(), 1, "not again before the backoff ends");

    std::fs::write(&clock_file, morning(red_day, 20).to_rfc3339()).unwrap();
    let delivered = eventually("the delivery", || Some(attempts(&reader(&store))).filter(|d| d.status == "delivered"));
    let statuses: Vec<Option<u16>> = delivered.attempt_log.iter().map(|attempt| attempt.http_status).collect();
    assert_eq!(statuses, [Some(500), Some(200)]);
    assert_eq!(delivered.attempt_log[1].at, format!("{red_day}T08:00:20.000+08:00"));

    let requests = received.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    for (number, (request, now)) in
        requests.iter().zip([morning(red_day, 0).timestamp(), morning(red_day, 20).timestamp()]).enumerate()
    {
        assert_eq!(request.header("renewflow-warning-id"), red.id.to_string(), "the same warning every time");
        assert_eq!(request.header("renewflow-delivery-attempt"), (number + 1).to_string());
        assert_eq!(request.header("content-type"), "application/json");
        let signature = request.header("renewflow-signature");
        assert!(signature.starts_with(&format!("t={now},v1=")), "{signature}");
        assert_eq!(
            verify_signature(SECRET.as_bytes(), signature, &request.body, now, SIGNATURE_TOLERANCE_SECONDS),
            Ok(())
        );
        assert!(verify_signature(b"not the secret!!", signature, &request.body, now, 300).is_err());
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!((&body["id"], &body["kind"], &body["number"]), (&red.id.into(), &"red".into(), &"XK-1".into()));
        let (applies_on, due) = (red_day.to_string(), after_acceptance(20).to_string());
        assert_eq!(
            (&body["clock"], &body["applies_on"], &body["due_date"]),
            (&"decision".into(), &applies_on.into(), &due.into())
        );
        assert_eq!((&body["limit"], &body["level_set_by"]), (&"20 wd".into(), &"statutory".into()));
    }
    stop.send(true).unwrap();
    let stopped = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(3), delivering).await });
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "stops promptly: {stopped:?}");
}

#[test]
fn a_refused_connection_is_logged_as_an_attempt_and_kept_pending() {
    let directory = tempfile::tempdir().unwrap();
    // A port nothing listens on any more.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let store = store(directory.path(), Some(&format!("http://127.0.0.1:{port}/")));
    let red_day = after_acceptance(21);
    reader(&store).sweep_warnings(red_day, morning(red_day, 0)).unwrap();
    let clock_file = directory.path().join("now");
    std::fs::write(&clock_file, morning(red_day, 0).to_rfc3339()).unwrap();
    let runtime = runtime();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let delivering = runtime.spawn(run_deliveries(store.clone(), Arc::new(FileClock::new(clock_file)), shutdown));
    let logged = eventually("the attempt logged", || {
        reader(&store).deliveries(&DeliveryQuery::default()).unwrap().into_iter().find(|d| d.attempts == 1)
    });
    assert_eq!((logged.status.as_str(), logged.attempt_log[0].http_status), ("pending", None));
    let error = logged.attempt_log[0].error.clone().unwrap_or_default();
    assert!(error.to_lowercase().contains("connect"), "{error}");
    drop(stop);
    let stopped = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(3), delivering).await });
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "a dropped sender stops it too: {stopped:?}");
}

#[test]
fn the_sweeper_sweeps_at_start_and_when_the_date_changes_and_hands_on_each_new_warning() {
    let directory = tempfile::tempdir().unwrap();
    let store = store(directory.path(), None);
    let clock_file = directory.path().join("now");
    let (yellow_day, red_day) = (after_acceptance(10), after_acceptance(21));
    std::fs::write(&clock_file, morning(yellow_day, 0).to_rfc3339()).unwrap();
    let seen: Arc<Mutex<Vec<Warning>>> = Arc::default();
    let kept = Arc::clone(&seen);
    let runtime = runtime();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let callback = Box::new(move |warning: &Warning| kept.lock().unwrap().push(warning.clone()));
    let sweeping =
        runtime.spawn(run_sweeper(store.clone(), Arc::new(FileClock::new(clock_file.clone())), callback, shutdown));
    let kinds = || {
        seen.lock().unwrap().iter().map(|warning| (warning.kind, warning.applies_on.to_string())).collect::<Vec<_>>()
    };
    eventually("the yellow card", || Some(kinds()).filter(|kinds| !kinds.is_empty()));
    assert_eq!(kinds(), [(WarningKind::Yellow, yellow_day.to_string())]);
    std::fs::write(&clock_file, morning(red_day, 0).to_rfc3339()).unwrap();
    eventually("the red card", || Some(kinds()).filter(|kinds| kinds.len() == 2));
    assert_eq!(kinds()[1], (WarningKind::Red, red_day.to_string()));
    stop.send(true).unwrap();
    let stopped = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(3), sweeping).await });
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "stops promptly: {stopped:?}");
    assert_eq!(reader(&store).warnings(&crate::engine::WarningQuery::default()).unwrap().len(), 2);
}
