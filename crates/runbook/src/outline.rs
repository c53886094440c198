//! A runbook's outline: the runbook without its phases' bodies.
//!
//! A phase's body (its checklist items, tasks, steps and actions) is nearly all of a runbook:
//! the generated 5 MB runbook is 20.2 MB of JSON, 0.5 MB without them. Most readers need the
//! phases' headings, gates, sign-off questions and criteria, and at most one phase's body, so
//! the store keeps the outline and each phase apart and reads only what it is asked for.

use crate::model::{Phase, Runbook};

impl Phase {
    /// The phase without its body: its heading, gates, sign-off fields, criteria and timing,
    /// with no items, tasks, steps or actions.
    pub fn heading(&self) -> Phase {
        let Phase {
            id,
            number,
            title,
            line,
            meta,
            depends_on,
            signoff_roles,
            objectives,
            items: _,
            tasks: _,
            steps: _,
            signoff,
            criteria,
            soak,
            actions: _,
            timing,
            sections,
        } = self;
        Phase {
            id: id.clone(),
            number: number.clone(),
            title: title.clone(),
            line: *line,
            meta: meta.clone(),
            depends_on: depends_on.clone(),
            signoff_roles: signoff_roles.clone(),
            objectives: objectives.clone(),
            items: Vec::new(),
            tasks: Vec::new(),
            steps: Vec::new(),
            signoff: signoff.clone(),
            criteria: criteria.clone(),
            soak: *soak,
            actions: Vec::new(),
            timing: timing.clone(),
            sections: sections.clone(),
        }
    }
}

impl Runbook {
    /// The runbook with each phase's [`Phase::heading`] only.
    pub fn outline(&self) -> Runbook {
        Runbook {
            title: self.title.clone(),
            meta: self.meta.clone(),
            phases: self.phases.iter().map(Phase::heading).collect(),
            repaired_characters: self.repaired_characters,
            warnings: self.warnings.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    fn parse(md: &str) -> crate::Runbook {
        crate::parse("rb.md", md.as_bytes()).unwrap()
    }

    #[test]
    fn the_outline_keeps_every_heading_and_no_body() {
        let runbook = parse(&crate::synthetic_runbook(200 * 1024));
        let outline = runbook.outline();
        assert!(runbook.phases.len() > 2);
        assert_eq!(outline.title, runbook.title);
        assert_eq!(outline.meta, runbook.meta);
        assert_eq!(outline.warnings, runbook.warnings);
        assert_eq!(outline.phases.len(), runbook.phases.len());
        for (heading, phase) in outline.phases.iter().zip(&runbook.phases) {
            assert!(heading.items.is_empty() && heading.tasks.is_empty());
            assert!(heading.steps.is_empty() && heading.actions.is_empty());
            let mut bodiless = phase.clone();
            bodiless.items.clear();
            bodiless.tasks.clear();
            bodiless.steps.clear();
            bodiless.actions.clear();
            assert_eq!(heading, &bodiless);
        }
        let json = serde_json::to_string(&runbook).unwrap();
        let outline_json = serde_json::to_string(&outline).unwrap();
        assert!(
            outline_json.len() * 10 < json.len(),
            "{} of {} bytes",
            outline_json.len(),
            json.len()
        );
    }

    #[test]
    fn a_runbook_with_actions_criteria_and_sign_offs_keeps_them_in_the_heading() {
        let md = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/demo/harbour-go-live.md"
        ))
        .unwrap();
        let runbook = parse(&md);
        let outline = runbook.outline();
        assert!(outline.phases.iter().any(|p| !p.criteria.is_empty()));
        assert!(outline.phases.iter().any(|p| !p.signoff.is_empty()));
        assert!(outline.phases.iter().any(|p| p.soak.is_some()));
        assert!(runbook.phases.iter().any(|p| !p.actions.is_empty()));
        assert!(outline.phases.iter().all(|p| p.actions.is_empty()));
    }
}
