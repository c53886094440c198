//! `flightdeck action`: plan, apply and undo a runbook's actions from a shell.

use std::io::{BufRead, IsTerminal, Write};

use flightdeck_cloud::Plan;
use flightdeck_core::{action_input, plan_action, run_action, Direction, Error};
use flightdeck_store::{GuardLevel, Store};
use flightdeck_vault::Vault;

use crate::args::{ActionCommand, ActionTarget};
use crate::commands::acting;
use crate::output;

fn print_plan(plan: &Plan) {
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
    if let Some(undo) = &plan.undo {
        println!(
            "  undo: {}",
            serde_json::to_string(undo).unwrap_or_default()
        );
    }
}

/// The confirmation given: --confirm, --yes, or typed at a prompt on a terminal.
fn confirmation(target: &ActionTarget, guard: GuardLevel, env: &str) -> Option<String> {
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

pub async fn action(store: &mut Store, command: ActionCommand) -> Result<(), Error> {
    let vault = Vault::new();
    let (target, direction, run) = match command {
        ActionCommand::Plan(t) => (t, Direction::Apply, false),
        ActionCommand::Apply(t) => (t, Direction::Apply, true),
        ActionCommand::Undo(t) => (t, Direction::Undo, true),
        ActionCommand::Runs {
            runbook,
            step,
            json,
        } => {
            let runs = store.action_runs(&runbook, step.as_deref())?;
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
    let input = action_input(store, &target.runbook, &target.step, &target.env, direction)?;
    let planned = plan_action(&input, &vault).await;
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
    let actor = acting(
        store,
        target.who.actor.as_deref(),
        target.who.role.as_deref(),
    )?;
    let confirmed = if !input.action.mutates() {
        Some("read-only".to_string())
    } else {
        confirmation(&target, input.env.guard, &input.env.name)
    };
    let progress = |line: &str| eprintln!("  {line}");
    let result = run_action(
        store,
        &vault,
        &input,
        &actor,
        confirmed.as_deref(),
        &progress,
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
