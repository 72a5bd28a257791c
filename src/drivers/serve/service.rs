//! `Service`: what every request handler shares: the writer, the readers, the principals known
//! and the wall clock.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::events::Events;
use super::principals::Principals;
use super::readers::Readers;
use super::watch_list::WatchList;
use super::writer::Writer;
use crate::drivers::wall_clock::WallClock;

/// The state every handler shares.
pub(crate) struct Service {
    pub(crate) writer: Writer,
    pub(crate) readers: Arc<Readers>,
    /// The principals of the keys callers sent, kept so a request needs no read to authenticate.
    pub(crate) principals: Arc<Principals>,
    /// The watch list, folded once for each change of the store.
    pub(crate) watch_list: Arc<WatchList>,
    /// The clock requests without an instant are stamped with: the system's, or in tests one
    /// they move. The core never reads it.
    pub(crate) clock: Arc<dyn WallClock>,
    pub(crate) events: Events,
    /// Who is signed in to the web pages.
    pub(crate) web_sessions: super::web::Sessions,
    /// The supervision statistics counted for the web pages, until the store changes.
    pub(crate) statistics: super::web::StatisticsKept,
}

impl Service {
    /// Now, on the service's clock.
    pub(crate) fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// Today's civil date at the clock's offset (+08:00 for the system clock).
    pub(crate) fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The handle handlers get.
pub(crate) type Shared = Arc<Service>;
