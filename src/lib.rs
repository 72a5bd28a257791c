//! renewflow: an engine for statutory, time-limited approval workflows whose limits are counted
//! in working days on a real China-mainland calendar.
//!
//! - [`core::calendar`]: the working-day calendar (built-in `cn-mainland`, 2004–2026, extendable
//!   at run time), working-day counts, due dates and civil-code periods.
//!
//! The command line lives behind the default `cli` feature; embedders can turn it off.

pub mod audit;
pub mod core;
pub mod engine;
pub mod simulate;
pub mod store;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod drivers;
