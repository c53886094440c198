-- Public keys of the people who sign; private keys live in their OS keyring.
CREATE TABLE signers (
    name       TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE signoffs (
    id         INTEGER PRIMARY KEY,
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    phase_id   TEXT NOT NULL,
    signer     TEXT NOT NULL,
    role       TEXT NOT NULL,
    answers    TEXT NOT NULL,
    waivers    TEXT NOT NULL,
    digest     TEXT NOT NULL,
    signature  TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signed_at  TEXT NOT NULL
);

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    decision   TEXT NOT NULL CHECK (decision IN ('go', 'no_go', 'hold')),
    reason     TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    signer     TEXT NOT NULL,
    role       TEXT NOT NULL,
    digest     TEXT NOT NULL,
    signature  TEXT NOT NULL,
    public_key TEXT NOT NULL,
    decided_at TEXT NOT NULL
);

-- Append-only: each entry carries the hash of the one before it.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    runbook   TEXT,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
