//! `flightdeck db`: backups from a shell on a bastion host. Progress goes to stderr once a
//! second; Ctrl-C cancels a backup or restore cleanly. Backups and restores, refused or not,
//! are written to the audit trail with their result.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use flightdeck_core::{
    backup, backup_audit, list_backups, require_writer, restore_audit, restore_backup,
    verify_backup, verify_check, BackupPlace, BackupRequest, CredentialSource, Error,
    RestoreRequest,
};
use flightdeck_dbdump::{Compression, Progress, RestoreReport};
use flightdeck_store::Store;
use flightdeck_vault::Vault;
use serde_json::json;

use crate::args::{DbBackup, DbCommand, DbLogin, DbRestore, DbVerify};
use crate::commands::acting;
use crate::output;

fn source(login: &DbLogin) -> Result<CredentialSource, Error> {
    CredentialSource::named(login.secret.as_deref(), login.keyring.as_deref()).ok_or_else(|| {
        Error::Invalid(
            "say where the database credentials are: --secret NAME (Secrets Manager) or \
             --keyring NAME (OS keyring)"
                .into(),
        )
    })
}

/// Prints progress to stderr every second until the work ends; Ctrl-C cancels it.
fn watch(progress: Arc<Progress>, what: &'static str) -> tokio::task::JoinHandle<()> {
    let cancel = progress.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling {what}...");
            cancel.cancel();
        }
    });
    let terminal = std::io::stderr().is_terminal();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let p = progress.snapshot();
            let eta = p
                .eta_s
                .map(|s| format!(", about {s} s left"))
                .unwrap_or_default();
            let line = format!(
                "{what}: {}/{} tables, {} of ~{} rows, {:.1} MB/s{eta}",
                p.tables_done, p.tables_total, p.rows, p.rows_estimate, p.mb_per_s
            );
            if terminal {
                eprint!("\r{line}    ");
            } else {
                eprintln!("{line}");
            }
        }
    })
}

/// Each table of a restore against the backup's manifest.
fn print_checks(report: &RestoreReport) {
    for t in &report.tables {
        println!(
            "  {}: {} of {} rows{}  {}",
            t.table,
            t.rows,
            t.expected_rows,
            t.checksum
                .map(|c| format!(", checksum {c}"))
                .unwrap_or_default(),
            if t.matches() { "ok" } else { "DIFFERS" }
        );
    }
}

fn staging(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("staging")
}

async fn run_backup(store: &mut Store, data_dir: &Path, args: DbBackup) -> Result<(), Error> {
    let actor = acting(store, args.who.actor.as_deref(), args.who.role.as_deref())?;
    require_writer(&actor)?;
    let env = store.environment(&args.env)?;
    let vault = Vault::new();
    let to = BackupPlace::parse(&args.to)?;
    let subject = format!("{} → {}", args.databases.join(", "), to.describe());
    let request = BackupRequest {
        databases: args.databases.clone(),
        compression: Compression::parse(&args.compression).map_err(Error::Invalid)?,
        threads: args.threads,
        checksums: !args.no_checksums,
        to,
    };
    let outcome = async {
        let login = source(&args.login)?;
        let progress = Arc::new(Progress::default());
        let watching = watch(progress.clone(), "backup");
        let done = backup(&env, &vault, &login, &request, &staging(data_dir), progress).await;
        watching.abort();
        eprintln!();
        done
    }
    .await;
    store.record_event(
        &actor,
        "db.backup",
        &subject,
        backup_audit(&env.name, &outcome),
    )?;
    let done = outcome?;
    if args.json {
        output::json(&done);
    } else {
        println!(
            "backup complete: {} ({} tables, {} rows, {} files, {:.1} MB, {:.1} s)",
            done.location,
            done.tables,
            done.rows,
            done.files,
            done.bytes as f64 / 1e6,
            done.seconds
        );
    }
    Ok(())
}

async fn run_verify(store: &mut Store, data_dir: &Path, args: DbVerify) -> Result<(), Error> {
    let from = BackupPlace::parse(&args.from)?;
    let vault = Vault::new();
    let env = match &args.env {
        Some(name) => Some(store.environment(name)?),
        None => None,
    };
    let login = match &args.test_restore {
        Some(_) => Some(source(&args.login)?),
        None => None,
    };
    let test = login.as_ref().zip(args.test_restore.as_deref());
    let outcome = verify_backup(
        env.as_ref(),
        &vault,
        &from,
        &staging(data_dir),
        test,
        Arc::new(Progress::default()),
    )
    .await;
    // Recorded with who checked, so listings show when each backup was last proven good.
    match acting(store, args.who.actor.as_deref(), args.who.role.as_deref()) {
        Ok(actor) => {
            let (result, detail) = verify_check(&outcome);
            store.record_backup_check(&actor, &from.describe(), result, &detail)?;
        }
        Err(Error::NoIdentity) => {
            eprintln!("not recorded: say who you are (flightdeck identity set, or --as/--role)")
        }
        Err(e) => return Err(e),
    }
    let done = outcome?;
    if args.json {
        output::json(&done);
    } else {
        println!(
            "{}: {} files, {:.1} MB, every SHA-256 matches the manifest",
            done.location,
            done.files,
            done.bytes as f64 / 1e6
        );
        if let Some(report) = &done.test_restore {
            print_checks(report);
        }
    }
    match &done.test_restore {
        Some(report) if !report.matches() => Err(Error::Invalid(format!(
            "the test restore differs from the manifest: {}",
            report.differences().join("; ")
        ))),
        _ => Ok(()),
    }
}

async fn run_restore(store: &mut Store, data_dir: &Path, args: DbRestore) -> Result<(), Error> {
    let actor = acting(store, args.who.actor.as_deref(), args.who.role.as_deref())?;
    require_writer(&actor)?;
    let env = store.environment(&args.env)?;
    let vault = Vault::new();
    let from = BackupPlace::parse(&args.from)?;
    let subject = format!("{} → {} in {}", from.describe(), args.target, env.name);
    let outcome = async {
        let login = source(&args.login)?;
        let request = RestoreRequest {
            from: from.clone(),
            source: args.source.clone(),
            target: args.target.clone(),
            over_existing: args.over_existing.clone(),
            confirm: args.confirm.clone(),
            parallel: args.parallel,
        };
        let progress = Arc::new(Progress::default());
        let watching = watch(progress.clone(), "restore");
        let done =
            restore_backup(&env, &vault, &login, &request, &staging(data_dir), progress).await;
        watching.abort();
        eprintln!();
        done
    }
    .await;
    store.record_event(
        &actor,
        "db.restore",
        &subject,
        restore_audit(&env.name, &outcome),
    )?;
    let (preview, report) = outcome?;
    if args.json {
        output::json(&json!({"preview": preview, "report": report}));
    } else {
        println!(
            "restored {} from {} into {} on {} ({} tables, {} rows)",
            preview.source,
            preview.location,
            preview.target,
            preview.server,
            preview.tables,
            preview.rows
        );
        print_checks(&report);
    }
    if report.matches() {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "the restored database differs from the backup: {}",
            report.differences().join("; ")
        )))
    }
}

pub async fn db(store: &mut Store, data_dir: &Path, command: DbCommand) -> Result<(), Error> {
    match command {
        DbCommand::Backup(args) => run_backup(store, data_dir, args).await,
        DbCommand::Verify(args) => run_verify(store, data_dir, args).await,
        DbCommand::Restore(args) => run_restore(store, data_dir, args).await,
        DbCommand::Snapshots { env, json } => {
            let env = store.environment(&env)?;
            let found = flightdeck_cloud::rds_snapshots(&env, &Vault::new()).await?;
            if json {
                output::json(&found);
            } else {
                for s in &found {
                    println!(
                        "{}  {} of {} {} ({}, {}){}",
                        s.created.as_deref().unwrap_or("?"),
                        s.id,
                        if s.cluster { "cluster" } else { "instance" },
                        s.of,
                        s.kind,
                        s.status,
                        s.size_gb.map(|g| format!(", {g} GB")).unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        DbCommand::List { place, env, json } => {
            let env = match &env {
                Some(name) => Some(store.environment(name)?),
                None => None,
            };
            let checks = store.last_backup_checks()?;
            let place = BackupPlace::parse(&place)?;
            let found = list_backups(env.as_ref(), &Vault::new(), &place, &checks).await?;
            if json {
                output::json(&found);
            } else {
                for b in &found {
                    println!(
                        "{}  {}  {} files, {:.1} MB{}",
                        if b.complete {
                            "complete  "
                        } else {
                            "INCOMPLETE"
                        },
                        b.location,
                        b.files,
                        b.bytes as f64 / 1e6,
                        b.taken_at
                            .as_ref()
                            .map(|t| format!(", taken {t}"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
    }
}
