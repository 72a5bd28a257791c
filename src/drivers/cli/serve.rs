//! `renewflow serve`: the HTTP/JSON service over the store at `--db`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use std::sync::Arc;

use super::store::open_engine;
use super::{Context, EXIT_OK};
use crate::drivers::serve::{REQUEST_TIMEOUT, ServeOptions, run as serve};
use crate::drivers::wall_clock::{FileClock, SystemClock, WallClock};

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on: loopback by default; put TLS in a reverse proxy in front (see
    /// docs/service.md). Port 0 picks a free port, printed on stderr.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// For tests: read the service's "now" (requests without an instant, the warning sweeper,
    /// webhook deliveries) from this file, an RFC 3339 instant, on every use.
    #[arg(long, value_name = "FILE", hide = true)]
    clock_file: Option<PathBuf>,
    /// For tests: the time limit of a request, in milliseconds, in place of the 30 s default.
    #[arg(long, value_name = "MS", hide = true)]
    request_timeout_ms: Option<u64>,
}

pub(crate) fn run(context: &Context, args: ServeArgs) -> anyhow::Result<i32> {
    let engine = open_engine(context)?;
    let clock: Arc<dyn WallClock> = match args.clock_file {
        None => Arc::new(SystemClock),
        Some(path) => Arc::new(FileClock::new(path)),
    };
    serve(ServeOptions {
        listen: args.listen,
        db: context.db.clone(),
        calendars: context.calendars.clone(),
        beyond_data: context.beyond_data,
        request_timeout: args.request_timeout_ms.map_or(REQUEST_TIMEOUT, std::time::Duration::from_millis),
        engine,
        clock,
    })?;
    Ok(EXIT_OK)
}
