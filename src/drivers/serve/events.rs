//! `GET /v1/events`: Server-Sent Events for dashboards. Every committed write to a case, and
//! every warning the sweeper records, is broadcast; each stream passes on what its caller may
//! read. A stream that falls behind is told so (`lagged`) and should read the state again; all
//! streams end when the service shuts down.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value as Json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::caller::Caller;
use super::problem::Problem;
use super::service::Shared;
use crate::engine::{Outcome, Principal};

/// Events kept for streams that fall behind; past it a stream is told it `lagged`.
pub(crate) const EVENTS_BUFFERED_MAX: usize = 4096;
/// How often an idle stream gets a comment, so proxies keep it open.
const KEEP_ALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// One thing that happened, as streamed: serialized once, when it is published, for every
/// stream that passes it on.
#[derive(Clone, Debug)]
pub(crate) struct ServiceEvent {
    /// `case` or `warning`.
    kind: &'static str,
    /// The workflow it concerns: who may see it.
    workflow: Arc<str>,
    /// Its JSON: `workflow` and the event's fields.
    data: Arc<str>,
}

/// How an event is serialized.
#[derive(Serialize)]
struct EventData<'a> {
    workflow: &'a str,
    #[serde(flatten)]
    data: Json,
}

/// The broadcast side, with the sequence that numbers events.
pub(crate) struct Events {
    sender: broadcast::Sender<(u64, ServiceEvent)>,
    sequence: AtomicU64,
    stop: watch::Sender<bool>,
}

impl Events {
    pub(crate) fn new() -> Events {
        let (sender, _) = broadcast::channel(EVENTS_BUFFERED_MAX);
        Events { sender, sequence: AtomicU64::new(0), stop: watch::Sender::new(false) }
    }

    /// Streams an event of `kind` about `workflow` to every subscriber (none listening is fine).
    fn publish(&self, kind: &'static str, workflow: &str, data: Json) {
        let data = serde_json::to_string(&EventData { workflow, data }).unwrap_or_default();
        let event = ServiceEvent { kind, workflow: Arc::from(workflow), data: Arc::from(data) };
        let id = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let _ = self.sender.send((id, event));
    }

    /// A committed write to a case.
    pub(crate) fn case_changed(&self, workflow: &str, outcome: &Outcome) {
        let kinds: Vec<Json> = outcome
            .events
            .iter()
            .filter_map(|record| serde_json::to_value(&record.kind).ok().and_then(|kind| kind.get("kind").cloned()))
            .collect();
        let data = serde_json::json!({
            "id": outcome.case_id, "number": outcome.number, "version": outcome.version,
            "at": outcome.events.last().map(|record| record.at.clone()), "events": kinds,
        });
        self.publish("case", workflow, data);
    }

    /// A warning the sweeper recorded (电子监察: a prompt, a yellow or a red card).
    pub(crate) fn warning(&self, warning: &crate::engine::Warning) {
        self.publish("warning", &warning.workflow, serde_json::to_value(warning).unwrap_or(Json::Null));
    }

    /// Ends every stream: the service is shutting down.
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Stream changes and warnings
///
/// Server-Sent Events: `case` for each committed write to a case (its `workflow`, `id`,
/// `number`, `version`, `at` and event kinds), `warning` for each warning recorded (as in
/// `/v1/warnings`), `lagged` when the stream fell behind (`{"missed": n}`: read the state
/// again). Only what the key reads; a comment every 15 s keeps it open; it ends when the service
/// shuts down.
#[utoipa::path(
    get, path = "/v1/events", operation_id = "events", tag = "supervision",
    responses((status = 200, description = "The event stream", content_type = "text/event-stream", body = String)),
    security(("bearer" = [])),
)]
pub(crate) async fn events(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    Ok(stream_for(&service, caller.0))
}

/// The event stream of what `principal` may read (for the API and for the web pages, whose
/// visitors are signed in by a cookie).
pub(crate) fn stream_for(service: &Shared, principal: Principal) -> Response {
    let receiver = service.events.sender.subscribe();
    let stop = service.events.stop.subscribe();
    let stream = futures_util::stream::unfold((receiver, stop, principal), next_event);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE_INTERVAL)).into_response()
}

type StreamState = (broadcast::Receiver<(u64, ServiceEvent)>, watch::Receiver<bool>, Principal);

/// The next event this caller may read, or the end of the stream.
async fn next_event(state: StreamState) -> Option<(Result<Event, Infallible>, StreamState)> {
    let (mut receiver, mut stop, caller) = state;
    loop {
        if *stop.borrow() {
            return None;
        }
        tokio::select! {
            _ = stop.changed() => return None,
            received = receiver.recv() => match received {
                Ok((id, event)) if caller.may_read(&event.workflow) => {
                    let shown = Event::default().id(id.to_string()).event(event.kind).data(&*event.data);
                    return Some((Ok(shown), (receiver, stop, caller)));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    let shown = Event::default().event("lagged").data(format!("{{\"missed\":{missed}}}"));
                    return Some((Ok(shown), (receiver, stop, caller)));
                }
                Err(RecvError::Closed) => return None,
            },
        }
    }
}
