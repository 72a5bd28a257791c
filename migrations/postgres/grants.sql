-- The privileges of the role `renewflow serve` and the command line connect as, when the
-- database is shared with people who administer it (docs/deployment.md). Run by the owner of the
-- schema after the first `renewflow` command has created it; `renewflow_app` is a role of your
-- choosing (CREATE ROLE renewflow_app LOGIN PASSWORD '…'). The application may read everything,
-- append to the append-only tables and change the derived rows; it may never UPDATE, DELETE or
-- TRUNCATE a history, so even with the triggers dropped by an administrator's mistake, a history
-- could not be rewritten through it.
GRANT USAGE ON SCHEMA public TO renewflow_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO renewflow_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO renewflow_app;
-- Append only.
GRANT INSERT ON events, calendar_installs, key_log, warnings, delivery_attempts, imports, imported_cases,
    idempotency_answers, deployments TO renewflow_app;
-- Rows that change: a case's head and derived data, its open clocks, the settings, automatic
-- numbers, a key's revocation, webhooks and their deliveries.
GRANT INSERT, UPDATE ON cases, settings, case_number_sequences, api_keys, webhooks, deliveries TO renewflow_app;
GRANT INSERT, UPDATE, DELETE ON open_clocks TO renewflow_app;
