//! The sweeper: records the warnings due, at start, whenever the clock's date changes (looked at
//! every [`DATE_CHECK_INTERVAL`]), and every [`SWEEP_INTERVAL`] (an action may bring a crossing
//! to today), and hands each new one to a callback (the service broadcasts it as a Server-Sent
//! Event). The date is the clock's, in the clock's offset.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tokio::sync::watch;

use super::store_access::{StoreAccess, blocking};
use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::drivers::wall_clock::WallClock;
use crate::engine::Warning;

/// How often the sweeper sweeps on the same date.
pub(crate) const SWEEP_INTERVAL: Duration = Duration::from_mins(1);

/// How often the sweeper looks at the clock for a new date.
pub(crate) const DATE_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// What the sweeper does with each warning it recorded.
pub(crate) type WarningCallback = Box<dyn Fn(&Warning) + Send + Sync>;

/// Sweeps until `shutdown` turns true (or its sender is dropped), with its own engine on
/// `store`. A store error is logged and the sweep made again at the next interval.
///
/// # Errors
///
/// When the store cannot be opened.
pub(crate) async fn run_sweeper(
    store: StoreAccess,
    clock: Arc<dyn WallClock>,
    on_warning: WarningCallback,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let engine = store.open().await?;
    let mut last_sweep: Option<(NaiveDate, Instant)> = None;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let now = clock.now();
        let today = now.date_naive();
        let due = last_sweep.is_none_or(|(date, when)| date != today || when.elapsed() >= SWEEP_INTERVAL);
        if due {
            match blocking(&engine, move |engine| engine.sweep_warnings(today, now)).await {
                Ok(warnings) => {
                    for warning in &warnings {
                        // Names users wrote reach the log escaped, as they reach the terminal.
                        let shown = |text: &str| escape_unprintable(text, LineBreaks::Escaped).into_owned();
                        tracing::info!(
                            "warning {}: {} for clock `{}` of case {} on {}",
                            warning.id,
                            warning.kind.name(),
                            shown(&warning.clock),
                            shown(&warning.number),
                            warning.applies_on
                        );
                        on_warning(warning);
                    }
                }
                Err(error) => tracing::warn!("sweeping warnings as of {today}: {error:#}"),
            }
            last_sweep = Some((today, Instant::now()));
        }
        tokio::select! {
            () = tokio::time::sleep(DATE_CHECK_INTERVAL) => {}
            _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
        }
    }
}
