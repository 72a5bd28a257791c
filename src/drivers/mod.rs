//! Drivers: the command line, and the warnings pushed to webhooks. They read files, the clock
//! and the terminal, talk HTTP, and call the core.

pub mod cli;
// Run by `renewflow serve`; until it calls them, only the tests do.
#[cfg(feature = "cli")]
#[allow(dead_code, unused_imports)]
pub(crate) mod wall_clock;
#[cfg(feature = "cli")]
#[allow(dead_code, unused_imports)]
pub(crate) mod webhook;
