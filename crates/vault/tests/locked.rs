//! A locked keyring gives a clear error at once, without hanging on an unlock prompt. Runs in
//! a private D-Bus session with its own keyring, so locking it disturbs no other test.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use flightdeck_vault::{SecretString, Vault, VaultError};

const CHILD_ENV: &str = "FLIGHTDECK_LOCKED_CHILD";

#[test]
#[ignore = "helper process for a_locked_keyring_is_a_clear_error"]
fn locked_child() {
    let Some(marker) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let vault = Vault::for_service("dev.flightdeck.test");
    vault
        .put("locked-test", &SecretString::from("value".to_string()))
        .unwrap();
    let locked = Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.secrets",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .unwrap();
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    let started = Instant::now();
    let err = vault.get("locked-test").unwrap_err();
    assert!(matches!(err, VaultError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("unlock your keyring"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    std::fs::write(marker, "locked keyring refused with a clear error").unwrap();
}

#[test]
fn a_locked_keyring_is_a_clear_error() {
    let marker = tempfile::NamedTempFile::new().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/with-keyring.sh");
    let out = Command::new("dbus-run-session")
        .arg("--")
        .arg("bash")
        .arg(script)
        .arg(std::env::current_exe().unwrap())
        .args(["locked_child", "--exact", "--ignored", "--test-threads=1"])
        .env(CHILD_ENV, marker.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the locked-keyring check failed in its private session:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict = std::fs::read_to_string(marker.path()).unwrap();
    assert_eq!(
        verdict, "locked keyring refused with a clear error",
        "the check did not run"
    );
}
