//! The DBA's backups: a dump of an environment's database to a local directory or to S3
//! (uploaded file by file while the dump goes on, so no full local copy is needed), verified
//! against its manifest, listed, and restored (from S3 after every file's SHA-256 was checked
//! on the way down). Credentials come from a Secrets Manager secret or the OS keyring, never
//! from a file or the command line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use flightdeck_cloud::{BackupStore, S3Place};
use flightdeck_dbdump::{
    dump, read_manifest, restore, test_restore, verify, Compression, Credentials, DumpError,
    DumpOptions, FileEntry, Manifest, Progress, RestoreOptions, RestoreReport, Verified,
    MANIFEST_NAME,
};
use flightdeck_store::{Actor, BackupCheck, Environment, GuardLevel, Role};
use flightdeck_vault::{ExposeSecret, Vault};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::Error;

/// Backups and restores change databases: client stakeholders only look.
pub fn require_writer(actor: &Actor) -> Result<(), Error> {
    if actor.role == Role::ClientStakeholder {
        return Err(Error::ReadOnly(actor.name.clone()));
    }
    Ok(())
}

/// Where the database credentials are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// A Secrets Manager secret of the environment, holding the RDS JSON.
    Secret(String),
    /// An entry of the OS keyring (`flightdeck secret set NAME`), holding the same JSON.
    Keyring(String),
}

impl CredentialSource {
    /// The source someone named: the secret when one is given, else the keyring entry; blank
    /// names count as not given. `None` when neither is.
    pub fn named(secret: Option<&str>, keyring: Option<&str>) -> Option<Self> {
        given(secret)
            .map(|s| Self::Secret(s.into()))
            .or_else(|| given(keyring).map(|k| Self::Keyring(k.into())))
    }
}

fn given(name: Option<&str>) -> Option<&str> {
    name.map(str::trim).filter(|n| !n.is_empty())
}

pub async fn db_credentials(
    env: &Environment,
    vault: &Vault,
    source: &CredentialSource,
) -> Result<Credentials, Error> {
    Ok(match source {
        CredentialSource::Secret(name) => {
            let text = BackupStore::new(env, vault)
                .await?
                .secret_text(name)
                .await?;
            Credentials::from_json(&text, &format!("secret {name}"))?
        }
        CredentialSource::Keyring(name) => {
            let text = vault.get(name)?;
            Credentials::from_json(text.expose_secret(), &format!("keyring entry {name}"))?
        }
    })
}

/// A directory of backups, or an S3 prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupPlace {
    Local(PathBuf),
    S3(S3Place),
}

impl BackupPlace {
    pub fn parse(text: &str) -> Result<BackupPlace, Error> {
        if text.starts_with("s3://") {
            Ok(BackupPlace::S3(S3Place::parse(text)?))
        } else {
            Ok(BackupPlace::Local(PathBuf::from(text)))
        }
    }

    fn child(&self, name: &str) -> BackupPlace {
        match self {
            BackupPlace::Local(dir) => BackupPlace::Local(dir.join(name)),
            BackupPlace::S3(place) => BackupPlace::S3(place.child(name)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            BackupPlace::Local(dir) => dir.display().to_string(),
            BackupPlace::S3(place) => place.url(),
        }
    }
}

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

/// The time in a backup's name: 20261123T180000Z.
fn stamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default()
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
pub async fn backup(
    env: &Environment,
    vault: &Vault,
    login: &CredentialSource,
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

/// Brings an S3 backup down into `into`, checking each file's SHA-256 against the manifest as
/// it arrives; a local backup is used where it is.
async fn local_copy(
    env: Option<&Environment>,
    vault: &Vault,
    from: &BackupPlace,
    into: &Path,
) -> Result<PathBuf, Error> {
    let s3 = match from {
        BackupPlace::Local(dir) => return Ok(dir.clone()),
        BackupPlace::S3(s3) => s3,
    };
    let env = env.ok_or_else(|| {
        Error::Invalid(format!(
            "reading {} needs the environment whose account holds it",
            s3.url()
        ))
    })?;
    let store = BackupStore::new(env, vault).await?;
    std::fs::create_dir_all(into).map_err(|e| Error::Io {
        path: into.display().to_string(),
        source: e,
    })?;
    store
        .get_file(s3, MANIFEST_NAME, &into.join(MANIFEST_NAME))
        .await
        .map_err(|e| {
            Error::Invalid(format!(
                "{e}: without its manifest {} is not a complete backup",
                s3.url()
            ))
        })?;
    let manifest = read_manifest(into)?;
    for entry in &manifest.files {
        let sha = store
            .get_file(s3, &entry.name, &into.join(&entry.name))
            .await?;
        if sha != entry.sha256 {
            return Err(Error::Invalid(format!(
                "{}: SHA-256 {sha} where the manifest says {}",
                s3.key(&entry.name),
                entry.sha256
            )));
        }
    }
    Ok(into.to_path_buf())
}

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
pub async fn verify_backup(
    env: Option<&Environment>,
    vault: &Vault,
    from: &BackupPlace,
    staging: &Path,
    test: Option<(&CredentialSource, &str)>,
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
    /// The confirmation this restore needs: the target database's name when it exists, the
    /// environment's name in a PROD-like environment.
    pub needs: Vec<String>,
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
pub async fn restore_backup(
    env: &Environment,
    vault: &Vault,
    login: &CredentialSource,
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
            return Err(Error::NotConfirmed(format!(
                "restoring into {} changes a database in {}: type the environment's name {} to confirm",
                request.target, env.name, env.name
            )));
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
        needs.push(format!("the database name {}", request.target));
    }
    if env.guard == GuardLevel::TypeName {
        needs.push(format!("the environment name {}", env.name));
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
pub async fn restore_preview(
    env: &Environment,
    vault: &Vault,
    login: &CredentialSource,
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

/// How a verification is recorded: `verified`, `test_restored` or `failed`, and what was found.
pub fn verify_check(outcome: &Result<VerifyDone, Error>) -> (&'static str, String) {
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

/// The audit entry's detail for a backup, with its result.
pub fn backup_audit(env: &str, outcome: &Result<BackupDone, Error>) -> serde_json::Value {
    match outcome {
        Ok(done) => serde_json::json!({"environment": env, "result": "succeeded", "backup": done}),
        Err(e) => {
            serde_json::json!({"environment": env, "result": "failed", "error": e.to_string()})
        }
    }
}

/// The audit entry's detail for a restore: what it changed, and table by table how it compares.
pub fn restore_audit(
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

/// A backup found in a directory or under an S3 prefix.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupListing {
    pub location: String,
    /// False when the manifest is missing: the dump never finished.
    pub complete: bool,
    pub files: usize,
    #[ts(type = "number")]
    pub bytes: u64,
    pub taken_at: Option<String>,
    pub databases: Vec<String>,
    /// The last verification recorded for it, if any.
    pub last_check: Option<BackupCheck>,
}

/// The backups under `place`, each with the last verification `checks` hold for it.
pub async fn list_backups(
    env: Option<&Environment>,
    vault: &Vault,
    place: &BackupPlace,
    checks: &HashMap<String, BackupCheck>,
) -> Result<Vec<BackupListing>, Error> {
    let mut found = listed(env, vault, place).await?;
    for b in &mut found {
        b.last_check = checks.get(&b.location).cloned();
    }
    Ok(found)
}

async fn listed(
    env: Option<&Environment>,
    vault: &Vault,
    place: &BackupPlace,
) -> Result<Vec<BackupListing>, Error> {
    match place {
        BackupPlace::S3(s3) => {
            let env = env.ok_or_else(|| {
                Error::Invalid("listing S3 needs the environment whose account holds it".into())
            })?;
            let store = BackupStore::new(env, vault).await?;
            Ok(store
                .list(s3, MANIFEST_NAME)
                .await?
                .into_iter()
                .map(|b| BackupListing {
                    location: b.url,
                    complete: b.complete,
                    files: b.files,
                    bytes: b.bytes,
                    taken_at: b.last_modified,
                    databases: Vec::new(),
                    last_check: None,
                })
                .collect())
        }
        BackupPlace::Local(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
                path: dir.display().to_string(),
                source: e,
            })?;
            let mut found = Vec::new();
            for entry in entries.flatten() {
                let path = entry.path();
                if !path.is_dir() {
                    continue;
                }
                let listing = match read_manifest(&path) {
                    Ok(m) => BackupListing {
                        location: path.display().to_string(),
                        complete: true,
                        files: m.files.len(),
                        bytes: m.total_bytes(),
                        taken_at: Some(m.started_at.clone()),
                        databases: m.databases.clone(),
                        last_check: None,
                    },
                    Err(_) => BackupListing {
                        location: path.display().to_string(),
                        complete: false,
                        files: std::fs::read_dir(&path).map_or(0, |d| d.count()),
                        bytes: 0,
                        taken_at: None,
                        databases: Vec::new(),
                        last_check: None,
                    },
                };
                found.push(listing);
            }
            found.sort_by(|a, b| a.location.cmp(&b.location));
            Ok(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialSource;

    #[test]
    fn a_named_secret_wins_and_blank_names_are_not_names() {
        assert_eq!(
            CredentialSource::named(Some(" db/sit "), Some("kr")),
            Some(CredentialSource::Secret("db/sit".into()))
        );
        assert_eq!(
            CredentialSource::named(Some("  "), Some("kr")),
            Some(CredentialSource::Keyring("kr".into()))
        );
        assert_eq!(CredentialSource::named(None, Some("")), None);
        assert_eq!(CredentialSource::named(None, None), None);
    }
}
