//! Backups from the app: list, back up and restore with live progress (the `backup-progress`
//! event, twice a second) and cancel, verify with an optional test restore. Every backup and
//! restore is written to the audit trail with its result. The store is held only to read the
//! environment and to record, never while the database or AWS is worked on.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flightdeck_cloud::RdsSnapshot;
use flightdeck_core::{
    backup_audit, require_writer, restore_audit, verify_check, ApiError, BackupDone, BackupListing,
    BackupPlace, BackupRequest, CredentialSource, Error, RestorePreview, RestoreRequest,
    VerifyDone,
};
use flightdeck_dbdump::{Compression, Progress, ProgressSnapshot, RestoreReport};
use flightdeck_store::Environment;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::commands::{store, store_and_actor, Result};
use crate::AppState;

/// Where the database credentials are: a Secrets Manager secret or a keyring entry.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DbLogin {
    pub secret: Option<String>,
    pub keyring: Option<String>,
}

/// The progress of a backup or restore, as the `backup-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupProgress {
    pub operation: String,
    pub progress: ProgressSnapshot,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreDone {
    pub preview: RestorePreview,
    pub report: RestoreReport,
    pub differences: Vec<String>,
}

/// The backups and restores in progress, by the operation id the window chose.
#[derive(Default)]
pub struct Operations(Arc<Mutex<HashMap<String, Arc<Progress>>>>);

/// What the helpers here fail with; commands turn it into `{code, message}`.
type Outcome<T> = std::result::Result<T, Error>;

fn credential_source(login: &DbLogin) -> Outcome<CredentialSource> {
    CredentialSource::named(login.secret.as_deref(), login.keyring.as_deref()).ok_or_else(|| {
        Error::Invalid(
            "say where the database credentials are: a Secrets Manager secret or a keyring entry"
                .into(),
        )
    })
}

fn environment(state: &State<'_, AppState>, name: &str) -> Result<Environment> {
    Ok(store(state)?.environment(name)?)
}

fn staging(state: &State<'_, AppState>) -> PathBuf {
    PathBuf::from(&state.data_dir).join("staging")
}

/// An operation registered for cancel, its progress sent to the window until it is dropped.
struct Watch {
    operations: Arc<Mutex<HashMap<String, Arc<Progress>>>>,
    operation: String,
    progress: Arc<Progress>,
    ticker: tauri::async_runtime::JoinHandle<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.ticker.abort();
        if let Ok(mut map) = self.operations.lock() {
            map.remove(&self.operation);
        }
    }
}

fn watch(app: &AppHandle, operations: &Operations, operation: &str) -> Outcome<Watch> {
    let progress = Arc::new(Progress::default());
    operations
        .0
        .lock()
        .map_err(|_| {
            Error::Invalid("the operation registry is unavailable; restart Flightdeck".into())
        })?
        .insert(operation.to_string(), progress.clone());
    let (app, ticking, id) = (app.clone(), progress.clone(), operation.to_string());
    let ticker = tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = app.emit(
                "backup-progress",
                BackupProgress {
                    operation: id.clone(),
                    progress: ticking.snapshot(),
                },
            );
        }
    });
    Ok(Watch {
        operations: operations.0.clone(),
        operation: operation.to_string(),
        progress,
        ticker,
    })
}

#[tauri::command]
pub async fn list_backups(
    state: State<'_, AppState>,
    env: Option<String>,
    place: String,
) -> Result<Vec<BackupListing>> {
    let env = match env {
        Some(name) => Some(environment(&state, &name)?),
        None => None,
    };
    let place = BackupPlace::parse(&place)?;
    let checks = store(&state)?.last_backup_checks()?;
    Ok(flightdeck_core::list_backups(env.as_ref(), &state.vault, &place, &checks).await?)
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn start_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    operations: State<'_, Operations>,
    operation: String,
    env: String,
    login: DbLogin,
    databases: Vec<String>,
    to: String,
    compression: String,
) -> Result<BackupDone> {
    let actor = store_and_actor(&state)?.1;
    require_writer(&actor)?;
    let env = environment(&state, &env)?;
    let to = BackupPlace::parse(&to)?;
    let subject = format!("{} → {}", databases.join(", "), to.describe());
    let outcome = async {
        let request = BackupRequest {
            databases,
            compression: Compression::parse(&compression).map_err(Error::Invalid)?,
            threads: None,
            checksums: true,
            to,
        };
        let watching = watch(&app, &operations, &operation)?;
        flightdeck_core::backup(
            &env,
            &state.vault,
            &credential_source(&login)?,
            &request,
            &staging(&state),
            watching.progress.clone(),
        )
        .await
    }
    .await;
    let (mut store, _) = store_and_actor(&state)?;
    store.record_event(
        &actor,
        "db.backup",
        &subject,
        backup_audit(&env.name, &outcome),
    )?;
    Ok(outcome?)
}

/// Asks a backup or restore in progress to stop; a cancelled backup has no manifest.
#[tauri::command]
pub fn cancel_backup(operations: State<'_, Operations>, operation: String) -> Result<bool> {
    let map = operations
        .0
        .lock()
        .map_err(|_| ApiError::new("internal", "operation registry unavailable"))?;
    Ok(match map.get(&operation) {
        Some(progress) => {
            progress.cancel();
            true
        }
        None => false,
    })
}

#[tauri::command]
pub async fn verify_backup(
    state: State<'_, AppState>,
    env: Option<String>,
    from: String,
    test_restore: Option<String>,
    login: DbLogin,
) -> Result<VerifyDone> {
    let actor = store_and_actor(&state)?.1;
    let env = match env {
        Some(name) => Some(environment(&state, &name)?),
        None => None,
    };
    let from = BackupPlace::parse(&from)?;
    let login = match &test_restore {
        Some(_) => Some(credential_source(&login)?),
        None => None,
    };
    let test = login.as_ref().zip(test_restore.as_deref());
    let outcome = flightdeck_core::verify_backup(
        env.as_ref(),
        &state.vault,
        &from,
        &staging(&state),
        test,
        Arc::new(Progress::default()),
    )
    .await;
    let (result, detail) = verify_check(&outcome);
    store(&state)?.record_backup_check(&actor, &from.describe(), result, &detail)?;
    Ok(outcome?)
}

fn request(
    from: &str,
    source: Option<String>,
    target: String,
    over_existing: Option<String>,
    confirm: Option<String>,
) -> Outcome<RestoreRequest> {
    Ok(RestoreRequest {
        from: BackupPlace::parse(from)?,
        source: source.filter(|s| !s.is_empty()),
        target,
        over_existing: over_existing.filter(|s| !s.is_empty()),
        confirm: confirm.filter(|s| !s.is_empty()),
        parallel: 2,
    })
}

/// What a restore will change, and the confirmations it needs, before anything is done.
#[tauri::command]
pub async fn preview_restore(
    state: State<'_, AppState>,
    env: String,
    from: String,
    source: Option<String>,
    target: String,
    over_existing: Option<String>,
    login: DbLogin,
) -> Result<RestorePreview> {
    let env = environment(&state, &env)?;
    let request = request(&from, source, target, over_existing, None)?;
    Ok(flightdeck_core::restore_preview(
        &env,
        &state.vault,
        &credential_source(&login)?,
        &request,
        &staging(&state),
    )
    .await?)
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn run_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    operations: State<'_, Operations>,
    operation: String,
    env: String,
    from: String,
    source: Option<String>,
    target: String,
    over_existing: Option<String>,
    confirm: Option<String>,
    login: DbLogin,
) -> Result<RestoreDone> {
    let actor = store_and_actor(&state)?.1;
    require_writer(&actor)?;
    let env = environment(&state, &env)?;
    let request = request(&from, source, target, over_existing, confirm)?;
    let subject = format!(
        "{} → {} in {}",
        request.from.describe(),
        request.target,
        env.name
    );
    let outcome = async {
        let watching = watch(&app, &operations, &operation)?;
        flightdeck_core::restore_backup(
            &env,
            &state.vault,
            &credential_source(&login)?,
            &request,
            &staging(&state),
            watching.progress.clone(),
        )
        .await
    }
    .await;
    let (mut store, _) = store_and_actor(&state)?;
    store.record_event(
        &actor,
        "db.restore",
        &subject,
        restore_audit(&env.name, &outcome),
    )?;
    let (preview, report) = outcome?;
    Ok(RestoreDone {
        differences: report.differences(),
        preview,
        report,
    })
}

/// The environment's RDS snapshots (instances and clusters), newest first.
#[tauri::command]
pub async fn rds_snapshots(state: State<'_, AppState>, env: String) -> Result<Vec<RdsSnapshot>> {
    let env = environment(&state, &env)?;
    Ok(flightdeck_cloud::rds_snapshots(&env, &state.vault)
        .await
        .map_err(Error::from)?)
}
