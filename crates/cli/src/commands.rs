use flightdeck_core::{change_item, data_dir, import_file, open_store, read_runbook, Error};
use flightdeck_store::{Actor, ItemState, ItemUpdate, Role, Store};

use crate::args::{Cli, Command, IdentityCommand, ItemCommand, ItemTarget, RunbookCommand};
use crate::output;

pub async fn run(cli: Cli) -> Result<(), Error> {
    let dir = cli.data_dir.clone().unwrap_or_else(data_dir);
    let store = || open_store(&dir);
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
            let outcome = import_file(&mut store()?, &file)?;
            output::warnings(&file.display().to_string(), &outcome.warnings);
            if json {
                output::json(&outcome);
            } else {
                output::import(&outcome);
            }
        }
        Command::Runbook(RunbookCommand::List { json }) => {
            let list = store()?.list()?;
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
            let store = store()?;
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
            };
            let target = command.target();
            let mut store = store()?;
            let actor = actor(&store, target)?;
            let update = ItemUpdate {
                state,
                note: target.note.clone(),
            };
            let item = change_item(&mut store, &target.runbook, &target.item, &update, &actor)?;
            if target.json {
                output::json(&item);
            } else {
                output::item(&item);
            }
        }
        Command::Identity(IdentityCommand::Show) => match store()?.identity()? {
            Some(a) => println!("{} ({})", a.name, a.role),
            None => println!("no identity saved; `flightdeck identity set NAME ROLE`"),
        },
        Command::Env(command) => crate::env_commands::env(command, &dir).await?,
        Command::Secret(command) => crate::env_commands::secret(command)?,
        Command::Demo(command) => crate::env_commands::demo(command, &dir).await?,
        Command::Signoff(args) => crate::signoff_commands::signoff(&mut store()?, args)?,
        Command::Gate {
            runbook,
            phase,
            json,
        } => crate::signoff_commands::gate(&store()?, &runbook, &phase, json)?,
        Command::Decide {
            runbook,
            decision,
            reason,
            who,
        } => crate::signoff_commands::decide(&mut store()?, &runbook, &decision, &reason, &who)?,
        Command::Audit(command) => crate::signoff_commands::audit(&store()?, command)?,
        Command::Gonogo { .. } => unreachable!("main runs gonogo for its exit codes"),
        Command::Action(command) => crate::action_commands::action(&mut store()?, command).await?,
        Command::Soak(command) => crate::soak_commands::soak(&mut store()?, command).await?,
        Command::Db(command) => crate::db_commands::db(&mut store()?, &dir, command).await?,
        Command::Confirm {
            runbook,
            criterion,
            note,
            who,
        } => crate::soak_commands::confirm(&mut store()?, &runbook, &criterion, &note, &who)?,
        Command::Monitor { env, range, json } => {
            crate::monitor_command::monitor(&store()?, &env, range, json).await?
        }
        Command::Report {
            runbook,
            env,
            out,
            window,
        } => crate::soak_commands::report(&store()?, &runbook, &env, &out, window).await?,
        Command::Identity(IdentityCommand::Set { name, role }) => {
            let actor = Actor::new(&name, role.parse::<Role>()?)?;
            store()?.set_identity(&actor)?;
            println!("saved: {} ({})", actor.name, actor.role);
        }
    }
    Ok(())
}

fn actor(store: &Store, target: &ItemTarget) -> Result<Actor, Error> {
    acting(store, target.actor.as_deref(), target.role.as_deref())
}

/// `--as NAME --role ROLE`, else the saved identity.
pub fn acting(store: &Store, name: Option<&str>, role: Option<&str>) -> Result<Actor, Error> {
    if let (Some(name), Some(role)) = (name, role) {
        return Ok(Actor::new(name, role.parse::<Role>()?)?);
    }
    store.identity()?.ok_or(Error::NoIdentity)
}
