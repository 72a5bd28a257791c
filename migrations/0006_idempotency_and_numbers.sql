-- renewflow case store, schema version 6.
-- Idempotency keys become one namespace for the whole store, each kept with the request it was
-- first used for, so a key sent again with another request (another action, role, attribute,
-- case or workflow) is refused instead of answered. The answer itself is no longer stored as
-- text: it is rebuilt from the events it names (`first_sequence` up to `version`), so an edited
-- row cannot make a client believe something was recorded that was not.
CREATE TABLE idempotency_answers (
    key TEXT PRIMARY KEY,
    request TEXT NOT NULL,          -- the request's canonical JSON; '' when not recorded (schema 5)
    case_id TEXT NOT NULL REFERENCES cases(id),
    first_sequence INTEGER NOT NULL CHECK (first_sequence >= 0),
    version INTEGER NOT NULL CHECK (version > first_sequence)
) STRICT, WITHOUT ROWID;

-- Keys of schema 5 were scoped by case ('*' for openings); their answers name the case and the
-- events they appended. A key used on two cases keeps its first use.
INSERT OR IGNORE INTO idempotency_answers (key, request, case_id, first_sequence, version)
SELECT key, '', json_extract(answer, '$.case_id'), version - json_array_length(answer, '$.events'), version
FROM idempotency_keys
WHERE json_valid(answer) AND json_extract(answer, '$.case_id') IN (SELECT id FROM cases)
  AND json_array_length(answer, '$.events') > 0
ORDER BY version;

DROP TABLE idempotency_keys;

-- Automatic case numbers (`2026-00001`): the last number given per workflow and prefix (the
-- opening year), so numbers are never reused, concurrent openings get distinct numbers, and a
-- number chosen by hand is skipped instead of blocking the sequence.
CREATE TABLE case_number_sequences (
    workflow TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 0),
    PRIMARY KEY (workflow, prefix)
) STRICT, WITHOUT ROWID;
