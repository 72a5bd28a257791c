-- renewflow case store, schema version 1.
-- Readable with the sqlite3 shell of Debian stable (3.40): STRICT tables, no JSONB.
-- Never edit this file once shipped; add 0002_….sql instead.

-- A workflow version as deployed: its files (the main file first, then every file it extends),
-- so it can be loaded again exactly, and its content hash.
CREATE TABLE deployments (
    key INTEGER PRIMARY KEY,
    workflow TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    sources TEXT NOT NULL,          -- JSON: [[file name, text], …]
    deployed_at TEXT NOT NULL,      -- RFC 3339 with offset
    UNIQUE (workflow, version)
) STRICT;

-- One row per case. `version` is its event count and `head_hash` its last event's hash, so a
-- deleted last event is caught too. `configuration` and `finished_on` are derived from the
-- events (see `check`).
CREATE TABLE cases (
    id TEXT PRIMARY KEY,            -- UUID v7
    deployment INTEGER NOT NULL REFERENCES deployments(key),
    workflow TEXT NOT NULL,         -- the deployment's workflow id, for unique numbers
    number TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    head_hash TEXT NOT NULL,
    configuration TEXT NOT NULL,    -- JSON: active states and attribute values
    finished_on TEXT,               -- YYYY-MM-DD, NULL while open
    UNIQUE (workflow, number)
) STRICT;

-- The history: append-only, hash-chained per case.
CREATE TABLE events (
    case_id TEXT NOT NULL REFERENCES cases(id),
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    at TEXT NOT NULL,               -- RFC 3339 with offset, as in `record`
    record TEXT NOT NULL,           -- the canonical JSON the hash covers
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    hash_algorithm TEXT NOT NULL,
    PRIMARY KEY (case_id, sequence)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

-- Answers already given, by idempotency key: a retry gets the first answer back.
CREATE TABLE idempotency_keys (
    case_id TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,       -- the case version after the first answer
    answer TEXT NOT NULL,           -- JSON
    PRIMARY KEY (case_id, key)
) STRICT, WITHOUT ROWID;

-- Derived: each open clock of each case, with the dates its level changes if nothing else
-- happens, so the watch list is a range query instead of a fold of every history.
CREATE TABLE open_clocks (
    case_id TEXT NOT NULL REFERENCES cases(id),
    clock TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('running', 'paused')),
    due_date TEXT,                  -- YYYY-MM-DD as of the case's last event; NULL beyond the data
    yellow_on TEXT,                 -- first date the level is yellow or worse; NULL: not within the data
    red_on TEXT,                    -- first date the level is red
    PRIMARY KEY (case_id, clock)
) STRICT, WITHOUT ROWID;

CREATE INDEX open_clocks_by_yellow ON open_clocks (yellow_on);
CREATE INDEX cases_by_workflow ON cases (workflow, number);
