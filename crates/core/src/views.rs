use flightdeck_runbook::Runbook;
use flightdeck_store::{ItemView, RunbookSummary, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

/// Everything the phase views need for one runbook: structure, progress and item state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunbookView {
    pub summary: RunbookSummary,
    pub runbook: Runbook,
    pub items: Vec<ItemView>,
}

pub fn runbook_view(store: &Store, key: &str) -> Result<RunbookView, Error> {
    Ok(RunbookView {
        summary: store.summary(key)?,
        runbook: store.document(key)?,
        items: store.items(key)?,
    })
}
