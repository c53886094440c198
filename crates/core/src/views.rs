use flightdeck_runbook::Runbook;
use flightdeck_store::{ItemView, RunbookSummary, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

/// One runbook as the window shows it: progress, every phase's heading, gates, criteria and
/// timing, and the checklist, tasks and steps of one open phase with its items' states.
// Only one phase's body crosses to the window: a 5 MB runbook whole took 2.7 s to first paint
// and 700 MB in WebKit's web process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunbookView {
    pub summary: RunbookSummary,
    pub runbook: Runbook,
    /// The phase whose body and items are here; `null` for a runbook without phases.
    pub open: Option<String>,
    pub items: Vec<ItemView>,
}

/// The view of `key` with `phase` open (the first phase when `None`).
pub fn runbook_view(store: &Store, key: &str, phase: Option<&str>) -> Result<RunbookView, Error> {
    let runbook = store.document_keeping(key, |i, id| phase.map_or(i == 0, |open| open == id))?;
    let open = match phase {
        Some(id) => Some(id.to_string()),
        None => runbook.phases.first().map(|p| p.id.clone()),
    };
    let items = match &open {
        Some(id) => store.phase_items(key, id)?,
        None => Vec::new(),
    };
    Ok(RunbookView {
        summary: store.summary(key)?,
        runbook,
        open,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_PHASES: &str = "# Release\n\n## Phase 1: Prepare\n\n- [ ] Backup taken\n- [ ] Alarms green\n\n## Phase 2: Deploy\n\n### Task 2.1: Roll out\n\n- [ ] Deployed\n\n```bash\necho deploy\n```\n";

    #[test]
    fn only_the_open_phase_carries_its_body_and_items() {
        let mut store = Store::open_in_memory().unwrap();
        let runbook = flightdeck_runbook::parse("two.md", TWO_PHASES.as_bytes()).unwrap();
        let key = store.import("two.md", "0", &runbook).unwrap().key;
        let (first, second) = (&runbook.phases[0].id, &runbook.phases[1].id);

        let view = runbook_view(&store, &key, None).unwrap();
        assert_eq!(view.open.as_ref(), Some(first));
        assert_eq!(view.items.len(), 2);
        assert_eq!(view.runbook.phases[0].items.len(), 2);
        assert!(view.runbook.phases[1].items.is_empty());
        assert!(view.runbook.phases[1].tasks.is_empty());
        assert_eq!(view.runbook.phases[1].title, runbook.phases[1].title);

        let view = runbook_view(&store, &key, Some(second)).unwrap();
        assert_eq!(view.items.len(), 1);
        assert!(view.items.iter().all(|i| &i.phase_id == second));
        assert_eq!(view.runbook.phases[1], runbook.phases[1]);
        assert!(view.runbook.phases[0].items.is_empty());

        assert!(runbook_view(&store, &key, Some("phase-9")).is_err());
    }
}
