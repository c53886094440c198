//! The state a runbook's events make: checklist items, sign-offs, decisions, confirmations,
//! soaks and their checkpoints, and a shared release's members. Each event is applied by one
//! function, whether it was made on this desktop or read from a team log, so that the state is
//! what the events say and can be rebuilt from them. Applying an event twice changes nothing.
//!
//! Where two events set the same thing, the later one applied wins (an item's state, a
//! confirmation); a soak and each of its checkpoints are recorded once, the first one standing.

use rusqlite::{params, OptionalExtension, Transaction};

use flightdeck_model::{Event, EventBody, ItemState};

use crate::StoreError;

/// The tables whose rows of a runbook are made by [`apply`] alone.
pub(crate) const EVENT_STATE: [&str; 11] = [
    "item_state",
    "item_history",
    "signoffs",
    "decisions",
    "confirmations",
    "soaks",
    "soak_checkpoints",
    "members",
    "rollouts",
    "rollout_log",
    "evidence",
];

fn runbook_id(tx: &Transaction<'_>, key: &str) -> Result<i64, StoreError> {
    tx.query_row("SELECT id FROM runbooks WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| StoreError::UnknownRunbook(key.to_string()))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

/// Applies one event's change of state. Events that change no runbook state (a backup, an
/// environment, a refusal) leave it as it is: the tables they touch are written beside them.
pub(crate) fn apply(tx: &Transaction<'_>, body: &EventBody) -> Result<(), StoreError> {
    let (name, role) = body
        .author
        .as_ref()
        .map_or(("", ""), |a| (a.name.as_str(), a.role.as_str()));
    match &body.event {
        Event::ItemChanged {
            runbook,
            item,
            state,
            note,
        } => {
            let id = runbook_id(tx, runbook)?;
            let state = state.map(ItemState::as_str);
            tx.execute(
                "INSERT INTO item_state (runbook_id, item_id, state, note, actor, role, updated_at, desktop) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (runbook_id, item_id) DO UPDATE SET state = excluded.state, \
                   note = excluded.note, actor = excluded.actor, role = excluded.role, \
                   updated_at = excluded.updated_at, desktop = excluded.desktop",
                params![id, item, state, note, name, role, body.at, body.desktop],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO item_history (runbook_id, item_id, state, note, actor, role, at, event_id, desktop) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, item, state, note, name, role, body.at, body.id, body.desktop],
            )?;
        }
        Event::SignedOff {
            runbook,
            phase,
            answers,
            waivers,
            signed,
        } => {
            tx.execute(
                "INSERT OR IGNORE INTO signoffs (runbook_id, phase_id, signer, role, answers, waivers, digest, \
                 signature, public_key, signed_at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    runbook_id(tx, runbook)?,
                    phase,
                    signed.signer,
                    signed.role,
                    json(answers),
                    json(waivers),
                    signed.digest,
                    signed.signature,
                    signed.public_key,
                    signed.at,
                    body.id
                ],
            )?;
        }
        Event::Decided {
            runbook,
            decision,
            reason,
            evidence,
            signed,
        } => {
            tx.execute(
                "INSERT OR IGNORE INTO decisions (runbook_id, decision, reason, evidence, signer, role, digest, \
                 signature, public_key, decided_at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    runbook_id(tx, runbook)?,
                    decision.as_str(),
                    reason,
                    evidence.to_string(),
                    signed.signer,
                    signed.role,
                    signed.digest,
                    signed.signature,
                    signed.public_key,
                    signed.at,
                    body.id
                ],
            )?;
        }
        Event::CriterionConfirmed {
            runbook,
            criterion,
            note,
        } => {
            tx.execute(
                "INSERT OR REPLACE INTO confirmations (runbook_id, criterion_id, confirmed_by, role, note, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![runbook_id(tx, runbook)?, criterion, name, role, note, body.at],
            )?;
        }
        Event::SoakStarted { runbook, soak } => {
            tx.execute(
                "INSERT OR IGNORE INTO soaks (runbook_id, phase_id, environment, checkpoints, every_seconds, \
                 started_at, started_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    runbook_id(tx, runbook)?,
                    soak.phase_id,
                    soak.environment,
                    soak.checkpoints,
                    soak.every_seconds,
                    soak.started_at,
                    soak.started_by
                ],
            )?;
        }
        Event::CheckpointRecorded {
            runbook,
            phase,
            number,
            verdict,
            due_at,
            evaluated_at,
            summary,
        } => {
            tx.execute(
                "INSERT OR IGNORE INTO soak_checkpoints (runbook_id, phase_id, number, due_at, evaluated_at, \
                 verdict, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    runbook_id(tx, runbook)?,
                    phase,
                    number,
                    due_at,
                    evaluated_at,
                    verdict,
                    summary.to_string()
                ],
            )?;
        }
        Event::SignerRegistered { signer, public_key } => {
            tx.execute(
                "INSERT OR IGNORE INTO signers (name, public_key, created_at) VALUES (?1, ?2, ?3)",
                params![signer, public_key, body.at],
            )?;
        }
        Event::ReleaseShared {
            runbook, owner_key, ..
        } => {
            if let Some(owner) = &body.author {
                let role = owner.role.as_str();
                add_member(tx, runbook, &owner.name, role, owner_key, body)?;
            }
        }
        Event::MemberAdded {
            runbook,
            name: member,
            role: member_role,
            public_key,
        } => add_member(tx, runbook, member, member_role.as_str(), public_key, body)?,
        Event::Rollout {
            runbook,
            rollout,
            at_ms,
            change,
        } => {
            let id = runbook_id(tx, runbook)?;
            crate::rollouts::apply_change(tx, id, rollout, *at_ms, change, body, name)?;
        }
        Event::RunStarted { runbook, run } => {
            crate::runs::start(tx, runbook, run, (name, &body.at, &body.desktop))?;
        }
        Event::RunEnded { runbook } => crate::runs::end(tx, runbook, &body.at)?,
        Event::EvidenceAttached {
            runbook,
            item,
            evidence,
        } => {
            let id = runbook_id(tx, runbook)?;
            crate::evidence::attach(tx, id, item, evidence, (name, role, &body.at, &body.id))?;
        }
        Event::HoldOverridden { .. }
        | Event::NotificationSent { .. }
        | Event::ActionStarted { .. }
        | Event::ActionFinished { .. }
        | Event::BackupTaken { .. }
        | Event::DatabaseRestored { .. }
        | Event::BackupVerified { .. }
        | Event::EnvironmentSaved { .. }
        | Event::EnvironmentRemoved { .. }
        | Event::EnvironmentTested { .. }
        | Event::Refused { .. } => {}
    }
    Ok(())
}

/// A member of a shared runbook, with the key their events must be signed with.
fn add_member(
    tx: &Transaction<'_>,
    runbook: &str,
    name: &str,
    role: &str,
    public_key: &str,
    body: &EventBody,
) -> Result<(), StoreError> {
    let by = body.author.as_ref().map_or("", |a| a.name.as_str());
    tx.execute(
        "INSERT INTO members (runbook_id, name, role, public_key, added_by, added_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (runbook_id, name) DO UPDATE SET role = excluded.role, \
           public_key = excluded.public_key, added_by = excluded.added_by, added_at = excluded.added_at",
        params![runbook_id(tx, runbook)?, name, role, public_key, by, body.at],
    )?;
    Ok(())
}
