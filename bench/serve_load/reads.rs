//! `reads`: each client asks, one request after another, for the timing of cases made before
//! the run (each client walks its own stride of the ids) and for the first page of the watch
//! list, or only one of the two.

use std::sync::Arc;
use std::time::Instant;

use hyper::Method;

use crate::connection::{Client, Target};
use crate::tally::{Route, Tally};

/// The date every read counts to: the end of the year the cases are dated in.
const AS_OF: &str = "2026-12-31";
/// The watch list's first page.
const WATCH_PAGE_ROWS: usize = 50;
/// The most case ids a `--cases-file` may hold.
const CASE_IDS_MAX: usize = 1_000_000;
/// The longest `--cases-file` read: a million ids of 36 characters and their line ends, with room.
const CASE_IDS_FILE_BYTES_MAX: u64 = 64 << 20;

/// Which reads a run sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReadKind {
    /// `GET /v1/cases/{id}/timing`
    Timing,
    /// `GET /v1/watch`, first page
    Watch,
    /// Both in turn
    Mixed,
}

impl ReadKind {
    pub(crate) fn needs_cases(self) -> bool {
        self != ReadKind::Watch
    }
}

/// One client's loop until `deadline`. `ids` is not empty when `kind` reads timing.
pub(crate) async fn run_client(
    target: Arc<Target>,
    ids: Arc<Vec<String>>,
    kind: ReadKind,
    client_index: usize,
    clients: usize,
    deadline: Instant,
) -> Tally {
    let mut client = Client::new(target);
    let mut tally = Tally::new();
    let mut position = client_index;
    let mut turn = 0_u64;
    while Instant::now() < deadline {
        turn += 1;
        let route = match kind {
            ReadKind::Mixed if turn.is_multiple_of(2) => Route::Timing,
            ReadKind::Timing => Route::Timing,
            ReadKind::Watch | ReadKind::Mixed => Route::Watch,
        };
        let path = if route == Route::Timing && !ids.is_empty() {
            let id = &ids[position % ids.len()];
            position += clients;
            format!("/v1/cases/{id}/timing?as_of={AS_OF}")
        } else {
            format!("/v1/watch?as_of={AS_OF}&limit={WATCH_PAGE_ROWS}")
        };
        let outcome = match client.target().request(Method::GET, &path, &[], None) {
            Ok(request) => client.send(request).await,
            Err(failure) => Err(failure),
        };
        tally.count(route, &outcome);
    }
    tally
}

/// Case ids from a file, one a line; blank lines are skipped.
pub(crate) fn read_case_ids(path: &std::path::Path) -> Result<Vec<String>, String> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|error| format!("`{shown}`: {error}"))?;
    let mut text = String::new();
    file.take(CASE_IDS_FILE_BYTES_MAX + 1).read_to_string(&mut text).map_err(|error| format!("`{shown}`: {error}"))?;
    if text.len() as u64 > CASE_IDS_FILE_BYTES_MAX {
        return Err(format!("`{shown}` is longer than {CASE_IDS_FILE_BYTES_MAX} bytes"));
    }
    let ids: Vec<String> = text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect();
    if ids.len() > CASE_IDS_MAX {
        return Err(format!("`{shown}` holds {} ids, more than {CASE_IDS_MAX}", ids.len()));
    }
    Ok(ids)
}
