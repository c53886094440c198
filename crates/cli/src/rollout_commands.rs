//! `flightdeck rollout`: a progressive rollout from a shell, headless (e.g. on a bastion host
//! under `nohup`): plan it, run it until it ends, watch it, and a person's pause, resume,
//! promote and abort. Commands given while another process drives the rollout are acted on by
//! that process; when none does, this one drives it until it ends.

use flightdeck_core::{Error, Flightdeck, RolloutCommand as Command, RolloutView};
use flightdeck_store::RolloutChange;

use crate::action_commands::{confirmation, print_plan};
use crate::args::{ActionTarget, RolloutCommand};
use crate::commands::acting;
use crate::output;
use crate::reporter::Stderr;

fn print_view(view: &RolloutView) {
    let r = &view.row;
    let step = r
        .step_index
        .map(|i| format!("step {} of {}", i + 1, view.steps.len()))
        .unwrap_or_else(|| "before its first step".into());
    println!(
        "rollout {} of '{}' in {}: {} at {}% ({step})",
        r.rollout,
        r.step,
        r.environment,
        r.status.as_str().replace('_', " "),
        r.percent
    );
    if let (Some(next), Some(at)) = (view.next_percent, view.next_at_ms) {
        let left = (at - now_ms()).max(0) / 1000;
        println!("  next: {next}% in {left} s at the earliest, if every criterion passes");
    }
    if let Some(reason) = &r.reason {
        println!("  why: {reason}");
    }
    if let Some(t) = &r.timing {
        println!(
            "  rollback: {} ms from the judgment to the first call, {} ms to done",
            t.to_first_call_ms, t.to_complete_ms
        );
    }
    if let Some(judged) = &view.last_judgment {
        if let RolloutChange::Judged { results, .. } = &judged.change {
            for c in results {
                println!("  {:?}: {}", c.status, c.sentence);
            }
        }
    }
    if !view.here {
        println!(
            "  driven on the desktop {}; shown here through the team log",
            r.desktop
        );
    } else if !view.driven && !r.status.ended() {
        println!("  no process drives it now: `flightdeck rollout run` takes it up");
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn show(view: &RolloutView, json: bool) {
    if json {
        output::json(view);
    } else {
        print_view(view);
    }
}

fn newest(fd: &Flightdeck, t: &ActionTarget) -> Result<RolloutView, Error> {
    fd.rollout_of_step(&t.runbook, &t.step, &t.env)?
        .ok_or_else(|| {
            Error::Invalid(format!(
                "'{}' has no rollout in {}; start one with `flightdeck rollout run`",
                t.step, t.env
            ))
        })
}

fn confirmed(fd: &Flightdeck, t: &ActionTarget) -> Result<Option<String>, Error> {
    let env = fd.read()?.environment(&t.env)?;
    Ok(confirmation(t, env.guard, &env.name))
}

pub async fn rollout(fd: &Flightdeck, command: RolloutCommand) -> Result<(), Error> {
    let t = command.target();
    match &command {
        RolloutCommand::Plan(t) => {
            let plan = fd
                .plan_action(
                    &t.runbook,
                    &t.step,
                    &t.env,
                    flightdeck_core::Direction::Apply,
                )
                .await?;
            if t.json {
                output::json(&plan);
            } else {
                print_plan(&plan);
            }
            return Ok(());
        }
        RolloutCommand::Status(t) => {
            show(&newest(fd, t)?, t.json);
            return Ok(());
        }
        _ => {}
    }
    let actor = acting(fd, t.who.actor.as_deref(), t.who.role.as_deref())?;
    let id = match &command {
        RolloutCommand::Run(t) => match fd.rollout_of_step(&t.runbook, &t.step, &t.env)? {
            Some(open) if !open.row.status.ended() => {
                if !open.here {
                    return Err(Error::Invalid(format!(
                        "rollout {} was started on the desktop {}, which drives it; watch it with `flightdeck rollout status`",
                        open.row.rollout, open.row.desktop
                    )));
                }
                if open.driven {
                    return Err(Error::Invalid(format!(
                        "rollout {} is driven by another process; watch it with `flightdeck rollout status`",
                        open.row.rollout
                    )));
                }
                fd.recover_rollouts(&actor, &t.runbook).await?;
                let held = newest(fd, t)?;
                if !t.json {
                    print_view(&held);
                }
                open.row.rollout
            }
            _ => {
                let plan = fd
                    .plan_action(
                        &t.runbook,
                        &t.step,
                        &t.env,
                        flightdeck_core::Direction::Apply,
                    )
                    .await?;
                if !t.json {
                    print_plan(&plan);
                }
                let confirmation = confirmed(fd, t)?;
                let started = fd
                    .start_rollout(&actor, &t.runbook, &t.step, &t.env, confirmation.as_deref())
                    .await?;
                eprintln!("started rollout {}", started.row.rollout);
                started.row.rollout
            }
        },
        RolloutCommand::Pause(a)
        | RolloutCommand::Resume(a)
        | RolloutCommand::Promote(a)
        | RolloutCommand::Abort(a) => {
            let what = match &command {
                RolloutCommand::Pause(_) => Command::Pause,
                RolloutCommand::Resume(_) => Command::Resume,
                RolloutCommand::Promote(_) => Command::Promote,
                _ => Command::Abort,
            };
            let open = newest(fd, &a.target)?;
            let confirmation = if what == Command::Pause {
                None
            } else {
                confirmed(fd, &a.target)?
            };
            let view = fd
                .command_rollout(
                    &actor,
                    &a.target.runbook,
                    &open.row.rollout,
                    what,
                    confirmation.as_deref(),
                    a.reason.as_deref(),
                )
                .await?;
            if what == Command::Pause || view.driven || !view.here {
                show(&view, t.json);
                return Ok(());
            }
            eprintln!("no process drives rollout {}: driving it here until it ends (Ctrl-C stops driving and holds it)", view.row.rollout);
            view.row.rollout
        }
        RolloutCommand::Plan(_) | RolloutCommand::Status(_) => unreachable!("answered above"),
    };
    let done = fd
        .drive_rollout(&actor, &t.runbook, &id, &Stderr::lines())
        .await?;
    show(&done, t.json);
    Ok(())
}
