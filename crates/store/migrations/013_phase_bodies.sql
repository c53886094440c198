-- A runbook is kept in parts: its outline (the runbook without its phases' bodies, see
-- flightdeck_runbook::Runbook::outline) in runbooks.outline, and each phase whole in
-- phase_bodies. Opening a phase of the 5 MB runbook read all 20.2 MB of its document; it now
-- reads the 0.5 MB outline and that phase. The documents stored before are split by the
-- migration's hook (split_documents in runbooks.rs).
ALTER TABLE runbooks RENAME COLUMN document TO outline;

CREATE TABLE phase_bodies (
    runbook_id INTEGER NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (runbook_id, ordinal)
);
