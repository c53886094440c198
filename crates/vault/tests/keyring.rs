//! The real OS keyring (Secret Service under `dbus-run-session` on Linux): a value written by
//! one process is read by another, and errors say what to do.

use std::process::Command;

use flightdeck_vault::{ExposeSecret, SecretString, Vault, VaultError};

const CHILD_ENV: &str = "FLIGHTDECK_VAULT_CHILD";
const SERVICE: &str = "dev.flightdeck.test";

fn unique(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{label}-{}-{nanos}", std::process::id())
}

/// Run as a child by the test below: reads the name given, checks the value, writes a reply.
#[test]
#[ignore = "helper process for a_value_crosses_processes"]
fn vault_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (name, expected, reply_name, reply) = {
        let parts: Vec<&str> = spec.split('|').collect();
        (
            parts[0].to_string(),
            parts[1].to_string(),
            parts[2].to_string(),
            parts[3].to_string(),
        )
    };
    let vault = Vault::for_service(SERVICE);
    assert_eq!(vault.get(&name).unwrap().expose_secret(), expected);
    vault.put(&reply_name, &SecretString::from(reply)).unwrap();
}

#[test]
fn a_value_crosses_processes() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through scripts/test.sh, which starts one with gnome-keyring"
    );
    let vault = Vault::for_service(SERVICE);
    let (name, reply_name) = (unique("parent"), unique("child"));
    let (value, reply) = (unique("s3cr3t"), unique("r3ply"));
    vault
        .put(&name, &SecretString::from(value.clone()))
        .unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["vault_child", "--exact", "--ignored", "--test-threads=1"])
        .env(CHILD_ENV, format!("{name}|{value}|{reply_name}|{reply}"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "the child process could not read the parent's secret"
    );
    assert_eq!(vault.get(&reply_name).unwrap().expose_secret(), reply);
    vault.remove(&name).unwrap();
    vault.remove(&reply_name).unwrap();
    assert!(!vault.contains(&name).unwrap());
}

#[test]
fn missing_and_invalid_names_are_clear() {
    let vault = Vault::for_service(SERVICE);
    let err = vault.get(&unique("absent")).unwrap_err();
    assert!(matches!(err, VaultError::Missing(_)), "{err}");
    assert!(err.to_string().contains("flightdeck secret set"));
    assert!(matches!(vault.get(" "), Err(VaultError::BadName(_))));
    assert!(matches!(
        vault.put("x", &SecretString::from(String::new())),
        Err(VaultError::EmptySecret(_))
    ));
}

#[test]
fn debug_output_never_shows_a_value() {
    let secret = SecretString::from("do-not-print-me".to_string());
    assert!(!format!("{secret:?}").contains("do-not-print-me"));
}
