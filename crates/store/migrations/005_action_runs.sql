-- Every plan applied or undone: written as 'running' before the first AWS call, finished after
-- the last, so a killed process leaves a visible record of what it was doing.
CREATE TABLE action_runs (
    id          INTEGER PRIMARY KEY,
    runbook_id  INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    step        TEXT NOT NULL,
    environment TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('apply', 'undo')),
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'unchanged', 'failed')),
    outputs     TEXT NOT NULL DEFAULT '{}',
    request_ids TEXT NOT NULL DEFAULT '[]',
    undo        TEXT,
    log         TEXT NOT NULL DEFAULT '[]',
    error       TEXT
);
CREATE INDEX action_runs_step ON action_runs (runbook_id, step, id);
