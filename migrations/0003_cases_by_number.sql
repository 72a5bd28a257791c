-- renewflow case store, schema version 3.
-- Cases are found by number without their workflow (`renewflow case timing L-1`); UNIQUE
-- (workflow, number) cannot serve that, so a lookup scanned every case. Written only when a case
-- is opened.
CREATE INDEX cases_by_number ON cases (number);
