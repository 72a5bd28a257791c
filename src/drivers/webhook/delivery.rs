//! The delivery loop: takes the deliveries due, POSTs each warning to its webhook over plain
//! HTTP/1 (hyper's client; TLS goes through a local relay), signed, with a timeout per attempt;
//! logs every attempt through the engine, and schedules the next by the engine's backoff until
//! the receiver answers 2xx or the attempts run out. It stops as soon as the shutdown signal
//! comes; an attempt cut short is made again when its lease ends (at least once).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::signature::{ATTEMPT_HEADER, SIGNATURE_HEADER, WARNING_ID_HEADER, signature_header, warning_body};
use super::store_access::{SharedEngine, StoreAccess, blocking};
use crate::drivers::wall_clock::WallClock;
use crate::engine::{AttemptOutcome, DueDelivery, next_attempt_at};

/// The longest one attempt may take, connecting and answering included.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the loop looks for deliveries due when it found none.
pub(crate) const DELIVERY_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Most deliveries attempted at once, in one round.
pub(crate) const DELIVERIES_PER_ROUND_MAX: u64 = 32;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Delivers warnings until `shutdown` turns true (or its sender is dropped), with its own
/// engine on `store` and the date from `clock`. A store error is logged and the round tried
/// again after [`DELIVERY_POLL_INTERVAL`].
///
/// # Errors
///
/// When the store cannot be opened.
pub(crate) async fn run_deliveries(
    store: StoreAccess,
    clock: Arc<dyn WallClock>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let engine = store.open().await?;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let now = clock.now();
        let due = blocking(&engine, move |engine| engine.due_deliveries(now, DELIVERIES_PER_ROUND_MAX)).await;
        let due = due.unwrap_or_else(|error| {
            tracing::warn!("reading the deliveries due: {error:#}");
            Vec::new()
        });
        let full_round = due.len() as u64 == DELIVERIES_PER_ROUND_MAX;
        if !due.is_empty() {
            let attempts = attempt_all(&client, &clock, due);
            let Some(outcomes) = until_shutdown(&mut shutdown, attempts).await else { return Ok(()) };
            record(&engine, outcomes).await;
        }
        if !full_round && until_shutdown(&mut shutdown, tokio::time::sleep(DELIVERY_POLL_INTERVAL)).await.is_none() {
            return Ok(());
        }
    }
}

/// `work`'s output, or `None` when the shutdown signal comes first.
async fn until_shutdown<T>(shutdown: &mut watch::Receiver<bool>, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        output = work => Some(output),
        () = wait_for_shutdown(shutdown) => None,
    }
}

async fn wait_for_shutdown(shutdown: &mut watch::Receiver<bool>) {
    // A dropped sender is a shutdown too.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Attempts every delivery at once; each comes back with the instant it was made and its outcome.
async fn attempt_all(
    client: &HttpClient,
    clock: &Arc<dyn WallClock>,
    due: Vec<DueDelivery>,
) -> Vec<(DueDelivery, DateTime<FixedOffset>, AttemptOutcome)> {
    let mut attempts = JoinSet::new();
    for delivery in due {
        let (client, clock) = (client.clone(), Arc::clone(clock));
        attempts.spawn(async move {
            let at = clock.now();
            let outcome = attempt(&client, &delivery, at).await;
            (delivery, at, outcome)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = attempts.join_next().await {
        match joined {
            Ok(outcome) => outcomes.push(outcome),
            // Not recorded: tried again when its lease ends.
            Err(error) => tracing::warn!("a delivery attempt did not finish: {error}"),
        }
    }
    outcomes
}

/// Logs each attempt and schedules the next where one is due.
async fn record(engine: &SharedEngine, outcomes: Vec<(DueDelivery, DateTime<FixedOffset>, AttemptOutcome)>) {
    for (delivery, at, outcome) in outcomes {
        let next = if outcome.delivered() { None } else { next_attempt_at(delivery.attempt, at) };
        log_attempt(&delivery, &outcome, next);
        let id = delivery.delivery;
        let recorded = blocking(engine, move |engine| engine.record_delivery_attempt(id, at, &outcome, next)).await;
        if let Err(error) = recorded {
            tracing::warn!("recording attempt {} of delivery {id}: {error:#}", delivery.attempt);
        }
    }
}

fn log_attempt(delivery: &DueDelivery, outcome: &AttemptOutcome, next: Option<DateTime<FixedOffset>>) {
    let (warning, attempt, url) = (delivery.warning.id, delivery.attempt, &delivery.url);
    let status = outcome.http_status.map_or_else(|| "no answer".to_owned(), |status| format!("HTTP {status}"));
    let took = outcome.duration.as_millis();
    if outcome.delivered() {
        tracing::info!("warning {warning} delivered to {url} (attempt {attempt}, {status}, {took} ms)");
    } else {
        let error = outcome.error.as_deref().unwrap_or_default();
        match next {
            Some(next) => tracing::warn!(
                "warning {warning} not delivered to {url} (attempt {attempt}, {status}, {took} ms): {error}; again at {next}"
            ),
            None => tracing::warn!(
                "warning {warning} not delivered to {url} (attempt {attempt}, {status}, {took} ms): {error}; given up"
            ),
        }
    }
}

/// One POST of a warning, signed with the instant `at`.
async fn attempt(client: &HttpClient, delivery: &DueDelivery, at: DateTime<FixedOffset>) -> AttemptOutcome {
    let started = Instant::now();
    let body = warning_body(&delivery.warning);
    let signature = signature_header(delivery.secret.as_bytes(), at.timestamp(), &body);
    let request = hyper::Request::post(delivery.url.as_str())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(WARNING_ID_HEADER, delivery.warning.id.to_string())
        .header(ATTEMPT_HEADER, delivery.attempt.to_string())
        .body(Full::new(Bytes::from(body)));
    let request = match request {
        Ok(request) => request,
        Err(error) => return failed(None, format!("the request cannot be made: {error}"), started),
    };
    match tokio::time::timeout(ATTEMPT_TIMEOUT, client.request(request)).await {
        Err(_) => failed(None, format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()), started),
        Ok(Err(error)) => failed(None, error_chain(&error), started),
        Ok(Ok(response)) => {
            let status = response.status();
            // The body is not read: the status says it all, and dropping it closes the connection.
            let error = (!status.is_success()).then(|| format!("HTTP {status}"));
            AttemptOutcome { http_status: Some(status.as_u16()), error, duration: started.elapsed() }
        }
    }
}

fn failed(http_status: Option<u16>, error: String, started: Instant) -> AttemptOutcome {
    AttemptOutcome { http_status, error: Some(error), duration: started.elapsed() }
}

/// An error with its causes (`client error (Connect): tcp connect error: Connection refused`).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
