//! Signed updates through the Tauri updater plugin. The window asks for an update after its
//! first paint and on demand. An offered update is downloaded and its minisign signature checked
//! against the update key before anything is installed, and it is installed only on a second,
//! explicit confirmation, which restarts the app.
//!
//! The key and the manifest's address are the build's `plugins.updater` settings, which
//! `scripts/package.sh` fills in for a release. `FLIGHTDECK_UPDATE_PUBKEY` and
//! `FLIGHTDECK_UPDATE_ENDPOINT` replace them (a mirror of the releases, or a test's own server).
//! Anyone who can set the app's environment can already run code as its user, so trusting a key
//! from there gives nobody a power they lacked.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use flightdeck_core::Error;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Url};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};
use ts_rs::TS;

use crate::reporter::{emit, Emitted};

pub const PUBKEY_ENV: &str = "FLIGHTDECK_UPDATE_PUBKEY";
pub const ENDPOINT_ENV: &str = "FLIGHTDECK_UPDATE_ENDPOINT";

/// How long the update server may take to accept a connection, and then to send each part.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("updates are not set up in this build: it has no update key or no update address (a release build has both; see the README's Signed updates)")]
    NotConfigured,
    #[error("the update address '{0}' is not a URL")]
    BadEndpoint(String),
    #[error("the update address on {server} cannot be used: {detail}")]
    UnusableEndpoint { server: String, detail: String },
    #[error("the update server {server} could not be reached: {detail}")]
    Unreachable { server: String, detail: String },
    #[error("the update server {server} did not answer with an update manifest: {detail}")]
    BadManifest { server: String, detail: String },
    #[error("Flightdeck {version} was refused because it is not signed; nothing was installed")]
    Unsigned { version: String },
    #[error("Flightdeck {version} was refused: its signature does not match this app's update key ({detail}), so it may have been tampered with; nothing was installed")]
    BadSignature { version: String, detail: String },
    #[error("Flightdeck {announced} was refused: its package is signed for {signed}, so the manifest announcing it may have been tampered with; nothing was installed")]
    NotTheSignedVersion { announced: String, signed: String },
    #[error("Flightdeck {version} was refused: its signature does not say which version it is for, which this app requires; nothing was installed")]
    SignedWithoutVersion { version: String },
    #[error("no update is waiting for this: check for updates, then download and verify it first")]
    NothingWaiting,
    #[error("the update waiting is Flightdeck {waiting}, not {asked}: check for updates again")]
    NotTheOffered { waiting: String, asked: String },
    #[error("Flightdeck {version} is verified, but {why}; install its package instead")]
    CannotInstall { version: String, why: String },
    #[error("Flightdeck {version} could not be installed: {detail}")]
    Install { version: String, detail: String },
}

impl UpdateError {
    fn code(&self) -> &'static str {
        match self {
            UpdateError::NotConfigured => "update_not_configured",
            UpdateError::BadEndpoint(_) | UpdateError::UnusableEndpoint { .. } => "invalid_input",
            UpdateError::Unreachable { .. } => "update_unreachable",
            UpdateError::BadManifest { .. } => "update_bad_manifest",
            UpdateError::Unsigned { .. }
            | UpdateError::BadSignature { .. }
            | UpdateError::NotTheSignedVersion { .. }
            | UpdateError::SignedWithoutVersion { .. } => "update_bad_signature",
            UpdateError::NothingWaiting | UpdateError::NotTheOffered { .. } => "update_not_waiting",
            UpdateError::CannotInstall { .. } => "update_cannot_install",
            UpdateError::Install { .. } => "update_install_failed",
        }
    }
}

impl From<UpdateError> for Error {
    fn from(e: UpdateError) -> Error {
        Error::Face {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// A newer Flightdeck the update server offers.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpdateOffer {
    pub current: String,
    pub version: String,
    /// What is new, as the release wrote it.
    pub notes: Option<String>,
    /// When it was published (RFC 3339).
    pub published: Option<String>,
    /// The host the package comes from.
    pub server: String,
}

/// An update downloaded and verified against the update key, not yet installed.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VerifiedUpdate {
    pub version: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
    /// Why this copy cannot install it, when it cannot.
    pub cannot_install: Option<String>,
}

/// How much of an update's package has arrived.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpdateProgress {
    #[ts(type = "number")]
    pub received: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

impl Emitted for UpdateProgress {
    const NAME: &'static str = "update-progress";
}

/// The update last offered, and its package once verified.
#[derive(Default)]
pub struct Updates {
    offered: Mutex<Option<Update>>,
    verified: Mutex<Option<(String, Vec<u8>)>>,
}

/// The key and addresses updates are checked with: the environment's, else the build's.
struct Source {
    pubkey: Option<String>,
    endpoints: Vec<Url>,
}

impl Source {
    fn of(app: &AppHandle) -> Result<Source, UpdateError> {
        let built = app.config().plugins.0.get("updater");
        let setting = |name: &str| built.and_then(|u| u.get(name));
        let pubkey = std::env::var(PUBKEY_ENV)
            .ok()
            .or_else(|| {
                setting("pubkey")
                    .and_then(|k| k.as_str())
                    .map(str::to_string)
            })
            .filter(|k| !k.trim().is_empty());
        let endpoints = match std::env::var(ENDPOINT_ENV) {
            Ok(list) => list
                .split_whitespace()
                .map(|u| Url::parse(u).map_err(|_| UpdateError::BadEndpoint(u.to_string())))
                .collect::<Result<_, _>>()?,
            Err(_) => setting("endpoints")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str().and_then(|u| Url::parse(u).ok()))
                .collect(),
        };
        Ok(Source { pubkey, endpoints })
    }

    /// The first address's host, to name in messages: an address may carry a token.
    fn server(&self) -> String {
        self.endpoints.first().map(host).unwrap_or_default()
    }

    fn updater(&self, app: &AppHandle) -> Result<Updater, UpdateError> {
        let Some(pubkey) = &self.pubkey else {
            return Err(UpdateError::NotConfigured);
        };
        if self.endpoints.is_empty() {
            return Err(UpdateError::NotConfigured);
        }
        app.updater_builder()
            .pubkey(pubkey)
            .endpoints(self.endpoints.clone())
            .and_then(|b| {
                b.configure_client(|client| {
                    client
                        .connect_timeout(CONNECT_TIMEOUT)
                        .read_timeout(READ_TIMEOUT)
                })
                .build()
            })
            .map_err(|e| UpdateError::UnusableEndpoint {
                server: self.server(),
                detail: e.to_string(),
            })
    }
}

fn host(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => url.scheme().to_string(),
    }
}

/// The error and its causes in one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn reached_error(e: tauri_plugin_updater::Error, server: String) -> UpdateError {
    use tauri_plugin_updater::Error as E;
    match e {
        // Without the URL: it may carry a token.
        E::Reqwest(e) if e.is_decode() => UpdateError::BadManifest {
            server,
            detail: chain(&e.without_url()),
        },
        E::Reqwest(e) => UpdateError::Unreachable {
            server,
            detail: chain(&e.without_url()),
        },
        E::Network(detail) => UpdateError::Unreachable { server, detail },
        E::ReleaseNotFound => UpdateError::BadManifest {
            server,
            detail: "there is no manifest at the update address".into(),
        },
        other => UpdateError::BadManifest {
            server,
            detail: chain(&other),
        },
    }
}

/// Asks the update server for a newer Flightdeck; `None` when this one is the newest.
pub async fn check(app: &AppHandle) -> Result<Option<UpdateOffer>, UpdateError> {
    let source = Source::of(app)?;
    let found = source
        .updater(app)?
        .check()
        .await
        .map_err(|e| reached_error(e, source.server()))?;
    let updates = app.state::<Updates>();
    *updates.verified.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let offer = found.as_ref().map(|u| UpdateOffer {
        current: u.current_version.clone(),
        version: u.version.clone(),
        notes: u.body.clone(),
        published: u.date.and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
        server: host(&u.download_url),
    });
    if let Some(offer) = &offer {
        tracing::info!(version = %offer.version, server = %offer.server, "an update is offered");
    }
    *updates.offered.lock().unwrap_or_else(|e| e.into_inner()) = found;
    Ok(offer)
}

fn offered(app: &AppHandle, version: &str) -> Result<Update, UpdateError> {
    let offered = app.state::<Updates>();
    let offered = offered.offered.lock().unwrap_or_else(|e| e.into_inner());
    match offered.as_ref() {
        None => Err(UpdateError::NothingWaiting),
        Some(u) if u.version != version => Err(UpdateError::NotTheOffered {
            waiting: u.version.clone(),
            asked: version.to_string(),
        }),
        Some(u) => Ok(u.clone()),
    }
}

/// The programs the updater installs a .deb or .rpm through as the administrator: pkexec
/// first, then sudo (which a graphical password prompt also goes through).
#[cfg(target_os = "linux")]
const ADMIN_TOOLS: [&str; 2] = ["pkexec", "sudo"];

/// Why this copy cannot replace itself, when it cannot: only an installed package can, and a
/// .deb or .rpm only through pkexec or sudo.
#[cfg(target_os = "linux")]
fn cannot_install() -> Option<String> {
    use tauri::utils::config::BundleType;
    match tauri::utils::platform::bundle_type() {
        None => Some("this copy runs from a build, not from an installed package (.deb, .rpm or AppImage), so it cannot replace itself".to_string()),
        Some(BundleType::Deb | BundleType::Rpm)
            if !std::env::var_os("PATH").is_some_and(|path| has_admin_tool(&path)) =>
        {
            Some("this system has neither pkexec nor sudo, through which a package is installed as the administrator".to_string())
        }
        Some(_) => None,
    }
}

/// Elsewhere the installers replace the app themselves.
#[cfg(not(target_os = "linux"))]
fn cannot_install() -> Option<String> {
    None
}

/// Whether one of [`ADMIN_TOOLS`] is an executable file in a directory of `path` (a `PATH`).
#[cfg(target_os = "linux")]
fn has_admin_tool(path: &std::ffi::OsStr) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path).any(|dir| {
        ADMIN_TOOLS.iter().any(|tool| {
            std::fs::metadata(dir.join(tool))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// What went wrong installing a verified package, in words a user can act on.
fn install_failure(e: &tauri_plugin_updater::Error) -> String {
    use tauri_plugin_updater::Error as E;
    match e {
        E::PackageInstallFailed | E::AuthenticationFailed => "the package manager did not install it: the administrator's password was not given, or dpkg or rpm refused the package (run the installer by hand to see why)".to_string(),
        other => chain(other),
    }
}

/// Downloads the offered update and checks its signature; nothing is installed.
pub async fn download(app: &AppHandle, version: &str) -> Result<VerifiedUpdate, UpdateError> {
    let update = offered(app, version)?;
    if update.signature.trim().is_empty() {
        return Err(UpdateError::Unsigned {
            version: update.version,
        });
    }
    let mut received = 0u64;
    let mut shown = Instant::now();
    let bytes = update
        .download(
            |chunk, total| {
                received += chunk as u64;
                if shown.elapsed() >= Duration::from_millis(200) || Some(received) == total {
                    shown = Instant::now();
                    emit(app, UpdateProgress { received, total });
                }
            },
            || {},
        )
        .await
        .map_err(|e| {
            use tauri_plugin_updater::Error as E;
            match e {
                E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => UpdateError::BadSignature {
                    version: update.version.clone(),
                    detail: chain(&e),
                },
                E::MissingSignedVersion => UpdateError::SignedWithoutVersion {
                    version: update.version.clone(),
                },
                E::SignedVersionMismatch { signed, announced } => {
                    UpdateError::NotTheSignedVersion { announced, signed }
                }
                other => reached_error(other, host(&update.download_url)),
            }
        })?;
    let verified = VerifiedUpdate {
        version: update.version.clone(),
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        cannot_install: cannot_install(),
    };
    tracing::info!(version = %verified.version, sha256 = %verified.sha256, "the update's signature is good");
    *app.state::<Updates>()
        .verified
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some((update.version, bytes));
    Ok(verified)
}

/// Installs the verified update (its signature is checked again) and restarts Flightdeck.
pub fn install(app: &AppHandle, version: &str) -> Result<(), UpdateError> {
    let update = offered(app, version)?;
    if let Some(why) = cannot_install() {
        return Err(UpdateError::CannotInstall {
            version: update.version,
            why,
        });
    }
    let updates = app.state::<Updates>();
    let verified = updates.verified.lock().unwrap_or_else(|e| e.into_inner());
    let Some((_, bytes)) = verified.as_ref().filter(|(v, _)| v == version) else {
        return Err(UpdateError::NothingWaiting);
    };
    update.install(bytes).map_err(|e| UpdateError::Install {
        version: update.version.clone(),
        detail: install_failure(&e),
    })?;
    tracing::info!(from = %update.current_version, to = %update.version, "update installed; restarting");
    app.restart()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_server_not_the_address() {
        let signed = Url::parse(
            "https://releases.s3.af-south-1.amazonaws.com/flightdeck/latest.json?X-Amz-Signature=0ff1ce",
        )
        .unwrap();
        assert_eq!(host(&signed), "releases.s3.af-south-1.amazonaws.com");
        let local = Url::parse("http://127.0.0.1:8123/latest.json").unwrap();
        assert_eq!(host(&local), "127.0.0.1:8123");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_admin_tool_counts_only_as_an_executable_file_on_the_path() {
        use std::os::unix::fs::PermissionsExt;
        let (empty, bin) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = |dirs: &[&std::path::Path]| std::env::join_paths(dirs).unwrap();
        let sudo = bin.path().join("sudo");
        std::fs::write(&sudo, "#!/bin/sh\n").unwrap();
        assert!(
            !has_admin_tool(&path(&[empty.path(), bin.path()])),
            "not executable"
        );
        std::fs::set_permissions(&sudo, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(has_admin_tool(&path(&[empty.path(), bin.path()])));
        assert!(!has_admin_tool(&path(&[empty.path()])));
        std::fs::remove_file(&sudo).unwrap();
        std::fs::create_dir(bin.path().join("pkexec")).unwrap();
        assert!(
            !has_admin_tool(&path(&[bin.path()])),
            "a directory is no program"
        );
    }

    #[test]
    fn an_update_error_crosses_with_its_own_code() {
        let e = Error::from(UpdateError::BadSignature {
            version: "0.2.0".into(),
            detail: "the signature verification failed".into(),
        });
        let api = flightdeck_core::ApiError::from(e);
        assert_eq!(api.code, "update_bad_signature");
        assert!(api.message.contains("0.2.0 was refused"), "{}", api.message);
    }
}
