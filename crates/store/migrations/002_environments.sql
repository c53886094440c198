-- Where and how Flightdeck reaches AWS. Credentials are a reference into the OS keyring (or a
-- profile name), never a secret value.
CREATE TABLE environments (
    name         TEXT PRIMARY KEY,
    colour       TEXT NOT NULL,
    account_id   TEXT,
    region       TEXT NOT NULL,
    dr_region    TEXT,
    credentials  TEXT NOT NULL,
    endpoint_url TEXT,
    guard        TEXT NOT NULL CHECK (guard IN ('confirm', 'type_name')),
    last_check   TEXT,
    created_at   TEXT NOT NULL
) WITHOUT ROWID;
