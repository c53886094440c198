//! Who may change what: the one rule every operation of the façade asks before it acts.
//!
//! - Client stakeholders have a read-only view: they change no item, start no soak, run no
//!   action and take or restore no backup; they sign where the runbook names their role, record
//!   go/no-go decisions, and confirm the criteria that name them.
//! - A phase is signed by the roles it names, else by anyone but a client stakeholder.
//! - Go/no-go decisions are for technical leads, product owners and client stakeholders.
//! - A manual criterion is confirmed by the role it names.
//! - A runbook is shared with a team by a technical lead or a product owner, who then adds its
//!   members.
//! - Undoing an action where the environment asks for its name typed (PROD) is for the
//!   rollback roles the runbook gives the step; elsewhere for those roles and anyone who may
//!   apply it.

use flightdeck_model::{Actor, Role};
use flightdeck_runbook::Phase;

use crate::Error;

/// A change someone asks to make, with what the rule needs to know about it.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Item,
    Soak,
    Backup,
    Restore,
    Apply,
    Undo {
        step: &'a str,
        environment: &'a str,
        typed_guard: bool,
        rollback_roles: &'a [Role],
    },
    SignOff(&'a Phase),
    Decision,
    Confirm {
        criterion: &'a str,
        role: Role,
    },
    Share,
    /// Starting, driving or commanding a progressive rollout.
    Rollout,
    /// Starting or ending a run, or starting a held item early.
    Run,
}

impl Change<'_> {
    /// The operation's name in a refusal's audit entry.
    pub fn operation(&self) -> &'static str {
        match self {
            Change::Item => "item",
            Change::Soak => "soak_start",
            Change::Backup => "db.backup",
            Change::Restore => "db.restore",
            Change::Apply => "action_apply",
            Change::Undo { .. } => "action_undo",
            Change::SignOff(_) => "signoff",
            Change::Decision => "decision",
            Change::Confirm { .. } => "criterion_confirmed",
            Change::Share => "team_share",
            Change::Rollout => "rollout",
            Change::Run => "run",
        }
    }
}

const DECIDERS: [Role; 3] = [
    Role::TechnicalLead,
    Role::ProductOwner,
    Role::ClientStakeholder,
];

const SHARERS: [Role; 2] = [Role::TechnicalLead, Role::ProductOwner];

fn writer(actor: &Actor) -> Result<(), Error> {
    if actor.role == Role::ClientStakeholder {
        return Err(Error::ReadOnly(actor.name.clone()));
    }
    Ok(())
}

fn roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Ok` when `actor` may make `change`; otherwise the refusal, saying who may.
pub fn permit(actor: &Actor, change: Change<'_>) -> Result<(), Error> {
    match change {
        Change::Item | Change::Soak | Change::Backup | Change::Restore | Change::Apply
        | Change::Rollout | Change::Run => {
            writer(actor)
        }
        Change::Undo {
            rollback_roles, ..
        } if rollback_roles.contains(&actor.role) => Ok(()),
        Change::Undo {
            step,
            environment,
            typed_guard: true,
            rollback_roles,
        } => Err(Error::NotAllowed(format!(
            "{} ({}) may not roll '{step}' back in {environment}; {}",
            actor.name,
            actor.role.label(),
            if rollback_roles.is_empty() {
                "the runbook names no rollback roles for it (rollback_roles = [...])".to_string()
            } else {
                format!("the runbook allows {}", roles(rollback_roles))
            }
        ))),
        Change::Undo { .. } => writer(actor),
        Change::SignOff(phase) => {
            let allowed = match phase.signoff_roles.as_slice() {
                [] => actor.role != Role::ClientStakeholder,
                named => named.contains(&actor.role),
            };
            if allowed {
                return Ok(());
            }
            Err(Error::NotAllowed(format!(
                "{} ({}) may not sign '{}' off; the runbook asks for {}",
                actor.name,
                actor.role,
                phase.title,
                if phase.signoff_roles.is_empty() {
                    "anyone but a client stakeholder".to_string()
                } else {
                    phase
                        .signoff_roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )))
        }
        Change::Decision if DECIDERS.contains(&actor.role) => Ok(()),
        Change::Decision => Err(Error::NotAllowed(format!(
            "{} ({}) may not record the go/no-go decision; technical leads, product owners and client stakeholders may",
            actor.name, actor.role
        ))),
        Change::Share if SHARERS.contains(&actor.role) => Ok(()),
        Change::Share => Err(Error::NotAllowed(format!(
            "{} ({}) may not share a runbook with a team; technical leads and product owners may",
            actor.name, actor.role
        ))),
        Change::Confirm { role, .. } if role == actor.role => Ok(()),
        Change::Confirm { criterion, role } => Err(Error::NotAllowed(format!(
            "only a {} may confirm '{criterion}'; {} is a {}",
            role.label(),
            actor.name,
            actor.role.label()
        ))),
    }
}
