//! Soaks (checkpoints of a phase's criteria on a schedule) and manual confirmations of criteria.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{Author, Event, SoakRecord};

use crate::{Store, StoreError};

/// One recorded checkpoint: its verdict and a summary of the criteria at that moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckpointRecord {
    pub number: u32,
    #[ts(type = "number")]
    pub due_at: i64,
    #[ts(type = "number")]
    pub evaluated_at: i64,
    /// `go`, `no_go` or `inconclusive`.
    pub verdict: String,
    #[ts(type = "unknown")]
    pub summary: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Confirmation {
    pub criterion_id: String,
    pub confirmed_by: String,
    pub role: String,
    pub note: String,
    pub at: String,
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

impl Store {
    /// Starts a soak of a phase in an environment; refused when one is already running.
    pub fn start_soak(
        &mut self,
        key: &str,
        author: &Author,
        soak: &SoakRecord,
    ) -> Result<(), StoreError> {
        if let Some(existing) = self.soak(key, &soak.phase_id)? {
            return Err(StoreError::Conflict(format!(
                "a soak of {} in {} started at {} by {}; it runs until its last checkpoint",
                soak.phase_id,
                existing.environment,
                rfc3339(existing.started_at),
                existing.started_by
            )));
        }
        let event = Event::SoakStarted {
            runbook: key.to_string(),
            soak: soak.clone(),
        };
        self.record_event(author, event)?;
        Ok(())
    }

    pub fn soak(&self, key: &str, phase_id: &str) -> Result<Option<SoakRecord>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        Ok(self
            .conn
            .query_row(
                "SELECT phase_id, environment, checkpoints, every_seconds, started_at, started_by \
                 FROM soaks WHERE runbook_id = ?1 AND phase_id = ?2",
                params![runbook_id, phase_id],
                |r| {
                    Ok(SoakRecord {
                        phase_id: r.get(0)?,
                        environment: r.get(1)?,
                        checkpoints: r.get(2)?,
                        every_seconds: r.get(3)?,
                        started_at: r.get(4)?,
                        started_by: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a checkpoint's result once; a second record of the same checkpoint is ignored
    /// and the first kept. Returns whether this call recorded it.
    pub fn record_checkpoint(
        &mut self,
        key: &str,
        phase_id: &str,
        author: &Author,
        checkpoint: &CheckpointRecord,
    ) -> Result<bool, StoreError> {
        let recorded = self
            .checkpoints(key, phase_id)?
            .iter()
            .any(|c| c.number == checkpoint.number);
        if recorded {
            return Ok(false);
        }
        let event = Event::CheckpointRecorded {
            runbook: key.to_string(),
            phase: phase_id.to_string(),
            number: checkpoint.number,
            verdict: checkpoint.verdict.clone(),
            due_at: checkpoint.due_at,
            evaluated_at: checkpoint.evaluated_at,
            summary: checkpoint.summary.clone(),
        };
        self.record_event(author, event)?;
        Ok(true)
    }

    pub fn checkpoints(
        &self,
        key: &str,
        phase_id: &str,
    ) -> Result<Vec<CheckpointRecord>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(
            "SELECT number, due_at, evaluated_at, verdict, summary FROM soak_checkpoints \
             WHERE runbook_id = ?1 AND phase_id = ?2 ORDER BY number",
        )?;
        let rows = stmt.query_map(params![runbook_id, phase_id], |r| {
            let summary: String = r.get(4)?;
            Ok(CheckpointRecord {
                number: r.get(0)?,
                due_at: r.get(1)?,
                evaluated_at: r.get(2)?,
                verdict: r.get(3)?,
                summary: serde_json::from_str(&summary).unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that `author` confirms a manual criterion (replacing an earlier confirmation).
    pub fn confirm_criterion(
        &mut self,
        key: &str,
        criterion_id: &str,
        author: &Author,
        note: &str,
    ) -> Result<Confirmation, StoreError> {
        let event = Event::CriterionConfirmed {
            runbook: key.to_string(),
            criterion: criterion_id.to_string(),
            note: note.to_string(),
        };
        self.record_event(author, event)?;
        self.confirmations(key)?
            .into_iter()
            .find(|c| c.criterion_id == criterion_id)
            .ok_or_else(|| StoreError::Conflict(format!("{criterion_id} was not confirmed")))
    }

    pub fn confirmations(&self, key: &str) -> Result<Vec<Confirmation>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(
            "SELECT criterion_id, confirmed_by, role, note, at FROM confirmations \
             WHERE runbook_id = ?1 ORDER BY at",
        )?;
        let rows = stmt.query_map([runbook_id], |r| {
            Ok(Confirmation {
                criterion_id: r.get(0)?,
                confirmed_by: r.get(1)?,
                role: r.get(2)?,
                note: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn author(name: &str, role: Role) -> Author {
        Author::new(
            Some(flightdeck_model::Actor::new(name, role).unwrap()),
            flightdeck_model::SigningKey::from_bytes(&[4; 32]),
        )
    }

    fn store_with_runbook() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let md = "# Soak\n\n## Phase 1: Soak\n\n- [ ] watch\n";
        let runbook = flightdeck_runbook::parse("soak.md", md.as_bytes()).unwrap();
        store.import("soak.md", "0", &runbook).unwrap();
        store
    }

    #[test]
    fn a_soak_starts_once_and_each_checkpoint_is_recorded_once() {
        let mut store = store_with_runbook();
        let lead = author("Ana", Role::TechnicalLead);
        let soak = SoakRecord {
            phase_id: "phase-1".into(),
            environment: "PROD".into(),
            checkpoints: 8,
            every_seconds: 6 * 3600,
            started_at: 1_795_000_000,
            started_by: "Ana".into(),
        };
        store.start_soak("soak", &lead, &soak).unwrap();
        assert_eq!(soak.due_at(8), 1_795_000_000 + 48 * 3600);
        let again = store.start_soak("soak", &lead, &soak).unwrap_err();
        assert_eq!(again.code(), "conflict");
        assert_eq!(store.soak("soak", "phase-1").unwrap(), Some(soak));

        let checkpoint = |verdict: &str| CheckpointRecord {
            number: 1,
            due_at: 1_795_021_600,
            evaluated_at: 1_795_021_610,
            verdict: verdict.into(),
            summary: serde_json::json!([]),
        };
        assert!(store
            .record_checkpoint("soak", "phase-1", &lead, &checkpoint("go"))
            .unwrap());
        assert!(!store
            .record_checkpoint("soak", "phase-1", &lead, &checkpoint("no_go"))
            .unwrap());
        let recorded = store.checkpoints("soak", "phase-1").unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].verdict, "go", "the first record stands");
        let kinds: Vec<String> = store
            .audit_entries()
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "soak_checkpoint").count(), 1);
        assert!(kinds.contains(&"soak_start".to_string()));
    }

    #[test]
    fn a_confirmation_replaces_the_earlier_one() {
        let mut store = store_with_runbook();
        let po = author("Pat", Role::ProductOwner);
        store
            .confirm_criterion("soak", "g-1", &po, "first")
            .unwrap();
        store
            .confirm_criterion("soak", "g-1", &po, "second")
            .unwrap();
        let all = store.confirmations("soak").unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].note.as_str(), all[0].role.as_str()),
            ("second", "product_owner")
        );
    }
}
