//! Where backups live (a local directory or an S3 prefix), their names, and bringing one down
//! from S3 with every file checked against its manifest.

use std::path::{Path, PathBuf};

use flightdeck_cloud::{BackupStore, S3Place};
use flightdeck_dbdump::{read_manifest, MANIFEST_NAME};
use flightdeck_store::Environment;
use flightdeck_vault::Vault;

use crate::Error;

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

    pub(super) fn child(&self, name: &str) -> BackupPlace {
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

/// The time in a backup's name: 20261123T180000Z.
pub(super) fn stamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default()
}

/// Brings an S3 backup down into `into`, checking each file's SHA-256 against the manifest as
/// it arrives; a local backup is used where it is.
pub(super) async fn local_copy(
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
