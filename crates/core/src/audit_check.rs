//! `flightdeck audit verify|export`: the hash chain, every entry's signature and whose key made
//! it, the sign-offs' and decisions' own signatures, each runbook's state replayed from its
//! events, and the events a team log brought that this replica refused.

use std::collections::HashMap;

use flightdeck_model::Event;
use flightdeck_store::{AuditEntry, ChainBreak, Rejected, Signed, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::signing::verify;
use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditReport {
    pub entries: u32,
    /// Sign-offs and decisions, whose own signatures were checked.
    pub signatures: u32,
    /// Entries whose event is signed by its author (every entry since signing began).
    pub signed_entries: u32,
    /// The first entry that fails, if any.
    pub first_bad: Option<ChainBreak>,
    /// Runbooks whose state is not what their events say.
    pub state: Vec<StateProblem>,
    /// Events of shared runbooks' logs that this replica refused, and why.
    pub rejected: Vec<RejectedEvent>,
}

impl AuditReport {
    /// Whether nothing at all was found wrong.
    pub fn intact(&self) -> bool {
        self.first_bad.is_none() && self.state.is_empty() && self.rejected.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StateProblem {
    pub runbook: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RejectedEvent {
    pub runbook: String,
    pub event: Rejected,
}

/// Whose key signs what: each signer's registered key, and each shared runbook's members'.
struct Keys {
    signers: HashMap<String, String>,
    members: HashMap<(String, String), String>,
    desktop: Option<String>,
}

impl Keys {
    fn read(store: &Store) -> Result<Keys, Error> {
        let mut members = HashMap::new();
        for release in store.releases()? {
            for m in store.members(&release.key)? {
                members.insert((release.key.clone(), m.name), m.public_key);
            }
        }
        Ok(Keys {
            signers: store.signers()?.into_iter().collect(),
            members,
            desktop: None,
        })
    }

    /// Why the entry's signing key is not its author's, if it is not.
    fn problem(&mut self, entry: &AuditEntry) -> Option<String> {
        let signed = entry.signed.as_ref()?;
        let body = signed.body().ok()?;
        let Some(author) = body.author else {
            // This desktop's own configuration: always the same desktop key.
            let first = self
                .desktop
                .get_or_insert_with(|| signed.public_key.clone());
            return (*first != signed.public_key)
                .then(|| "signed by another desktop's key than this one's".to_string());
        };
        if let Event::SignerRegistered { signer, public_key } = &body.event {
            return (signer != &author.name || public_key != &signed.public_key)
                .then(|| format!("registers a key for '{signer}' that it is not signed with"));
        }
        let registered = self.signers.get(&author.name);
        let member = entry
            .runbook
            .as_ref()
            .and_then(|r| self.members.get(&(r.clone(), author.name.clone())));
        if registered.is_none() && member.is_none() {
            return Some(format!(
                "signed by '{}', who has no registered key",
                author.name
            ));
        }
        let known = [registered, member].into_iter().flatten();
        (!known.into_iter().any(|k| k == &signed.public_key)).then(|| {
            format!(
                "signed with a key that is not {}'s registered key",
                author.name
            )
        })
    }
}

fn earliest(report: &mut AuditReport, entry: i64, reason: String) {
    if report.first_bad.as_ref().is_none_or(|b| b.entry > entry) {
        report.first_bad = Some(ChainBreak { entry, reason });
    }
}

/// Checks the chain and each entry's signature, each signing key against its author's, each
/// sign-off and decision against the signer's registered key, each runbook's state against its
/// events, and lists what the team logs brought that was refused.
pub fn verify_audit(store: &Store) -> Result<AuditReport, Error> {
    let entries = store.audit_entries()?;
    let mut report = AuditReport {
        entries: entries.len() as u32,
        signatures: 0,
        signed_entries: entries.iter().filter(|e| e.signed.is_some()).count() as u32,
        first_bad: store.verify_audit_chain()?,
        state: Vec::new(),
        rejected: Vec::new(),
    };
    let mut keys = Keys::read(store)?;
    for entry in &entries {
        if let Some(reason) = keys.problem(entry) {
            earliest(&mut report, entry.id, reason);
        }
        let Some(signed) = entry.detail.get("signed") else {
            continue;
        };
        let Ok(signed) = serde_json::from_value::<Signed>(signed.clone()) else {
            earliest(
                &mut report,
                entry.id,
                "its signature record is unreadable".into(),
            );
            continue;
        };
        report.signatures += 1;
        let registered = keys
            .signers
            .get(&signed.signer)
            .or_else(|| {
                let runbook = entry.runbook.clone().unwrap_or_default();
                keys.members.get(&(runbook, signed.signer.clone()))
            })
            .cloned();
        let reason = match registered {
            None => Some(format!(
                "signed by '{}', who has no registered key",
                signed.signer
            )),
            Some(key) if key != signed.public_key => Some(format!(
                "signed with a key that is not {}'s registered key",
                signed.signer
            )),
            Some(key) if !verify(&signed, &key) => {
                Some("its signature does not verify".to_string())
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            earliest(&mut report, entry.id, reason);
        }
    }
    for runbook in store.list()? {
        if store.replayable(&runbook.key)? {
            if let Some(problem) = store.replay_difference(&runbook.key)? {
                report.state.push(StateProblem {
                    runbook: runbook.key.clone(),
                    problem,
                });
            }
        }
    }
    for release in store.releases()? {
        for event in store.rejected(&release.key)? {
            report.rejected.push(RejectedEvent {
                runbook: release.key.clone(),
                event,
            });
        }
    }
    Ok(report)
}

/// The trail as JSON lines: first the signers' public keys, then every entry in order.
pub fn export_audit(store: &Store) -> Result<String, Error> {
    let keys: Vec<serde_json::Value> = store
        .signers()?
        .into_iter()
        .map(|(name, key)| serde_json::json!({ "signer": name, "public_key": key, "algorithm": "ed25519" }))
        .collect();
    let mut out = serde_json::json!({ "type": "signers", "signers": keys }).to_string();
    out.push('\n');
    for entry in store.audit_entries()? {
        let mut line = serde_json::to_value(&entry).expect("entries serialise");
        line["type"] = "entry".into();
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok(out)
}
