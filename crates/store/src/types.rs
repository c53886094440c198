use flightdeck_model::ItemState;
use flightdeck_runbook::{ImportWarning, RunbookDiff};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A change to one item: its new state (None reopens it) and note (None leaves it as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemUpdate {
    pub state: Option<ItemState>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemView {
    pub id: String,
    pub phase_id: String,
    pub text: String,
    pub section: Option<String>,
    pub task: Option<String>,
    pub parent: Option<String>,
    pub depth: u32,
    pub line: u32,
    pub state: Option<ItemState>,
    pub note: Option<String>,
    /// Who set the state or note, and when; "runbook" when ticked in the markdown itself.
    pub by: Option<String>,
    pub role: Option<String>,
    pub at: Option<String>,
    /// The desktop it was recorded on.
    pub desktop: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PhaseStatus {
    NotStarted,
    InProgress,
    Complete,
    /// An item failed.
    Attention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhaseProgress {
    pub id: String,
    pub title: String,
    pub total: u32,
    pub done: u32,
    pub na: u32,
    pub failed: u32,
    pub status: PhaseStatus,
}

impl PhaseProgress {
    pub fn complete(&self) -> u32 {
        self.done + self.na
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunbookSummary {
    /// The key of the run this progress is of (`runbook@run`, or the runbook's for its default
    /// run).
    pub key: String,
    pub run: crate::RunRow,
    pub title: String,
    pub source: String,
    pub revision: u32,
    pub imported_at: String,
    pub total: u32,
    pub complete: u32,
    pub phases: Vec<PhaseProgress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    pub key: String,
    pub title: String,
    pub revision: u32,
    /// False when this replaced an earlier import of the same runbook.
    pub created: bool,
    pub diff: RunbookDiff,
    pub warnings: Vec<ImportWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub runbook: String,
    pub runbook_title: String,
    pub phase_id: String,
    pub item_id: String,
    pub text: String,
    pub state: Option<ItemState>,
}
