use flightdeck_runbook::parse;
use flightdeck_store::{ImportOutcome, Store};
use sha2::{Digest, Sha256};

use crate::Error;

/// A sample go-live runbook written for Flightdeck, so that a first start never opens empty.
pub const DEMO_RUNBOOK: &str = include_str!("../demo/harbour-go-live.md");

/// Imports the demo runbook when the store holds none.
pub fn ensure_demo(store: &mut Store) -> Result<Option<ImportOutcome>, Error> {
    if !store.current_keys()?.is_empty() {
        return Ok(None);
    }
    let runbook = parse("demo/harbour-go-live.md", DEMO_RUNBOOK.as_bytes())?;
    let sha256 = hex::encode(Sha256::digest(DEMO_RUNBOOK.as_bytes()));
    Ok(Some(store.import("(embedded demo)", &sha256, &runbook)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_a_multi_phase_runbook_and_imports_once() {
        let runbook = parse("demo", DEMO_RUNBOOK.as_bytes()).unwrap();
        assert!(runbook.phases.len() >= 4, "{} phases", runbook.phases.len());
        assert!(runbook.checklist_items() >= 40);
        assert!(runbook.phases.iter().any(|p| !p.signoff.is_empty()));
        let mut store = Store::open_in_memory().unwrap();
        assert!(ensure_demo(&mut store).unwrap().is_some());
        assert!(ensure_demo(&mut store).unwrap().is_none());
        assert_eq!(store.list().unwrap().len(), 1);
    }
}
