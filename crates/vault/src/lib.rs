//! Secrets in the operating system's keyring, and nowhere else.
//!
//! A secret is stored under the service `dev.flightdeck.app` (or a test service) and a name.
//! SQLite keeps only the name; values exist in the keyring and, while used, in this process,
//! wrapped in [`SecretString`] so that `Debug` and logs never show them.

mod error;
mod native;

use std::time::Duration;

pub use error::VaultError;
pub use secrecy::{ExposeSecret, SecretString};

/// The keyring service name Flightdeck uses: the app's first identifier, kept when the
/// identifier changed so that the secrets already stored are found.
pub const SERVICE: &str = "dev.flightdeck.app";

/// The longest pause before asking the keyring again after a transient failure (50, 100, 200,
/// 400 ms: under a second in all).
const LAST_PAUSE: Duration = Duration::from_millis(400);

/// Access to one service's secrets in the OS keyring.
#[derive(Debug, Clone)]
pub struct Vault {
    service: String,
}

impl Vault {
    /// The vault for Flightdeck's own service.
    pub fn new() -> Vault {
        Vault::for_service(SERVICE)
    }

    /// A vault under another service name (tests use their own).
    pub fn for_service(service: &str) -> Vault {
        native::install();
        Vault {
            service: service.to_string(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, VaultError> {
        if name.trim().is_empty() || name.len() > 200 {
            return Err(VaultError::BadName(name.to_string()));
        }
        keyring::Entry::new(&self.service, name).map_err(|e| VaultError::from_keyring(name, e))
    }

    pub fn put(&self, name: &str, value: &SecretString) -> Result<(), VaultError> {
        if value.expose_secret().is_empty() {
            return Err(VaultError::EmptySecret(name.to_string()));
        }
        self.entry(name)?
            .set_password(value.expose_secret())
            .map_err(|e| VaultError::from_keyring(name, e))
    }

    pub fn get(&self, name: &str) -> Result<SecretString, VaultError> {
        let entry = self.entry(name)?;
        let mut pause = Duration::from_millis(50);
        loop {
            match entry.get_password() {
                // The Secret Service now and then answers "no result" for an item that is there
                // while other processes use the same collection (three desktops' commands at
                // once, in the team test); asked again a moment later, it finds it.
                Err(keyring::Error::PlatformFailure(e))
                    if pause <= LAST_PAUSE && e.to_string().contains("no result") =>
                {
                    std::thread::sleep(pause);
                    pause *= 2;
                }
                read => {
                    return read
                        .map(SecretString::from)
                        .map_err(|e| VaultError::from_keyring(name, e))
                }
            }
        }
    }

    /// Removes a secret; removing one that is not there is not an error.
    pub fn remove(&self, name: &str) -> Result<(), VaultError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::from_keyring(name, e)),
        }
    }

    pub fn contains(&self, name: &str) -> Result<bool, VaultError> {
        match self.get(name) {
            Ok(_) => Ok(true),
            Err(VaultError::Missing(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl Default for Vault {
    fn default() -> Vault {
        Vault::new()
    }
}
