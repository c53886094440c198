//! `flightdeck action`: plan, apply and undo a runbook's actions from a shell.

use std::io::{BufRead, IsTerminal, Write};

use flightdeck_cloud::Plan;
use flightdeck_core::{Direction, Error, Flightdeck};
use flightdeck_store::GuardLevel;

use crate::args::{ActionCommand, ActionTarget};
use crate::commands::acting;
use crate::output;
use crate::reporter::Stderr;

pub(crate) fn print_plan(plan: &Plan) {
    println!("{}", plan.summary);
    for c in &plan.changes {
        println!(
            "  {} · {}: {} -> {}",
            c.resource,
            c.field,
            c.before.as_deref().unwrap_or("(none)"),
            c.after.as_deref().unwrap_or("(removed)")
        );
    }
    for note in &plan.notes {
        println!("  note: {note}");
    }
    if let Some(undo) = &plan.undo {
        println!(
            "  undo: {}",
            serde_json::to_string(undo).unwrap_or_default()
        );
    }
}

/// Whether running the step changes anything, so that a confirmation is asked for: undoing
/// always does; applying does unless the action only reads (smoke checks).
fn asks_confirmation(
    fd: &Flightdeck,
    target: &ActionTarget,
    direction: Direction,
) -> Result<bool, Error> {
    if direction == Direction::Undo {
        return Ok(true);
    }
    let runbook = fd.read()?.document(&target.runbook)?;
    Ok(runbook
        .action(&target.step)
        .is_none_or(|step| step.action.mutates()))
}

/// The confirmation given: --confirm, --yes, or typed at a prompt on a terminal.
pub(crate) fn confirmation(target: &ActionTarget, guard: GuardLevel, env: &str) -> Option<String> {
    if let Some(typed) = &target.confirm {
        return Some(typed.clone());
    }
    if target.yes && guard == GuardLevel::Confirm {
        return Some("yes".into());
    }
    if !std::io::stdin().is_terminal() || target.json {
        return None;
    }
    match guard {
        GuardLevel::TypeName => eprint!("type {env} to confirm: "),
        GuardLevel::Confirm => eprint!("apply this to {env}? [y/N] "),
    }
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    let line = line.trim().to_string();
    match guard {
        GuardLevel::TypeName => Some(line),
        GuardLevel::Confirm => matches!(line.as_str(), "y" | "Y" | "yes").then_some(line),
    }
}

pub async fn action(fd: &Flightdeck, command: ActionCommand) -> Result<(), Error> {
    let (target, direction, run) = match command {
        ActionCommand::Plan(t) => (t, Direction::Apply, false),
        ActionCommand::Apply(t) => (t, Direction::Apply, true),
        ActionCommand::Undo(t) => (t, Direction::Undo, true),
        ActionCommand::Runs {
            runbook,
            step,
            json,
        } => {
            let runs = fd.read()?.action_runs(&runbook, step.as_deref())?;
            if json {
                output::json(&runs);
            } else {
                for r in &runs {
                    println!(
                        "#{} {} {} in {} by {} at {}: {:?}{}",
                        r.id,
                        r.direction,
                        r.step,
                        r.environment,
                        r.actor,
                        r.started_at,
                        r.status,
                        r.error
                            .as_ref()
                            .map(|e| format!(" — {e}"))
                            .unwrap_or_default()
                    );
                }
            }
            return Ok(());
        }
    };
    let planned = fd
        .plan_action(&target.runbook, &target.step, &target.env, direction)
        .await;
    if !run {
        let plan = planned?;
        if target.json {
            output::json(&plan);
        } else {
            print_plan(&plan);
        }
        return Ok(());
    }
    match &planned {
        Ok(plan) if !target.json => print_plan(plan),
        Ok(_) => {}
        // A confirmed apply whose plan fails is still run, so that the refusal and what was
        // (not) done are recorded in the action runs and the audit trail.
        Err(e) if target.confirm.is_some() || target.yes => eprintln!("the plan failed: {e}"),
        Err(_) => return planned.map(|_| ()),
    }
    let actor = acting(fd, target.who.actor.as_deref(), target.who.role.as_deref())?;
    let confirmed = if asks_confirmation(fd, &target, direction)? {
        let env = fd.read()?.environment(&target.env)?;
        confirmation(&target, env.guard, &env.name)
    } else {
        None
    };
    let result = fd
        .run_action(
            &actor,
            &target.runbook,
            &target.step,
            &target.env,
            direction,
            confirmed.as_deref(),
            &Stderr::lines(),
        )
        .await?;
    if target.json {
        output::json(&result);
    } else {
        println!(
            "{:?}: run #{} ({} AWS requests){}",
            result.status,
            result.id,
            result.request_ids.len(),
            if result.outputs.is_empty() {
                String::new()
            } else {
                format!(
                    "; outputs: {}",
                    result
                        .outputs
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    Ok(())
}
