//! `flightdeck audit verify|export`: the hash chain and every signature in it.

use flightdeck_store::{ChainBreak, Signed, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::signing::verify;
use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditReport {
    pub entries: u32,
    pub signatures: u32,
    /// The first entry that fails, if any.
    pub first_bad: Option<ChainBreak>,
}

/// Checks the chain, then each signed entry against the signer's registered public key.
pub fn verify_audit(store: &Store) -> Result<AuditReport, Error> {
    let entries = store.audit_entries()?;
    let mut report = AuditReport {
        entries: entries.len() as u32,
        signatures: 0,
        first_bad: store.verify_audit_chain()?,
    };
    let keys = store.signers()?;
    for entry in &entries {
        let Some(signed) = entry.detail.get("signed") else {
            continue;
        };
        let Ok(signed) = serde_json::from_value::<Signed>(signed.clone()) else {
            report.first_bad.get_or_insert(ChainBreak {
                entry: entry.id,
                reason: "its signature record is unreadable".into(),
            });
            continue;
        };
        report.signatures += 1;
        let registered = keys
            .iter()
            .find(|(name, _)| name == &signed.signer)
            .map(|(_, k)| k);
        let reason = match registered {
            None => Some(format!(
                "signed by '{}', who has no registered key",
                signed.signer
            )),
            Some(key) if key != &signed.public_key => Some(format!(
                "signed with a key that is not {}'s registered key",
                signed.signer
            )),
            Some(key) if !verify(&signed, key) => Some("its signature does not verify".to_string()),
            Some(_) => None,
        };
        if let Some(reason) = reason {
            if report.first_bad.as_ref().is_none_or(|b| b.entry > entry.id) {
                report.first_bad = Some(ChainBreak {
                    entry: entry.id,
                    reason,
                });
            }
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
