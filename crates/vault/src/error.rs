use thiserror::Error;

/// Keyring failures, phrased as what to do about them. None of them carries a secret value.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error("no secret named '{0}' in the OS keyring; store it first (flightdeck secret set {0})")]
    Missing(String),
    #[error("the OS keyring is locked or refused access to '{name}': unlock your keyring (log in to the desktop session, or `gnome-keyring-daemon --unlock`) and try again ({detail})")]
    Locked { name: String, detail: String },
    #[error("no OS keyring is reachable for '{name}': Flightdeck needs a Secret Service (GNOME Keyring, KWallet), the macOS Keychain or the Windows Credential Manager ({detail})")]
    Unavailable { name: String, detail: String },
    #[error("the keyring entry '{0}' is not valid UTF-8 text; store it again")]
    Unreadable(String),
    #[error("'{0}' is not a usable secret name (1 to 200 characters)")]
    BadName(String),
    #[error("refusing to store an empty value as '{0}'")]
    EmptySecret(String),
    #[error("the keyring rejected '{name}': {detail}")]
    Other { name: String, detail: String },
}

impl VaultError {
    pub(crate) fn from_keyring(name: &str, e: keyring::Error) -> VaultError {
        let name = name.to_string();
        match e {
            keyring::Error::NoEntry => VaultError::Missing(name),
            keyring::Error::NoStorageAccess(detail) | keyring::Error::PlatformFailure(detail) => {
                let detail = detail.to_string();
                let lowered = detail.to_lowercase();
                if lowered.contains("lock") || lowered.contains("prompt") {
                    VaultError::Locked { name, detail }
                } else {
                    VaultError::Unavailable { name, detail }
                }
            }
            keyring::Error::BadEncoding(_) => VaultError::Unreadable(name),
            other => VaultError::Other {
                name,
                detail: other.to_string(),
            },
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Missing(_) => "secret_missing",
            VaultError::Locked { .. } => "keyring_locked",
            VaultError::Unavailable { .. } => "keyring_unavailable",
            VaultError::Unreadable(_) => "secret_unreadable",
            VaultError::BadName(_) | VaultError::EmptySecret(_) => "invalid_secret",
            VaultError::Other { .. } => "keyring",
        }
    }
}
