//! The service's limits, each named once: what a request may weigh and how long it may take, how
//! many rows a page holds, how many requests may wait for the writer.

use std::time::Duration;

/// The largest request body, in bytes, but for deployments and calendar installations.
pub(crate) const BODY_BYTES_MAX: usize = 64 * 1024;
/// The largest body of a deployment (a workflow with its `extends` files) or a calendar file.
pub(crate) const FILE_BODY_BYTES_MAX: usize = 4 * 1024 * 1024;
/// The largest request head (request line and headers), in bytes.
pub(crate) const HEAD_BYTES_MAX: usize = 16 * 1024;
/// The most headers a request may have.
pub(crate) const HEADERS_MAX: usize = 64;
/// How long a client may take to send a request's head.
pub(crate) const HEAD_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take, from its head read to its answer; longer ones are answered 503.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default rows of a page.
pub(crate) const PAGE_ROWS_DEFAULT: u64 = 50;
/// The most rows a page may ask for.
pub(crate) const PAGE_ROWS_MAX: u64 = 1000;
/// The most date pairs of one bulk calendar query.
pub(crate) const BULK_PAIRS_MAX: usize = 10_000;
/// The most writes waiting for the writer; past it a write is answered 503 `busy` at once.
pub(crate) const WRITES_QUEUED_MAX: usize = 4096;
/// The most case writes committed together in one batch.
pub(crate) const BATCH_WRITES_MAX: usize = 512;
/// The reader threads: the most reads running at once, each on its own read-only connection to
/// the store, kept open. Two keep up with two cores; each more holds an engine, a page cache and
/// an allocator arena.
pub(crate) const READERS_MAX: usize = 2;
/// The most reads waiting for a reader; past it a read is answered 503 `busy` at once.
pub(crate) const READS_QUEUED_MAX: usize = 4096;
/// The most threads the other blocking work runs on (the watch list's folds, the warning and
/// webhook loops' store work). Each thread may hold its own allocator arena; tokio's default
/// (512) let a burst of work leave memory spread over hundreds of them.
pub(crate) const BLOCKING_THREADS_MAX: usize = 4;
/// The longest `Idempotency-Key`, in characters.
pub(crate) const IDEMPOTENCY_KEY_CHARS_MAX: usize = 255;
/// How long a graceful shutdown waits for requests in flight before it closes their connections.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often the service reads the key log's length, to forget the principals it keeps once a
/// key was created or revoked by another process: the longest a key revoked on the command line
/// still works.
pub(crate) const KEY_LOG_POLL: Duration = Duration::from_millis(500);
/// The most principals kept in memory; past it, all are forgotten and read again.
pub(crate) const PRINCIPALS_KEPT_MAX: usize = 10_000;
/// How often the write-ahead log is copied back into the database, away from the writer.
pub(crate) const CHECKPOINT_PERIOD: Duration = Duration::from_millis(500);
/// The most watch lists kept at once, each as of its own date.
pub(crate) const WATCH_LISTS_KEPT_MAX: usize = 4;
/// The most selections (grants and filters) kept of one watch list.
pub(crate) const WATCH_SELECTIONS_KEPT_MAX: usize = 64;
/// The most first pages kept, answered as sent, per selection of a watch list (one per page
/// size asked).
pub(crate) const WATCH_FIRST_PAGES_KEPT_MAX: usize = 2;
/// A first page longer than this is made again for each request, so the pages kept stay small
/// beside the lists: at most 4 lists × 64 selections × 2 pages × 32 KiB = 16 MiB, and far less in
/// practice (a page of 50 rows is about 20 KiB).
pub(crate) const WATCH_FIRST_PAGE_KEPT_BYTES_MAX: usize = 32 * 1024;
