//! [`Event`]: the one typed record of a change. The core façade makes one for every change it
//! makes, and the store writes it to the audit trail in the same transaction as the change, so
//! the trail says everything that happened and nothing happens beside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::{
    Answer, ConnectionCheck, CredentialSource, Decision, Evidence, GuardLevel, ItemState, Role,
    RolloutChange, RunRecord, Signed, SoakRecord, Waiver,
};

/// Which way an action runs: its own change, or the undo recorded by its last change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Direction {
    Apply,
    Undo,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Apply => "apply",
            Direction::Undo => "undo",
        }
    }
}

/// A change of state, made by one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
#[ts(export)]
pub enum Event {
    /// A checklist item ticked, reopened, marked n/a or failed, or its note changed.
    ItemChanged {
        runbook: String,
        item: String,
        state: Option<ItemState>,
        note: Option<String>,
    },
    /// A person's public signing key, registered on their first signature.
    SignerRegistered {
        signer: String,
        public_key: String,
    },
    SignedOff {
        runbook: String,
        phase: String,
        answers: Vec<Answer>,
        waivers: Vec<Waiver>,
        signed: Signed,
    },
    Decided {
        runbook: String,
        decision: Decision,
        reason: String,
        #[ts(type = "unknown")]
        evidence: Value,
        signed: Signed,
    },
    /// A manual go/no-go criterion confirmed by the role it names.
    CriterionConfirmed {
        runbook: String,
        criterion: String,
        note: String,
    },
    SoakStarted {
        runbook: String,
        soak: SoakRecord,
    },
    CheckpointRecorded {
        runbook: String,
        phase: String,
        number: u32,
        /// `go`, `no_go` or `inconclusive`.
        verdict: String,
        #[ts(type = "number")]
        due_at: i64,
        #[ts(type = "number")]
        evaluated_at: i64,
        /// Each criterion's result at that moment.
        #[ts(type = "unknown")]
        summary: Value,
    },
    /// An action run recorded before its first AWS call.
    ActionStarted {
        runbook: String,
        step: String,
        direction: Direction,
        #[ts(type = "number")]
        run: i64,
        environment: String,
        #[ts(type = "unknown")]
        action: Value,
    },
    /// How an action run ended, with what it did and the AWS request ids.
    ActionFinished {
        runbook: String,
        step: String,
        direction: Direction,
        #[ts(type = "number")]
        run: i64,
        status: String,
        outputs: BTreeMap<String, String>,
        request_ids: Vec<String>,
        done: Vec<String>,
        error: Option<String>,
    },
    /// A backup taken (or failed): what, where, and its result with the backup's figures.
    BackupTaken {
        subject: String,
        #[ts(type = "unknown")]
        result: Value,
    },
    /// A database restored (or not): the preview, and table by table how it compares.
    DatabaseRestored {
        subject: String,
        #[ts(type = "unknown")]
        result: Value,
    },
    /// A backup's files checked against its manifest, perhaps with a test restore.
    BackupVerified {
        location: String,
        /// `verified`, `test_restored` or `failed`.
        result: String,
        detail: String,
    },
    /// An environment added or changed; its secrets stay in the keyring, unnamed here.
    EnvironmentSaved {
        environment: String,
        account_id: Option<String>,
        region: String,
        endpoint_url: Option<String>,
        guard: GuardLevel,
        credentials: CredentialSource,
    },
    EnvironmentRemoved {
        environment: String,
    },
    /// A connection test: the account the credentials really reach.
    EnvironmentTested {
        environment: String,
        check: ConnectionCheck,
    },
    /// A runbook shared through a team log: the log's first event, signed by the person who
    /// shared it, who is its first member.
    ReleaseShared {
        runbook: String,
        /// The release's URI, the one members paste to join.
        release: String,
        title: String,
        document_sha256: String,
        /// The owner's public key, hex: the key this event is signed with.
        owner_key: String,
    },
    /// A member added to a shared runbook by its owner, with the key their events are signed
    /// with.
    MemberAdded {
        runbook: String,
        name: String,
        role: Role,
        public_key: String,
    },
    /// A change of a progressive rollout, at a time in milliseconds (its judgments and
    /// shifts are timed to the second and below).
    Rollout {
        runbook: String,
        /// The rollout's id: its step, environment and start.
        rollout: String,
        #[ts(type = "number")]
        at_ms: i64,
        change: RolloutChange,
    },
    /// A run of a runbook started: a rehearsal or the live run, with its T0. `runbook` is the
    /// runbook's key; the run's own key is `runbook@name`.
    RunStarted {
        runbook: String,
        run: RunRecord,
    },
    /// A run over: its state stays, and it is no longer the runbook's current run.
    RunEnded {
        runbook: String,
    },
    /// A fixed-start item begun before its planned time, on purpose, with the reason.
    HoldOverridden {
        runbook: String,
        /// The held phase, task or section.
        held: String,
        #[ts(type = "number")]
        planned_start_ms: i64,
        reason: String,
    },
    /// Evidence attached to a checklist item; a file's SHA-256 is here, in the audit trail.
    EvidenceAttached {
        runbook: String,
        item: String,
        evidence: Evidence,
    },
    /// A run's notification sent (or not: `error` says why) on its channel. `subject` names
    /// what it announced ("signoff:EVENT", "late:ITEM"), so each is sent once.
    NotificationSent {
        runbook: String,
        subject: String,
        channel: String,
        message: String,
        error: Option<String>,
    },
    /// A change someone asked for and was not allowed to make.
    Refused {
        operation: String,
        runbook: Option<String>,
        subject: String,
        code: String,
        reason: String,
    },
}

impl Event {
    /// The audit trail's kind for this event.
    pub fn kind(&self) -> String {
        match self {
            Event::ItemChanged { .. } => "item".into(),
            Event::SignerRegistered { .. } => "signer".into(),
            Event::SignedOff { .. } => "signoff".into(),
            Event::Decided { .. } => "decision".into(),
            Event::CriterionConfirmed { .. } => "criterion_confirmed".into(),
            Event::SoakStarted { .. } => "soak_start".into(),
            Event::CheckpointRecorded { .. } => "soak_checkpoint".into(),
            Event::ActionStarted { direction, .. } => {
                format!("action_{}_start", direction.as_str())
            }
            Event::ActionFinished { direction, .. } => format!("action_{}", direction.as_str()),
            Event::BackupTaken { .. } => "db.backup".into(),
            Event::DatabaseRestored { .. } => "db.restore".into(),
            Event::BackupVerified { .. } => "db.verify".into(),
            Event::EnvironmentSaved { .. } => "environment_saved".into(),
            Event::EnvironmentRemoved { .. } => "environment_removed".into(),
            Event::EnvironmentTested { .. } => "environment_tested".into(),
            Event::Refused { .. } => "refused".into(),
            Event::ReleaseShared { .. } => "release_shared".into(),
            Event::MemberAdded { .. } => "member_added".into(),
            Event::Rollout { change, .. } => change.kind().into(),
            Event::RunStarted { .. } => "run_started".into(),
            Event::RunEnded { .. } => "run_ended".into(),
            Event::HoldOverridden { .. } => "hold_overridden".into(),
            Event::EvidenceAttached { .. } => "evidence".into(),
            Event::NotificationSent { .. } => "notification".into(),
        }
    }

    /// The runbook the event belongs to, if any.
    pub fn runbook(&self) -> Option<&str> {
        match self {
            Event::ItemChanged { runbook, .. }
            | Event::SignedOff { runbook, .. }
            | Event::Decided { runbook, .. }
            | Event::CriterionConfirmed { runbook, .. }
            | Event::SoakStarted { runbook, .. }
            | Event::CheckpointRecorded { runbook, .. }
            | Event::ActionStarted { runbook, .. }
            | Event::ActionFinished { runbook, .. }
            | Event::ReleaseShared { runbook, .. }
            | Event::MemberAdded { runbook, .. }
            | Event::Rollout { runbook, .. }
            | Event::RunStarted { runbook, .. }
            | Event::RunEnded { runbook }
            | Event::HoldOverridden { runbook, .. }
            | Event::EvidenceAttached { runbook, .. }
            | Event::NotificationSent { runbook, .. } => Some(runbook),
            Event::Refused { runbook, .. } => runbook.as_deref(),
            _ => None,
        }
    }

    /// What the event is about, in a few words: an item id, a phase, a backup's location.
    pub fn subject(&self) -> String {
        match self {
            Event::ItemChanged { item, .. } => item.clone(),
            Event::SignerRegistered { signer, .. } => signer.clone(),
            Event::SignedOff { phase, .. } => phase.clone(),
            Event::Decided { decision, .. } => decision.as_str().into(),
            Event::CriterionConfirmed { criterion, .. } => criterion.clone(),
            Event::SoakStarted { soak, .. } => soak.phase_id.clone(),
            Event::CheckpointRecorded { phase, number, .. } => format!("{phase} #{number}"),
            Event::ActionStarted { step, .. } | Event::ActionFinished { step, .. } => step.clone(),
            Event::BackupTaken { subject, .. }
            | Event::DatabaseRestored { subject, .. }
            | Event::Refused { subject, .. } => subject.clone(),
            Event::BackupVerified { location, .. } => location.clone(),
            Event::EnvironmentSaved { environment, .. }
            | Event::EnvironmentRemoved { environment }
            | Event::EnvironmentTested { environment, .. } => environment.clone(),
            Event::ReleaseShared { release, .. } => release.clone(),
            Event::MemberAdded { name, .. } => name.clone(),
            Event::Rollout { rollout, .. } => rollout.clone(),
            Event::RunStarted { run, .. } => run.name.clone(),
            Event::RunEnded { runbook } => crate::split_run_key(runbook).1.to_string(),
            Event::HoldOverridden { held, .. } => held.clone(),
            Event::EvidenceAttached { item, .. } => item.clone(),
            Event::NotificationSent { subject, .. } => subject.clone(),
        }
    }

    /// The audit entry's detail: the event's facts beyond its kind, runbook and subject.
    pub fn detail(&self) -> Value {
        match self {
            Event::ItemChanged { state, note, .. } => {
                json!({ "state": state.map(ItemState::as_str), "note": note })
            }
            Event::SignerRegistered { public_key, .. } => json!({ "public_key": public_key }),
            Event::SignedOff {
                answers,
                waivers,
                signed,
                ..
            } => json!({ "answers": answers, "waivers": waivers, "signed": signed }),
            Event::Decided {
                reason,
                evidence,
                signed,
                ..
            } => json!({ "reason": reason, "evidence": evidence, "signed": signed }),
            Event::CriterionConfirmed { note, .. } => json!({ "note": note }),
            Event::SoakStarted { soak, .. } => json!(soak),
            Event::CheckpointRecorded {
                verdict, due_at, ..
            } => json!({ "verdict": verdict, "due_at": due_at }),
            Event::ActionStarted {
                run,
                environment,
                action,
                ..
            } => json!({ "run": run, "environment": environment, "action": action }),
            Event::ActionFinished {
                run,
                status,
                outputs,
                request_ids,
                done,
                error,
                ..
            } => json!({
                "run": run, "status": status, "outputs": outputs,
                "request_ids": request_ids, "done": done, "error": error,
            }),
            Event::BackupTaken { result, .. } | Event::DatabaseRestored { result, .. } => {
                result.clone()
            }
            Event::BackupVerified { result, detail, .. } => {
                json!({ "result": result, "detail": detail })
            }
            Event::EnvironmentSaved {
                account_id,
                region,
                endpoint_url,
                guard,
                credentials,
                ..
            } => json!({
                "account_id": account_id, "region": region, "endpoint_url": endpoint_url,
                "guard": guard, "credentials": credentials,
            }),
            Event::EnvironmentRemoved { .. } => json!({}),
            Event::EnvironmentTested { check, .. } => json!(check),
            Event::Refused {
                operation,
                code,
                reason,
                ..
            } => json!({ "operation": operation, "code": code, "reason": reason }),
            Event::ReleaseShared {
                title,
                document_sha256,
                owner_key,
                ..
            } => {
                json!({ "title": title, "document_sha256": document_sha256, "owner_key": owner_key })
            }
            Event::MemberAdded {
                role, public_key, ..
            } => json!({ "role": role, "public_key": public_key }),
            Event::Rollout { at_ms, change, .. } => json!({ "at_ms": at_ms, "change": change }),
            Event::RunStarted { run, .. } => json!(run),
            Event::RunEnded { .. } => json!({}),
            Event::HoldOverridden {
                planned_start_ms,
                reason,
                ..
            } => json!({ "planned_start_ms": planned_start_ms, "reason": reason }),
            Event::EvidenceAttached { evidence, .. } => json!(evidence),
            Event::NotificationSent {
                channel,
                message,
                error,
                ..
            } => json!({ "channel": channel, "message": message, "error": error }),
        }
    }
}
