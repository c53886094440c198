//! Verifying a backup: every file against its manifest and, when asked, a test restore into a
//! scratch database that is dropped afterwards. Each verification is recorded.

use std::path::Path;
use std::sync::Arc;

use flightdeck_dbdump::{read_manifest, test_restore, verify, Progress, RestoreReport, Verified};
use flightdeck_model::Actor;
use flightdeck_store::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use super::login::{db_credentials, DatabaseLogin, DbLogin};
use super::place::{local_copy, stamp, BackupPlace};
use crate::{Error, Flightdeck, Reporter};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VerifyDone {
    pub location: String,
    pub files: usize,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Present when a test restore was asked for.
    pub test_restore: Option<RestoreReport>,
}

/// Checks every file of a backup against its manifest and, with `test`, restores one of its
/// databases into a scratch database that is dropped afterwards.
async fn verify_backup(
    env: Option<&Environment>,
    vault: &Vault,
    from: &BackupPlace,
    staging: &Path,
    test: Option<(&DatabaseLogin, &str)>,
    progress: Arc<Progress>,
) -> Result<VerifyDone, Error> {
    let into = staging.join(format!("verify-{}", stamp()));
    let outcome = async {
        let dir = local_copy(env, vault, from, &into).await?;
        let (Verified { files, bytes }, test_restore) = match test {
            None => (verify(&dir)?.1, None),
            Some((login, source)) => {
                let env = env.ok_or_else(|| {
                    Error::Invalid("a test restore needs the environment of the database".into())
                })?;
                let credentials = db_credentials(env, vault, login).await?;
                // The restore checks every file against the manifest before it loads any.
                let report = test_restore(&credentials.opts(), &dir, source, 2, progress).await?;
                let manifest = read_manifest(&dir)?;
                let verified = Verified {
                    files: manifest.files.len(),
                    bytes: manifest.total_bytes(),
                };
                (verified, Some(report))
            }
        };
        Ok(VerifyDone {
            location: from.describe(),
            files,
            bytes,
            test_restore,
        })
    }
    .await;
    let _ = std::fs::remove_dir_all(&into);
    outcome
}

/// How a verification is recorded: `verified`, `test_restored` or `failed`, and what was found.
fn verify_check(outcome: &Result<VerifyDone, Error>) -> (&'static str, String) {
    match outcome {
        Err(e) => ("failed", e.to_string()),
        Ok(done) => {
            let files = format!(
                "{} files, {:.1} MB, every SHA-256 matches",
                done.files,
                done.bytes as f64 / 1e6
            );
            match &done.test_restore {
                None => ("verified", files),
                Some(report) if report.matches() => (
                    "test_restored",
                    format!(
                        "{files}; test restore: {} tables match rows and CHECKSUM TABLE",
                        report.tables.len()
                    ),
                ),
                Some(report) => (
                    "failed",
                    format!("{files}; test restore: {}", report.differences().join("; ")),
                ),
            }
        }
    }
}

impl Flightdeck {
    /// Checks a backup; with `test_restore` (a database of the backup) also restores it into a
    /// scratch database. Recorded with who checked when `actor` is known, so listings show
    /// when each backup was last proven good.
    pub async fn verify_backup(
        &self,
        actor: Option<&Actor>,
        env: Option<&str>,
        from: &BackupPlace,
        test_restore: Option<&str>,
        login: &DbLogin,
        reporter: &dyn Reporter,
    ) -> Result<VerifyDone, Error> {
        let env = match env {
            Some(name) => Some(self.read()?.environment(name)?),
            None => None,
        };
        let source = match test_restore {
            Some(_) => Some(login.source()?),
            None => None,
        };
        let test = source.as_ref().zip(test_restore);
        let staging = self.staging();
        let outcome = verify_backup(
            env.as_ref(),
            self.vault(),
            from,
            &staging,
            test,
            reporter.progress(),
        )
        .await;
        if let Some(actor) = actor {
            let (result, detail) = verify_check(&outcome);
            let mut store = self.write()?;
            let author = self.author(&mut store, actor)?;
            store.record_backup_check(&author, &from.describe(), result, &detail)?;
        }
        outcome
    }
}
