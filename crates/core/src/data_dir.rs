use std::path::{Path, PathBuf};

use flightdeck_store::Store;

use crate::Error;

/// Overrides the data directory (tests, a second installation, a USB stick on go-live night).
pub const DATA_DIR_ENV: &str = "FLIGHTDECK_DATA_DIR";

/// The app identifier; the desktop app's data directory has the same name.
const IDENTIFIER: &str = "dev.flightdeck.cockpit";

/// The identifier, and so the data directory's name, of Flightdeck 0.1: a name ending in `.app`
/// is an application bundle to macOS, and Finder would show the data directory as one.
const FIRST_IDENTIFIER: &str = "dev.flightdeck.app";

/// `$FLIGHTDECK_DATA_DIR`, else the platform's data directory for Flightdeck
/// (`~/.local/share/dev.flightdeck.cockpit` on Linux), shared by the app and the CLI.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => platform_data_dir(
            &dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")),
            |from, to| std::fs::rename(from, to),
        ),
    }
}

/// Flightdeck's directory in the platform's data directory `base`. The directory of the first
/// identifier is renamed to the current one the first time (a rename within `base`, so it
/// happens whole or not at all); where it cannot be renamed it stays in use, so nothing is left
/// behind.
fn platform_data_dir(
    base: &Path,
    rename: impl FnOnce(&Path, &Path) -> std::io::Result<()>,
) -> PathBuf {
    let (current, first) = (base.join(IDENTIFIER), base.join(FIRST_IDENTIFIER));
    if current.exists() || !first.is_dir() {
        return current;
    }
    match rename(&first, &current) {
        Ok(()) => {
            tracing::info!(from = %first.display(), to = %current.display(), "moved the data directory to the app's new identifier");
            current
        }
        // Another Flightdeck process moved it in the meantime.
        Err(_) if current.exists() => current,
        Err(e) => {
            tracing::warn!(dir = %first.display(), error = %e, "the data directory keeps its first name: it could not be renamed");
            first
        }
    }
}

/// Opens the state database in `dir`, creating the directory if needed.
pub fn open_store(dir: &Path) -> Result<Store, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    Ok(Store::open(&dir.join("flightdeck.db"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::rename(from, to)
    }

    #[test]
    fn the_first_data_directory_is_renamed_whole_to_the_current_identifier() {
        let base = tempfile::tempdir().unwrap();
        let first = base.path().join(FIRST_IDENTIFIER);
        std::fs::create_dir_all(first.join("releases")).unwrap();
        std::fs::write(first.join("flightdeck.db"), b"state").unwrap();

        let dir = platform_data_dir(base.path(), rename);
        assert_eq!(dir, base.path().join(IDENTIFIER));
        assert_eq!(std::fs::read(dir.join("flightdeck.db")).unwrap(), b"state");
        assert!(dir.join("releases").is_dir());
        assert!(!first.exists());
        assert_eq!(
            platform_data_dir(base.path(), rename),
            dir,
            "a second call changes nothing"
        );
    }

    #[test]
    fn a_current_data_directory_wins_and_the_first_is_left_alone() {
        let base = tempfile::tempdir().unwrap();
        let first = base.path().join(FIRST_IDENTIFIER);
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(base.path().join(IDENTIFIER)).unwrap();
        assert_eq!(
            platform_data_dir(base.path(), rename),
            base.path().join(IDENTIFIER)
        );
        assert!(first.is_dir());
    }

    #[test]
    fn a_new_user_gets_the_current_identifier_and_nothing_is_created() {
        let base = tempfile::tempdir().unwrap();
        assert_eq!(
            platform_data_dir(base.path(), rename),
            base.path().join(IDENTIFIER)
        );
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_data_directory_that_cannot_be_renamed_stays_in_use() {
        let base = tempfile::tempdir().unwrap();
        let first = base.path().join(FIRST_IDENTIFIER);
        std::fs::create_dir_all(&first).unwrap();
        let refused = |_: &Path, _: &Path| Err(std::io::ErrorKind::PermissionDenied.into());
        assert_eq!(platform_data_dir(base.path(), refused), first);
        assert!(first.is_dir());
        assert!(!base.path().join(IDENTIFIER).exists());
    }
}
