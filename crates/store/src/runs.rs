//! Runs of a runbook. Each run is a row of `runbooks` of its own (`runbook@run`) with a copy of
//! the runbook's structure, so the state every other table keeps per runbook is kept per run;
//! `runs` says what each run is. The runbook's own row is its default run.

use flightdeck_model::{run_key, split_run_key, RunKind, RunRecord};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Store, StoreError};

/// A run as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunRow {
    /// The key its state is kept under (`runbook@name`; the runbook's key for the default run).
    pub key: String,
    pub runbook: String,
    pub name: String,
    pub kind: RunKind,
    pub environment: Option<String>,
    #[ts(type = "number | null")]
    pub t0_ms: Option<i64>,
    pub utc_offset_minutes: i32,
    pub started_by: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub notify: Option<flightdeck_model::RunNotify>,
    /// The desktop the run was started on: the one that sends its notifications.
    pub desktop: Option<String>,
    /// The run the runbook's commands act on when no run is named: the latest started run
    /// that has not ended, else the default run.
    pub current: bool,
}

/// The row ids of every runbook's current run: its latest run that has not ended, else itself.
pub(crate) const CURRENT_RUNS: &str = "SELECT COALESCE((SELECT MAX(c.id) FROM runbooks c \
     JOIN runs cr ON cr.runbook_id = c.id WHERE c.run_of = b.id AND cr.ended_at IS NULL), b.id) \
     FROM runbooks b WHERE b.run_of IS NULL";

const RUN_COLUMNS: &str = "b.key, COALESCE(p.key, b.key), r.name, r.kind, r.environment, r.t0_ms, \
     r.utc_offset_minutes, r.started_by, r.started_at, r.ended_at, r.notify, r.desktop";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let kind: String = r.get(3)?;
    Ok(RunRow {
        key: r.get(0)?,
        runbook: r.get(1)?,
        name: r.get(2)?,
        kind: RunKind::parse(&kind).unwrap_or(RunKind::Default),
        environment: r.get(4)?,
        t0_ms: r.get(5)?,
        utc_offset_minutes: r.get(6)?,
        started_by: r.get(7)?,
        started_at: r.get(8)?,
        ended_at: r.get(9)?,
        notify: r
            .get::<_, Option<String>>(10)?
            .and_then(|n| serde_json::from_str(&n).ok()),
        desktop: r.get(11)?,
        current: false,
    })
}

/// Makes run `run` of `runbook`: a copy of the runbook's row and structure under the run's
/// key, with nothing ticked. Applying it again changes nothing.
pub(crate) fn start(
    tx: &Transaction<'_>,
    runbook: &str,
    run: &RunRecord,
    (started_by, at, desktop): (&str, &str, &str),
) -> Result<(), StoreError> {
    let key = run_key(runbook, &run.name);
    let root: i64 = tx
        .query_row(
            "SELECT id FROM runbooks WHERE key = ?1 AND run_of IS NULL",
            [runbook],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::UnknownRunbook(runbook.to_string()))?;
    let added = tx.execute(
        "INSERT OR IGNORE INTO runbooks (key, title, source, source_sha256, outline, revision, imported_at, run_of) \
         SELECT ?1, title, source, source_sha256, outline, revision, imported_at, id FROM runbooks WHERE id = ?2",
        params![key, root],
    )?;
    if added == 0 {
        return Ok(());
    }
    let id = tx.last_insert_rowid();
    copy_structure(tx, root, id)?;
    tx.execute(
        "INSERT INTO runs (runbook_id, name, kind, environment, t0_ms, utc_offset_minutes, started_by, started_at, notify, desktop) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            run.name,
            run.kind.as_str(),
            run.environment,
            run.t0_ms,
            run.utc_offset_minutes,
            started_by,
            at,
            run.notify
                .as_ref()
                .map(|n| serde_json::to_string(n).expect("serialises")),
            desktop
        ],
    )?;
    Ok(())
}

pub(crate) fn end(tx: &Transaction<'_>, key: &str, at: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE runs SET ended_at = COALESCE(ended_at, ?2) \
         WHERE runbook_id = (SELECT id FROM runbooks WHERE key = ?1)",
        params![key, at],
    )?;
    Ok(())
}

/// The phases (with their bodies) and items of runbook row `from`, copied to row `to`.
pub(crate) fn copy_structure(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO phases (runbook_id, phase_id, ordinal, title) \
         SELECT ?2, phase_id, ordinal, title FROM phases WHERE runbook_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "INSERT INTO phase_bodies (runbook_id, ordinal, body) \
         SELECT ?2, ordinal, body FROM phase_bodies WHERE runbook_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "INSERT INTO items (runbook_id, item_id, phase_id, ordinal, text, section, task_id, parent_id, \
         depth, line, source_checked) \
         SELECT ?2, item_id, phase_id, ordinal, text, section, task_id, parent_id, depth, line, source_checked \
         FROM items WHERE runbook_id = ?1",
        params![from, to],
    )?;
    Ok(())
}

impl Store {
    /// Every run of `runbook`, the default run first, then in the order they were started.
    pub fn runs(&self, runbook: &str) -> Result<Vec<RunRow>, StoreError> {
        let root = split_run_key(runbook).0;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs r JOIN runbooks b ON b.id = r.runbook_id \
             LEFT JOIN runbooks p ON p.id = b.run_of \
             WHERE b.key = ?1 OR p.key = ?1 ORDER BY b.run_of IS NOT NULL, b.id"
        );
        let mut runs: Vec<RunRow> = self
            .conn
            .prepare_cached(&sql)?
            .query_map([root], row)?
            .collect::<Result<_, _>>()?;
        if runs.is_empty() {
            return Err(StoreError::UnknownRunbook(root.to_string()));
        }
        let current = runs
            .iter()
            .rposition(|r| r.kind != RunKind::Default && r.ended_at.is_none())
            .unwrap_or(0);
        runs[current].current = true;
        Ok(runs)
    }

    /// The run whose state is kept under `key`.
    pub fn run(&self, key: &str) -> Result<RunRow, StoreError> {
        self.runs(key)?
            .into_iter()
            .find(|r| r.key == key)
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    /// The open runs started on this desktop, of every runbook, that announce on a channel:
    /// one desktop sends a run's notifications, so a team hears each once.
    pub fn notifying_runs(&self) -> Result<Vec<RunRow>, StoreError> {
        let keys: Vec<String> = self
            .conn
            .prepare(
                "SELECT b.key FROM runs r JOIN runbooks b ON b.id = r.runbook_id \
                 WHERE r.notify IS NOT NULL AND r.ended_at IS NULL AND r.desktop = ?1 ORDER BY b.id",
            )?
            .query_map([&self.desktop], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        keys.iter().map(|k| self.run(k)).collect()
    }

    /// Whether `subject` was announced on the run `key`'s channel already.
    pub fn notified(&self, key: &str, subject: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM audit WHERE runbook = ?1 AND kind = 'notification' AND subject = ?2 \
                 AND json_extract(detail, '$.error') IS NULL",
                params![key, subject],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Whether the held item `held` of the run `key` was started early on purpose.
    pub fn hold_overridden(&self, key: &str, held: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM audit WHERE runbook = ?1 AND kind = 'hold_overridden' AND subject = ?2",
                params![key, held],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The key of `runbook`'s current run.
    pub fn current_run(&self, runbook: &str) -> Result<RunRow, StoreError> {
        self.runs(runbook)?
            .into_iter()
            .find(|r| r.current)
            .ok_or_else(|| StoreError::UnknownRunbook(runbook.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use flightdeck_model::{Actor, Author, Event, ItemState, Role, SigningKey};
    use rusqlite::Connection;

    use super::*;
    use crate::ItemUpdate;

    const MD: &str =
        "# Night\n\n## Phase 1: Prep (19:00-20:00)\n\n- [ ] war room open\n- [ ] backups taken\n";

    fn lead() -> Author {
        Author::new(
            Some(Actor::new("Ana", Role::TechnicalLead).unwrap()),
            SigningKey::from_bytes(&[5; 32]),
        )
    }

    fn tick(store: &mut Store, key: &str, item: &str) {
        let done = ItemUpdate {
            state: Some(ItemState::Done),
            note: None,
        };
        store.set_item(key, item, &done, &lead()).unwrap();
    }

    fn start(store: &mut Store, name: &str, kind: RunKind) {
        let run = RunRecord {
            name: name.into(),
            kind,
            environment: Some("SIT".into()),
            t0_ms: Some(1_799_564_400_000),
            utc_offset_minutes: 120,
            notify: None,
        };
        store
            .record_event(
                &lead(),
                Event::RunStarted {
                    runbook: "night".into(),
                    run,
                },
            )
            .unwrap();
    }

    #[test]
    fn a_rehearsal_and_a_live_run_keep_separate_state() {
        let mut store = Store::open_in_memory().unwrap();
        let runbook = flightdeck_runbook::parse("night.md", MD.as_bytes()).unwrap();
        store.import("night.md", "0", &runbook).unwrap();
        let items: Vec<String> = runbook.items().map(|i| i.id.to_string()).collect();
        tick(&mut store, "night", &items[0]);

        start(&mut store, "rehearsal-1", RunKind::Rehearsal);
        assert_eq!(
            store.summary("night@rehearsal-1").unwrap().complete,
            0,
            "a run starts clean"
        );
        tick(&mut store, "night@rehearsal-1", &items[0]);
        tick(&mut store, "night@rehearsal-1", &items[1]);
        start(&mut store, "live", RunKind::Live);
        tick(&mut store, "night@live", &items[1]);

        let complete = |store: &Store, key: &str| store.summary(key).unwrap().complete;
        assert_eq!(complete(&store, "night"), 1);
        assert_eq!(complete(&store, "night@rehearsal-1"), 2);
        assert_eq!(complete(&store, "night@live"), 1);
        assert_eq!(
            store.item("night@live", &items[0]).unwrap().state,
            None,
            "the live run does not see the rehearsal's tick"
        );

        let runs = store.runs("night").unwrap();
        let names: Vec<(&str, bool)> = runs.iter().map(|r| (r.name.as_str(), r.current)).collect();
        assert_eq!(
            names,
            vec![("default", false), ("rehearsal-1", false), ("live", true)]
        );
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 1, "runs are not runbooks of their own");
        assert_eq!(listed[0].key, "night@live");
        assert_eq!(store.current_keys().unwrap(), vec!["night@live"]);
        assert_eq!(listed[0].run.kind, RunKind::Live);

        store
            .record_event(
                &lead(),
                Event::RunEnded {
                    runbook: "night@live".into(),
                },
            )
            .unwrap();
        assert_eq!(store.current_run("night").unwrap().name, "rehearsal-1");
        assert_eq!(store.current_keys().unwrap(), vec!["night@rehearsal-1"]);

        let edited = MD.replace(
            "- [ ] backups taken",
            "- [ ] backups taken\n- [ ] DNS TTL lowered",
        );
        let edited = flightdeck_runbook::parse("night.md", edited.as_bytes()).unwrap();
        store.import("night.md", "1", &edited).unwrap();
        assert_eq!(
            store.summary("night@rehearsal-1").unwrap().total,
            3,
            "a re-import reaches every run"
        );
        assert_eq!(
            complete(&store, "night@rehearsal-1"),
            2,
            "and keeps each run's state"
        );
    }

    #[test]
    fn the_upgrade_keeps_existing_state_in_the_default_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let runbook = flightdeck_runbook::parse("night.md", MD.as_bytes()).unwrap();
        let item = runbook.items().next().unwrap().id.to_string();
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::MIGRATIONS.to_version(&mut conn, 8).unwrap();
            conn.execute(
                "INSERT INTO runbooks (key, title, source, source_sha256, document, revision, imported_at) \
                 VALUES ('night', 'Night', 'night.md', '0', ?1, 1, '2026-12-01T10:00:00Z')",
                [serde_json::to_string(&runbook).unwrap()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO phases (runbook_id, phase_id, ordinal, title) VALUES (1, 'phase-1', 0, 'Phase 1')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO items (runbook_id, item_id, phase_id, ordinal, text, depth, line, source_checked) \
                 VALUES (1, ?1, 'phase-1', 1, 'war room open', 0, 5, 0)",
                [&item],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO item_state (runbook_id, item_id, state, actor, role, updated_at) \
                 VALUES (1, ?1, 'done', 'Ana', 'technical_lead', '2026-12-01T10:05:00Z')",
                [&item],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 13);
        let runs = store.runs("night").unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (runs[0].name.as_str(), runs[0].kind, runs[0].current),
            ("default", RunKind::Default, true)
        );
        assert_eq!(runs[0].key, "night");
        let listed = store.list().unwrap();
        assert_eq!(listed[0].key, "night");
        assert_eq!(
            listed[0].complete, 1,
            "the tick made before the upgrade is the default run's"
        );
        assert_eq!(
            store.item("night", &item).unwrap().by.as_deref(),
            Some("Ana")
        );
    }
}
