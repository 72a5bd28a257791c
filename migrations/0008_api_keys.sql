-- renewflow case store, schema version 8.
-- API keys: who may call `renewflow serve`, and what each key may do. Only a token's SHA-256 is
-- kept, never the token. Every creation and revocation is also a record of the append-only,
-- hash-chained `key_log`, so `verify` can tell a key row edited behind the engine.

-- One row per key, revoked ones kept. `id` is public (`key_` and 12 hex digits); `grants` is
-- JSON, `[{"workflow": …, "roles": […]}, …]`.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organ TEXT,
    token_sha256 TEXT NOT NULL UNIQUE,
    grants TEXT NOT NULL,
    supervisor INTEGER NOT NULL CHECK (supervisor IN (0, 1)),
    admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
    created_at TEXT NOT NULL,       -- RFC 3339 with offset
    created_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
) STRICT;

-- A name is taken while its key is not revoked.
CREATE UNIQUE INDEX api_keys_live_names ON api_keys (name) WHERE revoked_at IS NULL;

CREATE TRIGGER api_keys_are_never_deleted BEFORE DELETE ON api_keys
BEGIN
    SELECT RAISE(ABORT, 'API keys are kept: DELETE refused (revoke the key instead)');
END;

-- The only change a key takes is its revocation, once: `revoked_at` and `revoked_by` set where
-- they were empty, every other column as it was.
CREATE TRIGGER api_keys_change_only_by_revocation BEFORE UPDATE ON api_keys
WHEN OLD.revoked_at IS NOT NULL
    OR NEW.revoked_at IS NULL
    OR NEW.revoked_by IS NULL
    OR NEW.id IS NOT OLD.id
    OR NEW.name IS NOT OLD.name
    OR NEW.organ IS NOT OLD.organ
    OR NEW.token_sha256 IS NOT OLD.token_sha256
    OR NEW.grants IS NOT OLD.grants
    OR NEW.supervisor IS NOT OLD.supervisor
    OR NEW.admin IS NOT OLD.admin
    OR NEW.created_at IS NOT OLD.created_at
    OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'an API key changes only by its revocation, once: UPDATE refused');
END;

-- Every creation and revocation of a key, in order. `record` is the canonical JSON of what was
-- done (for a creation every column of the key but its revocation; for a revocation when and by
-- whom); `hash` is SHA-256 over `previous_hash` and the row's fields (`verify` recomputes it).
CREATE TABLE key_log (
    sequence INTEGER PRIMARY KEY CHECK (sequence >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('created', 'revoked')),
    key_id TEXT NOT NULL,
    record TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE TRIGGER key_log_is_never_updated BEFORE UPDATE ON key_log
BEGIN
    SELECT RAISE(ABORT, 'the key log is append-only: UPDATE refused');
END;

CREATE TRIGGER key_log_is_never_deleted BEFORE DELETE ON key_log
BEGIN
    SELECT RAISE(ABORT, 'the key log is append-only: DELETE refused');
END;
