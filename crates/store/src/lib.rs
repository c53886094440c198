//! Flightdeck's state in SQLite: imported runbooks, the state of every checklist item with who
//! and when, and the user's identity.
//!
//! Durability: WAL with `synchronous = FULL` and one transaction per change, so a process killed
//! at any moment loses no committed change and leaves a readable file.

mod action_runs;
mod apply;
mod audit;
mod backup_checks;
mod environments;
mod error;
mod evidence;
mod identity;
mod items;
mod replay;
mod rollouts;
mod runbooks;
mod runs;
mod signoffs;
mod soaks;
mod team;
mod types;

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

pub use action_runs::{ActionRun, RunResult, RunStatus};
pub use audit::{AuditEntry, ChainBreak};
pub use backup_checks::BackupCheck;
pub use error::StoreError;
pub use evidence::EvidenceRecord;
pub use flightdeck_model::{
    Actor, Answer, Author, ConnectionCheck, CredentialSource, Decision, Environment, Event,
    EventBody, Evidence, EvidenceKind, GuardLevel, ItemState, Judged, Role, RollbackTiming,
    RolloutChange, RolloutStatus, RunKind, ShiftCause, Signed, SignedEvent, SigningKey, SoakRecord,
    Waiver,
};
pub use rollouts::{RolloutLogEntry, RolloutRow};
pub use runs::RunRow;
pub use signoffs::{DecisionRecord, SignoffRecord};
pub use soaks::{rfc3339, CheckpointRecord, Confirmation};
pub use team::{LogEntry, Member, Pulled, Rejected, Release};
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
        M::up(include_str!("../migrations/007_signed_events_team.sql")),
        M::up(include_str!("../migrations/008_rollouts.sql")),
        M::up(include_str!("../migrations/009_runs.sql")),
        M::up(include_str!("../migrations/010_evidence_validation.sql")),
        M::up(include_str!("../migrations/011_run_notify.sql")),
        M::up(include_str!("../migrations/012_progress_index.sql")),
        M::up_with_hook(
            include_str!("../migrations/013_phase_bodies.sql"),
            runbooks::split_documents,
        ),
    ])
});

pub struct Store {
    conn: Connection,
    /// This desktop, as its events name it: host name and a short random id, made once.
    desktop: String,
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
        let desktop = desktop_name(&conn)?;
        Ok(Store { conn, desktop })
    }

    /// This desktop, as its events name it.
    pub fn desktop(&self) -> &str {
        &self.desktop
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

/// The person making a change that needs one (an action run, a backup check).
fn person(author: &Author) -> Result<&Actor, StoreError> {
    author
        .actor()
        .ok_or(StoreError::Model(flightdeck_model::ModelError::EmptyName))
}

/// A transaction that takes the write lock when it begins: one that began as a read and then
/// wrote would fail at once ("database is locked") when another process (the CLI beside the
/// app, a rollout's driver) wrote in between, where this one waits for the busy timeout.
pub(crate) fn immediate(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}

/// The desktop's name, made on first open: the host name and four random hex digits, so two
/// data directories on one machine are two desktops.
fn desktop_name(conn: &Connection) -> Result<String, StoreError> {
    let mut suffix = [0u8; 2];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut suffix);
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let made = format!("{host}/{}", hex::encode(suffix));
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('desktop', ?1)",
        [made],
    )?;
    Ok(conn.query_row(
        "SELECT value FROM settings WHERE key = 'desktop'",
        [],
        |r| r.get(0),
    )?)
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
        assert_eq!(store.schema_version().unwrap(), 13);
        store.check_integrity().unwrap();
    }

    #[test]
    fn reopening_keeps_schema_and_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        Store::open(&path).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 13);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
