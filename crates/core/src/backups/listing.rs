//! Listing backups under a directory or an S3 prefix, each with its last verification.

use std::collections::HashMap;

use flightdeck_cloud::BackupStore;
use flightdeck_dbdump::{read_manifest, MANIFEST_NAME};
use flightdeck_store::{BackupCheck, Environment};
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use super::place::BackupPlace;
use crate::{Error, Flightdeck};

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
async fn list_backups(
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

impl Flightdeck {
    /// The backups under `place`, each with the last verification recorded for it.
    pub async fn list_backups(
        &self,
        env: Option<&str>,
        place: &BackupPlace,
    ) -> Result<Vec<BackupListing>, Error> {
        let (env, checks) = {
            let store = self.read()?;
            let env = match env {
                Some(name) => Some(store.environment(name)?),
                None => None,
            };
            (env, store.last_backup_checks()?)
        };
        list_backups(env.as_ref(), self.vault(), place, &checks).await
    }

    /// The environment's RDS snapshots (instances and clusters), newest first.
    pub async fn rds_snapshots(
        &self,
        env: &str,
    ) -> Result<Vec<flightdeck_cloud::RdsSnapshot>, Error> {
        let env = self.read()?.environment(env)?;
        Ok(flightdeck_cloud::rds_snapshots(&env, self.vault()).await?)
    }
}
