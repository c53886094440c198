-- Every verification of a backup (checksums, and a test restore when asked), so a listing shows
-- when each backup was last proven good, by whom, and what was found.
CREATE TABLE backup_checks (
    id         INTEGER PRIMARY KEY,
    location   TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    result     TEXT NOT NULL CHECK (result IN ('verified', 'test_restored', 'failed')),
    detail     TEXT NOT NULL
);
CREATE INDEX backup_checks_by_location ON backup_checks (location, id);
