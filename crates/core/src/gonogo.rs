//! The go/no-go board's numbers: a runbook's criteria evaluated against an environment, the
//! CloudWatch ones through the SDK and the others from Flightdeck's own records.

use std::time::{Duration, SystemTime};

use flightdeck_cloud::{evaluate_in, sdk_config, CriterionResult, Evaluation, Verdict};
use flightdeck_runbook::{Criterion, CriterionKind, Runbook};
use flightdeck_store::{Environment, Store};
use flightdeck_vault::Vault;

use crate::local_criteria::{local_results, LocalResults};
use crate::Error;

/// What an evaluation needs from the store, read while holding it (the app holds the store's
/// lock only while reading, never across the calls to AWS).
pub struct GoNoGoInput {
    pub key: String,
    /// The runbook's outline: its criteria are in the phases' headings.
    pub runbook: Runbook,
    pub env: Environment,
    pub local: LocalResults,
}

/// Which criteria to evaluate.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Phase(&'a str),
    /// A soak checkpoint of this phase: its CloudWatch criteria (metrics and alarms), the state
    /// of the system at that time; not the sign-offs, confirmations or the checkpoint count.
    Checkpoint(&'a str),
}

impl Scope<'_> {
    fn includes(&self, c: &Criterion) -> bool {
        match self {
            Scope::All => true,
            Scope::Phase(id) => c.phase == *id,
            Scope::Checkpoint(id) => {
                c.phase == *id
                    && matches!(
                        c.kind,
                        CriterionKind::Metric { .. } | CriterionKind::Alarms { .. }
                    )
            }
        }
    }
}

pub fn gonogo_input(store: &Store, key: &str, env_name: &str) -> Result<GoNoGoInput, Error> {
    let runbook = store.outline(key)?;
    let env = store.environment(env_name)?;
    let local = local_results(store, key, &runbook)?;
    Ok(GoNoGoInput {
        key: key.to_string(),
        runbook,
        env,
        local,
    })
}

/// Evaluates the criteria in `scope` over the `window` that ends at `at`.
pub async fn evaluate_input(
    input: &GoNoGoInput,
    vault: &Vault,
    scope: Scope<'_>,
    window: Duration,
    at: SystemTime,
) -> Result<Evaluation, Error> {
    let criteria: Vec<&Criterion> = input
        .runbook
        .phases
        .iter()
        .flat_map(|p| p.criteria.iter())
        .filter(|c| scope.includes(c))
        .collect();
    if criteria.is_empty() {
        let place = match scope {
            Scope::All => String::new(),
            Scope::Phase(p) | Scope::Checkpoint(p) => format!(" in {p}"),
        };
        return Err(Error::Invalid(format!(
            "runbook '{}' declares no go/no-go criteria{place}; add a ```flightdeck-criteria block (docs/runbook-format.md)",
            input.key
        )));
    }
    let cloud: Vec<Criterion> = criteria
        .iter()
        .filter(|c| !input.local.contains_key(&c.id))
        .map(|c| (*c).clone())
        .collect();
    let window_minutes = (window.as_secs() / 60) as u32;
    let mut from_cloud = if cloud.is_empty() {
        Vec::new()
    } else {
        let config = sdk_config(&input.env, vault).await?;
        evaluate_in(&config, &cloud, window, at).await?.results
    };
    let results: Vec<CriterionResult> = criteria
        .iter()
        .filter_map(|c| match input.local.get(&c.id) {
            Some(local) => Some(local.clone()),
            None => from_cloud
                .iter()
                .position(|r| r.id == c.id)
                .map(|i| from_cloud.swap_remove(i)),
        })
        .collect();
    Ok(Evaluation {
        verdict: Verdict::of(&results),
        results,
        window_minutes,
    })
}
