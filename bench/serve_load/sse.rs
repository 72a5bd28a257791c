//! `sse`: opens many `GET /v1/events` streams, a few hundred at a time, holds them all open for
//! the run's duration and counts what arrives. With `--server-pid` it reads the server's resident
//! memory from /proc while the streams are open: the largest `VmRSS` seen each second and, at
//! the end, `VmHWM` (the peak over the server's life).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use hyper::Method;
use hyper::header::ACCEPT;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::actions::{Plan, run_paced_client};
use crate::connection::{Failure, Target, connect, send_head};
use crate::tally::Tally;

/// Streams being opened at once: more would overflow the server's listen backlog with SYNs.
const OPENING_CONCURRENCY: usize = 256;
/// Case numbers of the paced writer's cases.
const WRITER_NUMBER_PREFIX: &str = "sse-";
/// How often the server's memory is read while the streams are held.
const MEMORY_SAMPLE_PERIOD: Duration = Duration::from_secs(1);

/// What came of one stream.
#[derive(Default)]
struct StreamTally {
    opened: bool,
    /// The status of a refused stream, or the failure of one that never answered.
    refused: Option<Result<u16, &'static str>>,
    /// The server ended the stream before the hold did.
    ended_early: bool,
    bytes: u64,
    events: u64,
}

/// A whole `sse` run.
pub(crate) struct SseOutcome {
    pub(crate) requested: usize,
    pub(crate) opened: u64,
    pub(crate) statuses: BTreeMap<u16, u64>,
    pub(crate) failures: BTreeMap<&'static str, u64>,
    pub(crate) ended_early: u64,
    pub(crate) bytes: u64,
    pub(crate) events: u64,
    pub(crate) opening: Duration,
    pub(crate) held: Duration,
    /// Kibibytes, when a server pid was given and /proc could be read.
    pub(crate) server_rss_max_kib: Option<u64>,
    pub(crate) server_hwm_kib: Option<u64>,
    /// What the paced writer saw, when there was one.
    pub(crate) writes: Option<Tally>,
}

/// A run's settings.
pub(crate) struct SsePlan {
    pub(crate) connections: usize,
    pub(crate) hold: Duration,
    pub(crate) server_pid: Option<u32>,
    /// Actions one client takes per second while the streams are held (none: 0), so that events
    /// flow through every stream.
    pub(crate) actions_per_second: u32,
}

pub(crate) async fn run(target: Arc<Target>, plan: SsePlan) -> Result<SseOutcome, String> {
    let SsePlan { connections, hold, server_pid, actions_per_second } = plan;
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(OPENING_CONCURRENCY));
    let (opened_sender, mut opened_receiver) = mpsc::unbounded_channel::<()>();
    let (stop_sender, stop_receiver) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (target, gate, opened, stop) =
            (Arc::clone(&target), Arc::clone(&gate), opened_sender.clone(), stop_receiver.clone());
        tasks.spawn(async move { hold_stream(&target, &gate, &opened, stop).await });
    }
    drop(opened_sender);
    // Every stream reports once, opened or not.
    let mut reported = 0;
    while reported < connections && opened_receiver.recv().await.is_some() {
        reported += 1;
    }
    let opening = started.elapsed();
    let held_from = Instant::now();
    let writer = if actions_per_second > 0 {
        let plan = Arc::new(Plan::new(WRITER_NUMBER_PREFIX.to_owned())?);
        let period = Duration::from_secs(1) / actions_per_second;
        Some(tokio::spawn(run_paced_client(Arc::clone(&target), plan, held_from + hold, period)))
    } else {
        None
    };
    let mut server_rss_max_kib = server_pid.and_then(|pid| proc_status_kib(pid, "VmRSS:"));
    while held_from.elapsed() < hold {
        tokio::time::sleep(MEMORY_SAMPLE_PERIOD.min(hold.saturating_sub(held_from.elapsed()))).await;
        if let Some(pid) = server_pid {
            server_rss_max_kib = server_rss_max_kib.max(proc_status_kib(pid, "VmRSS:"));
        }
    }
    let server_hwm_kib = server_pid.and_then(|pid| proc_status_kib(pid, "VmHWM:"));
    let held = held_from.elapsed();
    let _ = stop_sender.send(true);
    let writes = match writer {
        Some(writer) => writer.await.ok(),
        None => None,
    };
    let mut outcome = SseOutcome {
        requested: connections,
        opened: 0,
        statuses: BTreeMap::new(),
        failures: BTreeMap::new(),
        ended_early: 0,
        bytes: 0,
        events: 0,
        opening,
        held,
        server_rss_max_kib,
        server_hwm_kib,
        writes,
    };
    while let Some(joined) = tasks.join_next().await {
        let Ok(stream) = joined else {
            *outcome.failures.entry("task failed").or_default() += 1;
            continue;
        };
        outcome.opened += u64::from(stream.opened);
        outcome.ended_early += u64::from(stream.ended_early);
        outcome.bytes += stream.bytes;
        outcome.events += stream.events;
        match stream.refused {
            Some(Ok(status)) => *outcome.statuses.entry(status).or_default() += 1,
            Some(Err(kind)) => *outcome.failures.entry(kind).or_default() += 1,
            None => {}
        }
    }
    Ok(outcome)
}

/// Opens one stream (waiting for a place at the gate), reports that it answered, and reads it
/// until told to stop.
async fn hold_stream(
    target: &Target,
    gate: &Semaphore,
    opened: &mpsc::UnboundedSender<()>,
    mut stop: watch::Receiver<bool>,
) -> StreamTally {
    let mut tally = StreamTally::default();
    let permit = gate.acquire().await;
    let answer = async {
        let mut sender = connect(target).await?;
        let accept = [(ACCEPT, "text/event-stream".to_owned())];
        let request = target.request(Method::GET, "/v1/events", &accept, None)?;
        let response = tokio::time::timeout(crate::connection::REQUEST_TIMEOUT, send_head(&mut sender, request))
            .await
            .map_err(|_| Failure::Timeout)??;
        Ok::<_, Failure>((sender, response))
    }
    .await;
    drop(permit);
    let _ = opened.send(());
    let (_sender, response) = match answer {
        Ok(answer) => answer,
        Err(failure) => {
            tally.refused = Some(Err(failure.name()));
            return tally;
        }
    };
    if !response.status().is_success() {
        tally.refused = Some(Ok(response.status().as_u16()));
        return tally;
    }
    tally.opened = true;
    let mut body = response.into_body();
    let mut events = EventCounter::default();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            frame = body.frame() => match frame {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        tally.bytes += data.len() as u64;
                        events.feed(data);
                    }
                }
                Some(Err(_)) | None => {
                    tally.ended_early = true;
                    break;
                }
            },
        }
    }
    tally.events = events.events;
    tally
}

/// Counts dispatched events in an event stream: a blank line after at least one field line
/// (a line of only comments, such as a keep-alive, dispatches nothing).
#[derive(Default)]
struct EventCounter {
    events: u64,
    mid_line: bool,
    has_field: bool,
}

impl EventCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            match byte {
                b'\n' => {
                    if !self.mid_line && self.has_field {
                        self.events += 1;
                        self.has_field = false;
                    }
                    self.mid_line = false;
                }
                b'\r' => {}
                _ if !self.mid_line => {
                    self.mid_line = true;
                    self.has_field |= byte != b':';
                }
                _ => {}
            }
        }
    }
}

/// A `Vm…:` line of /proc/PID/status, in kibibytes.
pub(crate) fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}
