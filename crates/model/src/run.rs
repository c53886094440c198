//! Runs: one go at a runbook (a rehearsal or the live run), with its own checklist state,
//! sign-offs, action runs and decisions, and the T0 its plan is laid out from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunKind {
    /// The state a runbook had before runs existed, and its state when no run was started.
    Default,
    Rehearsal,
    Live,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Default => "default",
            RunKind::Rehearsal => "rehearsal",
            RunKind::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<RunKind> {
        match text {
            "default" => Some(RunKind::Default),
            "rehearsal" => Some(RunKind::Rehearsal),
            "live" => Some(RunKind::Live),
            _ => None,
        }
    }
}

/// What a run is: its name (unique in its runbook), kind, environment and planned start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunRecord {
    pub name: String,
    pub kind: RunKind,
    pub environment: Option<String>,
    /// The planned start (T0), in milliseconds since the epoch.
    #[ts(type = "number | null")]
    pub t0_ms: Option<i64>,
    /// The offset from UTC of the wall clock the runbook's times of day are on.
    pub utc_offset_minutes: i32,
    /// Where the run's sign-offs, decisions, rollbacks and late items are announced; a
    /// rehearsal names its test channel, or none.
    #[serde(default)]
    pub notify: Option<RunNotify>,
}

/// A run's notification channel, and how late an item may run before it is announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunNotify {
    pub channel: NotifyChannel,
    pub late_after_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum NotifyChannel {
    /// An SNS topic, published to with the environment's credentials.
    Sns {
        environment: String,
        topic_arn: String,
    },
    /// A webhook (a Slack incoming webhook, or any URL taking `{"text": ...}`); the URL is a
    /// secret, kept in the OS keyring under this name.
    Webhook { secret: String },
}

impl NotifyChannel {
    /// In words, without the webhook's URL.
    pub fn describe(&self) -> String {
        match self {
            NotifyChannel::Sns { topic_arn, .. } => format!("SNS topic {topic_arn}"),
            NotifyChannel::Webhook { secret } => format!("webhook (keyring secret {secret})"),
        }
    }
}

/// The key of run `name` of the runbook `runbook` (`runbook@name`); the default run's key is
/// the runbook's own.
pub fn run_key(runbook: &str, name: &str) -> String {
    if name == "default" {
        runbook.to_string()
    } else {
        format!("{runbook}@{name}")
    }
}

/// The runbook a run key belongs to, and the run's name.
pub fn split_run_key(key: &str) -> (&str, &str) {
    key.split_once('@').unwrap_or((key, "default"))
}
