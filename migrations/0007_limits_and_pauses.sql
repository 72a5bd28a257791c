-- renewflow case store, schema version 7.
-- The watch list says which limit set a clock's level, shows both limits, and shows pauses that
-- ran past the `max` their clock allows, still from the derived rows (no fold of every history).
ALTER TABLE open_clocks ADD COLUMN statutory_limit TEXT;      -- e.g. `20 wd`, after cuts and extensions
ALTER TABLE open_clocks ADD COLUMN promised_limit TEXT;       -- NULL: the clock has no promised limit
ALTER TABLE open_clocks ADD COLUMN statutory_yellow_on TEXT;  -- first date the statutory limit alone is yellow
ALTER TABLE open_clocks ADD COLUMN statutory_red_on TEXT;     -- first date it alone is red
ALTER TABLE open_clocks ADD COLUMN pause_overrun_on TEXT;     -- a paused clock: first date its pause is past its `max`

-- Rows written before this schema lack the new figures: mark the derived data as computed with
-- other data, so `check` says so and `renewflow calendar recompute` writes them.
UPDATE settings SET value = value || ' (schema 6)' WHERE key = 'derived_calendar';
