-- renewflow case store, schema version 9.
-- Warnings that reach people, as 电子监察 systems issue them: a prompt one working day before a
-- clock's promised limit, a yellow card, a red card, each kept on record once, and pushed to the
-- webhooks that asked for it, with every delivery attempt logged.

-- On each open clock: the date of its prompt (the working day one working day before its
-- promised due date; NULL without a promised limit, or when that date is unknown or beyond the
-- data) and the promised due date itself, so a warning set by the promised limit names it.
ALTER TABLE open_clocks ADD COLUMN prompt_on TEXT;             -- YYYY-MM-DD
ALTER TABLE open_clocks ADD COLUMN promised_due_date TEXT;     -- YYYY-MM-DD, a running clock's

-- Rows written before this schema lack the new figures (and date a level reached before the
-- case's last event on that event): mark the derived data as computed with other data, so
-- `check` says so and `renewflow calendar recompute` writes them.
UPDATE settings SET value = value || ' (before schema 9)' WHERE key = 'derived_calendar';

-- Every warning issued: one per crossing, never issued twice (the UNIQUE key), never changed.
-- The figures are those at issue: the limit that set it, its due date, and which limit it was.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    workflow TEXT NOT NULL,
    number TEXT NOT NULL,
    clock TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('prompt', 'yellow', 'red')),
    applies_on TEXT NOT NULL,       -- YYYY-MM-DD: the date the crossing happens
    issued_at TEXT NOT NULL,        -- RFC 3339 with offset
    time_limit TEXT,                -- e.g. `15 wd`
    due_date TEXT,                  -- YYYY-MM-DD; NULL for a paused clock or beyond the data
    set_by TEXT CHECK (set_by IN ('statutory', 'promised')),
    UNIQUE (case_id, clock, kind, applies_on)
) STRICT;

CREATE INDEX warnings_by_applies_on ON warnings (applies_on);

CREATE TRIGGER warnings_are_never_updated BEFORE UPDATE ON warnings
BEGIN
    SELECT RAISE(ABORT, 'warnings are append-only: UPDATE refused');
END;

CREATE TRIGGER warnings_are_never_deleted BEFORE DELETE ON warnings
BEGIN
    SELECT RAISE(ABORT, 'warnings are append-only: DELETE refused');
END;

-- Where warnings are POSTed. A removed webhook is kept (its deliveries name it), and gets
-- nothing more.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,              -- http://host:port/path
    secret TEXT NOT NULL,           -- the HMAC-SHA256 key; never printed
    kinds TEXT NOT NULL,            -- comma-separated: a subset of prompt,yellow,red
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT
) STRICT;

-- One per warning and webhook whose kinds include it.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    warning INTEGER NOT NULL REFERENCES warnings(id),
    webhook INTEGER NOT NULL REFERENCES webhooks(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,           -- UTC, `YYYY-MM-DDTHH:MM:SSZ` (compared as text); NULL once settled
    UNIQUE (warning, webhook)
) STRICT;

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

-- Every attempt, as it went: the HTTP status, or why there was none.
CREATE TABLE delivery_attempts (
    delivery INTEGER NOT NULL REFERENCES deliveries(id),
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    at TEXT NOT NULL,               -- RFC 3339 with offset
    http_status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery, attempt)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER delivery_attempts_are_never_updated BEFORE UPDATE ON delivery_attempts
BEGIN
    SELECT RAISE(ABORT, 'delivery attempts are append-only: UPDATE refused');
END;

CREATE TRIGGER delivery_attempts_are_never_deleted BEFORE DELETE ON delivery_attempts
BEGIN
    SELECT RAISE(ABORT, 'delivery attempts are append-only: DELETE refused');
END;
