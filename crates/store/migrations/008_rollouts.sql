-- Progressive rollouts: one row per rollout with where it is, and its log, both made from its
-- events alone (so a teammate's desktop that reads the events shows the same rollout).
CREATE TABLE rollouts (
    id              INTEGER PRIMARY KEY,
    runbook_id      INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    rollout         TEXT NOT NULL,
    step            TEXT NOT NULL,
    environment     TEXT NOT NULL,
    status          TEXT NOT NULL,
    -- The step running, -1 before the first step's traffic.
    step_index      INTEGER NOT NULL DEFAULT -1,
    percent         INTEGER NOT NULL,
    step_started_ms INTEGER NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    inconclusive    INTEGER NOT NULL DEFAULT 0,
    promote_asked   INTEGER NOT NULL DEFAULT 0,
    definition      TEXT NOT NULL,
    rollback        TEXT NOT NULL,
    stable_version  TEXT NOT NULL,
    ignored_alarms  TEXT NOT NULL DEFAULT '[]',
    reason          TEXT,
    rollback_reason TEXT,
    rollback_aborted INTEGER NOT NULL DEFAULT 0,
    judged_at_ms    INTEGER,
    timing          TEXT,
    started_ms      INTEGER NOT NULL,
    started_by      TEXT NOT NULL,
    -- The desktop that started it: the one that drives it and takes it up after a restart.
    desktop         TEXT NOT NULL,
    ended_ms        INTEGER,
    UNIQUE (runbook_id, rollout)
);
CREATE TABLE rollout_log (
    id          INTEGER PRIMARY KEY,
    runbook_id  INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    rollout     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    change      TEXT NOT NULL,
    UNIQUE (runbook_id, rollout, event_id)
);
CREATE INDEX rollout_log_order ON rollout_log (runbook_id, rollout, at_ms, id);
