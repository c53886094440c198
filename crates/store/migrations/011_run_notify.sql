-- Where a run announces its sign-offs, decisions, rollbacks and late items (JSON RunNotify),
-- and the desktop it was started on, which sends them.
ALTER TABLE runs ADD COLUMN notify TEXT;
ALTER TABLE runs ADD COLUMN desktop TEXT;
