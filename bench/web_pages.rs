//! The web pages with many open cases (issue 27: the watch list's first page and a case page
//! under 100 ms with 100,000 open cases). Fills a new store through the engine with `--cases`
//! licence cases opened over 2026 and accepted (so their decision clocks run and many are on a
//! yellow or red card by the as-of date), starts `renewflow serve` on it, signs in as a browser
//! would, and times each page: the watch list's first page (the first request folds the list;
//! the next ones find it kept), its last page, and case pages of cases picked across the store.
//!
//!   cargo run --release --example web_pages -- --renewflow target/release/renewflow --cases 100000

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate};
use clap::Parser;
use renewflow::core::calendar::Calendars;
use renewflow::core::case::{Command as CaseCommand, CommandKind};
use renewflow::core::workflow::NoExtends;
use renewflow::engine::{CaseOpening, Engine};
use renewflow::store::SqliteStore;

const LICENCE: &str = include_str!("../workflows/administrative-license.yaml");
/// Writes per commit while filling the store.
const BATCH_WRITES: usize = 2_000;

#[derive(Parser)]
#[command(about = "Times the web pages of `renewflow serve` over a store of many open cases")]
struct Options {
    /// The binary to serve with.
    #[arg(long)]
    renewflow: PathBuf,
    /// Open cases in the store.
    #[arg(long, default_value_t = 100_000)]
    cases: usize,
    /// Requests timed per page.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Where to keep the store (default: a temporary directory, removed at the end).
    #[arg(long)]
    directory: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    let temporary = tempfile::tempdir()?;
    let directory = options.directory.clone().unwrap_or_else(|| temporary.path().to_owned());
    std::fs::create_dir_all(&directory)?;
    let db = directory.join("cases.db");
    let filled = Instant::now();
    let ids = fill(&db, options.cases)?;
    println!("store: {} open cases in {:.1} s", options.cases, filled.elapsed().as_secs_f64());
    // The fold the watch list is kept from, alone in this process, on a connection of its own.
    let mut reader = Engine::new(SqliteStore::open_read_only(&db)?, Calendars::builtin());
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).ok_or("bad date")?;
    for _ in 0..2 {
        let folded = Instant::now();
        let rows = reader.watch(as_of)?;
        println!("engine watch fold: {} rows in {:.1} ms", rows.len(), ms(folded.elapsed()));
    }
    let token = key(&options.renewflow, &db)?;
    let clock = directory.join("now.txt");
    std::fs::write(&clock, "2026-12-31T09:00:00+08:00\n")?;
    let mut server = Command::new(&options.renewflow)
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0", "--clock-file"])
        .arg(&clock)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut first_line = String::new();
    BufReader::new(server.stderr.take().ok_or("no stderr")?).read_line(&mut first_line)?;
    let base =
        first_line.trim().strip_prefix("renewflow serve: listening on ").ok_or("the server did not start")?.to_owned();
    let result = measure(&base, &token, &ids, options.requests);
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// Opens `cases` licence cases over 2026 and accepts each; their ids.
fn fill(db: &std::path::Path, cases: usize) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut engine = Engine::new(SqliteStore::open(db)?, Calendars::builtin());
    let at = |date: NaiveDate, hour: u32| -> Result<DateTime<chrono::FixedOffset>, Box<dyn std::error::Error>> {
        Ok(DateTime::parse_from_rfc3339(&format!("{date}T{hour:02}:00:00+08:00"))?)
    };
    let first = NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("bad date")?;
    engine.deploy("administrative-license.yaml", LICENCE, &mut NoExtends, at(first, 8)?)?;
    let mut ids = Vec::with_capacity(cases);
    engine.begin_batch()?;
    for index in 0..cases {
        // Spread over the year's first 340 days, on weekdays' mornings.
        let day = first.checked_add_days(Days::new((index % 340) as u64)).ok_or("bad date")?;
        let opening = CaseOpening {
            workflow: "administrative-license".to_owned(),
            version: None,
            number: Some(format!("P-{index:06}")),
            at: at(day, 9)?,
            actor: "窗口".to_owned(),
            attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
            idempotency_key: None,
        };
        let opened = engine.open_case(&opening)?;
        let accept = CaseCommand {
            at: at(day, 10)?,
            actor: "承办人".to_owned(),
            role: "officer".to_owned(),
            kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
        };
        engine.act(&opened.case_id, &accept, opened.version, None)?;
        ids.push(opened.case_id);
        if (index + 1) % BATCH_WRITES == 0 {
            engine.end_batch(true)?;
            engine.begin_batch()?;
        }
    }
    engine.end_batch(true)?;
    Ok(ids)
}

fn key(renewflow: &PathBuf, db: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let output = Command::new(renewflow)
        .arg("--db")
        .arg(db)
        .args([
            "key",
            "create",
            "--name",
            "bench",
            "--admin",
            "--grant",
            "administrative-license:officer,head",
            "--format",
            "json",
        ])
        .output()?;
    let created: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(created["token"].as_str().ok_or("no token")?.to_owned())
}

fn measure(base: &str, token: &str, ids: &[String], requests: usize) -> Result<(), Box<dyn std::error::Error>> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    // Sign in as a browser does: the form's token from its cookie, then the key.
    let mut form = agent.get(format!("{base}/sign-in")).call()?;
    let sign_in_cookie = cookie(&form, "renewflow_sign_in").ok_or("no sign-in cookie")?;
    let body = form.body_mut().read_to_string()?;
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker).ok_or("no form token")? + marker.len();
    let csrf = body[start..].split('"').next().unwrap_or_default().to_owned();
    let signed_in = agent
        .post(format!("{base}/sign-in"))
        .header("Cookie", format!("renewflow_sign_in={sign_in_cookie}"))
        .send_form([("key", token), ("csrf", csrf.as_str()), ("back", "/watch")])?;
    let session = cookie(&signed_in, "renewflow_session").ok_or("not signed in")?;
    let session = format!("renewflow_session={session}");
    let fetch = |path: &str| -> Result<(Duration, String), Box<dyn std::error::Error>> {
        let started = Instant::now();
        let mut answer = agent.get(format!("{base}{path}")).header("Cookie", &session).call()?;
        let status = answer.status().as_u16();
        let body = answer.body_mut().read_to_string()?;
        let took = started.elapsed();
        if status != 200 {
            return Err(format!("{path}: {status}").into());
        }
        Ok((took, body))
    };
    let get = |path: &str| fetch(path).map(|(took, body)| (took, body.len()));
    let (first, bytes) = get("/watch")?;
    println!("watch list, first page, first request (folds the list): {:.1} ms, {bytes} bytes", ms(first));
    let kept: Vec<Duration> = (0..requests).map(|_| get("/watch").map(|(took, _)| took)).collect::<Result<_, _>>()?;
    report("watch list, first page, kept", kept);
    // A write changes the store: the next page answers from the list kept before it while the
    // list is folded again, and says it is not fresh until the fold is done.
    let opened = agent
        .post(format!("{base}/v1/cases"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Idempotency-Key", "bench-after-kept")
        .header("Content-Type", "application/json")
        .send(r#"{"workflow": "administrative-license", "number": "BENCH-1", "at": "2026-12-30T09:00:00+08:00"}"#)?;
    if opened.status().as_u16() != 201 {
        return Err(format!("opening a case: {}", opened.status()).into());
    }
    let (stale, body) = fetch("/watch")?;
    let stale_marked = body.contains("data-fresh=\"false\"");
    println!(
        "watch list, first page, right after a write: {:.1} ms (answered from the list kept before it: {stale_marked})",
        ms(stale)
    );
    let refolding = Instant::now();
    loop {
        let (_, body) = fetch("/watch")?;
        if body.contains("data-fresh=\"true\"") {
            break;
        }
        if refolding.elapsed() > Duration::from_secs(30) {
            return Err("the list was not folded again within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("watch list folded again and fresh after {:.0} ms", ms(refolding.elapsed()));
    let deep: Vec<Duration> =
        (0..requests).map(|_| get("/watch?offset=1000000").map(|(took, _)| took)).collect::<Result<_, _>>()?;
    report("watch list, last page", deep);
    let step = (ids.len() / requests.max(1)).max(1);
    let cases: Vec<Duration> = ids
        .iter()
        .step_by(step)
        .take(requests)
        .map(|id| get(&format!("/cases/{id}")).map(|(took, _)| took))
        .collect::<Result<_, _>>()?;
    report("case page", cases);
    let work: Vec<Duration> = (0..5).map(|_| get("/work").map(|(took, _)| took)).collect::<Result<_, _>>()?;
    report("my work (the 2,000 candidates looked at)", work);
    let by_role: Vec<Duration> =
        (0..requests).map(|_| get("/watch?role=head").map(|(took, _)| took)).collect::<Result<_, _>>()?;
    report("watch list, first page, cases waiting on one role", by_role);
    let version: Vec<Duration> = (0..5)
        .map(|_| get("/workflows/administrative-license/2019.1").map(|(took, _)| took))
        .collect::<Result<_, _>>()?;
    report("a workflow version's page (its diagram drawn)", version);
    let (counting, _) = get("/statistics?year=2026&by=quarter&group=organ")?;
    println!("supervision statistics, a year by quarter, counted (every case folded): {:.0} ms", ms(counting));
    let statistics: Vec<Duration> = (0..requests)
        .map(|_| get("/statistics?year=2026&by=quarter&group=organ").map(|(took, _)| took))
        .collect::<Result<_, _>>()?;
    report("supervision statistics, kept until the store changes", statistics);
    let (csv, _) = get("/statistics.csv?year=2026&by=month&group=handler&table=clocks")?;
    println!("supervision statistics as CSV, by month and handler, counted: {:.0} ms", ms(csv));
    let quiet: Vec<Duration> = (0..requests).map(|_| get("/watch").map(|(took, _)| took)).collect::<Result<_, _>>()?;
    report("watch list, first page, kept, once the sweeper is done", quiet);
    Ok(())
}

fn cookie(answer: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    // The nearest rank: the value at or above `percent` of the others.
    let at = |percent: usize| times[(times.len() * percent).div_ceil(100).saturating_sub(1)];
    println!(
        "{what}: {} requests, p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        times.len(),
        ms(at(50)),
        ms(at(90)),
        ms(at(100))
    );
}
