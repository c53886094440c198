-- A run (a rehearsal or the live run) is a row of runbooks of its own, keyed 'runbook@run', so
-- every table keyed by runbook_id keeps each run's checklist, sign-offs, action runs and
-- decisions apart. run_of names the runbook it is a run of; the runbook's own row is its
-- default run.
ALTER TABLE runbooks ADD COLUMN run_of INTEGER REFERENCES runbooks(id) ON DELETE CASCADE;

CREATE TABLE runs (
    runbook_id         INTEGER PRIMARY KEY REFERENCES runbooks(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('default', 'rehearsal', 'live')),
    environment        TEXT,
    t0_ms              INTEGER,
    utc_offset_minutes INTEGER NOT NULL DEFAULT 0,
    started_by         TEXT,
    started_at         TEXT NOT NULL,
    ended_at           TEXT
);

-- Every runbook imported before runs existed keeps its state as its default run's.
INSERT INTO runs (runbook_id, name, kind, started_at)
    SELECT id, 'default', 'default', imported_at FROM runbooks;
