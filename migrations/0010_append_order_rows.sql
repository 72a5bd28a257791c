-- renewflow case store, schema version 10.
-- `events` and `idempotency_answers` become rowid tables: their rows are stored in the order
-- they are written, and a write appends to the last page instead of landing inside a case's
-- run of events or at a random idempotency key. Their keys move to indexes of short entries:
-- UNIQUE (case_id, sequence) and UNIQUE (key). A batch of writes from many clients dirtied a
-- leaf per write in each table (and split a full one every few writes); it now dirties a few
-- pages at each table's end and a leaf per write in the short indexes. Columns, constraints and
-- the append-only triggers are unchanged; the rows are copied in key order.
CREATE TABLE events_in_append_order (
    case_id TEXT NOT NULL REFERENCES cases(id),
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    at TEXT NOT NULL,               -- RFC 3339 with offset, as in `record`
    record TEXT NOT NULL,           -- the canonical JSON the hash covers
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    hash_algorithm TEXT NOT NULL,
    UNIQUE (case_id, sequence)
) STRICT;
INSERT INTO events_in_append_order (case_id, sequence, at, record, previous_hash, hash, hash_algorithm)
SELECT case_id, sequence, at, record, previous_hash, hash, hash_algorithm FROM events ORDER BY case_id, sequence;
-- DROP TABLE fires no trigger; the triggers go with the table.
DROP TABLE events;
ALTER TABLE events_in_append_order RENAME TO events;
CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

CREATE TABLE idempotency_answers_in_append_order (
    key TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,          -- the request's canonical JSON; '' when not recorded (schema 5)
    case_id TEXT NOT NULL REFERENCES cases(id),
    first_sequence INTEGER NOT NULL CHECK (first_sequence >= 0),
    version INTEGER NOT NULL CHECK (version > first_sequence)
) STRICT;
INSERT INTO idempotency_answers_in_append_order (key, request, case_id, first_sequence, version)
SELECT key, request, case_id, first_sequence, version FROM idempotency_answers ORDER BY key;
DROP TABLE idempotency_answers;
ALTER TABLE idempotency_answers_in_append_order RENAME TO idempotency_answers;
