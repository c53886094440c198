//! Restoring a backup: a preview of exactly what will change and the confirmations it needs,
//! then the restore (from S3 after every file's SHA-256 was checked on the way down), compared
//! table by table with the manifest. Each restore, failed or not, is recorded.

use std::path::Path;
use std::sync::Arc;

use flightdeck_cloud::BackupStore;
use flightdeck_dbdump::{
    read_manifest, restore, Credentials, Manifest, Progress, RestoreOptions, RestoreReport,
    MANIFEST_NAME,
};
use flightdeck_model::{Actor, Event};
use flightdeck_store::{Environment, GuardLevel};
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use super::login::{db_credentials, DatabaseLogin, DbLogin};
use super::place::{local_copy, stamp, BackupPlace};
use crate::permissions::Change;
use crate::{Error, Flightdeck, Reporter, Typed};

/// What a restore will do, shown before it is confirmed.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestorePreview {
    pub location: String,
    pub source: String,
    pub target: String,
    pub server: String,
    pub environment: String,
    pub taken_at: String,
    pub tables: usize,
    #[ts(type = "number")]
    pub rows: u64,
    /// The names this restore needs typed: the target database's when it replaces one, the
    /// environment's in a PROD-like environment.
    pub needs: Vec<Typed>,
}

#[derive(Debug, Clone)]
pub struct RestoreRequest {
    pub from: BackupPlace,
    /// The database of the backup to restore; None when it holds only one.
    pub source: Option<String>,
    pub target: String,
    /// The target database's name typed, to restore over it.
    pub over_existing: Option<String>,
    /// The environment's name typed, where its guard asks for it.
    pub confirm: Option<String>,
    pub parallel: usize,
}

/// Restores a backup after checking the confirmations; the preview says what will change.
async fn restore_backup(
    env: &Environment,
    vault: &Vault,
    login: &DatabaseLogin,
    request: &RestoreRequest,
    staging: &Path,
    progress: Arc<Progress>,
) -> Result<(RestorePreview, RestoreReport), Error> {
    let credentials = db_credentials(env, vault, login).await?;
    let into = staging.join(format!("restore-{}", stamp()));
    let outcome = async {
        let dir = local_copy(Some(env), vault, &request.from, &into).await?;
        let manifest = read_manifest(&dir)?;
        let preview = preview(env, &credentials, request, &manifest)?;
        if env.guard == GuardLevel::TypeName && request.confirm.as_deref() != Some(&env.name) {
            return Err(Error::NotConfirmed {
                message: format!(
                    "restoring into {} changes a database in {}: type the environment's name {} to confirm",
                    request.target, env.name, env.name
                ),
                needs: vec![Typed::EnvironmentName(env.name.clone())],
            });
        }
        let report = restore(
            &credentials.opts(),
            &dir,
            &RestoreOptions {
                source: preview.source.clone(),
                target: request.target.clone(),
                over_existing: request.over_existing.clone(),
                parallel: request.parallel,
            },
            progress,
        )
        .await?;
        Ok((preview, report))
    }
    .await;
    if matches!(request.from, BackupPlace::S3(_)) {
        let _ = std::fs::remove_dir_all(&into);
    }
    outcome
}

/// The database to restore: the one named, which the backup must hold, or its only one.
fn source_of(request: &RestoreRequest, manifest: &Manifest) -> Result<String, Error> {
    match (&request.source, manifest.databases.as_slice()) {
        (Some(s), held) if held.contains(s) => Ok(s.clone()),
        (None, [only]) => Ok(only.clone()),
        (named, held) => Err(Error::Invalid(format!(
            "the backup holds {}{}",
            held.join(", "),
            match named {
                Some(s) => format!(", not {s}"),
                None => ": choose one".into(),
            }
        ))),
    }
}

fn preview(
    env: &Environment,
    credentials: &Credentials,
    request: &RestoreRequest,
    manifest: &Manifest,
) -> Result<RestorePreview, Error> {
    let source = source_of(request, manifest)?;
    let tables: Vec<_> = manifest
        .tables
        .iter()
        .filter(|t| t.database == source && !t.view)
        .collect();
    let mut needs = Vec::new();
    if request.over_existing.is_some() {
        needs.push(Typed::DatabaseName(request.target.clone()));
    }
    if env.guard == GuardLevel::TypeName {
        needs.push(Typed::EnvironmentName(env.name.clone()));
    }
    Ok(RestorePreview {
        location: request.from.describe(),
        source,
        target: request.target.clone(),
        server: credentials.describe(),
        environment: env.name.clone(),
        taken_at: manifest.started_at.clone(),
        tables: tables.len(),
        rows: tables.iter().map(|t| t.rows).sum(),
        needs,
    })
}

/// Reads what a restore would bring back and says what it will change, before anything is
/// downloaded beyond the manifest.
async fn restore_preview(
    env: &Environment,
    vault: &Vault,
    login: &DatabaseLogin,
    request: &RestoreRequest,
    staging: &Path,
) -> Result<RestorePreview, Error> {
    let credentials = db_credentials(env, vault, login).await?;
    let manifest = match &request.from {
        BackupPlace::Local(dir) => read_manifest(dir)?,
        BackupPlace::S3(s3) => {
            let into = staging.join(format!("preview-{}", stamp()));
            std::fs::create_dir_all(&into).map_err(|e| Error::Io {
                path: into.display().to_string(),
                source: e,
            })?;
            let store = BackupStore::new(env, vault).await?;
            let fetched = store
                .get_file(s3, MANIFEST_NAME, &into.join(MANIFEST_NAME))
                .await
                .map_err(Error::from)
                .and_then(|_| read_manifest(&into).map_err(Error::from));
            let _ = std::fs::remove_dir_all(&into);
            fetched?
        }
    };
    preview(env, &credentials, request, &manifest)
}

/// The audit entry's detail for a restore: what it changed, and table by table how it compares.
fn restore_audit(
    env: &str,
    outcome: &Result<(RestorePreview, RestoreReport), Error>,
) -> serde_json::Value {
    match outcome {
        Ok((preview, report)) => serde_json::json!({
            "environment": env,
            "result": if report.matches() { "succeeded" } else { "differs" },
            "preview": preview,
            "tables": report.tables,
        }),
        Err(e) => {
            serde_json::json!({"environment": env, "result": "failed", "error": e.to_string()})
        }
    }
}

/// A restore done: what it changed, and how each table compares with the backup.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreDone {
    pub preview: RestorePreview,
    pub report: RestoreReport,
    pub differences: Vec<String>,
}

impl Flightdeck {
    /// What a restore will change, and the confirmations it needs, before anything is done.
    pub async fn restore_preview(
        &self,
        env: &str,
        login: &DbLogin,
        request: &RestoreRequest,
    ) -> Result<RestorePreview, Error> {
        let env = self.read()?.environment(env)?;
        let staging = self.staging();
        restore_preview(&env, self.vault(), &login.source()?, request, &staging).await
    }

    /// Restores a backup after checking who asks and the typed confirmations, reporting
    /// progress (and honouring cancel) through `reporter`.
    pub async fn restore(
        &self,
        actor: &Actor,
        env: &str,
        login: &DbLogin,
        request: &RestoreRequest,
        reporter: &dyn Reporter,
    ) -> Result<RestoreDone, Error> {
        let subject_of = |env: &str| {
            format!(
                "{} → {} in {}",
                request.from.describe(),
                request.target,
                env
            )
        };
        let env = {
            let mut store = self.write()?;
            self.permit(&mut store, actor, Change::Restore, None, &subject_of(env))?;
            store.environment(env)?
        };
        let outcome = async {
            let source = login.source()?;
            let staging = self.staging();
            restore_backup(
                &env,
                self.vault(),
                &source,
                request,
                &staging,
                reporter.progress(),
            )
            .await
        }
        .await;
        let event = Event::DatabaseRestored {
            subject: subject_of(&env.name),
            result: restore_audit(&env.name, &outcome),
        };
        self.record(actor, event)?;
        let (preview, report) = outcome?;
        Ok(RestoreDone {
            differences: report.differences(),
            preview,
            report,
        })
    }
}
