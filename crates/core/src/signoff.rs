//! Phase gates and sign-offs: a phase waits for the phases it depends on to be signed off; a
//! sign-off needs every item done or waived with a reason, answers every YES/NO question, and
//! signs a digest of the phase's state. Any later change to that state makes it stale.

use flightdeck_runbook::{Phase, Role, Runbook, SignoffKind};
use flightdeck_store::{Actor, Answer, ItemState, SignoffRecord, Store, Waiver};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::permissions::Change;
use crate::signing::{digest, sign, verify};
use crate::{Error, Flightdeck};

/// What blocks a phase, phase by phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GateBlock {
    pub phase: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignoffView {
    pub record: SignoffRecord,
    /// The phase changed after this signature.
    pub stale: bool,
    /// The signature does not verify with the signer's registered key.
    pub invalid: bool,
}

/// A phase's gate and sign-off state, for the phase view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhaseGate {
    pub phase: String,
    /// Empty when the phase may be worked.
    pub blocked_by: Vec<GateBlock>,
    pub signoffs: Vec<SignoffView>,
    /// Roles still to sign; empty when signed off.
    pub missing_roles: Vec<Role>,
    /// Signed off by every required role, none stale, no NO answer.
    pub signed_off: bool,
    /// A NO answer that keeps the phases after this one closed.
    pub answered_no: Option<String>,
}

/// The request to sign a phase off.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SignoffRequest {
    pub answers: Vec<Answer>,
    pub waivers: Vec<Waiver>,
}

fn phase<'a>(
    runbook: &'a flightdeck_runbook::Runbook,
    id: &str,
    key: &str,
) -> Result<&'a Phase, Error> {
    runbook.phase(id).ok_or_else(|| {
        flightdeck_store::StoreError::UnknownPhase {
            runbook: key.to_string(),
            phase: id.to_string(),
        }
        .into()
    })
}

/// The canonical state a sign-off covers: items with state and note, answers, waivers, signer.
fn phase_digest(
    store: &Store,
    key: &str,
    phase: &str,
    record: &SignoffRecord,
) -> Result<String, Error> {
    let items: Vec<serde_json::Value> = store
        .phase_items(key, phase)?
        .into_iter()
        .map(
            |i| serde_json::json!({ "id": i.id, "text": i.text, "state": i.state, "note": i.note }),
        )
        .collect();
    Ok(digest(&serde_json::json!({
        "runbook": key,
        "phase": phase,
        "items": items,
        "answers": record.answers,
        "waivers": record.waivers,
        "signer": record.signed.signer,
        "role": record.signed.role,
        "at": record.signed.at,
    })))
}

/// A phase's sign-offs and whether they sign it off.
struct SignoffState {
    signoffs: Vec<SignoffView>,
    missing_roles: Vec<Role>,
    signed_off: bool,
    answered_no: Option<String>,
}

fn signoff_state(store: &Store, key: &str, this: &Phase) -> Result<SignoffState, Error> {
    let signoffs: Vec<SignoffView> = store
        .signoffs(key, &this.id)?
        .into_iter()
        .map(|record| {
            let stale = phase_digest(store, key, &this.id, &record)? != record.signed.digest;
            let registered = store.signer_key(&record.signed.signer)?;
            let invalid = registered.as_deref() != Some(record.signed.public_key.as_str())
                || !verify(&record.signed, &record.signed.public_key);
            Ok(SignoffView {
                record,
                stale,
                invalid,
            })
        })
        .collect::<Result<_, Error>>()?;
    let good: Vec<&SignoffView> = signoffs.iter().filter(|s| !s.stale && !s.invalid).collect();
    let missing_roles: Vec<Role> = this
        .signoff_roles
        .iter()
        .copied()
        .filter(|r| !good.iter().any(|s| s.record.signed.role == r.as_str()))
        .collect();
    let signed = if this.signoff_roles.is_empty() {
        !good.is_empty()
    } else {
        missing_roles.is_empty()
    };
    let answered_no = good
        .iter()
        .flat_map(|s| s.record.answers.iter())
        .find(|a| !a.yes)
        .map(|a| a.label.clone());
    Ok(SignoffState {
        signed_off: signed && answered_no.is_none(),
        signoffs,
        missing_roles,
        answered_no,
    })
}

/// What keeps `this` closed: each phase it depends on that is not signed off, and why.
fn blocked_by(
    store: &Store,
    key: &str,
    runbook: &Runbook,
    this: &Phase,
) -> Result<Vec<GateBlock>, Error> {
    let mut blocks = Vec::new();
    for dep in &this.depends_on {
        let dep_phase = phase(runbook, dep, key)?;
        let state = signoff_state(store, key, dep_phase)?;
        let reason = if let Some(no) = &state.answered_no {
            format!("answered NO to '{no}'")
        } else if state.signed_off {
            continue;
        } else if state.signoffs.iter().any(|s| s.stale) {
            "its sign-off is stale: the phase changed after it was signed".to_string()
        } else {
            "not signed off yet".to_string()
        };
        blocks.push(GateBlock {
            phase: dep.clone(),
            title: dep_phase.title.clone(),
            reason,
        });
    }
    Ok(blocks)
}

/// Whether a phase is signed off, and if not, why not (for checklist criteria).
pub(crate) fn signed_off(store: &Store, key: &str, this: &Phase) -> Result<(bool, String), Error> {
    let state = signoff_state(store, key, this)?;
    let signers: Vec<String> = state
        .signoffs
        .iter()
        .filter(|s| !s.stale && !s.invalid)
        .map(|s| s.record.signed.signer.clone())
        .collect();
    let why = if let Some(no) = &state.answered_no {
        format!("{} answered NO to '{no}'", this.title)
    } else if state.signed_off {
        format!("{} is signed off by {}", this.title, signers.join(", "))
    } else if state.signoffs.iter().any(|s| s.stale) {
        format!("{} changed after it was signed off", this.title)
    } else {
        format!("{} is not signed off yet", this.title)
    };
    Ok((state.signed_off, why))
}

/// The gate and sign-off state of one phase.
pub fn phase_gate(store: &Store, key: &str, phase_id: &str) -> Result<PhaseGate, Error> {
    let runbook = store.outline(key)?;
    let this = phase(&runbook, phase_id, key)?;
    let state = signoff_state(store, key, this)?;
    Ok(PhaseGate {
        phase: phase_id.to_string(),
        blocked_by: blocked_by(store, key, &runbook, this)?,
        signoffs: state.signoffs,
        missing_roles: state.missing_roles,
        signed_off: state.signed_off,
        answered_no: state.answered_no,
    })
}

/// Refuses work on a phase whose gate is closed.
pub(crate) fn require_open(store: &Store, key: &str, phase_id: &str) -> Result<(), Error> {
    let runbook = store.outline(key)?;
    refuse_if_closed(store, key, &runbook, phase(&runbook, phase_id, key)?)
}

fn refuse_if_closed(
    store: &Store,
    key: &str,
    runbook: &Runbook,
    this: &Phase,
) -> Result<(), Error> {
    match blocked_by(store, key, runbook, this)?.into_iter().next() {
        None => Ok(()),
        Some(block) => Err(Error::GateClosed {
            phase: this.id.clone(),
            waiting_for: block.title,
            reason: block.reason,
        }),
    }
}

impl Flightdeck {
    /// Signs a phase off after checking the signer's role, the gate, the items and the answers.
    pub fn sign_off(
        &self,
        actor: &Actor,
        key: &str,
        phase_id: &str,
        request: SignoffRequest,
    ) -> Result<SignoffRecord, Error> {
        let mut store = self.write()?;
        let store = &mut *store;
        let runbook = store.outline(key)?;
        let this = phase(&runbook, phase_id, key)?;
        self.permit(store, actor, Change::SignOff(this), Some(key), phase_id)?;
        refuse_if_closed(store, key, &runbook, this)?;
        let questions: Vec<&str> = this
            .signoff
            .iter()
            .filter(|f| matches!(f.kind, SignoffKind::YesNo { .. }))
            .map(|f| f.label.as_str())
            .collect();
        if let Some(unanswered) = questions
            .iter()
            .find(|q| !request.answers.iter().any(|a| &a.label == *q))
        {
            return Err(Error::Invalid(format!(
                "answer '{unanswered}' (YES or NO) before signing"
            )));
        }
        if let Some(stray) = request
            .answers
            .iter()
            .find(|a| !questions.contains(&a.label.as_str()))
        {
            return Err(Error::Invalid(format!(
                "'{}' is not a question of this sign-off",
                stray.label
            )));
        }
        for item in store.phase_items(key, phase_id)? {
            let resolved = matches!(item.state, Some(ItemState::Done | ItemState::Na));
            let waiver = request.waivers.iter().find(|w| w.item == item.id);
            match waiver {
                _ if resolved => {}
                Some(w) if !w.reason.trim().is_empty() => {}
                Some(_) => {
                    return Err(Error::Invalid(format!(
                        "the waiver for '{}' needs a reason",
                        item.text
                    )))
                }
                None => {
                    return Err(Error::Invalid(format!(
                        "'{}' is not done; complete it or waive it with a reason",
                        item.text
                    )))
                }
            }
        }
        let author = self.author(store, actor)?;
        let mut record = SignoffRecord {
            id: 0,
            phase_id: phase_id.to_string(),
            answers: request.answers,
            waivers: request.waivers,
            signed: flightdeck_store::Signed {
                signer: actor.name.clone(),
                role: actor.role.as_str().to_string(),
                at: crate::now(),
                digest: String::new(),
                signature: String::new(),
                public_key: String::new(),
            },
        };
        let digest = phase_digest(store, key, phase_id, &record)?;
        record.signed = sign(&author, actor, digest, record.signed.at.clone());
        Ok(store.record_signoff(
            key,
            phase_id,
            &author,
            &record.answers,
            &record.waivers,
            &record.signed,
        )?)
    }
}
