//! Logs go to stderr through `tracing`, filtered by `RUST_LOG` (default: warnings), so stdout
//! stays machine-readable.

use tracing_subscriber::EnvFilter;

pub(crate) fn init(color: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(color).try_init();
}
