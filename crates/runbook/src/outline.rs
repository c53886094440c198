//! Reading a stored runbook (its JSON) without the bodies of the phases a reader does not need.
//!
//! A phase's body (its checklist items, tasks, steps and actions) is nearly all of a runbook:
//! the generated 5 MB runbook is stored as 20.2 MB, 0.5 MB without them. Most readers need the
//! phases' headings, gates, sign-off questions and criteria, and at most one phase's body; the
//! JSON reader skips the other bodies without building them.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::criteria::{Criterion, Soak};
use crate::model::{ImportWarning, Meta, Phase, Runbook, SignoffField, TimedSection};
use crate::role::Role;
use crate::times::Timing;

/// A stored runbook with each phase left as its JSON text.
#[derive(Deserialize)]
struct Stored<'a> {
    title: String,
    meta: Meta,
    #[serde(borrow)]
    phases: Vec<&'a RawValue>,
    repaired_characters: u32,
    warnings: Vec<ImportWarning>,
}

/// A phase without its body: the fields `Phase` has besides `items`, `tasks`, `steps` and
/// `actions`, which the reader skips.
#[derive(Deserialize)]
struct PhaseHeading {
    id: String,
    number: Option<String>,
    title: String,
    line: u32,
    meta: Meta,
    depends_on: Vec<String>,
    signoff_roles: Vec<Role>,
    objectives: Vec<String>,
    signoff: Vec<SignoffField>,
    criteria: Vec<Criterion>,
    soak: Option<Soak>,
    timing: Timing,
    sections: Vec<TimedSection>,
}

impl From<PhaseHeading> for Phase {
    fn from(h: PhaseHeading) -> Self {
        Phase {
            id: h.id,
            number: h.number,
            title: h.title,
            line: h.line,
            meta: h.meta,
            depends_on: h.depends_on,
            signoff_roles: h.signoff_roles,
            objectives: h.objectives,
            items: Vec::new(),
            tasks: Vec::new(),
            steps: Vec::new(),
            signoff: h.signoff,
            criteria: h.criteria,
            soak: h.soak,
            actions: Vec::new(),
            timing: h.timing,
            sections: h.sections,
        }
    }
}

/// Reads the runbook stored as `json`, with the body of each phase for which `keep(index, id)`
/// is true and an empty body (no items, tasks, steps or actions) for the others.
pub fn read_stored_runbook(
    json: &str,
    keep: impl Fn(usize, &str) -> bool,
) -> serde_json::Result<Runbook> {
    let stored: Stored = serde_json::from_str(json)?;
    let phases = stored
        .phases
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let heading: PhaseHeading = serde_json::from_str(raw.get())?;
            if keep(i, &heading.id) {
                serde_json::from_str(raw.get())
            } else {
                Ok(heading.into())
            }
        })
        .collect::<serde_json::Result<_>>()?;
    Ok(Runbook {
        title: stored.title,
        meta: stored.meta,
        phases,
        repaired_characters: stored.repaired_characters,
        warnings: stored.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(md: &str) -> (Runbook, String) {
        let runbook = crate::parse("rb.md", md.as_bytes()).unwrap();
        let json = serde_json::to_string(&runbook).unwrap();
        (runbook, json)
    }

    fn without_bodies(mut runbook: Runbook, except: Option<&str>) -> Runbook {
        for p in runbook
            .phases
            .iter_mut()
            .filter(|p| Some(p.id.as_str()) != except)
        {
            p.items.clear();
            p.tasks.clear();
            p.steps.clear();
            p.actions.clear();
        }
        runbook
    }

    #[test]
    fn kept_phases_read_whole_and_the_others_without_their_bodies() {
        let (runbook, json) = stored(&crate::synthetic_runbook(200 * 1024));
        assert!(runbook.phases.len() > 2);
        assert_eq!(read_stored_runbook(&json, |_, _| true).unwrap(), runbook);
        let second = runbook.phases[1].id.clone();
        assert_eq!(
            read_stored_runbook(&json, |_, id| id == second).unwrap(),
            without_bodies(runbook.clone(), Some(&second))
        );
        assert_eq!(
            read_stored_runbook(&json, |_, _| false).unwrap(),
            without_bodies(runbook, None)
        );
    }

    #[test]
    fn a_runbook_with_actions_criteria_and_sign_offs_keeps_them_in_the_heading() {
        let md = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/demo/harbour-go-live.md"
        ))
        .unwrap();
        let (runbook, json) = stored(&md);
        let outline = read_stored_runbook(&json, |_, _| false).unwrap();
        assert_eq!(outline, without_bodies(runbook.clone(), None));
        assert!(outline.phases.iter().any(|p| !p.criteria.is_empty()));
        assert!(outline.phases.iter().any(|p| !p.signoff.is_empty()));
        assert!(runbook.phases.iter().any(|p| !p.actions.is_empty()));
    }

    #[test]
    fn a_damaged_document_is_an_error_not_a_panic() {
        let (_, json) = stored("# R\n\n## Phase 1: A\n\n- [ ] one\n");
        let cut = &json[..json.len() / 2];
        assert!(read_stored_runbook(cut, |_, _| true).is_err());
        let bad_phase = json.replacen("\"title\":\"Phase 1: A\"", "\"title\":7", 1);
        assert!(read_stored_runbook(&bad_phase, |_, _| false).is_err());
    }
}
