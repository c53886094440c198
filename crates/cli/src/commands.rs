use flightdeck_core::{data_dir, read_runbook, Error, Flightdeck};
use flightdeck_store::{Actor, ItemState, ItemUpdate, Role};

use crate::args::{Cli, Command, IdentityCommand, ItemCommand, RunbookCommand};
use crate::output;

/// Runs the command; then, whether it succeeded or not, sends what the runs started here have
/// due on their channels and writes what it changed in shared runbooks to their logs (a
/// refusal too). A command that made no state (`runbook inspect`) leaves none behind.
pub async fn run(cli: Cli) -> Result<(), Error> {
    let dir = cli.data_dir.clone().unwrap_or_else(data_dir);
    let outcome = dispatch(cli, &dir).await;
    if !dir.join("flightdeck.db").exists() {
        return outcome;
    }
    let fd = match Flightdeck::open(&dir) {
        Ok(fd) => fd,
        Err(e) => return outcome.and(Err(e)),
    };
    crate::run_commands::deliver_waiting(&fd).await;
    let shared = crate::team_commands::share_waiting(&fd).await;
    outcome.and(shared)
}

async fn dispatch(cli: Cli, dir: &std::path::Path) -> Result<(), Error> {
    let open = || Flightdeck::open(dir);
    match cli.command {
        Command::Runbook(RunbookCommand::Inspect { file, json }) => {
            let (runbook, _) = read_runbook(&file)?;
            output::warnings(&file.display().to_string(), &runbook.warnings);
            if json {
                output::json(&output::Inspection {
                    title: &runbook.title,
                    checklist_items: runbook.checklist_items(),
                    checked_items: runbook.checked_items(),
                    repaired_characters: runbook.repaired_characters,
                    runbook: &runbook,
                });
            } else {
                output::inspection(&runbook);
            }
        }
        Command::Runbook(RunbookCommand::Import { file, json }) => {
            let outcome = open()?.import_file(&file)?;
            output::warnings(&file.display().to_string(), &outcome.warnings);
            if json {
                output::json(&outcome);
            } else {
                output::import(&outcome);
            }
        }
        Command::Runbook(RunbookCommand::List { json }) => {
            let list = open()?.read()?.list()?;
            if json {
                output::json(&list);
            } else if list.is_empty() {
                println!("no runbooks yet; import one with `flightdeck runbook import FILE`");
            } else {
                list.iter().for_each(output::summary);
            }
        }
        Command::Status {
            runbook,
            phase,
            json,
        } => {
            let fd = open()?;
            crate::team_commands::catch_up(&fd, &runbook).await;
            let store = fd.read()?;
            match (phase, json) {
                (Some(phase), true) => output::json(&store.phase_items(&runbook, &phase)?),
                (Some(phase), false) => store
                    .phase_items(&runbook, &phase)?
                    .iter()
                    .for_each(output::item),
                (None, true) => output::json(&store.summary(&runbook)?),
                (None, false) => output::summary(&store.summary(&runbook)?),
            }
        }
        Command::Item(command) => {
            let state = match &command {
                ItemCommand::Check(_) => Some(ItemState::Done),
                ItemCommand::Uncheck(_) => None,
                ItemCommand::Na(_) => Some(ItemState::Na),
                ItemCommand::Fail(_) => Some(ItemState::Failed),
                ItemCommand::NotTested(_) => Some(ItemState::NotTested),
            };
            let target = command.target();
            let fd = open()?;
            let actor = acting(&fd, target.actor.as_deref(), target.role.as_deref())?;
            let update = ItemUpdate {
                state,
                note: target.note.clone(),
            };
            if let Some(reason) = &target.early {
                let held = fd.override_hold(&actor, &target.runbook, &target.item, reason)?;
                eprintln!("started early: {held} ({reason}), recorded in the audit trail");
            }
            let item = fd.change_item(&actor, &target.runbook, &target.item, &update)?;
            if target.json {
                output::json(&item);
            } else {
                output::item(&item);
            }
        }
        Command::Identity(IdentityCommand::Show) => match open()?.identity()? {
            Some(a) => println!("{} ({})", a.name, a.role),
            None => println!("no identity saved; `flightdeck identity set NAME ROLE`"),
        },
        Command::Run(command) => crate::run_commands::run(&open()?, command).await?,
        Command::Evidence(command) => {
            if !crate::evidence_commands::evidence(&open()?, command)? {
                return Err(Error::Invalid(
                    "evidence changed or went missing since it was attached (see above)".into(),
                ));
            }
        }
        Command::Review { runbook, out } => {
            let fd = open()?;
            let html = flightdeck_core::review_html(&flightdeck_core::review_input(
                &*fd.read()?,
                &runbook,
                flightdeck_core::now_ms(),
            )?)?;
            flightdeck_core::write_report(&out, &html)?;
            println!("review of {runbook} written to {}", out.display());
        }
        Command::Timeline { runbook, json } => {
            crate::run_commands::timeline(&open()?, &runbook, json)?
        }
        Command::Env(command) => crate::env_commands::env(&open()?, command).await?,
        Command::Secret(command) => crate::env_commands::secret(command)?,
        Command::Demo(command) => crate::env_commands::demo(command, dir).await?,
        Command::Signoff(args) => crate::signoff_commands::signoff(&open()?, args)?,
        Command::Gate {
            runbook,
            phase,
            json,
        } => crate::signoff_commands::gate(&open()?, &runbook, &phase, json)?,
        Command::Decide {
            runbook,
            decision,
            reason,
            who,
        } => crate::signoff_commands::decide(&open()?, &runbook, &decision, &reason, &who)?,
        Command::Audit(command) => crate::signoff_commands::audit(&open()?, command)?,
        Command::Team(command) => crate::team_commands::team(&open()?, command).await?,
        Command::Gonogo { .. } => unreachable!("main runs gonogo for its exit codes"),
        Command::Action(command) => crate::action_commands::action(&open()?, command).await?,
        Command::Rollout(command) => crate::rollout_commands::rollout(&open()?, command).await?,
        Command::Soak(command) => crate::soak_commands::soak(&open()?, command).await?,
        Command::Db(command) => crate::db_commands::db(&open()?, command).await?,
        Command::Confirm {
            runbook,
            criterion,
            note,
            who,
        } => crate::soak_commands::confirm(&open()?, &runbook, &criterion, &note, &who)?,
        Command::Monitor { env, range, json } => {
            crate::monitor_command::monitor(&open()?, &env, range, json).await?
        }
        Command::Report {
            runbook,
            env,
            out,
            window,
        } => crate::soak_commands::report(&open()?, &runbook, &env, &out, window).await?,
        Command::Identity(IdentityCommand::Set { name, role }) => {
            let actor = open()?.set_identity(&name, role.parse::<Role>()?)?;
            println!("saved: {} ({})", actor.name, actor.role);
        }
    }
    Ok(())
}

/// `--as NAME --role ROLE`, else the saved identity.
pub fn acting(fd: &Flightdeck, name: Option<&str>, role: Option<&str>) -> Result<Actor, Error> {
    if let (Some(name), Some(role)) = (name, role) {
        return Ok(Actor::new(name, role.parse::<Role>()?)?);
    }
    fd.acting()
}
