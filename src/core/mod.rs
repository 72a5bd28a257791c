//! The pure core: no I/O, no wall clock, no randomness, no SQL, no printing. Everything it needs
//! comes in as arguments.

pub mod calendar;
pub mod case;
pub mod printable;
pub mod problem;
pub(crate) mod spanned_map;
pub mod suggest;
pub mod workflow;
