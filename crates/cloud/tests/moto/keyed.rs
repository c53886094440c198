//! An environment on the emulator whose static keys are in the OS keyring, as a real
//! environment's are. The keyring entry is unique to each one and removed when it is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};

use flightdeck_cloud::{key_pair_json, MotoServer};
use flightdeck_model::{CredentialSource, Environment};
use flightdeck_vault::{SecretString, Vault};

use crate::common;

pub struct Keyed {
    pub env: Environment,
    pub vault: Vault,
    entry: String,
}

impl Keyed {
    pub fn new(name: &str, key_id: &str, secret_key: &str, moto: &MotoServer) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let entry = format!(
            "env/{name}-{}-{}/aws-keys",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let vault = Vault::for_service("dev.flightdeck.test");
        vault
            .put(
                &entry,
                &SecretString::from(key_pair_json(key_id, secret_key)),
            )
            .unwrap();
        let env = common::environment(
            name,
            CredentialSource::StaticKeys {
                secret: entry.clone(),
            },
            Some(moto.url()),
            None,
        );
        Self { env, vault, entry }
    }
}

impl Drop for Keyed {
    fn drop(&mut self) {
        let _ = self.vault.remove(&self.entry);
    }
}
