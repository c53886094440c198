//! One process drives a rollout at a time: it holds an exclusive lock on the rollout's file in
//! the data dir for as long as it drives. The OS lets go of the lock when the process ends,
//! killed or not, so a rollout whose lock is free has nobody driving it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::Error;

pub struct DriverLock {
    _file: File,
}

fn path(data_dir: &Path, rollout: &str) -> PathBuf {
    let name: String = rollout
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    data_dir.join("rollouts").join(format!("{name}.lock"))
}

fn open(data_dir: &Path, rollout: &str) -> Result<File, Error> {
    let path = path(data_dir, rollout);
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(path.parent().expect("a lock file has a folder")).map_err(io)?;
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)
}

impl DriverLock {
    /// The lock, or None when another process drives the rollout.
    pub fn take(data_dir: &Path, rollout: &str) -> Result<Option<DriverLock>, Error> {
        let file = open(data_dir, rollout)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DriverLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(Error::Io {
                path: path(data_dir, rollout).display().to_string(),
                source,
            }),
        }
    }

    /// Whether a process drives the rollout now.
    pub fn driven(data_dir: &Path, rollout: &str) -> Result<bool, Error> {
        Ok(Self::take(data_dir, rollout)?.is_none())
    }
}
