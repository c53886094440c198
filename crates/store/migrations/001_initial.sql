CREATE TABLE runbooks (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    source        TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    document      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    imported_at   TEXT NOT NULL
);

CREATE TABLE phases (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    phase_id   TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    PRIMARY KEY (runbook_id, phase_id)
) WITHOUT ROWID;

CREATE TABLE items (
    runbook_id     INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    item_id        TEXT NOT NULL,
    phase_id       TEXT NOT NULL,
    ordinal        INTEGER NOT NULL,
    text           TEXT NOT NULL,
    section        TEXT,
    task_id        TEXT,
    parent_id      TEXT,
    depth          INTEGER NOT NULL,
    line           INTEGER NOT NULL,
    source_checked INTEGER NOT NULL,
    PRIMARY KEY (runbook_id, item_id)
) WITHOUT ROWID;

CREATE INDEX items_by_phase ON items (runbook_id, phase_id, ordinal);

-- Kept when an item leaves the runbook, so that it comes back with its state if it returns.
CREATE TABLE item_state (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    item_id    TEXT NOT NULL,
    state      TEXT CHECK (state IN ('done', 'na', 'failed')),
    note       TEXT,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (runbook_id, item_id)
) WITHOUT ROWID;

CREATE TABLE item_history (
    id         INTEGER PRIMARY KEY,
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    item_id    TEXT NOT NULL,
    state      TEXT,
    note       TEXT,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    at         TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
