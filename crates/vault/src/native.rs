//! Installs the platform's own keyring store as keyring's default. Naming the builder here means
//! a build without the backend feature fails to compile instead of falling back to keyring's
//! in-memory mock, which stores nothing.

use std::sync::Once;

static INSTALL: Once = Once::new();

pub fn install() {
    INSTALL.call_once(|| keyring::set_default_credential_builder(builder()));
}

#[cfg(target_os = "linux")]
fn builder() -> Box<keyring::credential::CredentialBuilder> {
    keyring::secret_service::default_credential_builder()
}

#[cfg(target_os = "macos")]
fn builder() -> Box<keyring::credential::CredentialBuilder> {
    keyring::macos::default_credential_builder()
}

#[cfg(target_os = "windows")]
fn builder() -> Box<keyring::credential::CredentialBuilder> {
    keyring::windows::default_credential_builder()
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
compile_error!(
    "Flightdeck keeps credentials in the OS keyring and has no keyring backend for this platform"
);
