-- renewflow case store, schema version 2.
-- Every action rewrites a case's open clocks; an index on `yellow_on` cost a page write per
-- action while the watch list reads every open clock anyway (a scan of a few hundred thousand
-- short rows is milliseconds). `cases_by_workflow` repeated the index that UNIQUE (workflow,
-- number) already keeps.
DROP INDEX open_clocks_by_yellow;
DROP INDEX cases_by_workflow;
