//! What changed between two imports of the same runbook.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::normalize;
use crate::model::{ChecklistItem, Runbook};

/// A new item at least this similar (Sørensen–Dice over character bigrams) to a vanished item of
/// the same phase and section is reported as that item reworded, rather than one gone and one new.
const EDIT_SIMILARITY: f64 = 0.6;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunbookDiff {
    pub added: Vec<ItemRef>,
    pub changed: Vec<ItemChange>,
    pub removed: Vec<ItemRef>,
    pub unchanged: u32,
}

impl RunbookDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemRef {
    pub id: String,
    pub phase: String,
    pub text: String,
}

/// An item present in both versions but different: same id with a new place or tick in the
/// markdown (its state is kept), or reworded (it gets a new id and starts unticked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemChange {
    pub old_id: String,
    pub new_id: String,
    pub phase: String,
    pub old_text: String,
    pub new_text: String,
    pub state_kept: bool,
}

struct Located<'a> {
    phase: &'a str,
    item: &'a ChecklistItem,
}

fn index(runbook: &Runbook) -> Vec<Located<'_>> {
    runbook
        .phases
        .iter()
        .flat_map(|p| {
            p.items.iter().map(move |item| Located {
                phase: &p.title,
                item,
            })
        })
        .collect()
}

fn same_shape(a: &ChecklistItem, b: &ChecklistItem) -> bool {
    a.text == b.text && a.checked == b.checked && a.parent == b.parent && a.depth == b.depth
}

fn item_ref(l: &Located<'_>) -> ItemRef {
    ItemRef {
        id: l.item.id.to_string(),
        phase: l.phase.to_string(),
        text: l.item.text.clone(),
    }
}

/// Compares item by item: kept ids, rewordings, additions and removals.
pub fn diff(old: &Runbook, new: &Runbook) -> RunbookDiff {
    let old_items = index(old);
    let new_items = index(new);
    let old_by_id: HashMap<&str, &Located<'_>> =
        old_items.iter().map(|l| (l.item.id.as_str(), l)).collect();
    let new_ids: HashSet<&str> = new_items.iter().map(|l| l.item.id.as_str()).collect();

    let mut out = RunbookDiff::default();
    let mut added = Vec::new();
    for l in &new_items {
        match old_by_id.get(l.item.id.as_str()) {
            Some(o) if same_shape(o.item, l.item) => out.unchanged += 1,
            Some(o) => out.changed.push(ItemChange {
                old_id: o.item.id.to_string(),
                new_id: l.item.id.to_string(),
                phase: l.phase.to_string(),
                old_text: o.item.text.clone(),
                new_text: l.item.text.clone(),
                state_kept: true,
            }),
            None => added.push(l),
        }
    }
    let mut removed: Vec<&Located<'_>> = old_items
        .iter()
        .filter(|l| !new_ids.contains(l.item.id.as_str()))
        .collect();

    for l in added {
        let target = normalize(&l.item.text);
        let best = removed
            .iter()
            .enumerate()
            .filter(|(_, o)| o.phase == l.phase && o.item.section == l.item.section)
            .map(|(i, o)| (i, strsim::sorensen_dice(&normalize(&o.item.text), &target)))
            .filter(|(_, score)| *score >= EDIT_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => {
                let o = removed.remove(i);
                out.changed.push(ItemChange {
                    old_id: o.item.id.to_string(),
                    new_id: l.item.id.to_string(),
                    phase: l.phase.to_string(),
                    old_text: o.item.text.clone(),
                    new_text: l.item.text.clone(),
                    state_kept: false,
                });
            }
            None => out.added.push(item_ref(l)),
        }
    }
    out.removed = removed.into_iter().map(item_ref).collect();
    out
}
