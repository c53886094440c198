//! Phase dependencies and sign-off roles, read from phase metadata and checked at import.

use std::collections::HashMap;

use rustc_hash::FxHashSet;

use crate::actions::Action;
use crate::criteria::CriterionKind;
use crate::error::ImportError;
use crate::labels::{is_signoff_roles, phase_references, role_names};
use crate::model::Phase;
use crate::role::Role;
use crate::rollout::RolloutCriteria;

/// Fills each phase's `depends_on` (phases of this runbook only) and `signoff_roles`; refuses
/// unknown roles and dependency cycles.
pub fn link_phases(file: &str, phases: &mut [Phase]) -> Result<(), ImportError> {
    let ids: FxHashSet<String> = phases.iter().map(|p| p.id.clone()).collect();
    for phase in phases.iter_mut() {
        if let Some(depends) = &phase.meta.depends_on {
            phase.depends_on = phase_references(depends)
                .into_iter()
                .filter(|key| ids.contains(key) && key != &phase.id)
                .collect();
            phase.depends_on.dedup();
        }
        for field in phase
            .meta
            .other
            .iter()
            .filter(|f| is_signoff_roles(&f.label))
        {
            for name in role_names(&field.value) {
                let role: Role = name.parse().map_err(|e: crate::role::UnknownRole| {
                    ImportError::UnknownRole {
                        file: file.to_string(),
                        line: field.line,
                        reason: e.to_string(),
                    }
                })?;
                if !phase.signoff_roles.contains(&role) {
                    phase.signoff_roles.push(role);
                }
            }
        }
    }
    check_criteria(file, phases)?;
    check_action_ids(file, phases)?;
    check_rollouts(file, phases)?;
    check_cycles(file, phases)
}

/// Action ids are unique in the runbook: the CLI and the audit trail name steps by them.
fn check_action_ids(file: &str, phases: &[Phase]) -> Result<(), ImportError> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for a in phases.iter().flat_map(|p| p.actions.iter()) {
        if let Some(first) = seen.insert(&a.id, a.line) {
            return Err(ImportError::BadAction {
                file: file.to_string(),
                line: a.line,
                reason: format!("action id '{}' is already used on line {first}", a.id),
            });
        }
    }
    Ok(())
}

/// A rollout judged by a phase's criteria names a phase that has metric or alarm criteria.
fn check_rollouts(file: &str, phases: &[Phase]) -> Result<(), ImportError> {
    for a in phases.iter().flat_map(|p| p.actions.iter()) {
        let Action::Rollout(rollout) = &a.action else {
            continue;
        };
        let RolloutCriteria::Phase { phase } = &rollout.criteria else {
            continue;
        };
        let judged = phases.iter().find(|p| &p.id == phase).map(|p| {
            p.criteria.iter().any(|c| {
                matches!(
                    c.kind,
                    CriterionKind::Metric { .. } | CriterionKind::Alarms { .. }
                )
            })
        });
        let why = match judged {
            None => format!("its criteria name {phase}, which this runbook does not have"),
            Some(false) => format!("{phase} declares no metric or alarm criteria to judge it by"),
            Some(true) => continue,
        };
        return Err(ImportError::BadAction {
            file: file.to_string(),
            line: a.line,
            reason: format!("rollout '{}': {why}", a.id),
        });
    }
    Ok(())
}

/// Checklist criteria name phases that exist and soaks that are declared.
fn check_criteria(file: &str, phases: &[Phase]) -> Result<(), ImportError> {
    for phase in phases {
        for c in &phase.criteria {
            let bad = |reason: String| ImportError::BadCriteria {
                file: file.to_string(),
                line: c.line,
                reason: format!("criterion '{}' in {}: {reason}", c.name, phase.id),
            };
            match &c.kind {
                CriterionKind::SignedOff { phase: other }
                    if !phases.iter().any(|p| &p.id == other) =>
                {
                    return Err(bad(format!(
                        "signed_off names {other}, which this runbook does not have"
                    )));
                }
                CriterionKind::Checkpoints { passed } => match phase.soak {
                    None => {
                        return Err(bad(
                            "checkpoints_passed needs a [soak] schedule in the same phase".into(),
                        ))
                    }
                    Some(soak) if *passed > soak.checkpoints => {
                        return Err(bad(format!(
                            "checkpoints_passed = {passed}, but the soak has {} checkpoints",
                            soak.checkpoints
                        )))
                    }
                    Some(_) => {}
                },
                _ => {}
            }
        }
    }
    Ok(())
}

fn check_cycles(file: &str, phases: &[Phase]) -> Result<(), ImportError> {
    let index: HashMap<&str, &Phase> = phases.iter().map(|p| (p.id.as_str(), p)).collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut mark: HashMap<&str, u8> = HashMap::new();
    fn visit<'a>(
        id: &'a str,
        index: &HashMap<&'a str, &'a Phase>,
        mark: &mut HashMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match mark.get(id) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(id);
                return Some(cycle);
            }
            _ => {}
        }
        mark.insert(id, 1);
        path.push(id);
        for dep in &index[id].depends_on {
            if let Some(cycle) = visit(dep, index, mark, path) {
                return Some(cycle);
            }
        }
        path.pop();
        mark.insert(id, 2);
        None
    }
    for phase in phases {
        if let Some(cycle) = visit(&phase.id, &index, &mut mark, &mut Vec::new()) {
            let first = index[cycle[0]];
            return Err(ImportError::DependencyCycle {
                file: file.to_string(),
                line: first.line,
                cycle: cycle.join(" -> "),
            });
        }
    }
    Ok(())
}
