//! The go/no-go decision: GO, NO-GO or HOLD, who decided, why, and the state at that moment,
//! signed like a sign-off.

use flightdeck_runbook::Role;
use flightdeck_store::{Actor, Decision, DecisionRecord, Store};
use flightdeck_vault::Vault;

use crate::signing::{digest, sign, signing_key};
use crate::Error;

const DECIDERS: [Role; 3] = [
    Role::TechnicalLead,
    Role::ProductOwner,
    Role::ClientStakeholder,
];

pub fn decide(
    store: &mut Store,
    vault: &Vault,
    key: &str,
    actor: &Actor,
    decision: Decision,
    reason: &str,
) -> Result<DecisionRecord, Error> {
    if !DECIDERS.contains(&actor.role) {
        return Err(Error::NotAllowed(format!(
            "{} ({}) may not record the go/no-go decision; technical leads, product owners and client stakeholders may",
            actor.name, actor.role
        )));
    }
    if reason.trim().is_empty() {
        return Err(Error::Invalid("a decision needs its reason".into()));
    }
    let evidence = serde_json::to_value(store.summary(key)?).expect("summaries serialise");
    let at = crate::now();
    let signed_digest = digest(&serde_json::json!({
        "runbook": key, "decision": decision, "reason": reason.trim(), "evidence": evidence,
        "signer": actor.name, "role": actor.role, "at": at,
    }));
    let key_pair = signing_key(store, vault, actor)?;
    let signed = sign(&key_pair, actor, signed_digest, at);
    Ok(store.record_decision(key, actor, decision, reason.trim(), &evidence, &signed)?)
}
