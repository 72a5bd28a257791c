//! The bare server `renewflow serve` is measured against (issue 26; `bench/serve_vs_bare.sh`):
//! the same stack (axum 0.8 on tokio, rusqlite with bundled SQLite in WAL, `synchronous=NORMAL`)
//! answering the same two routes with the same headers, but with no engine behind them. Each
//! request is ONE INSERT of an event row shaped like a row of renewflow's `events` table (case id,
//! sequence, instant, the JSON record, previous hash, SHA-256 hash, algorithm), in a transaction
//! of its own, and nothing else: no fold, no rule, no derived rows, no idempotency table. Cases
//! live in memory (their version and head hash), so the version a client sends in `If-Match` is
//! checked as renewflow checks it.
//!
//! ```text
//! POST /v1/cases                 {"workflow", "number", "at", "attributes"} → 201 {"id", "number", "version": 1}
//! POST /v1/cases/{id}/actions    {"action", "role", "at"}, If-Match: "N"    → 200 {"version": N + 1}
//! GET  /healthz                  → 200
//! ```
//!
//! Both POSTs need `Authorization: Bearer TOKEN` (401) and an `Idempotency-Key` (400, not kept);
//! a missing or malformed `If-Match` is 428, a stale one 412, an unknown case 404.
//!
//! The writer is a dedicated thread that owns the one connection and takes requests from a
//! bounded channel, answering each through a oneshot: the shape `renewflow serve` has (one
//! writer thread owns the read-write store), so the two differ only in the work per request.
//! It is also the faster of the two natural bare implementations on the 2-core build machine,
//! so the floor is not one that is easy to beat: in 8 pairs of alternating 10 s runs of 64
//! clients (load average 4–9 from other work), the connection behind a `std::sync::Mutex` locked
//! inside the handler acknowledged 7,700–11,400 requests/s and the writer thread 9,900–15,000,
//! more in every pair.
//!
//! `cargo run --release --example bare_insert_server -- --db /tmp/bare.db --listen 127.0.0.1:8080 --token T`

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

/// The `events` table of migrations/0001_init.sql, less the foreign key to `cases` (which would
/// need a second INSERT per opening, and is not enforced unless `foreign_keys` is on).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS events (
    case_id TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    at TEXT NOT NULL,
    record TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    hash_algorithm TEXT NOT NULL,
    PRIMARY KEY (case_id, sequence)
) STRICT, WITHOUT ROWID;";
const INSERT: &str = "INSERT INTO events (case_id, sequence, at, record, previous_hash, hash, hash_algorithm) \
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/// renewflow's algorithm tag, so rows are as long as its rows.
const HASH_ALGORITHM: &str = "sha256:renewflow-event-v1";
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Writes waiting for the writer thread; a handler waits for room beyond this.
const WRITE_QUEUE_MAX: usize = 1_024;
/// Who every event names: the bare server has no keys, so no key names.
const ACTOR: &str = "load";

#[derive(Parser)]
#[command(about = "The bare one-INSERT-per-request server that `renewflow serve` is measured against")]
struct Arguments {
    /// The SQLite file, created if missing
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The token clients send as `Authorization: Bearer TOKEN`
    #[arg(long, default_value = "bare")]
    token: String,
}

struct CaseHead {
    version: u64,
    hash: String,
}

struct Store {
    connection: Connection,
    cases: HashMap<String, CaseHead>,
}

/// What a handler asks of the writer thread.
enum Write {
    Open { id: String, at: String, record: String, reply: oneshot::Sender<Result<(), String>> },
    Act { id: String, expected_version: u64, at: String, record: String, reply: oneshot::Sender<Result<u64, Refusal>> },
}

/// Why the writer did not append an action.
enum Refusal {
    UnknownCase,
    Stale { version: u64 },
    Store(String),
}

struct App {
    writes: mpsc::Sender<Write>,
    authorization: String,
}

#[derive(Deserialize)]
struct Opening {
    workflow: String,
    number: String,
    at: String,
    #[serde(default)]
    attributes: serde_json::Value,
}

#[derive(Deserialize)]
struct Acting {
    action: String,
    role: String,
    at: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments = Arguments::parse();
    let connection = Connection::open(&arguments.db)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "wal_autocheckpoint", renewflow::store::WAL_CHECKPOINT_PAGES)?;
    connection.execute_batch(SCHEMA)?;
    let (writes, queue) = mpsc::channel(WRITE_QUEUE_MAX);
    let store = Store { connection, cases: HashMap::new() };
    std::thread::Builder::new().name("writer".to_owned()).spawn(move || write_all(store, queue))?;
    let app = Arc::new(App { writes, authorization: format!("Bearer {}", arguments.token) });
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/cases", post(open))
        .route("/v1/cases/{id}/actions", post(act))
        .with_state(app);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&arguments.listen).await?;
        eprintln!("bare_insert_server: listening on {}", listener.local_addr()?);
        axum::serve(listener, router).await
    })?;
    Ok(())
}

/// Refuses a request without the token or an idempotency key.
fn check_headers(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    if headers.get(header::AUTHORIZATION).is_none_or(|value| value.as_bytes() != app.authorization.as_bytes()) {
        return Err(problem(StatusCode::UNAUTHORIZED, "a valid `Authorization: Bearer` token is required"));
    }
    if headers.get("idempotency-key").is_none_or(axum::http::HeaderValue::is_empty) {
        return Err(problem(StatusCode::BAD_REQUEST, "an `Idempotency-Key` header is required"));
    }
    Ok(())
}

async fn open(State(app): State<Arc<App>>, headers: HeaderMap, Json(opening): Json<Opening>) -> Response {
    if let Err(refusal) = check_headers(&app, &headers) {
        return refusal;
    }
    let id = uuid::Uuid::now_v7().to_string();
    let record = json!({
        "at": opening.at,
        "actor": ACTOR,
        "role": null,
        "kind": "opened",
        "case": {"workflow": opening.workflow, "number": opening.number},
        "attributes": opening.attributes,
    })
    .to_string();
    let (reply, written) = oneshot::channel();
    let write = Write::Open { id: id.clone(), at: opening.at, record, reply };
    match ask(&app, write, written).await {
        Ok(Ok(())) => {}
        Ok(Err(message)) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &message),
        Err(refusal) => return refusal,
    }
    (StatusCode::CREATED, Json(json!({"id": id, "number": opening.number, "version": 1}))).into_response()
}

async fn act(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(acting): Json<Acting>,
) -> Response {
    if let Err(refusal) = check_headers(&app, &headers) {
        return refusal;
    }
    let Some(expected_version) = headers.get(header::IF_MATCH).and_then(|value| parse_if_match(value.as_bytes()))
    else {
        return problem(StatusCode::PRECONDITION_REQUIRED, "an `If-Match: \"VERSION\"` header is required");
    };
    let record = json!({
        "at": acting.at,
        "actor": ACTOR,
        "role": acting.role,
        "kind": "acted",
        "action": acting.action,
    })
    .to_string();
    let (reply, written) = oneshot::channel();
    let write = Write::Act { id, expected_version, at: acting.at, record, reply };
    match ask(&app, write, written).await {
        Ok(Ok(version)) => Json(json!({"version": version})).into_response(),
        Ok(Err(Refusal::UnknownCase)) => problem(StatusCode::NOT_FOUND, "no such case"),
        Ok(Err(Refusal::Stale { version })) => {
            (StatusCode::PRECONDITION_FAILED, Json(json!({"error": "stale version", "version": version})))
                .into_response()
        }
        Ok(Err(Refusal::Store(message))) => problem(StatusCode::INTERNAL_SERVER_ERROR, &message),
        Err(refusal) => refusal,
    }
}

/// Queues a write and waits for the writer's answer.
async fn ask<T>(app: &App, write: Write, written: oneshot::Receiver<T>) -> Result<T, Response> {
    let gone = || problem(StatusCode::INTERNAL_SERVER_ERROR, "the writer thread has stopped");
    app.writes.send(write).await.map_err(|_| gone())?;
    written.await.map_err(|_| gone())
}

/// The writer thread: each write in its own transaction, in the order they were queued.
fn write_all(mut store: Store, mut queue: mpsc::Receiver<Write>) {
    while let Some(write) = queue.blocking_recv() {
        match write {
            Write::Open { id, at, record, reply } => {
                let appended = append(&mut store.connection, &id, 0, &at, &record, GENESIS_HASH);
                let answer = appended.map(|hash| {
                    store.cases.insert(id, CaseHead { version: 1, hash });
                });
                let _ = reply.send(answer.map_err(|error| error.to_string()));
            }
            Write::Act { id, expected_version, at, record, reply } => {
                let _ = reply.send(act_on(&mut store, &id, expected_version, &at, &record));
            }
        }
    }
}

fn act_on(store: &mut Store, id: &str, expected_version: u64, at: &str, record: &str) -> Result<u64, Refusal> {
    let Store { connection, cases } = store;
    let head = cases.get_mut(id).ok_or(Refusal::UnknownCase)?;
    if head.version != expected_version {
        return Err(Refusal::Stale { version: head.version });
    }
    head.hash = append(connection, id, head.version, at, record, &head.hash)
        .map_err(|error| Refusal::Store(error.to_string()))?;
    head.version += 1;
    Ok(head.version)
}

/// The one INSERT, in a transaction of its own; the new row's hash.
fn append(
    connection: &mut Connection,
    id: &str,
    sequence: u64,
    at: &str,
    record: &str,
    previous_hash: &str,
) -> rusqlite::Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(previous_hash.as_bytes());
    hasher.update(record.as_bytes());
    let hash = hex(&hasher.finalize());
    let transaction = connection.transaction()?;
    transaction.prepare_cached(INSERT)?.execute(rusqlite::params![
        id,
        sequence as i64,
        at,
        record,
        previous_hash,
        hash,
        HASH_ALGORITHM
    ])?;
    transaction.commit()?;
    Ok(hash)
}

/// `"12"` (an entity tag, quotes included) as 12.
fn parse_if_match(value: &[u8]) -> Option<u64> {
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    std::str::from_utf8(inner).ok()?.parse().ok()
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
