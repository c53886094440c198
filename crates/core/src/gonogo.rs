//! The go/no-go board's numbers: a runbook's criteria evaluated against an environment.

use std::time::{Duration, SystemTime};

use flightdeck_cloud::{evaluate_in, sdk_config, Evaluation};
use flightdeck_runbook::Runbook;
use flightdeck_store::{Environment, Store};
use flightdeck_vault::Vault;

use crate::Error;

/// Evaluates the criteria of a runbook (or of one phase) over the last `window` in `env`.
pub async fn go_no_go(
    store: &Store,
    vault: &Vault,
    key: &str,
    env_name: &str,
    phase: Option<&str>,
    window: Duration,
) -> Result<Evaluation, Error> {
    let runbook = store.document(key)?;
    let env = store.environment(env_name)?;
    evaluate_runbook(&runbook, &env, vault, phase, window).await
}

/// [`go_no_go`] for a runbook and environment already read from the store (the app holds the
/// store's lock only while reading).
pub async fn evaluate_runbook(
    runbook: &Runbook,
    env: &Environment,
    vault: &Vault,
    phase: Option<&str>,
    window: Duration,
) -> Result<Evaluation, Error> {
    let key = flightdeck_runbook::slug(&runbook.title);
    let criteria: Vec<_> = runbook
        .phases
        .iter()
        .filter(|p| phase.is_none_or(|id| p.id == id))
        .flat_map(|p| p.criteria.iter().cloned())
        .collect();
    if criteria.is_empty() {
        return Err(Error::Invalid(format!(
            "runbook '{key}' declares no go/no-go criteria{}; add a ```flightdeck-criteria block (docs/runbook-format.md)",
            phase.map(|p| format!(" in {p}")).unwrap_or_default()
        )));
    }
    let config = sdk_config(env, vault).await?;
    Ok(evaluate_in(&config, &criteria, window, SystemTime::now()).await?)
}
