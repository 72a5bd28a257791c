//! Opening the case store named by `--db` / `RENEWFLOW_DB`, and the instants the command line
//! stamps: the wall clock is read here, at the edge, never in the core.

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::Context;
use crate::engine::Engine;
use crate::store::SqliteStore;

/// The engine over the SQLite store at `--db`, created if missing, counting as the store says:
/// under its policy for dates after the data (`--beyond-data` on its first use; `statutory` by
/// default), on the calendar data installed in it.
pub(crate) fn open_engine(context: &Context) -> anyhow::Result<Engine<SqliteStore>> {
    open_engine_as(context, false)
}

/// The engine over the store at `--db` opened to read only: a missing or empty file is an error
/// naming the path (a command that only reads never creates a store), and a store on a
/// read-only file, directory or mount can be read.
pub(crate) fn open_engine_to_read(context: &Context) -> anyhow::Result<Engine<SqliteStore>> {
    open_engine_as(context, true)
}

fn open_engine_as(context: &Context, read_only: bool) -> anyhow::Result<Engine<SqliteStore>> {
    if let Some(path) = &context.calendar_file {
        anyhow::bail!(
            "a store counts on the calendar data installed in it, so every process and every later run counts \
             alike; install `{}` with `renewflow calendar install {}` instead of passing it to each command",
            path.display(),
            path.display()
        );
    }
    #[cfg(feature = "postgres")]
    if crate::store::postgres_schema::is_postgres_url(&context.db.to_string_lossy()) {
        anyhow::bail!(
            "`{}` names a PostgreSQL database; this renewflow's commands open SQLite stores only (a file \
             path): the PostgreSQL store is not finished",
            crate::store::postgres_schema::shown_url(&context.db.to_string_lossy())
        );
    }
    let store = if read_only { SqliteStore::open_read_only(&context.db) } else { SqliteStore::open(&context.db) };
    let store = store.with_context(|| format!("opening the case store `{}`", context.db.display()))?;
    Ok(Engine::open(store, context.calendars.clone(), context.beyond_data)?)
}

/// The zone instants are written in when the user gives none: China Standard Time.
pub(crate) fn default_zone() -> FixedOffset {
    const EIGHT_HOURS_SECONDS: i32 = 8 * 3600;
    FixedOffset::east_opt(EIGHT_HOURS_SECONDS).expect("+08:00 is a valid offset")
}

/// Now, at +08:00.
pub(crate) fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&default_zone())
}

/// An instant as typed: RFC 3339 (`2026-03-02T09:30:00+08:00`), or a local date and time
/// (`2026-03-02T09:30`, `2026-03-02 09:30:00`) or a date (at 09:00) in +08:00.
pub(crate) fn parse_instant(text: &str) -> anyhow::Result<DateTime<FixedOffset>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant);
    }
    let zone = default_zone();
    for pattern in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, pattern)
            && let Some(instant) = zone.from_local_datetime(&local).single()
        {
            return Ok(instant);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(instant) = date.and_hms_opt(9, 0, 0).and_then(|local| zone.from_local_datetime(&local).single())
    {
        return Ok(instant);
    }
    anyhow::bail!("`{text}` is not an instant; write 2026-03-02T09:30:00+08:00, 2026-03-02 09:30 or 2026-03-02")
}
