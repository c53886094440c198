-- A validation item may be recorded as not tested: item_state's CHECK gains 'not_tested'
-- (SQLite changes a CHECK only by copying the table).
CREATE TABLE item_state_v10 (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    item_id    TEXT NOT NULL,
    state      TEXT CHECK (state IN ('done', 'na', 'failed', 'not_tested')),
    note       TEXT,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    desktop    TEXT,
    PRIMARY KEY (runbook_id, item_id)
) WITHOUT ROWID;
INSERT INTO item_state_v10 (runbook_id, item_id, state, note, actor, role, updated_at, desktop)
    SELECT runbook_id, item_id, state, note, actor, role, updated_at, desktop FROM item_state;
DROP TABLE item_state;
ALTER TABLE item_state_v10 RENAME TO item_state;

-- Evidence on a checklist item: a file or a command's output (kept content-addressed in the
-- data directory, under its SHA-256), or a link.
CREATE TABLE evidence (
    id         INTEGER PRIMARY KEY,
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    item_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('file', 'output', 'link')),
    name       TEXT,
    url        TEXT,
    sha256     TEXT,
    bytes      INTEGER,
    note       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    at         TEXT NOT NULL,
    event_id   TEXT UNIQUE
);
CREATE INDEX evidence_by_item ON evidence (runbook_id, item_id, id);
