//! `renewflow serve`: the HTTP/JSON service over the store at `--db`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::store::{now, open_engine};
use super::{Context, EXIT_OK};
use crate::drivers::serve::{ServeOptions, WallClock, run as serve};

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on: loopback by default; put TLS in a reverse proxy in front (see
    /// docs/service.md). Port 0 picks a free port, printed on stderr.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// For tests: read the service's "now" from this file (an RFC 3339 instant) on every use.
    #[arg(long, value_name = "FILE", hide = true)]
    clock_file: Option<PathBuf>,
}

pub(crate) fn run(context: &Context, args: ServeArgs) -> anyhow::Result<i32> {
    let engine = open_engine(context)?;
    let clock: WallClock = match args.clock_file {
        None => Box::new(now),
        Some(path) => Box::new(move || {
            std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| chrono::DateTime::parse_from_rfc3339(text.trim()).ok())
                .unwrap_or_else(now)
        }),
    };
    serve(ServeOptions {
        listen: args.listen,
        db: context.db.clone(),
        calendars: context.calendars.clone(),
        engine,
        clock,
    })?;
    Ok(EXIT_OK)
}
