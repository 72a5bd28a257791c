-- renewflow case store, schema version 4.
-- Audited histories brought in from event logs (`renewflow audit LOG --import`): each import as
-- it was made, and which cases it created. A case's events are chained from its first imported
-- event like any other case's; these tables say where they came from.
CREATE TABLE imports (
    key INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,      -- RFC 3339 with offset
    log TEXT NOT NULL,              -- the log file as named
    log_hash TEXT NOT NULL,         -- SHA-256 of the log's bytes, hex
    deployment INTEGER NOT NULL REFERENCES deployments(key),
    as_of TEXT,                     -- YYYY-MM-DD; NULL: the log's last timestamp
    accept_findings INTEGER NOT NULL CHECK (accept_findings IN (0, 1)),
    imported INTEGER NOT NULL,      -- cases created
    with_findings INTEGER NOT NULL, -- of which imported with findings
    skipped INTEGER NOT NULL,       -- cases whose number was already in the store
    refused INTEGER NOT NULL        -- cases left out: history-changing findings not accepted, or nothing replayable
) STRICT;

-- Cases an import created. `findings` lists the codes of the findings that changed the history
-- as imported (JSON array); a non-empty list marks the case as imported with findings.
CREATE TABLE imported_cases (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    import INTEGER NOT NULL REFERENCES imports(key),
    findings TEXT NOT NULL
) STRICT, WITHOUT ROWID;
