//! The audit trail: every change of state, append-only, each entry holding the hash of the
//! previous one. The newest hash is also kept as the chain head, so removing the last entries
//! is detected as well as editing or deleting any other.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{now, Store, StoreError};
use flightdeck_model::{Actor, Event};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub kind: String,
    pub runbook: Option<String>,
    pub subject: String,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain first breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChainBreak {
    pub entry: i64,
    pub reason: String,
}

fn entry_hash(e: &AuditEntry) -> String {
    let body = serde_json::json!({
        "id": e.id, "at": e.at, "actor": e.actor, "role": e.role, "kind": e.kind,
        "runbook": e.runbook, "subject": e.subject, "detail": e.detail,
    });
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Appends an entry inside the caller's transaction, so the change and its record commit together.
pub(crate) fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    event: &Event,
) -> Result<AuditEntry, StoreError> {
    append_by(tx, Some(actor), event)
}

/// Appends an entry by `actor`, or by nobody identified (the configuration of this desktop,
/// made before anyone said who they are).
pub(crate) fn append_by(
    tx: &Transaction<'_>,
    actor: Option<&Actor>,
    event: &Event,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = last.map_or((1, GENESIS.to_string()), |(id, hash)| (id + 1, hash));
    let mut entry = AuditEntry {
        id,
        at: now(),
        actor: actor.map_or_else(String::new, |a| a.name.clone()),
        role: actor.map_or("", |a| a.role.as_str()).to_string(),
        kind: event.kind(),
        runbook: event.runbook().map(str::to_string),
        subject: event.subject(),
        detail: event.detail(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    tx.execute(
        "INSERT INTO audit (id, at, actor, role, kind, runbook, subject, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.id,
            entry.at,
            entry.actor,
            entry.role,
            entry.kind,
            entry.runbook,
            entry.subject,
            entry.detail.to_string(),
            entry.prev_hash,
            entry.hash
        ],
    )?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('audit_head', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{}:{}", entry.id, entry.hash)],
    )?;
    Ok(entry)
}

impl Store {
    /// Records an event that changes no other table (a backup taken, a database restored, a
    /// refusal) in the trail.
    pub fn record_event(&mut self, actor: &Actor, event: &Event) -> Result<AuditEntry, StoreError> {
        let tx = self.conn.transaction()?;
        let entry = append(&tx, actor, event)?;
        tx.commit()?;
        Ok(entry)
    }

    /// The whole trail, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, role, kind, runbook, subject, detail, prev_hash, hash FROM audit ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let detail: String = r.get(7)?;
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                role: r.get(3)?,
                kind: r.get(4)?,
                runbook: r.get(5)?,
                subject: r.get(6)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                prev_hash: r.get(8)?,
                hash: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Recomputes the chain; the first entry that does not match, if any.
    pub fn verify_audit_chain(&self) -> Result<Option<ChainBreak>, StoreError> {
        let entries = self.audit_entries()?;
        let mut prev = GENESIS.to_string();
        for (n, e) in entries.iter().enumerate() {
            let expected_id = n as i64 + 1;
            if e.id != expected_id {
                return Ok(Some(ChainBreak {
                    entry: expected_id,
                    reason: format!("entry {expected_id} is missing (found {} next)", e.id),
                }));
            }
            if e.prev_hash != prev {
                return Ok(Some(ChainBreak {
                    entry: e.id,
                    reason: "it does not follow the entry before it (previous hash differs)".into(),
                }));
            }
            if entry_hash(e) != e.hash {
                return Ok(Some(ChainBreak {
                    entry: e.id,
                    reason: "its content was changed after it was written (hash differs)".into(),
                }));
            }
            prev = e.hash.clone();
        }
        let head: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'audit_head'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let last = entries.last().map(|e| format!("{}:{}", e.id, e.hash));
        if head != last {
            let count = entries.len() as i64;
            return Ok(Some(ChainBreak {
                entry: count + 1,
                reason: format!(
                    "entries after {count} were removed (the chain head is {})",
                    head.unwrap_or_default()
                ),
            }));
        }
        Ok(None)
    }
}
