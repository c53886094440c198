//! `flightdeck team share|join|add|invite|status|sync|verify|rebuild`, and the push of waiting
//! changes after every command.

use std::time::Duration;

use flightdeck_core::{team_view, Error, Flightdeck, Invite, SyncState, TeamView};
use flightdeck_store::Role;

use crate::args::TeamCommand;
use crate::commands::acting;
use crate::output;

fn print_view(view: &TeamView) {
    let r = &view.release;
    println!("{}  {}", r.key, r.uri);
    match &view.sync {
        SyncState::Live { synced_at } => println!(
            "  live: every change is shared (last reached {})",
            synced_at.as_deref().unwrap_or("never")
        ),
        SyncState::Pending { count } => println!("  {count} change(s) not yet shared"),
        SyncState::Offline {
            since,
            pending,
            reason,
        } => println!("  offline since {since}, {pending} change(s) not yet shared: {reason}"),
    }
    for m in &view.members {
        println!(
            "  member {} ({}){}",
            m.name,
            m.role.label(),
            m.last_seen
                .as_ref()
                .map(|at| format!(
                    ", last seen {at} on {}",
                    m.desktop.as_deref().unwrap_or("?")
                ))
                .unwrap_or_default()
        );
    }
    for r in &view.rejected {
        println!("  refused #{} ({}): {}", r.seq, r.claims, r.reason);
    }
}

/// The one shared runbook here when none is named, or the error that asks for a name.
fn shared_runbook(fd: &Flightdeck, named: Option<String>) -> Result<String, Error> {
    if let Some(key) = named {
        return Ok(key);
    }
    let releases = fd.read()?.releases()?;
    match releases.as_slice() {
        [one] => Ok(one.key.clone()),
        [] => Err(Error::Invalid("no runbook is shared here; `flightdeck team share RUNBOOK --env ENV` or `team join URI --env ENV`".into())),
        _ => Err(Error::Invalid("more than one runbook is shared here: name one with --runbook".into())),
    }
}

fn views(fd: &Flightdeck, runbook: Option<&str>) -> Result<Vec<TeamView>, Error> {
    let store = fd.read()?;
    let keys: Vec<String> = match runbook {
        Some(key) => vec![key.to_string()],
        None => store.releases()?.into_iter().map(|r| r.key).collect(),
    };
    let mut out = Vec::new();
    for key in keys {
        out.push(
            team_view(&store, &key)?
                .ok_or_else(|| Error::Invalid(format!("{key} is not shared with a team")))?,
        );
    }
    Ok(out)
}

pub async fn team(fd: &Flightdeck, command: TeamCommand) -> Result<(), Error> {
    match command {
        TeamCommand::Share {
            runbook,
            env,
            table,
            who,
            json,
        } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let view = fd.share(&actor, &runbook, &env, table.as_deref()).await?;
            if json {
                output::json(&view);
            } else {
                print_view(&view);
                println!(
                    "members join with: flightdeck team join '{}' --env ENV",
                    view.release.uri
                );
            }
        }
        TeamCommand::Join { uri, env, json } => {
            let view = fd.join(&uri, &env).await?;
            if json {
                output::json(&view);
            } else {
                print_view(&view);
            }
        }
        TeamCommand::Add {
            member,
            member_role,
            key,
            invite,
            runbook,
            who,
        } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let runbook = shared_runbook(fd, runbook)?;
            let (name, role, key) = match (invite, member, member_role, key) {
                (Some(code), ..) => {
                    let i = Invite::parse(&code)?;
                    (i.name, i.role, i.public_key)
                }
                (None, Some(name), Some(role), Some(key)) => (name, role.parse::<Role>()?, key),
                _ => {
                    return Err(Error::Invalid(
                        "name the member: NAME ROLE --key HEX, or --invite CODE".into(),
                    ))
                }
            };
            let member = fd.add_member(&actor, &runbook, &name, role, &key).await?;
            println!(
                "{} ({}) is a member of {runbook}",
                member.name,
                member.role.label()
            );
        }
        TeamCommand::Invite { who } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let invite = fd.invite(&actor)?;
            println!("{}", invite.code);
            eprintln!(
                "send this to the person who shares the release; it holds {} ({}) and your public key {}",
                invite.name,
                invite.role.label(),
                invite.public_key
            );
        }
        TeamCommand::Status { runbook, json } => {
            let views = views(fd, runbook.as_deref())?;
            if json {
                output::json(&views);
            } else if views.is_empty() {
                println!("no runbook is shared here");
            } else {
                views.iter().for_each(print_view);
            }
        }
        TeamCommand::Sync {
            runbook,
            watch,
            json,
        } => {
            if let Some(seconds) = watch {
                let show = |round: flightdeck_core::SyncRound| {
                    if json {
                        output::json(&round);
                    } else {
                        round.views.iter().for_each(print_view);
                    }
                };
                tokio::select! {
                    _ = fd.keep_in_sync(Duration::from_secs(seconds.max(1)), show) => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
                return Ok(());
            }
            let round = fd.sync_some(runbook.as_deref()).await?;
            if json {
                output::json(&round);
            } else {
                round.views.iter().for_each(print_view);
            }
        }
        TeamCommand::Verify { runbook, json } => {
            let differences = fd.verify_against_log(&runbook).await?;
            if json {
                output::json(&differences);
            } else {
                for difference in &differences {
                    println!("#{}: {}", difference.seq, difference.problem);
                }
            }
            if !differences.is_empty() {
                return Err(Error::Invalid(format!(
                    "{} event(s) of {runbook} differ from the table's log",
                    differences.len()
                )));
            }
            if !json {
                println!("{runbook}: this replica holds the table's log, event for event");
            }
        }
        TeamCommand::Rebuild { runbook } => {
            let view = fd.rebuild(&runbook).await?;
            println!("{runbook}: rebuilt from the table's log");
            print_view(&view);
        }
    }
    Ok(())
}

/// Reads the log of `key` first when it is shared, so what is shown is current; when the log
/// cannot be reached, says so and shows what this replica holds.
pub async fn catch_up(fd: &Flightdeck, key: &str) {
    let shared = fd.read().and_then(|s| Ok(s.release(key)?)).ok().flatten();
    if shared.is_some() {
        if let Err(e) = fd.sync(key).await {
            eprintln!("{key}: showing this replica's state; the shared log cannot be reached: {e}");
        }
    }
}

/// After a command, writes the changes it made to shared runbooks to their logs; when a log
/// cannot be reached they stay in the outbox, and this says so.
pub async fn share_waiting(fd: &Flightdeck) -> Result<(), Error> {
    let waiting: Vec<String> = fd
        .read()?
        .releases()?
        .into_iter()
        .filter(|r| r.pending > 0)
        .map(|r| r.key)
        .collect();
    for key in waiting {
        if let Err(e) = fd.sync(&key).await {
            let pending = fd.read()?.release(&key)?.map_or(0, |r| r.pending);
            eprintln!("{key}: {pending} change(s) not yet shared, kept here until the log can be reached: {e}");
        }
    }
    Ok(())
}
