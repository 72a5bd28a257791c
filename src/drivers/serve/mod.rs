//! `renewflow serve`: the engine as an HTTP/JSON service for case-handling software in any
//! language. A driver like the command line: it authenticates callers, checks their grants,
//! reads requests and answers them; every rule stays in the core and the engine.
//!
//! One writer thread owns the read-write store ([`writer`]); reads run on reader threads over
//! read-only connections ([`readers`]); a checkpointer thread copies the write-ahead log back
//! ([`checkpointer`]). Connections are served by hyper's HTTP/1 server with
//! named limits ([`limits`]); SIGTERM or SIGINT stops accepting, lets requests in flight finish,
//! then lets the writer finish its queue.

mod admin;
mod answer;
mod calendars;
mod caller;
mod case_reads;
mod case_writes;
mod checkpointer;
mod documents;
mod events;
mod keys;
mod limits;
mod listener;
mod openapi;
mod principals;
mod problem;
mod readers;
mod request;
mod routes;
mod service;
mod warnings;
mod watch;
mod watch_list;
mod web;
mod workflows;
mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::core::calendar::{BeyondData, Calendars};
use crate::drivers::wall_clock::WallClock;
use crate::drivers::webhook::{StoreAccess, run_deliveries, run_sweeper};
use crate::engine::Engine;
use crate::store::SqliteStore;
use limits::BLOCKING_THREADS_MAX;
pub(crate) use limits::REQUEST_TIMEOUT;
pub(crate) use openapi::document_json as openapi_json;

/// What `serve` needs to start.
pub(crate) struct ServeOptions {
    pub(crate) listen: SocketAddr,
    /// The store's file, for the readers' connections.
    pub(crate) db: PathBuf,
    pub(crate) calendars: Calendars,
    /// The policy given on the command line, if any (a store keeps its own).
    pub(crate) beyond_data: Option<BeyondData>,
    /// How long a request may take ([`REQUEST_TIMEOUT`] but in tests).
    pub(crate) request_timeout: std::time::Duration,
    /// The read-write engine the writer owns.
    pub(crate) engine: Engine<SqliteStore>,
    pub(crate) clock: Arc<dyn WallClock>,
}

/// Serves until SIGTERM or SIGINT; returns once every request in flight was answered and every
/// queued write committed.
///
/// # Errors
///
/// When the address cannot be bound or the runtime cannot start.
pub(crate) fn run(options: ServeOptions) -> anyhow::Result<()> {
    let ServeOptions { listen, db, calendars, beyond_data, request_timeout, engine, clock } = options;
    let loops = StoreAccess { db: db.clone(), calendars: calendars.clone(), beyond_data };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS_MAX)
        .thread_name("renewflow-serve")
        .build()
        .context("starting the service's runtime")?;
    engine.store().hand_checkpoints_off()?;
    let writer = writer::Writer::start(engine).context("starting the writer thread")?;
    let checkpointer = checkpointer::Checkpointer::start(&db, writer.checkpoint_asker())
        .context("starting the checkpointer thread")?;
    let service = Arc::new(service::Service {
        writer,
        readers: readers::Readers::start(db.clone(), calendars.clone()).context("starting the reader threads")?,
        watch_list: Arc::new(watch_list::WatchList::new(db, calendars)),
        principals: Arc::new(principals::Principals::new()),
        web_sessions: web::Sessions::new(),
        statistics: web::StatisticsKept::default(),
        clock: Arc::clone(&clock),
        events: events::Events::new(),
    });
    let served = runtime.block_on(async {
        let tcp = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let address = tcp.local_addr()?;
        eprintln!("renewflow serve: listening on http://{address}");
        tracing::info!(%address, "listening");
        // The warning sweeper and the webhook deliveries run beside the requests, each with its
        // own connection to the store, until the service stops.
        let (stop_loops, loops_stop) = tokio::sync::watch::channel(false);
        let publishing = Arc::clone(&service);
        let on_warning = Box::new(move |warning: &crate::engine::Warning| publishing.events.warning(warning));
        let sweeper = tokio::spawn(run_sweeper(loops.clone(), Arc::clone(&clock), on_warning, loops_stop.clone()));
        let deliveries = tokio::spawn(run_deliveries(loops, clock, loops_stop.clone()));
        let key_log =
            tokio::spawn(Arc::clone(&service.principals).watch_key_log(Arc::clone(&service.readers), loops_stop));
        // Today's watch list folded before the first page asks for it (with many open clocks a
        // fold takes most of a second); later changes refold it as pages ask.
        let warming = Arc::clone(&service);
        tokio::spawn(async move {
            let everything = watch_list::Selection {
                readable: None,
                workflow: None,
                clock: None,
                level: None,
                role: None,
                held: None,
            };
            if let Err(problem) = warming.watch_list.select(warming.today(), everything).await {
                tracing::warn!(problem = %problem.document(), "the watch list could not be folded at start");
            }
        });
        let stopping = Arc::clone(&service);
        let shutdown = async move {
            listener::shutdown_signal().await;
            // Event streams never end by themselves: end them so the shutdown can finish.
            stopping.events.stop();
            let _ = stop_loops.send(true);
        };
        listener::serve(tcp, routes::router(Arc::clone(&service), request_timeout), shutdown).await;
        if let Err(error) = key_log.await {
            tracing::error!("the key log's watch failed: {error}");
        }
        for (name, task) in [("warning sweeper", sweeper), ("webhook deliveries", deliveries)] {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!("the {name} stopped: {error:#}"),
                Err(error) => tracing::error!("the {name} failed: {error}"),
            }
        }
        anyhow::Ok(())
    });
    // Every request in flight has been answered; the writer finishes what is queued.
    service.readers.stop();
    service.writer.stop();
    checkpointer.stop();
    eprintln!("renewflow serve: stopped");
    served
}
