//! The audit trail: every change of state, append-only, each entry holding the hash of the
//! previous one and, since signing began, its event signed by its author. The newest hash is
//! also kept as the chain head, signed by whoever wrote it, so removing the last entries is
//! detected as well as editing or deleting any other.

use rand::RngCore;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{now, Store, StoreError};
use flightdeck_model::{verify_bytes, Author, Event, EventBody, SignedEvent};

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
    /// The event's global id; none on entries written before events were signed.
    pub event_id: Option<String>,
    /// The event as its author signed it; none on entries written before events were signed.
    pub signed: Option<SignedEvent>,
}

/// Where the chain first breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChainBreak {
    pub entry: i64,
    pub reason: String,
}

impl ChainBreak {
    fn at(entry: i64, reason: impl Into<String>) -> ChainBreak {
        ChainBreak {
            entry,
            reason: reason.into(),
        }
    }
}

/// A new event id: 128 random bits, hex.
fn new_event_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    h.update(b"\n");
    match &e.signed {
        // A signed entry's hash covers exactly what was signed, the signature and its key.
        Some(signed) => {
            h.update(signed.body.as_bytes());
            h.update(b"\n");
            h.update(signed.public_key.as_bytes());
            h.update(b"\n");
            h.update(signed.signature.as_bytes());
        }
        None => {
            let body = serde_json::json!({
                "id": e.id, "at": e.at, "actor": e.actor, "role": e.role, "kind": e.kind,
                "runbook": e.runbook, "subject": e.subject, "detail": e.detail,
            });
            h.update(body.to_string().as_bytes());
        }
    }
    hex::encode(h.finalize())
}

/// The columns an entry shows, as its signed body says they are.
fn columns(
    body: &EventBody,
) -> (
    String,
    String,
    String,
    Option<String>,
    String,
    serde_json::Value,
) {
    let (actor, role) = body
        .author
        .as_ref()
        .map_or((String::new(), String::new()), |a| {
            (a.name.clone(), a.role.as_str().to_string())
        });
    (
        actor,
        role,
        body.event.kind(),
        body.event.runbook().map(str::to_string),
        body.event.subject(),
        body.event.detail(),
    )
}

/// A new event by `author`, made on `desktop` now.
pub(crate) fn body(desktop: &str, author: &Author, event: Event) -> EventBody {
    EventBody {
        id: new_event_id(),
        at: now(),
        author: author.actor().cloned(),
        desktop: desktop.to_string(),
        event,
    }
}

/// Records `event` by `author` inside the caller's transaction, so the change and its record
/// commit together: the state it changes (where the state is what events say), the signed
/// trail entry, and the outbox when its runbook is shared.
pub(crate) fn record(
    tx: &Transaction<'_>,
    desktop: &str,
    author: &Author,
    event: Event,
) -> Result<AuditEntry, StoreError> {
    let body = body(desktop, author, event);
    let signed = author.sign(&body);
    crate::apply::apply(tx, &body)?;
    let entry = append(tx, &body, &signed, author)?;
    crate::team::queue(tx, &body, &signed)?;
    Ok(entry)
}

/// Appends a signed event to the trail (one made here, or one read from a team log) and moves
/// the head, signed by `head_signer`: the person whose desktop wrote it.
pub(crate) fn append(
    tx: &Transaction<'_>,
    body: &EventBody,
    signed: &SignedEvent,
    head_signer: &Author,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = last.map_or((1, GENESIS.to_string()), |(id, hash)| (id + 1, hash));
    let (actor, role, kind, runbook, subject, detail) = columns(body);
    let mut entry = AuditEntry {
        id,
        at: body.at.clone(),
        actor,
        role,
        kind,
        runbook,
        subject,
        detail,
        prev_hash,
        hash: String::new(),
        event_id: Some(body.id.clone()),
        signed: Some(signed.clone()),
    };
    entry.hash = entry_hash(&entry);
    tx.execute(
        "INSERT INTO audit (id, at, actor, role, kind, runbook, subject, detail, prev_hash, hash, event_id, signed) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
            entry.hash,
            entry.event_id,
            serde_json::to_string(signed).expect("a signed event serialises"),
        ],
    )?;
    let head = format!("{}:{}", entry.id, entry.hash);
    let head_signature = format!(
        "{}:{}",
        head_signer.public_key(),
        head_signer.sign_bytes(head.as_bytes())
    );
    for (key, value) in [
        ("audit_head", head),
        ("audit_head_signature", head_signature),
    ] {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value.as_str()],
        )?;
    }
    Ok(entry)
}

/// Whether the trail already holds the event with this id.
pub(crate) fn has_event(tx: &Transaction<'_>, event_id: &str) -> Result<bool, StoreError> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit WHERE event_id = ?1)",
        [event_id],
        |r| r.get(0),
    )?)
}

const ENTRY_COLUMNS: &str =
    "id, at, actor, role, kind, runbook, subject, detail, prev_hash, hash, event_id, signed";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let detail: String = r.get(7)?;
    let signed: Option<String> = r.get(11)?;
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
        event_id: r.get(10)?,
        signed: signed.map(|s| {
            serde_json::from_str(&s).unwrap_or(SignedEvent {
                body: s,
                public_key: String::new(),
                signature: String::new(),
            })
        }),
    })
}

impl Store {
    /// Records an event that changes no other table (a backup taken, a database restored, a
    /// refusal) in the trail.
    pub fn record_event(
        &mut self,
        author: &Author,
        event: Event,
    ) -> Result<AuditEntry, StoreError> {
        let tx = crate::immediate(&mut self.conn)?;
        let entry = record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(entry)
    }

    /// The whole trail, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {ENTRY_COLUMNS} FROM audit ORDER BY id"))?;
        let rows = stmt.query_map([], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The trail of one runbook (or run, by its key), oldest first.
    pub fn trail_of(&self, runbook: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit WHERE runbook = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([runbook], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Recomputes the chain and checks each signed entry against its signature and the head
    /// against its own; the first entry that does not match, if any. Whether each signing key
    /// is really its author's is the reader's question ([`Store::signers`], a release's
    /// members).
    pub fn verify_audit_chain(&self) -> Result<Option<ChainBreak>, StoreError> {
        let entries = self.audit_entries()?;
        let mut prev = GENESIS.to_string();
        for (n, e) in entries.iter().enumerate() {
            let expected_id = n as i64 + 1;
            if e.id != expected_id {
                return Ok(Some(ChainBreak::at(
                    expected_id,
                    format!("entry {expected_id} is missing (found {} next)", e.id),
                )));
            }
            if e.prev_hash != prev {
                return Ok(Some(ChainBreak::at(
                    e.id,
                    "it does not follow the entry before it (previous hash differs)",
                )));
            }
            if entry_hash(e) != e.hash {
                return Ok(Some(ChainBreak::at(
                    e.id,
                    "its content was changed after it was written (hash differs)",
                )));
            }
            if let Some(reason) = signed_entry_problem(e) {
                return Ok(Some(ChainBreak::at(e.id, reason)));
            }
            prev = e.hash.clone();
        }
        let setting = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let head = setting("audit_head")?;
        let last = entries.last().map(|e| format!("{}:{}", e.id, e.hash));
        let count = entries.len() as i64;
        if head != last {
            return Ok(Some(ChainBreak::at(
                count + 1,
                format!(
                    "entries after {count} were removed (the chain head is {})",
                    head.unwrap_or_default()
                ),
            )));
        }
        if let (Some(head), Some(last)) = (head, entries.last()) {
            if last.signed.is_some() {
                let signature = setting("audit_head_signature")?.unwrap_or_default();
                let (key, signature) = signature.split_once(':').unwrap_or(("", ""));
                if verify_bytes(key, head.as_bytes(), signature).is_err() {
                    return Ok(Some(ChainBreak::at(
                        count + 1,
                        format!("the chain head {head} is not signed: it was moved by hand"),
                    )));
                }
            }
        }
        Ok(None)
    }
}

/// What is wrong with a signed entry: a signature that does not verify, or columns that say
/// something other than the event signed.
fn signed_entry_problem(e: &AuditEntry) -> Option<String> {
    let signed = e.signed.as_ref()?;
    let body = match signed.verify() {
        Ok(body) => body,
        Err(err) => return Some(format!("its event fails its signature: {err}")),
    };
    let (actor, role, kind, runbook, subject, detail) = columns(&body);
    let shown = (
        &e.actor, &e.role, &e.kind, &e.runbook, &e.subject, &e.detail, &e.at,
    );
    if shown != (&actor, &role, &kind, &runbook, &subject, &detail, &body.at)
        || e.event_id.as_deref() != Some(body.id.as_str())
    {
        return Some(
            "its content was changed after it was written (it differs from its signed event)"
                .into(),
        );
    }
    None
}
