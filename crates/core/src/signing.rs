//! Each person's Ed25519 signing key: created on first use, kept in the OS keyring, with the
//! public key registered in the store so anyone can verify later. Every change is signed with
//! its author's key; a change made before anyone said who they are is signed with this
//! desktop's own key, kept the same way.

use flightdeck_model::{verify_bytes, Actor, Author, SigningKey};
use flightdeck_store::{Signed, Store};
use flightdeck_vault::{ExposeSecret, SecretString, Vault, VaultError};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Flightdeck};

fn key_name(signer: &str) -> String {
    format!("signing-key/{signer}")
}

/// The key kept under `name` in the keyring, or a new one kept there when `create` allows.
/// `None` when there is none and none may be made.
fn keyring_key(vault: &Vault, name: &str, create: bool) -> Result<Option<SigningKey>, Error> {
    match vault.get(name) {
        Ok(hex_key) => {
            let bytes: [u8; 32] = hex::decode(hex_key.expose_secret())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::MissingKey(name.to_string()))?;
            Ok(Some(SigningKey::from_bytes(&bytes)))
        }
        Err(VaultError::Missing(_)) if create => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            vault.put(name, &SecretString::from(hex::encode(bytes)))?;
            Ok(Some(SigningKey::from_bytes(&bytes)))
        }
        Err(VaultError::Missing(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The signer's key from the keyring; created and registered on first use. A signer whose
/// public key is registered but whose private key is not in this keyring is refused: that is
/// someone else's name, or a lost key.
fn signing_key(store: &mut Store, vault: &Vault, actor: &Actor) -> Result<SigningKey, Error> {
    let registered = store.signer_key(&actor.name)?;
    let key = keyring_key(vault, &key_name(&actor.name), registered.is_none())?
        .ok_or_else(|| Error::MissingKey(actor.name.clone()))?;
    let public = hex::encode(key.verifying_key().to_bytes());
    match registered {
        Some(known) if known != public => Err(Error::MissingKey(actor.name.clone())),
        Some(_) => Ok(key),
        None => {
            store.register_signer(&Author::new(Some(actor.clone()), key.clone()))?;
            Ok(key)
        }
    }
}

impl Flightdeck {
    /// `actor` as the author of a change: their signing key, read from the keyring for each
    /// change (so a key removed from it signs nothing more), created and registered on first
    /// use.
    pub(crate) fn author(&self, store: &mut Store, actor: &Actor) -> Result<Author, Error> {
        let key = signing_key(store, self.vault(), actor)?;
        Ok(Author::new(Some(actor.clone()), key))
    }

    /// The author of a change made by `actor`, or by this desktop itself when nobody has said
    /// who they are yet.
    pub(crate) fn author_of(
        &self,
        store: &mut Store,
        actor: Option<&Actor>,
    ) -> Result<Author, Error> {
        match actor {
            Some(actor) => self.author(store, actor),
            None => {
                let name = format!("desktop-key/{}", store.desktop());
                let key = keyring_key(self.vault(), &name, true)?
                    .ok_or_else(|| Error::MissingKey(name.clone()))?;
                Ok(Author::new(None, key))
            }
        }
    }
}

/// SHA-256 of a canonical JSON value, hex.
pub fn digest(value: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

pub fn sign(author: &Author, actor: &Actor, digest: String, at: String) -> Signed {
    Signed {
        signer: actor.name.clone(),
        role: actor.role.as_str().to_string(),
        at,
        signature: author.sign_bytes(digest.as_bytes()),
        public_key: author.public_key(),
        digest,
    }
}

/// Whether `signed` is a valid signature of its digest by `public_key` (hex).
pub fn verify(signed: &Signed, public_key: &str) -> bool {
    verify_bytes(public_key, signed.digest.as_bytes(), &signed.signature).is_ok()
}
