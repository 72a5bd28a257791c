//! `renewflow serve`: the engine as an HTTP/JSON service for case-handling software in any
//! language. A driver like the command line: it authenticates callers, checks their grants,
//! reads requests and answers them; every rule stays in the core and the engine.
//!
//! One writer thread owns the read-write store ([`writer`]); reads run on blocking threads over
//! read-only connections ([`readers`]). Connections are served by hyper's HTTP/1 server with
//! named limits ([`limits`]); SIGTERM or SIGINT stops accepting, lets requests in flight finish,
//! then lets the writer finish its queue.

mod admin;
mod answer;
mod calendars;
mod caller;
mod case_reads;
mod case_writes;
mod documents;
mod limits;
mod listener;
mod openapi;
mod principal_shim;
mod problem;
mod readers;
mod request;
mod routes;
mod service;
mod watch;
mod workflows;
mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::core::calendar::Calendars;
use crate::engine::Engine;
use crate::store::SqliteStore;
pub(crate) use openapi::document_json as openapi_json;
pub(crate) use service::WallClock;

/// What `serve` needs to start.
pub(crate) struct ServeOptions {
    pub(crate) listen: SocketAddr,
    /// The store's file, for the readers' connections.
    pub(crate) db: PathBuf,
    pub(crate) calendars: Calendars,
    /// The read-write engine the writer owns.
    pub(crate) engine: Engine<SqliteStore>,
    pub(crate) clock: WallClock,
}

/// Serves until SIGTERM or SIGINT; returns once every request in flight was answered and every
/// queued write committed.
///
/// # Errors
///
/// When the address cannot be bound or the runtime cannot start.
pub(crate) fn run(options: ServeOptions) -> anyhow::Result<()> {
    let ServeOptions { listen, db, calendars, engine, clock } = options;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("renewflow-serve")
        .build()
        .context("starting the service's runtime")?;
    let writer = writer::Writer::start(engine).context("starting the writer thread")?;
    let service = Arc::new(service::Service { writer, readers: Arc::new(readers::Readers::new(db, calendars)), clock });
    let served = runtime.block_on(async {
        let tcp = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let address = tcp.local_addr()?;
        eprintln!("renewflow serve: listening on http://{address}");
        tracing::info!(%address, "listening");
        listener::serve(tcp, routes::router(Arc::clone(&service)), listener::shutdown_signal()).await;
        anyhow::Ok(())
    });
    // Every request in flight has been answered; the writer finishes what is queued.
    service.writer.stop();
    eprintln!("renewflow serve: stopped");
    served
}
