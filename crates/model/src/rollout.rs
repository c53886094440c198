//! The changes of a progressive rollout, each one [`Event::Rollout`](crate::Event): its start,
//! every judgment with each criterion's values, every shift of traffic with its AWS request ids,
//! a person's pause, resume, promotion and abort, a hold and its reason, the rollback and its
//! timing, and its end. The rollout's state is what these say.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::Status;

/// Where a rollout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RolloutStatus {
    /// Judged at each interval, promoted after each step's pause.
    Running,
    /// Stopped by a person: judged still, and rolled back on failure, but not promoted.
    Paused,
    /// Waiting for a person (no data, a failure it may not roll back, a restart): judged still,
    /// never promoted on its own.
    Held,
    /// Putting the traffic back; retried until it is back.
    RollingBack,
    Completed,
    RolledBack,
    Aborted,
}

impl RolloutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutStatus::Running => "running",
            RolloutStatus::Paused => "paused",
            RolloutStatus::Held => "held",
            RolloutStatus::RollingBack => "rolling_back",
            RolloutStatus::Completed => "completed",
            RolloutStatus::RolledBack => "rolled_back",
            RolloutStatus::Aborted => "aborted",
        }
    }

    pub fn parse(text: &str) -> Option<RolloutStatus> {
        Some(match text {
            "running" => RolloutStatus::Running,
            "paused" => RolloutStatus::Paused,
            "held" => RolloutStatus::Held,
            "rolling_back" => RolloutStatus::RollingBack,
            "completed" => RolloutStatus::Completed,
            "rolled_back" => RolloutStatus::RolledBack,
            "aborted" => RolloutStatus::Aborted,
            _ => return None,
        })
    }

    /// It will change nothing any more.
    pub fn ended(self) -> bool {
        matches!(
            self,
            RolloutStatus::Completed | RolloutStatus::RolledBack | RolloutStatus::Aborted
        )
    }
}

/// One criterion's part in a judgment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Judged {
    pub name: String,
    pub status: Status,
    pub value: Option<f64>,
    /// "error rate 7.2% >= 5% for 6 minutes".
    pub sentence: String,
}

/// Why traffic moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ShiftCause {
    /// The step's pause passed with every criterion passing.
    Promotion,
    /// A person promoted it before its time.
    PromotedByPerson,
    Rollback,
}

/// How long a rollback took from the judgment that failed (or the abort), in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RollbackTiming {
    /// From the failing judgment to the first AWS call of the rollback.
    #[ts(type = "number")]
    pub to_first_call_ms: i64,
    /// From the failing judgment to the traffic being back.
    #[ts(type = "number")]
    pub to_complete_ms: i64,
}

/// One change of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "change", rename_all = "snake_case")]
#[ts(export)]
pub enum RolloutChange {
    /// The rollout begins, with what it shifts and the traffic a rollback puts back.
    Started {
        /// The action step that declares it.
        step: String,
        environment: String,
        /// The rollout as declared (steps, pause, interval, limits, criteria).
        #[ts(type = "Record<string, unknown>")]
        definition: Value,
        /// The action that puts the traffic back as it was before the start.
        #[ts(type = "Record<string, unknown>")]
        rollback: Value,
        /// The Lambda alias's version at the start; empty for other traffic.
        stable_version: String,
        start_percent: u32,
        /// Alarms in ALARM before the start, which the runbook lets the rollout ignore.
        ignored_alarms: Vec<String>,
    },
    /// Each criterion judged over the time since the step began.
    Judged {
        /// The step's index; None before the first step's traffic.
        step_index: Option<u32>,
        percent: u32,
        verdict: Status,
        results: Vec<Judged>,
        /// Failed and inconclusive judgments in this step so far.
        failures: u32,
        inconclusive: u32,
    },
    /// Traffic moved.
    Shifted {
        cause: ShiftCause,
        from_percent: u32,
        to_percent: u32,
        /// The step now running; None after a rollback.
        step_index: Option<u32>,
        request_ids: Vec<String>,
        timing: Option<RollbackTiming>,
    },
    /// A change of traffic that AWS refused; a rollback is tried again at the next interval.
    ShiftFailed {
        to_percent: u32,
        error: String,
    },
    /// Waiting for a person, and why.
    Held {
        percent: Option<u32>,
        reason: String,
    },
    Paused {
        reason: String,
    },
    /// A person resumes it; the step's pause starts again from now.
    Resumed {
        percent: Option<u32>,
    },
    /// A person asks for the next step now.
    PromoteAsked,
    /// The traffic is being put back: after a failure, or a person's abort.
    RollbackBegun {
        reason: String,
        /// When the failing judgment (or the abort) was made, ms since the epoch.
        #[ts(type = "number")]
        judged_at_ms: i64,
        aborted: bool,
    },
    Ended {
        status: RolloutStatus,
        reason: String,
    },
}

impl RolloutChange {
    /// The audit trail's kind for this change.
    pub fn kind(&self) -> &'static str {
        match self {
            RolloutChange::Started { .. } => "rollout_start",
            RolloutChange::Judged { .. } => "rollout_judged",
            RolloutChange::Shifted {
                cause: ShiftCause::Rollback,
                ..
            } => "rollout_rollback",
            RolloutChange::Shifted { .. } => "rollout_promote",
            RolloutChange::ShiftFailed { .. } => "rollout_shift_failed",
            RolloutChange::Held { .. } => "rollout_hold",
            RolloutChange::Paused { .. } => "rollout_pause",
            RolloutChange::Resumed { .. } => "rollout_resume",
            RolloutChange::PromoteAsked => "rollout_promote_asked",
            RolloutChange::RollbackBegun { aborted: true, .. } => "rollout_abort",
            RolloutChange::RollbackBegun { .. } => "rollout_rollback_begun",
            RolloutChange::Ended { .. } => "rollout_end",
        }
    }
}
