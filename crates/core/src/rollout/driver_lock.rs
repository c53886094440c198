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
    /// The lock, or None when another process drives the rollout. Whoever asks whether a
    /// rollout is driven holds a shared lock for an instant; a driver waits that out (briefly)
    /// rather than take it for another driver.
    pub fn take(data_dir: &Path, rollout: &str) -> Result<Option<DriverLock>, Error> {
        let file = open(data_dir, rollout)?;
        let io = |source| Error::Io {
            path: path(data_dir, rollout).display().to_string(),
            source,
        };
        for _ in 0..PROBE_WAITS {
            match file.try_lock() {
                Ok(()) => return Ok(Some(DriverLock { _file: file })),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
            match file.try_lock_shared() {
                Ok(()) => file.unlock().map_err(io)?,
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
            std::thread::sleep(PROBE_WAIT);
        }
        Ok(None)
    }

    /// Whether a process drives the rollout now: asked with a shared lock, which never keeps a
    /// driver out for longer than the question takes.
    pub fn driven(data_dir: &Path, rollout: &str) -> Result<bool, Error> {
        match open(data_dir, rollout)?.try_lock_shared() {
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(source)) => Err(Error::Io {
                path: path(data_dir, rollout).display().to_string(),
                source,
            }),
        }
    }
}

/// How often, and how long apart, a driver tries again while only questions hold the lock.
const PROBE_WAITS: u32 = 100;
const PROBE_WAIT: std::time::Duration = std::time::Duration::from_millis(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_does_not_make_a_driver_and_a_driver_keeps_out_another() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!DriverLock::driven(dir.path(), "r@E-1").unwrap());
        let question = open(dir.path(), "r@E-1").unwrap();
        question.try_lock_shared().unwrap();
        let asked = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(question);
        });
        let driver = DriverLock::take(dir.path(), "r@E-1").unwrap();
        asked.join().unwrap();
        assert!(driver.is_some(), "a question held the lock for 50 ms only");
        assert!(DriverLock::driven(dir.path(), "r@E-1").unwrap());
        assert!(DriverLock::take(dir.path(), "r@E-1").unwrap().is_none());
        drop(driver);
        assert!(!DriverLock::driven(dir.path(), "r@E-1").unwrap());
    }
}
