//! Drivers: the command line, and the warnings pushed to webhooks. They read files, the clock
//! and the terminal, talk HTTP, and call the core.

pub mod cli;
pub(crate) mod serve;
pub(crate) mod views;
#[cfg(feature = "cli")]
pub(crate) mod wall_clock;
#[cfg(feature = "cli")]
pub(crate) mod webhook;
