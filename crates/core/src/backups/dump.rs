//! Taking a backup: a dump to a local directory or to S3, uploaded file by file while the dump
//! goes on (so no full local copy is needed), the manifest last.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use flightdeck_cloud::{BackupStore, S3Place};
use flightdeck_dbdump::{
    dump, Compression, Credentials, DumpError, DumpOptions, FileEntry, Manifest, Progress,
    MANIFEST_NAME,
};
use flightdeck_model::{Actor, Event};
use flightdeck_store::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use ts_rs::TS;

use super::login::{db_credentials, DatabaseLogin, DbLogin};
use super::place::{stamp, BackupPlace};
use crate::permissions::Change;
use crate::{Error, Flightdeck, Reporter};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupDone {
    pub location: String,
    pub files: usize,
    #[ts(type = "number")]
    pub bytes: u64,
    pub tables: usize,
    #[ts(type = "number")]
    pub rows: u64,
    pub seconds: f64,
    pub gtid: Option<String>,
}

/// A backup to take.
#[derive(Debug, Clone)]
pub struct BackupRequest {
    /// The databases; empty means the one the credentials name.
    pub databases: Vec<String>,
    pub compression: Compression,
    /// Connections reading at once; None for one per core.
    pub threads: Option<usize>,
    pub checksums: bool,
    /// A directory or S3 prefix; the backup is a new folder in it.
    pub to: BackupPlace,
}

/// Dumps the databases into a new backup under `request.to`, named after them and the time,
/// logging in with the credentials `login` names. For S3 the files are staged under `staging`
/// and removed once uploaded.
async fn backup(
    env: &Environment,
    vault: &Vault,
    login: &DatabaseLogin,
    request: &BackupRequest,
    staging: &Path,
    progress: Arc<Progress>,
) -> Result<BackupDone, Error> {
    let credentials = db_credentials(env, vault, login).await?;
    let mut databases = request.databases.clone();
    if databases.is_empty() {
        databases.extend(credentials.dbname.clone());
    }
    if databases.is_empty() {
        return Err(Error::Invalid(
            "name the databases to back up (the credentials name none)".into(),
        ));
    }
    let defaults = DumpOptions::default();
    let options = DumpOptions {
        databases,
        compression: request.compression,
        threads: request.threads.unwrap_or(defaults.threads),
        checksums: request.checksums,
        ..defaults
    };
    dump_to(
        env,
        vault,
        &credentials,
        options,
        &request.to,
        staging,
        progress,
    )
    .await
}

async fn dump_to(
    env: &Environment,
    vault: &Vault,
    credentials: &Credentials,
    mut options: DumpOptions,
    to: &BackupPlace,
    staging: &Path,
    progress: Arc<Progress>,
) -> Result<BackupDone, Error> {
    let started = Instant::now();
    let name = format!("{}-{}", options.databases.join("+"), stamp());
    let place = to.child(&name);
    let (dir, upload) = match &place {
        BackupPlace::Local(dir) => (dir.clone(), None),
        BackupPlace::S3(s3) => {
            let store = BackupStore::new(env, vault).await?;
            let (sender, receiver) = mpsc::unbounded_channel();
            options.finished = Some(sender);
            let dir = staging.join(&name);
            let uploading = tokio::spawn(upload_files(
                store,
                s3.clone(),
                dir.clone(),
                receiver,
                progress.clone(),
            ));
            (dir, Some(uploading))
        }
    };
    let dumped = dump(&credentials.opts(), &options, &dir, progress.clone()).await;
    drop(options);
    let manifest = match (dumped, upload) {
        (Ok(manifest), None) => manifest,
        (Ok(manifest), Some(uploading)) => {
            let store = joined(uploading).await;
            let BackupPlace::S3(s3) = &place else {
                unreachable!("uploads only go to S3")
            };
            // The manifest last, so a backup without it is visibly incomplete in S3 too.
            let path = dir.join(MANIFEST_NAME);
            let uploaded = match (store, std::fs::read(&path)) {
                (Ok(store), Ok(bytes)) => {
                    let sha = hex::encode(Sha256::digest(bytes));
                    store
                        .put_file(s3, MANIFEST_NAME, &path, &sha)
                        .await
                        .map_err(Error::from)
                }
                (Err(e), _) => Err(e),
                (_, Err(e)) => Err(Error::Io {
                    path: path.display().to_string(),
                    source: e,
                }),
            };
            let _ = std::fs::remove_dir_all(&dir);
            uploaded?;
            manifest
        }
        (Err(e), uploading) => {
            // A dump cancelled because an upload failed reports the upload's error.
            let cause = match uploading {
                Some(uploading) if matches!(e, DumpError::Cancelled) => {
                    joined(uploading).await.err()
                }
                Some(uploading) => {
                    uploading.abort();
                    None
                }
                None => None,
            };
            if matches!(place, BackupPlace::S3(_)) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Err(cause.unwrap_or(e.into()));
        }
    };
    Ok(done(&manifest, place.describe(), started))
}

fn done(manifest: &Manifest, location: String, started: Instant) -> BackupDone {
    BackupDone {
        location,
        files: manifest.files.len(),
        bytes: manifest.total_bytes(),
        tables: manifest.tables.iter().filter(|t| !t.view).count(),
        rows: manifest.tables.iter().map(|t| t.rows).sum(),
        seconds: started.elapsed().as_secs_f64(),
        gtid: manifest.gtid.clone(),
    }
}

/// Uploads each finished file, then removes the local copy. A failed upload cancels the dump,
/// so it stops instead of filling the disk with files that will not reach S3.
async fn upload_files(
    store: BackupStore,
    place: S3Place,
    dir: PathBuf,
    mut finished: mpsc::UnboundedReceiver<FileEntry>,
    progress: Arc<Progress>,
) -> Result<BackupStore, Error> {
    while let Some(entry) = finished.recv().await {
        let path = dir.join(&entry.name);
        if let Err(e) = store
            .put_file(&place, &entry.name, &path, &entry.sha256)
            .await
        {
            progress.cancel();
            return Err(e.into());
        }
        let _ = std::fs::remove_file(&path);
    }
    Ok(store)
}

async fn joined(
    uploading: tokio::task::JoinHandle<Result<BackupStore, Error>>,
) -> Result<BackupStore, Error> {
    uploading
        .await
        .map_err(|e| Error::Invalid(format!("the upload stopped: {e}")))?
}

/// The audit entry's detail for a backup, with its result.
fn backup_audit(env: &str, outcome: &Result<BackupDone, Error>) -> serde_json::Value {
    match outcome {
        Ok(done) => serde_json::json!({"environment": env, "result": "succeeded", "backup": done}),
        Err(e) => {
            serde_json::json!({"environment": env, "result": "failed", "error": e.to_string()})
        }
    }
}

impl Flightdeck {
    /// Backs up databases of `env` with the credentials `login` names, reporting progress
    /// (and honouring cancel) through `reporter`. The backup, failed or not, is recorded.
    pub async fn backup(
        &self,
        actor: &Actor,
        env: &str,
        login: &DbLogin,
        request: &BackupRequest,
        reporter: &dyn Reporter,
    ) -> Result<BackupDone, Error> {
        let subject = format!(
            "{} → {}",
            request.databases.join(", "),
            request.to.describe()
        );
        let env = {
            let mut store = self.write()?;
            self.permit(&mut store, actor, Change::Backup, None, &subject)?;
            store.environment(env)?
        };
        let outcome = async {
            let source = login.source()?;
            let staging = self.staging();
            backup(
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
        let event = Event::BackupTaken {
            subject,
            result: backup_audit(&env.name, &outcome),
        };
        self.record(actor, event)?;
        outcome
    }
}
