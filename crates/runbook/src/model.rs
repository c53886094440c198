use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionStep;
use crate::criteria::{Criterion, Soak};
use crate::item_id::ItemId;
use crate::role::Role;
use crate::times::Timing;

/// A runbook as read from its markdown: structure only, no progress state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Runbook {
    pub title: String,
    /// Metadata lines before the first phase (`**Status**: ...`).
    pub meta: Meta,
    pub phases: Vec<Phase>,
    /// Characters repaired from UTF-8 text that had been decoded as Mac Roman ("‚úÖ" -> "✅").
    pub repaired_characters: u32,
    /// Problems the importer worked around, with the line they are on.
    pub warnings: Vec<ImportWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportWarning {
    pub line: u32,
    pub message: String,
}

impl Runbook {
    /// The key a runbook is stored and shared under: its title as a slug.
    pub fn key(&self) -> String {
        crate::ids::slug(&self.title)
    }

    pub fn items(&self) -> impl Iterator<Item = &ChecklistItem> {
        self.phases.iter().flat_map(|p| p.items.iter())
    }

    pub fn checklist_items(&self) -> usize {
        self.items().count()
    }

    pub fn checked_items(&self) -> usize {
        self.items().filter(|i| i.checked).count()
    }

    /// The action step with this id, anywhere in the runbook.
    pub fn action(&self, id: &str) -> Option<&ActionStep> {
        self.phases
            .iter()
            .flat_map(|p| p.actions.iter())
            .find(|a| a.id == id)
    }

    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
}

/// The `**Label**: value` lines under a heading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Meta {
    pub duration: Option<String>,
    pub responsible: Option<String>,
    pub depends_on: Option<String>,
    pub status: Option<String>,
    pub environment: Option<String>,
    pub target: Option<String>,
    /// Any other label in the metadata block, in document order.
    pub other: Vec<MetaField>,
}

impl Meta {
    /// Takes what `later` set, as if its labels had been read after this one's.
    pub(crate) fn overwrite_with(&mut self, later: Meta) {
        let Meta {
            duration,
            responsible,
            depends_on,
            status,
            environment,
            target,
            other,
        } = later;
        for (slot, value) in [
            (&mut self.duration, duration),
            (&mut self.responsible, responsible),
            (&mut self.depends_on, depends_on),
            (&mut self.status, status),
            (&mut self.environment, environment),
            (&mut self.target, target),
        ] {
            if value.is_some() {
                *slot = value;
            }
        }
        self.other.extend(other);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MetaField {
    pub label: String,
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Phase {
    pub id: String,
    /// "8" for "Phase 8: ...", "2" for "Batch 2: ...".
    pub number: Option<String>,
    pub title: String,
    pub line: u32,
    pub meta: Meta,
    /// Ids of the phases of this runbook named in `Depends On`; they gate this one.
    pub depends_on: Vec<String>,
    /// Roles that must sign this phase off (`**Sign-Off Roles**:`); empty means any one
    /// signer who is not a client stakeholder.
    pub signoff_roles: Vec<Role>,
    pub objectives: Vec<String>,
    /// Every checklist item of the phase, tasks included, in document order.
    pub items: Vec<ChecklistItem>,
    pub tasks: Vec<Task>,
    /// Code blocks of the phase that are outside any task.
    pub steps: Vec<Step>,
    pub signoff: Vec<SignoffField>,
    /// Go/no-go criteria declared in `flightdeck-criteria` blocks.
    pub criteria: Vec<Criterion>,
    /// The soak schedule declared in a criteria block (`[soak]`).
    pub soak: Option<Soak>,
    /// Executable steps declared in `flightdeck` blocks, in document order.
    pub actions: Vec<ActionStep>,
    /// When the phase happens, from its heading and `**Duration**:` / `**Time**:` labels.
    pub timing: Timing,
    /// Headings inside the phase that are not tasks but carry a time ("72 Hours Before
    /// Go-Live", "Canary: 5% of Traffic (12:30 PM)"), in document order.
    pub sections: Vec<TimedSection>,
}

/// A heading inside a phase that carries a time; its checklist items are the ones whose
/// `section` is its title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimedSection {
    pub id: String,
    pub title: String,
    pub line: u32,
    pub timing: Timing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Task {
    pub id: String,
    pub number: Option<String>,
    pub title: String,
    pub line: u32,
    pub meta: Meta,
    pub steps: Vec<Step>,
    pub timing: Timing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistItem {
    #[ts(type = "string")]
    pub id: ItemId,
    pub text: String,
    /// Ticked in the markdown itself (`- [x]`).
    pub checked: bool,
    // `section` and `task` are shared by the items of one section or task: a large runbook has
    // as many items as lines, and each name is one allocation, not one per item.
    /// The heading or bold label the item sits under ("Prerequisites", "Verification"...).
    pub section: Option<Arc<str>>,
    pub task: Option<Arc<str>>,
    #[ts(type = "string | null")]
    pub parent: Option<ItemId>,
    pub depth: u32,
    pub line: u32,
}

/// A fenced code block, kept verbatim so it can be copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Step {
    pub id: String,
    /// The text just before the block ("Set PROD environment variables").
    pub title: Option<String>,
    pub lang: Option<String>,
    pub code: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignoffField {
    pub id: String,
    pub label: String,
    pub kind: SignoffKind,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum SignoffKind {
    /// "**Completed By**: ______ Date: ______"
    Signature { with_date: bool },
    /// "**PROD Infrastructure Ready**: [ ] YES [ ] NO"; `answer` is what the markdown ticked.
    YesNo { answer: Option<bool> },
}
