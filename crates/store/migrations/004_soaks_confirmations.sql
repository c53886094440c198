-- A soak: a phase's criteria evaluated at checkpoints on a schedule, from its start.
CREATE TABLE soaks (
    runbook_id    INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    phase_id      TEXT NOT NULL,
    environment   TEXT NOT NULL,
    checkpoints   INTEGER NOT NULL CHECK (checkpoints > 0),
    every_seconds INTEGER NOT NULL CHECK (every_seconds > 0),
    started_at    INTEGER NOT NULL,
    started_by    TEXT NOT NULL,
    PRIMARY KEY (runbook_id, phase_id)
);

-- Each checkpoint's result, recorded once.
CREATE TABLE soak_checkpoints (
    runbook_id   INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    phase_id     TEXT NOT NULL,
    number       INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    evaluated_at INTEGER NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('go', 'no_go', 'inconclusive')),
    summary      TEXT NOT NULL,
    PRIMARY KEY (runbook_id, phase_id, number)
);

-- Manual criteria confirmed by a person in the named role.
CREATE TABLE confirmations (
    runbook_id   INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    criterion_id TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    role         TEXT NOT NULL,
    note         TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (runbook_id, criterion_id)
);
