use std::io::{IsTerminal, Read};
use std::path::Path;

use flightdeck_cloud::list_profiles;
use flightdeck_core::{demo_down, EnvironmentInput, Error, Flightdeck};
use flightdeck_store::GuardLevel;
use flightdeck_vault::{SecretString, Vault};

use crate::args::{DemoCommand, EnvAdd, EnvCommand, SecretCommand};
use crate::output;

/// A secret from standard input, or asked for without echo on a terminal. Never an argument.
fn read_secret(prompt: &str) -> Result<SecretString, Error> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).map_err(|source| Error::Io {
            path: "terminal".into(),
            source,
        })?
    } else {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .map_err(|source| Error::Io {
                path: "standard input".into(),
                source,
            })?;
        buf
    };
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    if value.is_empty() {
        return Err(Error::Invalid("no secret given on standard input".into()));
    }
    Ok(SecretString::from(value))
}

fn add(fd: &Flightdeck, a: EnvAdd) -> Result<(), Error> {
    let secret_access_key = match &a.access_key_id {
        Some(_) => Some(read_secret("AWS secret access key: ")?),
        None => None,
    };
    let input = EnvironmentInput {
        name: a.name,
        colour: a.colour,
        account_id: a.account,
        region: a.region,
        dr_region: a.dr_region,
        endpoint_url: a.endpoint_url,
        guard: a.guard.map(|g| {
            if g == "type-name" {
                GuardLevel::TypeName
            } else {
                GuardLevel::Confirm
            }
        }),
        profile: a.profile,
        access_key_id: a.access_key_id,
        secret_access_key,
    };
    let env = fd.save_environment(fd.identity()?.as_ref(), input)?;
    println!(
        "saved environment {}; check it with `flightdeck env test {}`",
        env.name, env.name
    );
    Ok(())
}

pub async fn env(fd: &Flightdeck, command: EnvCommand) -> Result<(), Error> {
    match command {
        EnvCommand::Add(a) => add(fd, a)?,
        EnvCommand::List { json: true } => output::json(&fd.read()?.environments()?),
        EnvCommand::List { json: false } => fd
            .read()?
            .environments()?
            .iter()
            .for_each(output::environment),
        EnvCommand::Show { name, json: true } => output::json(&fd.read()?.environment(&name)?),
        EnvCommand::Show { name, json: false } => {
            output::environment(&fd.read()?.environment(&name)?)
        }
        EnvCommand::Test { name, json } => {
            let (check, env) = fd.test_environment(fd.identity()?.as_ref(), &name).await?;
            if json {
                output::json(&check);
            } else {
                output::check(&env, &check);
            }
            flightdeck_core::require_verified(&env)?;
        }
        EnvCommand::Remove { name } => {
            let env = fd.remove_environment(fd.identity()?.as_ref(), &name)?;
            println!("removed environment {}", env.name);
        }
        EnvCommand::Profiles { json } => {
            let profiles = list_profiles().await;
            if json {
                output::json(&profiles);
            } else if profiles.is_empty() {
                println!("no AWS profiles found in ~/.aws/config or ~/.aws/credentials");
            } else {
                for p in profiles {
                    let sso = if p.sso {
                        "  (SSO: aws sso login --profile NAME)"
                    } else {
                        ""
                    };
                    println!(
                        "{}{}{sso}",
                        p.name,
                        p.region.map(|r| format!("  {r}")).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn secret(command: SecretCommand) -> Result<(), Error> {
    let vault = Vault::new();
    match command {
        SecretCommand::Set { name } => {
            vault.put(&name, &read_secret(&format!("value for {name}: "))?)?;
            println!("stored '{name}' in the OS keyring");
        }
        SecretCommand::Check { name } => {
            let present = vault.contains(&name)?;
            println!(
                "'{name}' is {}in the OS keyring",
                if present { "" } else { "not " }
            );
            if !present {
                return Err(flightdeck_vault::VaultError::Missing(name).into());
            }
        }
        SecretCommand::Remove { name } => {
            vault.remove(&name)?;
            println!("removed '{name}' from the OS keyring");
        }
    }
    Ok(())
}

pub async fn demo(command: DemoCommand, data_dir: &Path) -> Result<(), Error> {
    match command {
        DemoCommand::Up { json } => {
            let fd = Flightdeck::open(data_dir)?;
            let status = fd.demo_up(fd.identity()?.as_ref()).await?;
            if json {
                output::json(&status);
            } else {
                println!(
                    "local AWS emulator (moto) on {} (pid {})",
                    status.endpoint_url, status.pid
                );
                println!(
                    "seeded: ECS {}/{} ({} task definitions), RDS {}, secret {}, bucket {}, {} alarms, {} metric points",
                    status.world.cluster,
                    status.world.service,
                    status.world.task_definitions.len(),
                    status.world.db_instance,
                    status.world.db_secret_arn,
                    status.world.bucket,
                    status.world.alarms.len(),
                    status.world.metric_points
                );
                println!(
                    "environment {} points at it; stop it with `flightdeck demo down`",
                    status.environment
                );
            }
        }
        DemoCommand::Down => match demo_down(data_dir)? {
            Some(pid) => println!("stopped the demo emulator (pid {pid})"),
            None => println!("no demo emulator was running"),
        },
    }
    Ok(())
}
