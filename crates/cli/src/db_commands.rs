//! `flightdeck db`: backups from a shell on a bastion host. Progress goes to stderr once a
//! second; Ctrl-C cancels a backup or restore cleanly. What is checked and recorded is the
//! core's; this file parses and prints.

use flightdeck_core::{
    BackupPlace, BackupRequest, Compression, DbLogin, Error, Flightdeck, RestoreReport,
    RestoreRequest,
};
use serde_json::json;

use crate::args::{self, DbBackup, DbCommand, DbRestore, DbVerify};
use crate::commands::acting;
use crate::output;
use crate::reporter::Stderr;

fn login(names: &args::DbLogin) -> DbLogin {
    DbLogin {
        secret: names.secret.clone(),
        keyring: names.keyring.clone(),
    }
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

async fn run_backup(fd: &Flightdeck, args: DbBackup) -> Result<(), Error> {
    let actor = acting(fd, args.who.actor.as_deref(), args.who.role.as_deref())?;
    let request = BackupRequest {
        databases: args.databases.clone(),
        compression: Compression::parse(&args.compression).map_err(Error::Invalid)?,
        threads: args.threads,
        checksums: !args.no_checksums,
        to: BackupPlace::parse(&args.to)?,
    };
    let reporter = Stderr::counters("backup");
    let done = fd
        .backup(&actor, &args.env, &login(&args.login), &request, &reporter)
        .await;
    drop(reporter);
    eprintln!();
    let done = done?;
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

async fn run_verify(fd: &Flightdeck, args: DbVerify) -> Result<(), Error> {
    let from = BackupPlace::parse(&args.from)?;
    let actor = match acting(fd, args.who.actor.as_deref(), args.who.role.as_deref()) {
        Ok(actor) => Some(actor),
        Err(Error::NoIdentity) => {
            eprintln!("not recorded: say who you are (flightdeck identity set, or --as/--role)");
            None
        }
        Err(e) => return Err(e),
    };
    let done = fd
        .verify_backup(
            actor.as_ref(),
            args.env.as_deref(),
            &from,
            args.test_restore.as_deref(),
            &login(&args.login),
            &Stderr::lines(),
        )
        .await?;
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

async fn run_restore(fd: &Flightdeck, args: DbRestore) -> Result<(), Error> {
    let actor = acting(fd, args.who.actor.as_deref(), args.who.role.as_deref())?;
    let request = RestoreRequest {
        from: BackupPlace::parse(&args.from)?,
        source: args.source.clone(),
        target: args.target.clone(),
        over_existing: args.over_existing.clone(),
        confirm: args.confirm.clone(),
        parallel: args.parallel,
    };
    let reporter = Stderr::counters("restore");
    let done = fd
        .restore(&actor, &args.env, &login(&args.login), &request, &reporter)
        .await;
    drop(reporter);
    eprintln!();
    let done = done?;
    let (preview, report) = (&done.preview, &done.report);
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
        print_checks(report);
    }
    if report.matches() {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "the restored database differs from the backup: {}",
            done.differences.join("; ")
        )))
    }
}

pub async fn db(fd: &Flightdeck, command: DbCommand) -> Result<(), Error> {
    match command {
        DbCommand::Backup(args) => run_backup(fd, args).await,
        DbCommand::Verify(args) => run_verify(fd, args).await,
        DbCommand::Restore(args) => run_restore(fd, args).await,
        DbCommand::Snapshots { env, json } => {
            let found = fd.rds_snapshots(&env).await?;
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
            let place = BackupPlace::parse(&place)?;
            let found = fd.list_backups(env.as_deref(), &place).await?;
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
