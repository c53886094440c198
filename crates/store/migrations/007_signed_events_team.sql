-- Every new audit entry carries its event as signed by its author: a globally unique id and the
-- exact bytes signed, so that a replica can verify it and replay the state from it. Entries
-- written before this migration have neither and stay verified by their hash alone.
ALTER TABLE audit ADD COLUMN event_id TEXT;
ALTER TABLE audit ADD COLUMN signed TEXT;
CREATE UNIQUE INDEX audit_by_event ON audit (event_id);

-- Rows of state that an event appends name it, so applying an event twice changes nothing.
ALTER TABLE item_history ADD COLUMN event_id TEXT;
ALTER TABLE item_history ADD COLUMN desktop TEXT;
-- Which desktop an item's state was recorded on, as its event says.
ALTER TABLE item_state ADD COLUMN desktop TEXT;
CREATE UNIQUE INDEX item_history_by_event ON item_history (event_id);
ALTER TABLE signoffs ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX signoffs_by_event ON signoffs (event_id);
ALTER TABLE decisions ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX decisions_by_event ON decisions (event_id);

-- A runbook shared through a team log (DynamoDB): where, and how far this replica has read.
CREATE TABLE releases (
    runbook_id    INTEGER PRIMARY KEY REFERENCES runbooks(id) ON DELETE CASCADE,
    uri           TEXT NOT NULL UNIQUE,
    environment   TEXT NOT NULL,
    owner_key     TEXT NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    synced_at     TEXT,
    offline_since TEXT,
    last_error    TEXT
);

-- Who may act on a shared runbook, as the log's signed membership events say.
CREATE TABLE members (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    last_seen  TEXT,
    desktop    TEXT,
    PRIMARY KEY (runbook_id, name)
);

-- The shared log as this replica read it, in log order: each event applied, or rejected with
-- the reason.
CREATE TABLE team_log (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    event_id   TEXT NOT NULL,
    signed     TEXT NOT NULL,
    rejected   TEXT,
    PRIMARY KEY (runbook_id, seq)
);
CREATE INDEX team_log_by_event ON team_log (event_id);

-- Changes made here to a shared runbook and not yet in the log, oldest first. Written in the
-- same transaction as the change, so a crash loses none.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    event_id   TEXT NOT NULL UNIQUE,
    signed     TEXT NOT NULL
);
