//! A runbook shared through a team log: the release it is, its members, the log as this
//! replica read it, and the outbox of changes made here that the log does not hold yet.
//!
//! The state of a shared runbook is what its log says: events read from the log are applied in
//! log order, and changes made here are applied at once and kept in the outbox until they are
//! in the log. When the log brings others' events while changes of ours wait, the state is
//! rebuilt (the log's events, then ours), so it is always what the log will say once ours are
//! in it.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{Author, Event, EventBody, Role, SignedEvent};

use crate::apply::{apply, EVENT_STATE};
use crate::{now, Store, StoreError};

/// Where a shared runbook lives and how far this replica has read its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Release {
    pub key: String,
    pub uri: String,
    pub environment: String,
    /// The owner's public key, hex: the first event of the log must be signed with it.
    pub owner_key: String,
    #[ts(type = "number")]
    pub last_seq: i64,
    /// Changes made here that the log does not hold yet.
    pub pending: u32,
    /// When this replica last reached the log.
    pub synced_at: Option<String>,
    /// Since when it has not reached it, if it does not now.
    pub offline_since: Option<String>,
    /// What went wrong the last time, and what to do.
    pub last_error: Option<String>,
    /// Events of the log this replica refused to apply.
    pub rejected: u32,
}

/// A member of a shared runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Member {
    pub name: String,
    pub role: Role,
    pub public_key: String,
    pub added_by: String,
    pub added_at: String,
    /// The last time this person was seen working on the release, and from which desktop.
    pub last_seen: Option<String>,
    pub desktop: Option<String>,
}

/// An event of the log this replica did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rejected {
    #[ts(type = "number")]
    pub seq: i64,
    pub event_id: String,
    /// Who the event claims made it, and what it claims they did.
    pub claims: String,
    pub reason: String,
}

/// One event of the log as read, with this replica's judgement of it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: i64,
    pub signed: SignedEvent,
    /// Why it must not be applied; none when it is valid.
    pub rejected: Option<String>,
}

/// What reading a batch of the log did here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Pulled {
    /// Others' events applied.
    pub applied: u32,
    /// Events of ours the log now holds.
    pub confirmed: u32,
    pub rejected: u32,
    /// Events of ours written to the log.
    pub pushed: u32,
    /// Writes of ours that found their sequence number taken and were tried again.
    pub retried: u32,
}

/// Queues an event made here when its runbook is shared (in the transaction that makes it):
/// the sharing itself, and what its members change. A refusal changes nothing and stays in
/// this desktop's trail, so a read-only member has nothing to write to the log.
pub(crate) fn queue(
    tx: &Transaction<'_>,
    body: &EventBody,
    signed: &SignedEvent,
) -> Result<(), StoreError> {
    let (Some(key), Some(author)) = (body.event.runbook(), &body.author) else {
        return Ok(());
    };
    // A run's changes go to the log of the runbook it is a run of.
    let key = flightdeck_model::split_run_key(key).0;
    if matches!(body.event, Event::Refused { .. }) {
        return Ok(());
    }
    let sharing = matches!(body.event, Event::ReleaseShared { .. });
    tx.execute(
        "INSERT INTO outbox (runbook_id, event_id, signed) \
         SELECT r.runbook_id, ?2, ?3 FROM releases r JOIN runbooks b ON b.id = r.runbook_id \
         WHERE b.key = ?1 AND (?5 OR EXISTS (SELECT 1 FROM members m \
           WHERE m.runbook_id = r.runbook_id AND m.name = ?4))",
        params![
            key,
            body.id,
            serde_json::to_string(signed).expect("serialises"),
            author.name,
            sharing
        ],
    )?;
    Ok(())
}

fn signed_from(text: String) -> rusqlite::Result<SignedEvent> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Makes `key` a shared runbook at `uri`: the release's row and its first event, signed by
    /// the owner and queued for the log, in one transaction.
    pub fn share(
        &mut self,
        key: &str,
        uri: &str,
        environment: &str,
        owner: &Author,
        document_sha256: &str,
    ) -> Result<Release, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let title: String = self.conn.query_row(
            "SELECT title FROM runbooks WHERE id = ?1",
            [runbook_id],
            |r| r.get(0),
        )?;
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute(
            "INSERT INTO releases (runbook_id, uri, environment, owner_key) VALUES (?1, ?2, ?3, ?4)",
            params![runbook_id, uri, environment, owner.public_key()],
        )?;
        let event = Event::ReleaseShared {
            runbook: key.to_string(),
            release: uri.to_string(),
            title,
            document_sha256: document_sha256.to_string(),
            owner_key: owner.public_key(),
        };
        crate::audit::record(&tx, &self.desktop, owner, event)?;
        // The state it had before: its events follow the sharing in the log.
        tx.execute(
            "INSERT OR IGNORE INTO outbox (runbook_id, event_id, signed) \
             SELECT ?1, event_id, signed FROM audit \
             WHERE runbook = ?2 AND signed IS NOT NULL AND kind != 'release_shared' ORDER BY id",
            params![runbook_id, key],
        )?;
        tx.commit()?;
        self.release(key)?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    /// Makes an imported runbook a replica of the release at `uri`, with nothing read yet.
    pub fn join(
        &mut self,
        key: &str,
        uri: &str,
        environment: &str,
        owner_key: &str,
    ) -> Result<Release, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        self.conn.execute(
            "INSERT INTO releases (runbook_id, uri, environment, owner_key) VALUES (?1, ?2, ?3, ?4)",
            params![runbook_id, uri, environment, owner_key],
        )?;
        self.release(key)?
            .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
    }

    /// Adds (or changes) a member of a shared runbook, as `owner`.
    pub fn add_member(
        &mut self,
        key: &str,
        owner: &Author,
        name: &str,
        role: Role,
        public_key: &str,
    ) -> Result<Member, StoreError> {
        let event = Event::MemberAdded {
            runbook: key.to_string(),
            name: name.to_string(),
            role,
            public_key: public_key.to_string(),
        };
        self.record_event(owner, event)?;
        self.members(key)?
            .into_iter()
            .find(|m| m.name == name)
            .ok_or_else(|| StoreError::Conflict(format!("{name} was not added")))
    }

    /// The release `key` is shared as, if it is.
    pub fn release(&self, key: &str) -> Result<Option<Release>, StoreError> {
        let runbook = flightdeck_model::split_run_key(key).0;
        Ok(self.releases()?.into_iter().find(|r| r.key == runbook))
    }

    /// Every shared runbook here.
    pub fn releases(&self) -> Result<Vec<Release>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT b.key, r.uri, r.environment, r.owner_key, r.last_seq, \
               (SELECT COUNT(*) FROM outbox o WHERE o.runbook_id = r.runbook_id), \
               r.synced_at, r.offline_since, r.last_error, \
               (SELECT COUNT(*) FROM team_log l WHERE l.runbook_id = r.runbook_id AND l.rejected IS NOT NULL) \
             FROM releases r JOIN runbooks b ON b.id = r.runbook_id ORDER BY b.key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Release {
                key: r.get(0)?,
                uri: r.get(1)?,
                environment: r.get(2)?,
                owner_key: r.get(3)?,
                last_seq: r.get(4)?,
                pending: r.get(5)?,
                synced_at: r.get(6)?,
                offline_since: r.get(7)?,
                last_error: r.get(8)?,
                rejected: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The members of a shared runbook, as its log says.
    pub fn members(&self, key: &str) -> Result<Vec<Member>, StoreError> {
        let runbook_id = self.runbook_id(flightdeck_model::split_run_key(key).0)?;
        let mut stmt = self.conn.prepare(
            "SELECT name, role, public_key, added_by, added_at, last_seen, desktop FROM members \
             WHERE runbook_id = ?1 ORDER BY added_at, name",
        )?;
        let rows = stmt.query_map([runbook_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.map(|row| {
            let (name, role, public_key, added_by, added_at, last_seen, desktop) = row?;
            Ok(Member {
                name,
                role: role.parse::<Role>()?,
                public_key,
                added_by,
                added_at,
                last_seen,
                desktop,
            })
        })
        .collect()
    }

    /// Changes made here to `key` that the log does not hold yet, oldest first.
    pub fn outbox(&self, key: &str) -> Result<Vec<SignedEvent>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self
            .conn
            .prepare("SELECT signed FROM outbox WHERE runbook_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([runbook_id], |r| signed_from(r.get(0)?))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The log as read here, in log order.
    pub fn team_log(&self, key: &str) -> Result<Vec<LogEntry>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(
            "SELECT seq, signed, rejected FROM team_log WHERE runbook_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([runbook_id], |r| {
            Ok(LogEntry {
                seq: r.get(0)?,
                signed: signed_from(r.get(1)?)?,
                rejected: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The log's events this replica refused, with what each claims and why.
    pub fn rejected(&self, key: &str) -> Result<Vec<Rejected>, StoreError> {
        Ok(self
            .team_log(key)?
            .into_iter()
            .filter_map(|e| {
                let reason = e.rejected?;
                let claims = match e.signed.body() {
                    Ok(body) => format!(
                        "{} by {}",
                        body.event.kind(),
                        body.author.map_or_else(|| "nobody".into(), |a| a.name)
                    ),
                    Err(_) => "an unreadable event".into(),
                };
                let event_id = e.signed.body().map(|b| b.id).unwrap_or_default();
                Some(Rejected {
                    seq: e.seq,
                    event_id,
                    claims,
                    reason,
                })
            })
            .collect())
    }

    /// Our events are now events `first`, `first + 1`, ... of the log: out of the outbox, into
    /// the log as read, in one transaction.
    pub fn pushed(
        &mut self,
        key: &str,
        first: i64,
        events: &[SignedEvent],
    ) -> Result<(), StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let tx = crate::immediate(&mut self.conn)?;
        for (i, signed) in events.iter().enumerate() {
            let seq = first + i as i64;
            let event_id = signed.body().map(|b| b.id).unwrap_or_default();
            tx.execute(
                "INSERT OR IGNORE INTO team_log (runbook_id, seq, event_id, signed) VALUES (?1, ?2, ?3, ?4)",
                params![runbook_id, seq, event_id, serde_json::to_string(signed).expect("serialises")],
            )?;
            tx.execute("DELETE FROM outbox WHERE event_id = ?1", [&event_id])?;
            tx.execute(
                "UPDATE releases SET last_seq = MAX(last_seq, ?2) WHERE runbook_id = ?1",
                params![runbook_id, seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies a batch read from the log, in log order, in one transaction: others' valid
    /// events are applied and recorded in the trail, ours leave the outbox, rejected ones are
    /// kept with their reason and change nothing. `reader` signs the trail's head.
    pub fn pulled(
        &mut self,
        key: &str,
        entries: &[LogEntry],
        reader: &Author,
    ) -> Result<Pulled, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let tx = crate::immediate(&mut self.conn)?;
        let mut pulled = Pulled::default();
        for entry in entries {
            let body = entry.signed.body().ok();
            let event_id = body.as_ref().map(|b| b.id.clone()).unwrap_or_default();
            tx.execute(
                "INSERT OR IGNORE INTO team_log (runbook_id, seq, event_id, signed, rejected) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    runbook_id,
                    entry.seq,
                    event_id,
                    serde_json::to_string(&entry.signed).expect("serialises"),
                    entry.rejected
                ],
            )?;
            tx.execute(
                "UPDATE releases SET last_seq = MAX(last_seq, ?2) WHERE runbook_id = ?1",
                params![runbook_id, entry.seq],
            )?;
            let (Some(body), None) = (body, &entry.rejected) else {
                pulled.rejected += 1;
                continue;
            };
            if let Some(author) = &body.author {
                mark_seen(&tx, runbook_id, &author.name, &body.at, &body.desktop)?;
            }
            if tx.execute("DELETE FROM outbox WHERE event_id = ?1", [&body.id])? == 1 {
                pulled.confirmed += 1;
                continue;
            }
            if crate::audit::has_event(&tx, &body.id)? {
                continue;
            }
            apply(&tx, &body)?;
            crate::audit::append(&tx, &body, &entry.signed, reader)?;
            pulled.applied += 1;
        }
        let waiting: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE runbook_id = ?1)",
            [runbook_id],
            |r| r.get(0),
        )?;
        if pulled.applied > 0 && waiting {
            rebuild(&tx, runbook_id)?;
        }
        tx.commit()?;
        Ok(pulled)
    }

    /// Rebuilds a shared runbook's state from its log (and the changes of ours not in it yet).
    pub fn rebuild(&mut self, key: &str) -> Result<(), StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let tx = crate::immediate(&mut self.conn)?;
        rebuild(&tx, runbook_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets the log as read here (and the members it made), to read it all again.
    pub fn forget_log(&mut self, key: &str) -> Result<(), StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute("DELETE FROM team_log WHERE runbook_id = ?1", [runbook_id])?;
        tx.execute("DELETE FROM members WHERE runbook_id = ?1", [runbook_id])?;
        tx.execute(
            "UPDATE releases SET last_seq = 0 WHERE runbook_id = ?1",
            [runbook_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records how the last attempt to reach the log went: `None` for reached.
    pub fn set_sync_outcome(&mut self, key: &str, error: Option<&str>) -> Result<(), StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let at = now();
        match error {
            None => self.conn.execute(
                "UPDATE releases SET synced_at = ?2, offline_since = NULL, last_error = NULL \
                 WHERE runbook_id = ?1",
                params![runbook_id, at],
            )?,
            Some(error) => self.conn.execute(
                "UPDATE releases SET offline_since = COALESCE(offline_since, ?2), last_error = ?3 \
                 WHERE runbook_id = ?1",
                params![runbook_id, at, error],
            )?,
        };
        Ok(())
    }

    /// A member seen at `at` on `desktop` (their presence, read from the log's heartbeat).
    pub fn seen(
        &mut self,
        key: &str,
        name: &str,
        at: &str,
        desktop: &str,
    ) -> Result<(), StoreError> {
        mark_seen(&self.conn, self.runbook_id(key)?, name, at, desktop)
    }
}

/// `name` was last seen at `at` on `desktop`, unless seen later already.
fn mark_seen(
    conn: &Connection,
    runbook_id: i64,
    name: &str,
    at: &str,
    desktop: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE members SET last_seen = ?3, desktop = ?4 \
         WHERE runbook_id = ?1 AND name = ?2 AND (last_seen IS NULL OR last_seen < ?3)",
        params![runbook_id, name, at, desktop],
    )?;
    Ok(())
}

/// The runbook's state made anew from its events: the log's valid ones in log order, then the
/// outbox's in the order they were made.
pub(crate) fn rebuild(tx: &Transaction<'_>, runbook_id: i64) -> Result<(), StoreError> {
    let presence: Vec<(String, Option<String>, Option<String>)> = tx
        .prepare("SELECT name, last_seen, desktop FROM members WHERE runbook_id = ?1")?
        .query_map([runbook_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for table in EVENT_STATE {
        tx.execute(
            &format!("DELETE FROM {table} WHERE runbook_id = ?1"),
            [runbook_id],
        )?;
    }
    let events: Vec<String> = tx
        .prepare(
            "SELECT signed FROM (SELECT 0 AS part, seq AS n, signed FROM team_log \
               WHERE runbook_id = ?1 AND rejected IS NULL \
             UNION ALL SELECT 1, id, signed FROM outbox WHERE runbook_id = ?1) ORDER BY part, n",
        )?
        .query_map([runbook_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for text in events {
        let signed = signed_from(text)?;
        let body = signed
            .body()
            .map_err(|e| StoreError::Corrupt(format!("an event of the log: {e}")))?;
        apply(tx, &body)?;
    }
    for (name, last_seen, desktop) in presence {
        tx.execute(
            "UPDATE members SET last_seen = ?3, desktop = ?4 WHERE runbook_id = ?1 AND name = ?2",
            params![runbook_id, name, last_seen, desktop],
        )?;
    }
    Ok(())
}
