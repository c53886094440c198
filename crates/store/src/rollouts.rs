//! Rollouts: where each one is, and its log, both made by [`apply_change`] from its events.
//! Applying an event twice changes nothing: the log row is the proof it was applied.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{EventBody, RollbackTiming, RolloutChange, RolloutStatus, ShiftCause};

use crate::{Store, StoreError};

/// A rollout as its events leave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RolloutRow {
    pub rollout: String,
    pub runbook: String,
    pub step: String,
    pub environment: String,
    pub status: RolloutStatus,
    /// The step running; None before the first step's traffic.
    pub step_index: Option<u32>,
    pub percent: u32,
    #[ts(type = "number")]
    pub step_started_ms: i64,
    pub failures: u32,
    pub inconclusive: u32,
    pub promote_asked: bool,
    #[ts(type = "Record<string, unknown>")]
    pub definition: serde_json::Value,
    #[ts(type = "Record<string, unknown>")]
    pub rollback: serde_json::Value,
    pub stable_version: String,
    pub ignored_alarms: Vec<String>,
    /// Why it holds, or why it ended.
    pub reason: Option<String>,
    /// Why it is rolling back (or rolled back).
    pub rollback_reason: Option<String>,
    pub rollback_aborted: bool,
    /// When the judgment that began the rollback was made.
    #[ts(type = "number | null")]
    pub judged_at_ms: Option<i64>,
    pub timing: Option<RollbackTiming>,
    #[ts(type = "number")]
    pub started_ms: i64,
    pub started_by: String,
    /// The desktop that started it, which drives it.
    pub desktop: String,
    #[ts(type = "number | null")]
    pub ended_ms: Option<i64>,
}

/// One change of a rollout, when and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RolloutLogEntry {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub actor: String,
    pub change: RolloutChange,
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

/// Applies one change of `rollout` in the runbook `runbook_id`.
pub(crate) fn apply_change(
    tx: &Transaction<'_>,
    runbook_id: i64,
    rollout: &str,
    at_ms: i64,
    change: &RolloutChange,
    body: &EventBody,
    actor: &str,
) -> Result<(), StoreError> {
    let logged = tx.execute(
        "INSERT OR IGNORE INTO rollout_log (runbook_id, rollout, event_id, at_ms, actor, change) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![runbook_id, rollout, body.id, at_ms, actor, json(change)],
    )?;
    if logged == 0 {
        return Ok(());
    }
    let set = |sql: &str, values: &[&dyn rusqlite::ToSql]| -> Result<(), StoreError> {
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&runbook_id, &rollout];
        all.extend_from_slice(values);
        tx.execute(
            &format!("UPDATE rollouts SET {sql} WHERE runbook_id = ?1 AND rollout = ?2"),
            all.as_slice(),
        )?;
        Ok(())
    };
    match change {
        RolloutChange::Started {
            step,
            environment,
            definition,
            rollback,
            stable_version,
            start_percent,
            ignored_alarms,
        } => {
            tx.execute(
                "INSERT OR IGNORE INTO rollouts (runbook_id, rollout, step, environment, status, percent, \
                 step_started_ms, definition, rollback, stable_version, ignored_alarms, started_ms, started_by, desktop) \
                 VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?6, ?11, ?12)",
                params![
                    runbook_id,
                    rollout,
                    step,
                    environment,
                    start_percent,
                    at_ms,
                    definition.to_string(),
                    rollback.to_string(),
                    stable_version,
                    json(ignored_alarms),
                    actor,
                    body.desktop
                ],
            )?;
        }
        RolloutChange::Judged {
            failures,
            inconclusive,
            ..
        } => set(
            "failures = ?3, inconclusive = ?4",
            &[failures, inconclusive],
        )?,
        RolloutChange::Shifted {
            cause: ShiftCause::Rollback,
            to_percent,
            timing,
            ..
        } => set(
            "percent = ?3, timing = ?4",
            &[to_percent, &timing.as_ref().map(json)],
        )?,
        RolloutChange::Shifted {
            to_percent,
            step_index,
            ..
        } => set(
            "percent = ?3, step_index = ?4, step_started_ms = ?5, failures = 0, inconclusive = 0, \
             promote_asked = 0, status = 'running', reason = NULL",
            &[to_percent, &step_index.map_or(-1, i64::from), &at_ms],
        )?,
        RolloutChange::ShiftFailed { .. } => {}
        RolloutChange::Held { percent, reason } => {
            if let Some(percent) = percent {
                set("percent = ?3", &[percent])?;
            }
            set(
                "status = CASE WHEN status IN ('running', 'paused') THEN 'held' ELSE status END, reason = ?3",
                &[reason],
            )?
        }
        RolloutChange::Paused { reason } => set(
            "status = CASE WHEN status IN ('running', 'held') THEN 'paused' ELSE status END, reason = ?3",
            &[reason],
        )?,
        RolloutChange::Resumed { percent } => {
            if let Some(percent) = percent {
                set("percent = ?3", &[percent])?;
            }
            set(
                "status = CASE WHEN status IN ('paused', 'held') THEN 'running' ELSE status END, \
                 step_started_ms = ?3, failures = 0, inconclusive = 0, reason = NULL",
                &[&at_ms],
            )?
        }
        RolloutChange::PromoteAsked => set("promote_asked = 1", &[])?,
        RolloutChange::RollbackBegun {
            reason,
            judged_at_ms,
            aborted,
        } => set(
            "status = 'rolling_back', rollback_reason = ?3, judged_at_ms = ?4, rollback_aborted = ?5",
            &[reason, judged_at_ms, aborted],
        )?,
        RolloutChange::Ended { status, reason } => set(
            "status = ?3, reason = ?4, ended_ms = ?5",
            &[&status.as_str(), reason, &at_ms],
        )?,
    }
    Ok(())
}

const COLUMNS: &str =
    "r.rollout, b.key, r.step, r.environment, r.status, r.step_index, r.percent, \
    r.step_started_ms, r.failures, r.inconclusive, r.promote_asked, r.definition, r.rollback, \
    r.stable_version, r.ignored_alarms, r.reason, r.rollback_reason, r.rollback_aborted, \
    r.judged_at_ms, r.timing, r.started_ms, r.started_by, r.desktop, r.ended_ms";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<RolloutRow> {
    let parse = |text: String| serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let index: i64 = r.get(5)?;
    Ok(RolloutRow {
        rollout: r.get(0)?,
        runbook: r.get(1)?,
        step: r.get(2)?,
        environment: r.get(3)?,
        status: RolloutStatus::parse(&r.get::<_, String>(4)?).unwrap_or(RolloutStatus::Held),
        step_index: u32::try_from(index).ok(),
        percent: r.get(6)?,
        step_started_ms: r.get(7)?,
        failures: r.get(8)?,
        inconclusive: r.get(9)?,
        promote_asked: r.get(10)?,
        definition: parse(r.get(11)?),
        rollback: parse(r.get(12)?),
        stable_version: r.get(13)?,
        ignored_alarms: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
        reason: r.get(15)?,
        rollback_reason: r.get(16)?,
        rollback_aborted: r.get(17)?,
        judged_at_ms: r.get(18)?,
        timing: r
            .get::<_, Option<String>>(19)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        started_ms: r.get(20)?,
        started_by: r.get(21)?,
        desktop: r.get(22)?,
        ended_ms: r.get(23)?,
    })
}

impl Store {
    /// The runbook's rollouts, newest first.
    pub fn rollouts(&self, key: &str) -> Result<Vec<RolloutRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM rollouts r JOIN runbooks b ON b.id = r.runbook_id \
             WHERE b.key = ?1 ORDER BY r.started_ms DESC, r.id DESC"
        ))?;
        let rows = stmt.query_map([key], row_from)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One rollout of a runbook, if it exists.
    pub fn rollout(&self, key: &str, rollout: &str) -> Result<Option<RolloutRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM rollouts r JOIN runbooks b ON b.id = r.runbook_id \
                     WHERE b.key = ?1 AND r.rollout = ?2"
                ),
                params![key, rollout],
                row_from,
            )
            .optional()?)
    }

    /// A rollout's changes, oldest first.
    pub fn rollout_log(
        &self,
        key: &str,
        rollout: &str,
    ) -> Result<Vec<RolloutLogEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT l.at_ms, l.actor, l.change FROM rollout_log l JOIN runbooks b ON b.id = l.runbook_id \
             WHERE b.key = ?1 AND l.rollout = ?2 ORDER BY l.at_ms, l.id",
        )?;
        let rows = stmt.query_map(params![key, rollout], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at_ms, actor, change) = row?;
            if let Ok(change) = serde_json::from_str(&change) {
                out.push(RolloutLogEntry {
                    at_ms,
                    actor,
                    change,
                });
            }
        }
        Ok(out)
    }
}
