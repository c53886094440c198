//! Verifications of backups: the last one of each backup is shown beside it in listings.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{Author, Event};

use crate::{now, Store, StoreError};

/// One verification: checksums only (`verified`), with a test restore (`test_restored`), or
/// `failed` with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupCheck {
    pub location: String,
    pub checked_at: String,
    pub actor: String,
    pub result: String,
    pub detail: String,
}

impl Store {
    /// Records a verification and its audit entry together.
    pub fn record_backup_check(
        &mut self,
        author: &Author,
        location: &str,
        result: &str,
        detail: &str,
    ) -> Result<BackupCheck, StoreError> {
        let actor = crate::person(author)?;
        let check = BackupCheck {
            location: location.to_string(),
            checked_at: now(),
            actor: actor.name.clone(),
            result: result.to_string(),
            detail: detail.to_string(),
        };
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute(
            "INSERT INTO backup_checks (location, checked_at, actor, result, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![check.location, check.checked_at, check.actor, check.result, check.detail],
        )?;
        let event = Event::BackupVerified {
            location: location.to_string(),
            result: result.to_string(),
            detail: detail.to_string(),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(check)
    }

    /// The latest verification of each backup, by location.
    pub fn last_backup_checks(&self) -> Result<HashMap<String, BackupCheck>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT location, checked_at, actor, result, detail FROM backup_checks \
             WHERE id IN (SELECT MAX(id) FROM backup_checks GROUP BY location)",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(BackupCheck {
                location: r.get(0)?,
                checked_at: r.get(1)?,
                actor: r.get(2)?,
                result: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        let mut found = HashMap::new();
        for check in rows {
            let check = check?;
            found.insert(check.location.clone(), check);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[test]
    fn the_latest_check_of_each_backup_wins_and_is_audited() {
        let mut store = Store::open_in_memory().unwrap();
        let dba = Author::new(
            Some(flightdeck_model::Actor::new("Dee Bee", Role::Dba).unwrap()),
            flightdeck_model::SigningKey::from_bytes(&[3; 32]),
        );
        store
            .record_backup_check(&dba, "s3://b/final/wp-1", "verified", "12 files")
            .unwrap();
        store
            .record_backup_check(
                &dba,
                "s3://b/final/wp-1",
                "failed",
                "wp.t.00000.sql.zst: SHA-256 differs",
            )
            .unwrap();
        store
            .record_backup_check(&dba, "/var/backups/wp-2", "test_restored", "3 tables match")
            .unwrap();
        let last = store.last_backup_checks().unwrap();
        assert_eq!(last.len(), 2);
        assert_eq!(last["s3://b/final/wp-1"].result, "failed");
        assert_eq!(last["/var/backups/wp-2"].result, "test_restored");
        let audited = store
            .audit_entries()
            .unwrap()
            .iter()
            .filter(|e| e.kind == "db.verify")
            .count();
        assert_eq!(audited, 3);
        assert!(store.verify_audit_chain().unwrap().is_none());
    }
}
