//! Action runs: each apply or undo of a runbook's action, begun before its first AWS call and
//! finished after its last, with outputs, AWS request ids, the recorded undo and the result.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{Author, Direction, Event};

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunStatus {
    /// Begun and not finished: still going, or the process was killed.
    Running,
    Succeeded,
    /// The plan changed nothing.
    Unchanged,
    Failed,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Unchanged => "unchanged",
            RunStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> RunStatus {
        match s {
            "succeeded" => RunStatus::Succeeded,
            "unchanged" => RunStatus::Unchanged,
            "failed" => RunStatus::Failed,
            _ => RunStatus::Running,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionRun {
    #[ts(type = "number")]
    pub id: i64,
    pub step: String,
    pub environment: String,
    /// `apply` or `undo`.
    pub direction: String,
    #[ts(type = "Record<string, unknown>")]
    pub action: serde_json::Value,
    pub actor: String,
    pub role: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: RunStatus,
    pub outputs: BTreeMap<String, String>,
    pub request_ids: Vec<String>,
    #[ts(type = "Record<string, unknown> | null")]
    pub undo: Option<serde_json::Value>,
    pub log: Vec<String>,
    pub error: Option<String>,
}

/// How a run ended.
pub struct RunResult<'a> {
    pub status: RunStatus,
    pub outputs: &'a BTreeMap<String, String>,
    pub request_ids: &'a [String],
    pub undo: Option<&'a serde_json::Value>,
    pub log: &'a [String],
    pub error: Option<&'a str>,
}

const COLUMNS: &str = "id, step, environment, direction, action, actor, role, started_at, \
    finished_at, status, outputs, request_ids, undo, log, error";

fn json<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn run_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRun> {
    Ok(ActionRun {
        id: r.get(0)?,
        step: r.get(1)?,
        environment: r.get(2)?,
        direction: r.get(3)?,
        action: json(r.get(4)?),
        actor: r.get(5)?,
        role: r.get(6)?,
        started_at: r.get(7)?,
        finished_at: r.get(8)?,
        status: RunStatus::parse(&r.get::<_, String>(9)?),
        outputs: json(r.get(10)?),
        request_ids: json(r.get(11)?),
        undo: r
            .get::<_, Option<String>>(12)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        log: json(r.get(13)?),
        error: r.get(14)?,
    })
}

impl Store {
    /// Records that a run begins (before any AWS call), in the audit trail too.
    pub fn begin_action_run(
        &mut self,
        key: &str,
        author: &Author,
        step: &str,
        environment: &str,
        direction: Direction,
        action: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let actor = crate::person(author)?;
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute(
            "INSERT INTO action_runs (runbook_id, step, environment, direction, action, actor, role, started_at, status) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running')",
            params![
                runbook_id,
                step,
                environment,
                direction.as_str(),
                action.to_string(),
                actor.name,
                actor.role.as_str(),
                now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        let event = Event::ActionStarted {
            runbook: key.to_string(),
            step: step.to_string(),
            direction,
            run: id,
            environment: environment.to_string(),
            action: action.clone(),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(id)
    }

    /// Records how a run ended, in the audit trail too.
    pub fn finish_action_run(
        &mut self,
        key: &str,
        author: &Author,
        run: i64,
        result: &RunResult<'_>,
    ) -> Result<ActionRun, StoreError> {
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute(
            "UPDATE action_runs SET finished_at = ?2, status = ?3, outputs = ?4, request_ids = ?5, \
             undo = ?6, log = ?7, error = ?8 WHERE id = ?1",
            params![
                run,
                now(),
                result.status.as_str(),
                serde_json::to_string(result.outputs).unwrap_or_default(),
                serde_json::to_string(result.request_ids).unwrap_or_default(),
                result.undo.map(|u| u.to_string()),
                serde_json::to_string(result.log).unwrap_or_default(),
                result.error
            ],
        )?;
        let (step, direction): (String, String) = tx.query_row(
            "SELECT step, direction FROM action_runs WHERE id = ?1",
            [run],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let event = Event::ActionFinished {
            runbook: key.to_string(),
            step,
            direction: if direction == "undo" {
                Direction::Undo
            } else {
                Direction::Apply
            },
            run,
            status: result.status.as_str().to_string(),
            outputs: result.outputs.clone(),
            request_ids: result.request_ids.to_vec(),
            done: result.log.to_vec(),
            error: result.error.map(str::to_string),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        self.action_run(run)?
            .ok_or_else(|| StoreError::Conflict(format!("action run {run} vanished")))
    }

    pub fn action_run(&self, run: i64) -> Result<Option<ActionRun>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM action_runs WHERE id = ?1"),
                [run],
                run_from,
            )
            .optional()?)
    }

    /// The runs of a runbook (of one step when given), newest first.
    pub fn action_runs(&self, key: &str, step: Option<&str>) -> Result<Vec<ActionRun>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM action_runs WHERE runbook_id = ?1 AND (?2 IS NULL OR step = ?2) ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map(params![runbook_id, step], run_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
