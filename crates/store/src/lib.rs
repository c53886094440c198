//! Flightdeck's state in SQLite: imported runbooks, the state of every checklist item with who
//! and when, and the user's identity.
//!
//! Durability: WAL with `synchronous = FULL` and one transaction per change, so a process killed
//! at any moment loses no committed change and leaves a readable file.

mod action_runs;
mod audit;
mod backup_checks;
mod environments;
mod error;
mod identity;
mod items;
mod runbooks;
mod signoffs;
mod soaks;
mod types;

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

pub use action_runs::{ActionRun, RunResult, RunStatus};
pub use audit::{AuditEntry, ChainBreak};
pub use backup_checks::BackupCheck;
pub use error::StoreError;
pub use flightdeck_model::{
    Actor, Answer, ConnectionCheck, CredentialSource, Decision, Environment, Event, GuardLevel,
    ItemState, Role, Signed, SoakRecord, Waiver,
};
pub use signoffs::{DecisionRecord, SignoffRecord};
pub use soaks::{rfc3339, CheckpointRecord, Confirmation};
pub use types::{
    ImportOutcome, ItemUpdate, ItemView, PhaseProgress, PhaseStatus, RunbookSummary, SearchHit,
};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../migrations/001_initial.sql")),
        M::up(include_str!("../migrations/002_environments.sql")),
        M::up(include_str!("../migrations/003_signoffs_audit.sql")),
        M::up(include_str!("../migrations/004_soaks_confirmations.sql")),
        M::up(include_str!("../migrations/005_action_runs.sql")),
        M::up(include_str!("../migrations/006_backup_checks.sql")),
    ])
});

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        Self::configure(conn)
    }

    /// A private database in memory, for tests and previews.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::configure(Connection::open_in_memory()?)
    }

    fn configure(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        MIGRATIONS.to_latest(&mut conn)?;
        Ok(Store { conn })
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`; `Ok(())` when SQLite finds nothing wrong.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(verdict))
        }
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats every UTC time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_applied() {
        MIGRATIONS.validate().unwrap();
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
        store.check_integrity().unwrap();
    }

    #[test]
    fn reopening_keeps_schema_and_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        Store::open(&path).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
