use flightdeck_runbook::Role;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ModelError;

/// Who is acting: recorded with every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: &str, role: Role) -> Result<Actor, ModelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ModelError::EmptyName);
        }
        Ok(Actor {
            name: name.to_string(),
            role,
        })
    }
}

/// What a person has recorded for a checklist item. No state means open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemState {
    Done,
    /// Not applicable.
    Na,
    Failed,
    /// A validation item recorded as not tested (its note says why).
    NotTested,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Done => "done",
            ItemState::Na => "na",
            ItemState::Failed => "failed",
            ItemState::NotTested => "not_tested",
        }
    }

    pub fn parse(text: &str) -> Option<ItemState> {
        match text {
            "done" => Some(ItemState::Done),
            "na" => Some(ItemState::Na),
            "failed" => Some(ItemState::Failed),
            "not_tested" => Some(ItemState::NotTested),
            _ => None,
        }
    }
}
