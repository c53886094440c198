//! The criteria Flightdeck judges from its own records rather than from CloudWatch: another
//! phase signed off, soak checkpoints passed, a confirmation by a named role.

use std::collections::HashMap;

use flightdeck_cloud::{CriterionResult, Status};
use flightdeck_runbook::{Criterion, CriterionKind, Role, Runbook};
use flightdeck_store::{rfc3339, Actor, Confirmation, Store};

use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// Results of the runbook's checklist and manual criteria, by criterion id.
pub type LocalResults = HashMap<String, CriterionResult>;

fn result(c: &Criterion, status: Status, sentence: String) -> CriterionResult {
    CriterionResult {
        id: c.id.clone(),
        name: c.name.clone(),
        status,
        value: None,
        sentence,
        points: Vec::new(),
        threshold: None,
        unit: None,
        breaches: Vec::new(),
        marks: Vec::new(),
    }
}

fn checkpoints_result(
    store: &Store,
    key: &str,
    c: &Criterion,
    needed: u32,
    now: i64,
) -> Result<CriterionResult, Error> {
    let Some(soak) = store.soak(key, &c.phase)? else {
        return Ok(result(
            c,
            Status::Inconclusive,
            format!("the soak of {} has not started", c.phase),
        ));
    };
    let recorded = store.checkpoints(key, &c.phase)?;
    let passed = recorded.iter().filter(|r| r.verdict == "go").count() as u32;
    let not_passed = recorded.len() as u32 - passed;
    let total = soak.checkpoints;
    if passed >= needed {
        return Ok(result(
            c,
            Status::Pass,
            format!("{passed} of {total} soak checkpoints passed ({needed} needed)"),
        ));
    }
    if total - not_passed < needed {
        let failed: Vec<String> = recorded
            .iter()
            .filter(|r| r.verdict != "go")
            .map(|r| {
                format!(
                    "#{} {}",
                    r.number,
                    r.verdict.replace('_', "-").to_uppercase()
                )
            })
            .collect();
        return Ok(result(
            c,
            Status::Fail,
            format!(
                "checkpoints {} did not pass: at most {} of {total} can pass, {needed} are needed",
                failed.join(", "),
                total - not_passed
            ),
        ));
    }
    let next = (1..=total)
        .find(|n| !recorded.iter().any(|r| r.number == *n))
        .map(|n| soak.due_at(n));
    let when = match next {
        Some(t) if t <= now => "the next one is due now".to_string(),
        Some(t) => format!("the next one is due at {}", rfc3339(t)),
        None => "none is left".to_string(),
    };
    Ok(result(
        c,
        Status::Inconclusive,
        format!("{passed} of {total} soak checkpoints passed so far ({needed} needed); {when}"),
    ))
}

fn manual_result(c: &Criterion, role: Role, confirmations: &[Confirmation]) -> CriterionResult {
    match confirmations
        .iter()
        .find(|k| k.criterion_id == c.id && k.role == role.as_str())
    {
        Some(k) => {
            let note = if k.note.is_empty() {
                String::new()
            } else {
                format!(": {}", k.note)
            };
            result(
                c,
                Status::Pass,
                format!(
                    "confirmed by {} ({}) at {}{note}",
                    k.confirmed_by,
                    role.label(),
                    k.at
                ),
            )
        }
        None => result(
            c,
            Status::Inconclusive,
            format!("waiting for a {} to confirm", role.label()),
        ),
    }
}

/// Judges every checklist and manual criterion of the runbook from the store.
pub fn local_results(store: &Store, key: &str, runbook: &Runbook) -> Result<LocalResults, Error> {
    let confirmations = store.confirmations(key)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut out = LocalResults::new();
    for c in runbook.phases.iter().flat_map(|p| p.criteria.iter()) {
        let judged = match &c.kind {
            CriterionKind::SignedOff { phase } => {
                let Some(other) = runbook.phase(phase) else {
                    continue;
                };
                let (ok, why) = crate::signoff::signed_off(store, key, other)?;
                result(c, if ok { Status::Pass } else { Status::Fail }, why)
            }
            CriterionKind::Checkpoints { passed } => {
                checkpoints_result(store, key, c, *passed, now)?
            }
            CriterionKind::Manual { role } => manual_result(c, *role, &confirmations),
            CriterionKind::Metric { .. } | CriterionKind::Alarms { .. } => continue,
        };
        out.insert(c.id.clone(), judged);
    }
    Ok(out)
}

impl Flightdeck {
    /// Records that `actor` confirms a manual criterion; only the role it names may.
    pub fn confirm_criterion(
        &self,
        actor: &Actor,
        key: &str,
        criterion_id: &str,
        note: &str,
    ) -> Result<Confirmation, Error> {
        let mut store = self.write()?;
        let runbook = store.outline(key)?;
        let criterion = runbook
            .phases
            .iter()
            .flat_map(|p| p.criteria.iter())
            .find(|c| c.id == criterion_id || c.name.eq_ignore_ascii_case(criterion_id))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "runbook '{key}' has no criterion '{criterion_id}'; the go/no-go board lists them"
                ))
            })?;
        let CriterionKind::Manual { role } = criterion.kind else {
            return Err(Error::Invalid(format!(
                "'{}' is judged by Flightdeck, not confirmed by hand",
                criterion.name
            )));
        };
        let change = Change::Confirm {
            criterion: &criterion.name,
            role,
        };
        self.permit(&mut store, actor, change, Some(key), &criterion.id)?;
        let author = self.author(&mut store, actor)?;
        Ok(store.confirm_criterion(key, &criterion.id, &author, note.trim())?)
    }
}
