//! The go/no-go decision: GO, NO-GO or HOLD, who decided, why, and the state at that moment,
//! signed like a sign-off.

use flightdeck_model::{Actor, Decision};
use flightdeck_store::DecisionRecord;

use crate::permissions::Change;
use crate::signing::{digest, sign};
use crate::{Error, Flightdeck};

impl Flightdeck {
    pub fn decide(
        &self,
        actor: &Actor,
        key: &str,
        decision: Decision,
        reason: &str,
    ) -> Result<DecisionRecord, Error> {
        let mut store = self.write()?;
        self.permit(
            &mut store,
            actor,
            Change::Decision,
            Some(key),
            decision.as_str(),
        )?;
        if reason.trim().is_empty() {
            return Err(Error::Invalid("a decision needs its reason".into()));
        }
        let evidence = serde_json::to_value(store.summary(key)?).expect("summaries serialise");
        let at = crate::now();
        let signed_digest = digest(&serde_json::json!({
            "runbook": key, "decision": decision, "reason": reason.trim(), "evidence": evidence,
            "signer": actor.name, "role": actor.role, "at": at,
        }));
        let author = self.author(&mut store, actor)?;
        let signed = sign(&author, actor, signed_digest, at);
        Ok(store.record_decision(key, &author, decision, reason.trim(), &evidence, &signed)?)
    }
}
