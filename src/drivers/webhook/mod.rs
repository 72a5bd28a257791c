//! Warnings pushed to people: the sweeper that records crossings on an interval, and the
//! delivery loop that POSTs each warning, signed, to the webhooks that want it. Both are async
//! loops for `renewflow serve`, each over its own engine on the store's file (SQLite takes
//! several connections; the service's main writer is separate), with every store call on a
//! blocking thread. The rules stay in the engine: these loops read the clock and talk HTTP.

mod delivery;
mod signature;
mod store_access;
mod sweeper;

pub(crate) use delivery::run_deliveries;
pub(crate) use store_access::StoreAccess;
pub(crate) use sweeper::run_sweeper;

#[cfg(test)]
mod tests;
