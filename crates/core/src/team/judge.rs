//! What every replica checks of each event a team log brings, before applying it: that its
//! signature holds, that its author is a member signing with their own key and acting in
//! their own role, and that the role may make that change (the same rule the façade asks
//! locally). The first event must be the sharing, signed by the owner the URI names; only the
//! owner adds members. An event that fails is kept with the reason and changes nothing.

use std::collections::HashMap;

use flightdeck_model::{Direction, Event, Role, SignedEvent};
use flightdeck_runbook::{CriterionKind, Runbook};
use flightdeck_store::Member;

use crate::permissions::{permit, Change};

/// Who may act on the release, as the events judged so far say.
pub struct Judge<'a> {
    runbook: &'a Runbook,
    key: &'a str,
    owner_fingerprint: &'a str,
    owner: Option<String>,
    members: HashMap<String, (Role, String)>,
}

impl<'a> Judge<'a> {
    /// A judge that knows the members this replica has applied already.
    pub fn new(
        runbook: &'a Runbook,
        key: &'a str,
        owner_fingerprint: &'a str,
        members: &[Member],
    ) -> Judge<'a> {
        let owner = members
            .iter()
            .find(|m| m.public_key.starts_with(owner_fingerprint))
            .map(|m| m.name.clone());
        Judge {
            runbook,
            key,
            owner_fingerprint,
            owner,
            members: members
                .iter()
                .map(|m| (m.name.clone(), (m.role, m.public_key.clone())))
                .collect(),
        }
    }

    /// Why the event at `seq` must not be applied; `None` when it may. A valid membership
    /// event is taken into account for the events after it.
    pub fn judge(&mut self, seq: i64, signed: &SignedEvent) -> Option<String> {
        let body = match signed.verify() {
            Ok(body) => body,
            Err(e) => return Some(format!("its signature does not hold: {e}")),
        };
        let Some(author) = body.author else {
            return Some("it names no author".into());
        };
        // A run's events (`runbook@run`) belong to the runbook's log.
        if body
            .event
            .runbook()
            .map(|k| flightdeck_model::split_run_key(k).0)
            != Some(self.key)
        {
            return Some(format!(
                "it is about runbook {:?}, not {}",
                body.event.runbook(),
                self.key
            ));
        }
        if seq == 1 {
            let Event::ReleaseShared { owner_key, .. } = &body.event else {
                return Some("the log's first event is not the sharing of the release".into());
            };
            if !signed.public_key.starts_with(self.owner_fingerprint)
                || owner_key != &signed.public_key
            {
                return Some(format!(
                    "the release is shared by the owner {}…, not by the key that signed this",
                    self.owner_fingerprint
                ));
            }
            self.owner = Some(author.name.clone());
            self.members
                .insert(author.name, (author.role, signed.public_key.clone()));
            return None;
        }
        let Some((role, key)) = self.members.get(&author.name) else {
            return Some(format!("'{}' is not a member of this release", author.name));
        };
        if key != &signed.public_key {
            return Some(format!(
                "it is signed with a key that is not {}'s",
                author.name
            ));
        }
        if *role != author.role {
            return Some(format!(
                "{} is a {} in this release, not a {}",
                author.name,
                role.label(),
                author.role.label()
            ));
        }
        let refusal = match &body.event {
            Event::ReleaseShared { .. } => Some("the release was already shared".to_string()),
            Event::MemberAdded {
                name,
                role,
                public_key,
                ..
            } => {
                if self.owner.as_deref() != Some(author.name.as_str()) {
                    Some(format!(
                        "only the owner adds members; {} is not the owner",
                        author.name
                    ))
                } else {
                    self.members
                        .insert(name.clone(), (*role, public_key.clone()));
                    None
                }
            }
            event => match self.change(event) {
                Ok(Some(change)) => permit(&author, change).err().map(|e| e.to_string()),
                Ok(None) => None,
                Err(why) => Some(why),
            },
        };
        refusal
    }

    /// The change an event makes, as the permission rule names it; `None` for events any
    /// member may record (a refusal); `Err` for events that have no place in the log.
    fn change<'e>(&'e self, event: &'e Event) -> Result<Option<Change<'e>>, String> {
        Ok(Some(match event {
            Event::ItemChanged { .. } => Change::Item,
            Event::SignedOff { phase, .. } => Change::SignOff(
                self.runbook
                    .phase(phase)
                    .ok_or_else(|| format!("it signs off '{phase}', which the runbook lacks"))?,
            ),
            Event::Decided { .. } => Change::Decision,
            Event::CriterionConfirmed { criterion, .. } => {
                let role = self
                    .runbook
                    .phases
                    .iter()
                    .flat_map(|p| &p.criteria)
                    .find_map(|c| match &c.kind {
                        CriterionKind::Manual { role } if &c.id == criterion => Some(*role),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        format!("it confirms '{criterion}', which is no manual criterion")
                    })?;
                Change::Confirm {
                    criterion: criterion.as_str(),
                    role,
                }
            }
            Event::SoakStarted { .. } | Event::CheckpointRecorded { .. } => Change::Soak,
            Event::ActionStarted { direction, .. } | Event::ActionFinished { direction, .. } => {
                match direction {
                    Direction::Apply => Change::Apply,
                    Direction::Undo => Change::Undo {
                        step: "",
                        environment: "",
                        typed_guard: false,
                        rollback_roles: &[],
                    },
                }
            }
            Event::Rollout { .. } => Change::Rollout,
            Event::RunStarted { .. } | Event::RunEnded { .. } | Event::HoldOverridden { .. } => {
                Change::Run
            }
            Event::EvidenceAttached { .. } => Change::Item,
            Event::Refused { .. } => return Ok(None),
            other => {
                return Err(format!(
                    "a {} has no place in a release's log",
                    other.kind()
                ))
            }
        }))
    }
}
