-- renewflow case store, schema version 5.
-- What the store counts days with, so every process and every later run of the store counts on
-- the same data.

-- Settings fixed by the store, not by each command: `beyond_data` (the policy for dates after
-- the calendar's data, set on the store's first use) and `derived_calendar` (the calendar data
-- the derived figures in `open_clocks` were computed with).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Calendar files installed into the store (`renewflow calendar install`), in order, each loaded
-- over the built-in data and the ones before it. Hash-chained like a case's events: `hash` is
-- SHA-256 over `previous_hash` and the row's fields (`verify` recomputes it), `sha256` the
-- file's text.
CREATE TABLE calendar_installs (
    sequence INTEGER PRIMARY KEY CHECK (sequence >= 0),
    name TEXT NOT NULL,             -- the file as named when installed
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    installed_by TEXT NOT NULL,
    installed_at TEXT NOT NULL,     -- RFC 3339 with offset
    reason TEXT,                    -- required when the file changed days already covered
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE TRIGGER calendar_installs_are_never_updated BEFORE UPDATE ON calendar_installs
BEGIN
    SELECT RAISE(ABORT, 'calendar installations are append-only: UPDATE refused');
END;

CREATE TRIGGER calendar_installs_are_never_deleted BEFORE DELETE ON calendar_installs
BEGIN
    SELECT RAISE(ABORT, 'calendar installations are append-only: DELETE refused');
END;
