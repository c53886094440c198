//! `flightdeck soak`, `flightdeck confirm` and `flightdeck report`.

use std::path::Path;
use std::time::Duration;

use flightdeck_core::{soak_timelines, Error, Flightdeck};
use flightdeck_store::rfc3339;

use crate::args::{SoakCommand, Who};
use crate::commands::acting;
use crate::output;

pub async fn soak(fd: &Flightdeck, command: SoakCommand) -> Result<(), Error> {
    match command {
        SoakCommand::Start {
            runbook,
            phase,
            env,
            who,
        } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let soak = fd.start_soak(&actor, &runbook, &phase, &env)?;
            println!(
                "soak of {phase} started in {env}: {} checkpoints, the first at {}, the last at {}",
                soak.checkpoints,
                rfc3339(soak.due_at(1)),
                rfc3339(soak.due_at(soak.checkpoints))
            );
        }
        SoakCommand::Status { runbook, json } => {
            let timelines = soak_timelines(&*fd.read()?, &runbook)?;
            if json {
                output::json(&timelines);
                return Ok(());
            }
            for t in &timelines {
                match &t.started {
                    None => println!(
                        "{}: not started ({} checkpoints, every {} s)",
                        t.title, t.checkpoints, t.every_seconds
                    ),
                    Some(s) => {
                        println!(
                            "{}: started {} by {} in {}",
                            t.title,
                            rfc3339(s.started_at),
                            s.started_by,
                            s.environment
                        );
                        for c in &t.timeline {
                            let result = c
                                .result
                                .as_ref()
                                .map(|r| r.verdict.replace('_', "-").to_uppercase())
                                .unwrap_or_else(|| "pending".into());
                            println!("  #{:<2} due {}  {result}", c.number, rfc3339(c.due_at));
                        }
                    }
                }
            }
        }
        SoakCommand::Run { runbook, who, json } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let recorded = fd.run_due_checkpoints(&actor, &runbook).await?;
            if json {
                output::json(&recorded);
            } else if recorded.is_empty() {
                println!("no checkpoint is due");
            } else {
                for r in &recorded {
                    println!(
                        "checkpoint #{} (due {}): {}",
                        r.number,
                        rfc3339(r.due_at),
                        r.verdict.replace('_', "-").to_uppercase()
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn confirm(
    fd: &Flightdeck,
    runbook: &str,
    criterion: &str,
    note: &str,
    who: &Who,
) -> Result<(), Error> {
    let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
    let c = fd.confirm_criterion(&actor, runbook, criterion, note)?;
    println!(
        "confirmed '{}' as {} ({}) at {}",
        criterion, c.confirmed_by, c.role, c.at
    );
    Ok(())
}

pub async fn report(
    fd: &Flightdeck,
    runbook: &str,
    env: &str,
    out: &Path,
    window: u32,
) -> Result<(), Error> {
    let window = Duration::from_secs(u64::from(window.max(1)) * 60);
    let bytes = fd.save_report(runbook, env, window, out).await?;
    println!("wrote {} ({} KiB)", out.display(), bytes / 1024);
    Ok(())
}
