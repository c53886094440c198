use flightdeck_store::{Actor, ItemUpdate, ItemView, Role, Store};

use crate::Error;

/// Records a change to a checklist item on behalf of `actor`. Client stakeholders have a
/// read-only view: the refusal is here, not only in the UI, so no IPC call or CLI flag gets past.
pub fn change_item(
    store: &mut Store,
    key: &str,
    item: &str,
    update: &ItemUpdate,
    actor: &Actor,
) -> Result<ItemView, Error> {
    if actor.role == Role::ClientStakeholder {
        return Err(Error::ReadOnly(actor.name.clone()));
    }
    let phase = store.item(key, item)?.phase_id;
    crate::signoff::require_open(store, key, &phase)?;
    Ok(store.set_item(key, item, update, actor)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flightdeck_store::ItemState;

    #[test]
    fn stakeholders_cannot_change_items_and_leads_can() {
        let mut store = Store::open_in_memory().unwrap();
        let outcome = crate::ensure_demo(&mut store).unwrap().unwrap();
        let item = store.items(&outcome.key).unwrap()[0].id.clone();
        let done = ItemUpdate {
            state: Some(ItemState::Done),
            note: None,
        };
        let client = Actor::new("Client", Role::ClientStakeholder).unwrap();
        let err = change_item(&mut store, &outcome.key, &item, &done, &client).unwrap_err();
        assert_eq!(err.code(), "read_only");
        assert_eq!(store.item(&outcome.key, &item).unwrap().state, None);
        let lead = Actor::new("Lead", Role::TechnicalLead).unwrap();
        let view = change_item(&mut store, &outcome.key, &item, &done, &lead).unwrap();
        assert_eq!(view.state, Some(ItemState::Done));
    }
}
