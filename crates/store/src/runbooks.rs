use flightdeck_runbook::{diff, Runbook, RunbookDiff};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::runs::CURRENT_RUNS;
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
        let outline = outline_json(runbook);
        let tx = crate::immediate(&mut self.conn)?;
        let previous: Option<(i64, String, u32)> = tx
            .query_row(
                "SELECT id, outline, revision FROM runbooks WHERE key = ?1 AND run_of IS NULL",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let imported_at = now();
        let (id, revision, diff, created) = match previous {
            Some((id, old_outline, revision)) => {
                let old = read_parts(&tx, &key, id, &old_outline, |_, _| true)?;
                let changes = diff(&old, runbook);
                let revision = if old == *runbook {
                    revision
                } else {
                    revision + 1
                };
                tx.execute(
                    "UPDATE runbooks SET title = ?1, source = ?2, source_sha256 = ?3, outline = ?4, \
                     revision = ?5, imported_at = ?6 WHERE id = ?7 OR run_of = ?7",
                    params![runbook.title, source, sha256, outline, revision, imported_at, id],
                )?;
                for table in ["items", "phases", "phase_bodies"] {
                    tx.execute(
                        &format!(
                            "DELETE FROM {table} WHERE runbook_id = ?1 \
                             OR runbook_id IN (SELECT id FROM runbooks WHERE run_of = ?1)"
                        ),
                        [id],
                    )?;
                }
                (id, revision, changes, false)
            }
            None => {
                tx.execute(
                    "INSERT INTO runbooks (key, title, source, source_sha256, outline, revision, imported_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                    params![key, runbook.title, source, sha256, outline, imported_at],
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
        self.document_keeping(key, |_, _| true)
    }

    /// The runbook's structure with the body (items, tasks, steps, actions) of each phase for
    /// which `keep(index, id)` is true; the other phases have their headings, gates, sign-off
    /// fields and criteria only, and cost next to nothing to read.
    pub fn document_keeping(
        &self,
        key: &str,
        keep: impl Fn(usize, &str) -> bool,
    ) -> Result<Runbook, StoreError> {
        let (id, outline): (i64, String) = self
            .conn
            .query_row(
                "SELECT id, outline FROM runbooks WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))?;
        read_parts(&self.conn, key, id, &outline, keep)
    }

    /// The runbook's structure without any phase's body: see [`Store::document_keeping`].
    pub fn outline(&self, key: &str) -> Result<Runbook, StoreError> {
        self.document_keeping(key, |_, _| false)
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
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT key FROM runbooks WHERE id IN ({CURRENT_RUNS}) ORDER BY COALESCE(run_of, id)"
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
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
    insert_bodies(tx, runbook_id, runbook)?;
    Ok(())
}

/// Each phase of `runbook` whole, into `phase_bodies` for runbook row `runbook_id`.
fn insert_bodies(
    conn: &Connection,
    runbook_id: i64,
    runbook: &Runbook,
) -> Result<(), rusqlite::Error> {
    let mut body =
        conn.prepare("INSERT INTO phase_bodies (runbook_id, ordinal, body) VALUES (?1, ?2, ?3)")?;
    for (ordinal, phase) in runbook.phases.iter().enumerate() {
        body.execute(params![
            runbook_id,
            ordinal as i64,
            serde_json::to_string(phase).expect("a phase always serialises")
        ])?;
    }
    Ok(())
}

/// The runbook's outline as stored in `runbooks.outline`; each phase whole goes to
/// `phase_bodies` (see migration 013).
fn outline_json(runbook: &Runbook) -> String {
    serde_json::to_string(&runbook.outline()).expect("a runbook always serialises")
}

/// Runbook row `id` (`key`) from its stored `outline`, with the body of each phase for which
/// `keep(index, id)` is true read from `phase_bodies`.
fn read_parts(
    conn: &Connection,
    key: &str,
    id: i64,
    outline: &str,
    keep: impl Fn(usize, &str) -> bool,
) -> Result<Runbook, StoreError> {
    let bad = |e| StoreError::BadDocument(key.to_string(), e);
    let mut runbook: Runbook = serde_json::from_str(outline).map_err(bad)?;
    let mut body = conn
        .prepare_cached("SELECT body FROM phase_bodies WHERE runbook_id = ?1 AND ordinal = ?2")?;
    for (index, phase) in runbook.phases.iter_mut().enumerate() {
        if !keep(index, &phase.id) {
            continue;
        }
        let text: String = body
            .query_row(params![id, index as i64], |r| r.get(0))
            .optional()?
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "stored runbook '{key}' has lost the body of its phase '{}'",
                    phase.id
                ))
            })?;
        *phase = serde_json::from_str(&text).map_err(bad)?;
    }
    Ok(runbook)
}

/// Migration 013's hook: each runbook stored whole before it is split into its outline and
/// its phases' bodies. A document that cannot be read is left as it is, so that reading it
/// still names the runbook that is damaged rather than failing the whole store's upgrade.
pub(crate) fn split_documents(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    let stored: Vec<(i64, String)> = tx
        .prepare("SELECT id, outline FROM runbooks")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, document) in stored {
        let Ok(runbook) = serde_json::from_str::<Runbook>(&document) else {
            continue;
        };
        tx.execute(
            "UPDATE runbooks SET outline = ?1 WHERE id = ?2",
            params![outline_json(&runbook), id],
        )?;
        insert_bodies(tx, id, &runbook)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "# Night\n\n## Phase 1: Prepare\n\n- [ ] Backup taken\n\n## Phase 2: Deploy\n\n### Task 2.1: Roll out\n\n- [x] Deployed\n\n```bash\necho deploy\n```\n";

    /// A store made before migration 13, holding `documents` whole as runbooks `rb-0`, `rb-1`…
    fn store_before_the_split(documents: &[String]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::MIGRATIONS.to_version(&mut conn, 12).unwrap();
        for (n, document) in documents.iter().enumerate() {
            conn.execute(
                "INSERT INTO runbooks (key, title, source, source_sha256, document, revision, imported_at) \
                 VALUES (?1, 'Night', 'night.md', '0', ?2, 1, '2026-12-01T10:00:00Z')",
                params![format!("rb-{n}"), document],
            )
            .unwrap();
        }
        drop(conn);
        let store = Store::open(&path).unwrap();
        (dir, store)
    }

    #[test]
    fn the_upgrade_splits_each_stored_document_and_reads_it_back_the_same() {
        let runbook = flightdeck_runbook::parse("night.md", MD.as_bytes()).unwrap();
        let (_dir, store) = store_before_the_split(&[serde_json::to_string(&runbook).unwrap()]);
        assert_eq!(store.schema_version().unwrap(), 13);
        assert_eq!(store.document("rb-0").unwrap(), runbook);
        assert_eq!(store.outline("rb-0").unwrap(), runbook.outline());
        let mut second_open = runbook.outline();
        second_open.phases[1] = runbook.phases[1].clone();
        assert_eq!(
            store.document_keeping("rb-0", |i, _| i == 1).unwrap(),
            second_open
        );
        let outline: String = store
            .conn
            .query_row("SELECT outline FROM runbooks WHERE key = 'rb-0'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!outline.contains("Deployed"), "{outline}");
    }

    #[test]
    fn a_damaged_document_fails_its_own_reads_not_the_upgrade() {
        let runbook = flightdeck_runbook::parse("night.md", MD.as_bytes()).unwrap();
        let whole = serde_json::to_string(&runbook).unwrap();
        let (_dir, store) =
            store_before_the_split(&[whole.clone(), whole[..whole.len() / 2].to_string()]);
        assert_eq!(store.document("rb-0").unwrap(), runbook);
        let err = store.document("rb-1").unwrap_err();
        assert!(
            matches!(err, StoreError::BadDocument(ref key, _) if key == "rb-1"),
            "{err}"
        );
    }

    #[test]
    fn a_lost_phase_body_is_named() {
        let mut store = Store::open_in_memory().unwrap();
        let runbook = flightdeck_runbook::parse("night.md", MD.as_bytes()).unwrap();
        let key = store.import("night.md", "0", &runbook).unwrap().key;
        store
            .conn
            .execute("DELETE FROM phase_bodies WHERE ordinal = 1", [])
            .unwrap();
        assert_eq!(store.outline(&key).unwrap(), runbook.outline());
        let err = store.document(&key).unwrap_err().to_string();
        assert!(err.contains(&runbook.phases[1].id), "{err}");
    }
}
