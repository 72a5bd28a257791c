//! Drivers: the command line. They read files, the clock and the terminal, and call the core.

pub mod cli;
pub(crate) mod serve;
pub(crate) mod views;
