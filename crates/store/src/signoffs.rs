//! Signed records: phase sign-offs and go/no-go decisions, and the signers' public keys.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use flightdeck_model::{Answer, Author, Decision, Event, Signed, Waiver};

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignoffRecord {
    pub id: i64,
    pub phase_id: String,
    pub answers: Vec<Answer>,
    pub waivers: Vec<Waiver>,
    pub signed: Signed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DecisionRecord {
    pub id: i64,
    pub decision: Decision,
    pub reason: String,
    #[ts(type = "unknown")]
    pub evidence: serde_json::Value,
    pub signed: Signed,
}

/// Columns 4 to 9 of a signoffs or decisions row: signer, role, time, digest, signature, key.
fn signed_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Signed> {
    Ok(Signed {
        signer: r.get(4)?,
        role: r.get(5)?,
        at: r.get(6)?,
        digest: r.get(7)?,
        signature: r.get(8)?,
        public_key: r.get(9)?,
    })
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// The public key registered for a signer, if any.
    pub fn signer_key(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT public_key FROM signers WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Registers a signer's public key (first use); an existing key is never replaced.
    pub fn register_signer(&mut self, author: &Author) -> Result<(), StoreError> {
        let Some(actor) = author.actor() else {
            return Ok(());
        };
        if self.signer_key(&actor.name)?.is_some() {
            return Ok(());
        }
        let event = Event::SignerRegistered {
            signer: actor.name.clone(),
            public_key: author.public_key(),
        };
        self.record_event(author, event)?;
        Ok(())
    }

    /// Every signer's public key, for verifying elsewhere.
    pub fn signers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, public_key FROM signers ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn record_signoff(
        &mut self,
        key: &str,
        phase_id: &str,
        author: &Author,
        answers: &[Answer],
        waivers: &[Waiver],
        signed: &Signed,
    ) -> Result<SignoffRecord, StoreError> {
        let event = Event::SignedOff {
            runbook: key.to_string(),
            phase: phase_id.to_string(),
            answers: answers.to_vec(),
            waivers: waivers.to_vec(),
            signed: signed.clone(),
        };
        let entry = self.record_event(author, event)?;
        let id = self.conn.query_row(
            "SELECT id FROM signoffs WHERE event_id = ?1",
            [&entry.event_id],
            |r| r.get(0),
        )?;
        Ok(SignoffRecord {
            id,
            phase_id: phase_id.to_string(),
            answers: answers.to_vec(),
            waivers: waivers.to_vec(),
            signed: signed.clone(),
        })
    }

    /// A phase's sign-offs, oldest first.
    pub fn signoffs(&self, key: &str, phase_id: &str) -> Result<Vec<SignoffRecord>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, phase_id, answers, waivers, signer, role, signed_at, digest, signature, public_key \
             FROM signoffs WHERE runbook_id = ?1 AND phase_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![runbook_id, phase_id], |r| {
            Ok(SignoffRecord {
                id: r.get(0)?,
                phase_id: r.get(1)?,
                answers: parse(&r.get::<_, String>(2)?)?,
                waivers: parse(&r.get::<_, String>(3)?)?,
                signed: signed_from(r)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn record_decision(
        &mut self,
        key: &str,
        author: &Author,
        decision: Decision,
        reason: &str,
        evidence: &serde_json::Value,
        signed: &Signed,
    ) -> Result<DecisionRecord, StoreError> {
        let event = Event::Decided {
            runbook: key.to_string(),
            decision,
            reason: reason.to_string(),
            evidence: evidence.clone(),
            signed: signed.clone(),
        };
        let entry = self.record_event(author, event)?;
        let id = self.conn.query_row(
            "SELECT id FROM decisions WHERE event_id = ?1",
            [&entry.event_id],
            |r| r.get(0),
        )?;
        Ok(DecisionRecord {
            id,
            decision,
            reason: reason.to_string(),
            evidence: evidence.clone(),
            signed: signed.clone(),
        })
    }

    pub fn decisions(&self, key: &str) -> Result<Vec<DecisionRecord>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, decision, reason, evidence, signer, role, decided_at, digest, signature, public_key \
             FROM decisions WHERE runbook_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([runbook_id], |r| {
            let decision = match r.get::<_, String>(1)?.as_str() {
                "go" => Decision::Go,
                "no_go" => Decision::NoGo,
                _ => Decision::Hold,
            };
            Ok(DecisionRecord {
                id: r.get(0)?,
                decision,
                reason: r.get(2)?,
                evidence: parse(&r.get::<_, String>(3)?)?,
                signed: signed_from(r)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
