//! `actions`: each client opens its own cases and walks each one along a legal path of
//! `workflows/administrative-license.yaml`, one step per working day of 2026 from the opening,
//! sending the version it was last given in `If-Match`. When a case has finished (or an answer
//! was not a 2xx, after which its version is unknown) the client opens the next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hyper::Method;
use hyper::header::{HeaderName, IF_MATCH};
use serde::Deserialize;

use crate::connection::{Client, Failure, Target};
use crate::tally::{Route, Tally};

pub(crate) const WORKFLOW: &str = "administrative-license";
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Cases open on working days in this range (2026, well before the year's end, so every step
/// of a path falls in 2026 too).
const FIRST_OPENING: (i32, u32, u32) = (2026, 1, 5);
const LAST_STEP: (i32, u32, u32) = (2026, 11, 30);
/// Clients start their cases this many working days apart, so the cases of one moment spread
/// over the year.
const CLIENT_DAY_STRIDE: usize = 7;

/// The two legal paths cases take in turn: (action, role). Both end in a final state of
/// `decided`, whose `done` step closes the case. They need the roles `officer` and `head`, which
/// is what `serve_vs_bare.sh` grants the load's API key.
const PATHS: [&[(&str, &str)]; 2] = [
    &[
        ("accept", "officer"),
        ("order_hearing", "officer"),
        ("close_hearing", "officer"),
        ("grant", "head"),
        ("issue_certificate", "officer"),
    ],
    &[
        ("accept", "officer"),
        ("order_expert_review", "officer"),
        ("close_expert_review", "officer"),
        ("refuse", "head"),
    ],
];
const PATH_STEPS_MAX: usize = 5;

/// What every client shares: the working days to date steps on, and the run's name in
/// idempotency keys and case numbers.
pub(crate) struct Plan {
    pub(crate) working_days: Vec<NaiveDate>,
    /// Unique per run, so idempotency keys of two runs against one store never meet.
    pub(crate) run: String,
    /// Put before `<client>-<n>` in case numbers, so runs against one store do not collide.
    pub(crate) number_prefix: String,
}

impl Plan {
    pub(crate) fn new(number_prefix: String) -> Result<Plan, String> {
        let calendars = renewflow::core::calendar::Calendars::builtin();
        let calendar = calendars.require("cn-mainland").map_err(|error| error.to_string())?;
        let date = |(year, month, day)| NaiveDate::from_ymd_opt(year, month, day).ok_or("bad constant date");
        let (first, last) = (date(FIRST_OPENING)?, date(LAST_STEP)?);
        let mut working_days = Vec::new();
        for day in first.iter_days().take_while(|day| *day <= last) {
            if calendar.is_working_day(day).map_err(|error| error.to_string())? {
                working_days.push(day);
            }
        }
        if working_days.len() <= PATH_STEPS_MAX {
            return Err(format!("the calendar has only {} working days from {first} to {last}", working_days.len()));
        }
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let run = format!("{:x}-{:x}", std::process::id(), nanos);
        Ok(Plan { working_days, run, number_prefix })
    }

    /// The instant of step `step` (0: the opening) of a case that opens on working day `first`.
    fn at(&self, first: usize, step: usize) -> String {
        let day = self.working_days[(first + step) % self.working_days.len()];
        format!("{day}T10:00:00+08:00")
    }
}

/// A 2xx answer to an opening or an action. The CLI's JSON names the case `case_id`; either is
/// taken.
#[derive(Deserialize)]
struct Answered {
    #[serde(alias = "case_id")]
    id: Option<String>,
    version: u64,
}

const UNUSABLE: &str = "2xx answer without id or version";

/// One client's loop until `deadline`; returns its tally and the ids of the cases it opened
/// (only when `keep_ids`).
pub(crate) async fn run_client(
    target: Arc<Target>,
    plan: Arc<Plan>,
    client_index: usize,
    deadline: Instant,
    keep_ids: bool,
) -> (Tally, Vec<String>) {
    let walker = Walker { client: Client::new(target), plan: &plan, client_index, sequence: 0, pace: None };
    walk(walker, deadline, keep_ids).await
}

/// One client sending a request every `period` at most, until `deadline`: events for the
/// streams of `sse` to carry, at a rate the fan-out to every stream can keep up with.
pub(crate) async fn run_paced_client(
    target: Arc<Target>,
    plan: Arc<Plan>,
    deadline: Instant,
    period: Duration,
) -> Tally {
    let mut pace = tokio::time::interval(period);
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let walker = Walker { client: Client::new(target), plan: &plan, client_index: 0, sequence: 0, pace: Some(pace) };
    walk(walker, deadline, false).await.0
}

async fn walk(mut walker: Walker<'_>, deadline: Instant, keep_ids: bool) -> (Tally, Vec<String>) {
    let plan = walker.plan;
    let mut tally = Tally::new();
    let mut ids = Vec::new();
    let mut case_index = 0_usize;
    while Instant::now() < deadline {
        case_index += 1;
        let path = PATHS[case_index % PATHS.len()];
        let opened = walker.open(&mut tally, case_index).await;
        let Some((id, mut version, first)) = opened else { continue };
        if keep_ids {
            ids.push(id.clone());
        }
        for (step, (action, role)) in path.iter().enumerate() {
            if Instant::now() >= deadline {
                break;
            }
            let at = plan.at(first, step + 1);
            let Some(next) = walker.act(&mut tally, &id, version, action, role, &at).await else { break };
            version = next;
        }
    }
    (tally, ids)
}

/// Opens `count` cases spread over the clients and accepts each, for the reads to read;
/// returns their ids.
pub(crate) async fn prepare_client(
    target: Arc<Target>,
    plan: Arc<Plan>,
    client_index: usize,
    count: usize,
) -> (Tally, Vec<String>) {
    let mut walker = Walker { client: Client::new(target), plan: &plan, client_index, sequence: 0, pace: None };
    let mut tally = Tally::new();
    let mut ids = Vec::with_capacity(count);
    for case_index in 1..=count {
        let Some((id, version, first)) = walker.open(&mut tally, case_index).await else { continue };
        let (action, role) = PATHS[0][0];
        walker.act(&mut tally, &id, version, action, role, &plan.at(first, 1)).await;
        ids.push(id);
    }
    (tally, ids)
}

struct Walker<'a> {
    client: Client,
    plan: &'a Plan,
    client_index: usize,
    /// Requests sent, for unique idempotency keys.
    sequence: u64,
    /// Ticks before each request, when the client is paced.
    pace: Option<tokio::time::Interval>,
}

impl Walker<'_> {
    fn idempotency_key(&mut self) -> String {
        self.sequence += 1;
        format!("{}-{}-{}", self.plan.run, self.client_index, self.sequence)
    }

    /// Opens case `case_index` of this client: its id, version and first working day.
    async fn open(&mut self, tally: &mut Tally, case_index: usize) -> Option<(String, u64, usize)> {
        let span = self.plan.working_days.len().saturating_sub(PATH_STEPS_MAX + 1).max(1);
        let first = (self.client_index * CLIENT_DAY_STRIDE + case_index) % span;
        let body = serde_json::json!({
            "workflow": WORKFLOW,
            "number": format!("{}{}-{case_index}", self.plan.number_prefix, self.client_index),
            "at": self.plan.at(first, 0),
            "attributes": {"joint_handling": false},
        });
        let key = self.idempotency_key();
        let request =
            self.client.target().request(Method::POST, "/v1/cases", &[(IDEMPOTENCY_KEY, key)], Some(body.to_string()));
        let answer = self.send(tally, Route::Open, request).await?;
        match answer {
            Answered { id: Some(id), version } => Some((id, version, first)),
            Answered { id: None, .. } => {
                tally.fail(UNUSABLE);
                None
            }
        }
    }

    /// Takes one action at the case's `version`; the new version.
    async fn act(
        &mut self,
        tally: &mut Tally,
        id: &str,
        version: u64,
        action: &str,
        role: &str,
        at: &str,
    ) -> Option<u64> {
        let body = format!(r#"{{"action": "{action}", "role": "{role}", "at": "{at}"}}"#);
        let headers = [(IF_MATCH, format!("\"{version}\"")), (IDEMPOTENCY_KEY, self.idempotency_key())];
        let path = format!("/v1/cases/{id}/actions");
        let request = self.client.target().request(Method::POST, &path, &headers, Some(body));
        self.send(tally, Route::Act, request).await.map(|answer| answer.version)
    }

    async fn send(
        &mut self,
        tally: &mut Tally,
        route: Route,
        request: Result<hyper::Request<http_body_util::Full<hyper::body::Bytes>>, Failure>,
    ) -> Option<Answered> {
        if let Some(pace) = &mut self.pace {
            pace.tick().await;
        }
        let outcome = match request {
            Ok(request) => self.client.send(request).await,
            Err(failure) => Err(failure),
        };
        let answer = tally.count(route, &outcome)?;
        let parsed = serde_json::from_slice::<Answered>(&answer.body).ok();
        if parsed.is_none() {
            tally.fail(UNUSABLE);
        }
        parsed
    }
}
