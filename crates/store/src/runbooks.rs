use flightdeck_runbook::{diff, Runbook, RunbookDiff};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::types::{ImportOutcome, PhaseProgress, PhaseStatus, RunbookSummary};
use crate::{now, Store, StoreError};

/// The SQL expression for an item's effective state: what a person recorded, else the tick in
/// the markdown.
pub(crate) const EFFECTIVE_STATE: &str = "CASE WHEN s.item_id IS NULL \
     THEN (CASE WHEN i.source_checked THEN 'done' END) ELSE s.state END";

impl Store {
    /// Stores a parsed runbook, replacing an earlier import with the same key (the slug of its
    /// title). Item state is keyed by item id, so items that did not change keep theirs.
    pub fn import(
        &mut self,
        source: &str,
        sha256: &str,
        runbook: &Runbook,
    ) -> Result<ImportOutcome, StoreError> {
        let key = runbook.key();
        let document = serde_json::to_string(runbook).expect("a runbook always serialises");
        let tx = crate::immediate(&mut self.conn)?;
        let previous: Option<(i64, String, u32)> = tx
            .query_row(
                "SELECT id, document, revision FROM runbooks WHERE key = ?1 AND run_of IS NULL",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let imported_at = now();
        let (id, revision, diff, created) = match previous {
            Some((id, old_document, revision)) => {
                let old: Runbook = serde_json::from_str(&old_document)
                    .map_err(|e| StoreError::BadDocument(key.clone(), e))?;
                let changes = diff(&old, runbook);
                let revision = if old_document == document {
                    revision
                } else {
                    revision + 1
                };
                tx.execute(
                    "UPDATE runbooks SET title = ?1, source = ?2, source_sha256 = ?3, document = ?4, \
                     revision = ?5, imported_at = ?6 WHERE id = ?7",
                    params![runbook.title, source, sha256, document, revision, imported_at, id],
                )?;
                tx.execute(
                    "UPDATE runbooks SET title = ?1, source = ?2, source_sha256 = ?3, document = ?4, \
                     revision = ?5, imported_at = ?6 WHERE run_of = ?7",
                    params![runbook.title, source, sha256, document, revision, imported_at, id],
                )?;
                tx.execute(
                    "DELETE FROM items WHERE runbook_id = ?1 \
                     OR runbook_id IN (SELECT id FROM runbooks WHERE run_of = ?1)",
                    [id],
                )?;
                tx.execute(
                    "DELETE FROM phases WHERE runbook_id = ?1 \
                     OR runbook_id IN (SELECT id FROM runbooks WHERE run_of = ?1)",
                    [id],
                )?;
                (id, revision, changes, false)
            }
            None => {
                tx.execute(
                    "INSERT INTO runbooks (key, title, source, source_sha256, document, revision, imported_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                    params![key, runbook.title, source, sha256, document, imported_at],
                )?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO runs (runbook_id, name, kind, started_at) \
                     VALUES (?1, 'default', 'default', ?2)",
                    params![id, imported_at],
                )?;
                (id, 1, RunbookDiff::default(), true)
            }
        };
        insert_structure(&tx, id, runbook)?;
        let runs: Vec<i64> = tx
            .prepare("SELECT id FROM runbooks WHERE run_of = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for run in runs {
            crate::runs::copy_structure(&tx, id, run)?;
        }
        tx.commit()?;
        Ok(ImportOutcome {
            key,
            title: runbook.title.clone(),
            revision,
            created,
            diff,
            warnings: runbook.warnings.clone(),
        })
    }

    /// Where the runbook was imported from, and the SHA-256 of that file's bytes then.
    pub fn source(&self, key: &str) -> Result<(String, String), StoreError> {
        self.conn
            .query_row(
                "SELECT source, source_sha256 FROM runbooks WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    pub(crate) fn runbook_id(&self, key: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT id FROM runbooks WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    /// The runbook's structure as last imported.
    pub fn document(&self, key: &str) -> Result<Runbook, StoreError> {
        serde_json::from_str(&self.stored_document(key)?)
            .map_err(|e| StoreError::BadDocument(key.to_string(), e))
    }

    /// The runbook's structure with the body (items, tasks, steps, actions) of each phase for
    /// which `keep(index, id)` is true; the other phases have their headings, gates, sign-off
    /// fields and criteria only, and cost next to nothing to read.
    pub fn document_keeping(
        &self,
        key: &str,
        keep: impl Fn(usize, &str) -> bool,
    ) -> Result<Runbook, StoreError> {
        flightdeck_runbook::read_stored_runbook(&self.stored_document(key)?, keep)
            .map_err(|e| StoreError::BadDocument(key.to_string(), e))
    }

    /// The runbook's structure without any phase's body: see [`Store::document_keeping`].
    pub fn outline(&self, key: &str) -> Result<Runbook, StoreError> {
        self.document_keeping(key, |_, _| false)
    }

    fn stored_document(&self, key: &str) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT document FROM runbooks WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    /// Every imported runbook with the progress of its current run, in import order.
    pub fn list(&self) -> Result<Vec<RunbookSummary>, StoreError> {
        self.current_keys()?
            .iter()
            .map(|k| self.summary(k))
            .collect()
    }

    /// The key of every imported runbook's current run, in import order: [`Store::list`]
    /// without counting progress, which on a runbook of 100,000 items is most of its cost.
    pub fn current_keys(&self) -> Result<Vec<String>, StoreError> {
        let keys: Vec<String> = self
            .conn
            .prepare("SELECT key FROM runbooks WHERE run_of IS NULL ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        keys.iter().map(|k| Ok(self.current_run(k)?.key)).collect()
    }

    /// One runbook with progress per phase.
    pub fn summary(&self, key: &str) -> Result<RunbookSummary, StoreError> {
        let (id, title, source, revision, imported_at): (i64, String, String, u32, String) = self
            .conn
            .query_row(
                "SELECT id, title, source, revision, imported_at FROM runbooks WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))?;
        // Items are counted per phase first (from the phase index alone), then joined to the
        // phases: joining first made SQLite materialise and index every item.
        let sql = format!(
            "SELECT p.phase_id, p.title, COALESCE(a.total, 0), COALESCE(a.done, 0), \
               COALESCE(a.na, 0), COALESCE(a.failed, 0) \
             FROM phases p LEFT JOIN ( \
               SELECT phase_id, COUNT(*) AS total, SUM(st = 'done') AS done, SUM(st = 'na') AS na, \
                 SUM(st = 'failed') AS failed \
               FROM (SELECT i.phase_id, {EFFECTIVE_STATE} AS st FROM items i \
                 LEFT JOIN item_state s ON s.runbook_id = i.runbook_id AND s.item_id = i.item_id \
                 WHERE i.runbook_id = ?1) \
               GROUP BY phase_id) a ON a.phase_id = p.phase_id \
             WHERE p.runbook_id = ?1 ORDER BY p.ordinal"
        );
        let phases: Vec<PhaseProgress> = self
            .conn
            .prepare_cached(&sql)?
            .query_map([id], |r| {
                let (total, done, na, failed): (u32, u32, u32, u32) =
                    (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
                Ok(PhaseProgress {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    total,
                    done,
                    na,
                    failed,
                    status: phase_status(total, done + na, failed),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(RunbookSummary {
            key: key.to_string(),
            run: self.run(key)?,
            title,
            source,
            revision,
            imported_at,
            total: phases.iter().map(|p| p.total).sum(),
            complete: phases.iter().map(PhaseProgress::complete).sum(),
            phases,
        })
    }
}

fn phase_status(total: u32, complete: u32, failed: u32) -> PhaseStatus {
    if failed > 0 {
        PhaseStatus::Attention
    } else if total > 0 && complete == total {
        PhaseStatus::Complete
    } else if complete > 0 {
        PhaseStatus::InProgress
    } else {
        PhaseStatus::NotStarted
    }
}

fn insert_structure(
    tx: &Transaction<'_>,
    runbook_id: i64,
    runbook: &Runbook,
) -> Result<(), StoreError> {
    let mut phase_stmt = tx.prepare(
        "INSERT INTO phases (runbook_id, phase_id, ordinal, title) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut item_stmt = tx.prepare(
        "INSERT INTO items (runbook_id, item_id, phase_id, ordinal, text, section, task_id, parent_id, \
         depth, line, source_checked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut ordinal = 0i64;
    for (phase_ordinal, phase) in runbook.phases.iter().enumerate() {
        phase_stmt.execute(params![
            runbook_id,
            phase.id,
            phase_ordinal as i64,
            phase.title
        ])?;
        for item in &phase.items {
            ordinal += 1;
            item_stmt.execute(params![
                runbook_id,
                item.id.as_str(),
                phase.id,
                ordinal,
                item.text,
                item.section,
                item.task,
                item.parent.as_deref(),
                item.depth,
                item.line,
                item.checked
            ])?;
        }
    }
    Ok(())
}
