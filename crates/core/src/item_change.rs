use flightdeck_model::{Actor, ItemState, RunKind};
use flightdeck_store::{ItemUpdate, ItemView};

use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// The longest note an item may carry.
pub const NOTE_LIMIT: usize = 10_000;

impl Flightdeck {
    /// Records a change to a checklist item on behalf of `actor`: its state and/or note. Client
    /// stakeholders have a read-only view; the refusal is here, so no face gets past it.
    pub fn change_item(
        &self,
        actor: &Actor,
        key: &str,
        item: &str,
        update: &ItemUpdate,
    ) -> Result<ItemView, Error> {
        if update.note.as_ref().is_some_and(|n| n.len() > NOTE_LIMIT) {
            return Err(Error::InvalidNote);
        }
        let mut store = self.write()?;
        let current = store.item(key, item)?;
        self.permit(&mut store, actor, Change::Item, Some(key), item)?;
        crate::signoff::require_open(&store, key, &current.phase_id)?;
        if update.state.is_some() {
            if let Some(held) = crate::schedule::hold(&store, key, &current, crate::now_ms())? {
                return Err(held);
            }
        }
        let note = update
            .note
            .as_deref()
            .or(current.note.as_deref())
            .unwrap_or("");
        if note.trim().is_empty() {
            match update.state {
                Some(ItemState::Na) if store.run(key)?.kind == RunKind::Live => {
                    return Err(Error::Invalid(format!(
                        "marking '{}' not applicable in a live run needs a reason: add it as the note",
                        current.text
                    )));
                }
                Some(ItemState::NotTested) => {
                    return Err(Error::Invalid(format!(
                        "recording '{}' as not tested needs a comment saying why",
                        current.text
                    )));
                }
                _ => {}
            }
        }
        let author = self.author(&mut store, actor)?;
        Ok(store.set_item(key, item, update, &author)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flightdeck_model::Role;

    fn demo() -> (tempfile::TempDir, Flightdeck, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let fd = Flightdeck::open(dir.path()).unwrap();
        let outcome = fd.ensure_demo().unwrap().unwrap();
        let item = fd.read().unwrap().items(&outcome.key).unwrap()[0]
            .id
            .clone();
        (dir, fd, outcome.key, item)
    }

    #[test]
    fn stakeholders_cannot_change_items_and_leads_can() {
        let (_dir, fd, key, item) = demo();
        let done = ItemUpdate {
            state: Some(ItemState::Done),
            note: None,
        };
        let client = Actor::new("Client", Role::ClientStakeholder).unwrap();
        let err = fd.change_item(&client, &key, &item, &done).unwrap_err();
        assert_eq!(err.code(), "read_only");
        assert_eq!(fd.read().unwrap().item(&key, &item).unwrap().state, None);
        let lead = Actor::new("Lead", Role::TechnicalLead).unwrap();
        let view = fd.change_item(&lead, &key, &item, &done).unwrap();
        assert_eq!(view.state, Some(ItemState::Done));
    }

    #[test]
    fn a_note_over_the_limit_is_refused_and_changes_nothing() {
        let (_dir, fd, key, item) = demo();
        let lead = Actor::new("Lead", Role::TechnicalLead).unwrap();
        let long = ItemUpdate {
            state: Some(ItemState::Done),
            note: Some("x".repeat(NOTE_LIMIT + 1)),
        };
        let err = fd.change_item(&lead, &key, &item, &long).unwrap_err();
        assert_eq!(err.code(), "invalid_note");
        assert_eq!(fd.read().unwrap().item(&key, &item).unwrap().state, None);
        let at_limit = ItemUpdate {
            state: None,
            note: Some("x".repeat(NOTE_LIMIT)),
        };
        assert!(fd.change_item(&lead, &key, &item, &at_limit).is_ok());
    }
}
