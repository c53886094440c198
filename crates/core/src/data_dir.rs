use std::path::{Path, PathBuf};

use flightdeck_store::Store;

use crate::Error;

/// Overrides the data directory (tests, a second installation, a USB stick on go-live night).
pub const DATA_DIR_ENV: &str = "FLIGHTDECK_DATA_DIR";

/// The app identifier; the desktop app's data directory has the same name.
const IDENTIFIER: &str = "dev.flightdeck.app";

/// `$FLIGHTDECK_DATA_DIR`, else the platform's data directory for Flightdeck
/// (`~/.local/share/dev.flightdeck.app` on Linux), shared by the app and the CLI.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(IDENTIFIER),
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
