//! Each person's Ed25519 signing key: created on first use, kept in the OS keyring, with the
//! public key registered in the store so anyone can verify later.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use flightdeck_store::{Actor, Signed, Store};
use flightdeck_vault::{ExposeSecret, SecretString, Vault, VaultError};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Error;

fn key_name(signer: &str) -> String {
    format!("signing-key/{signer}")
}

/// The signer's key from the keyring; created and registered on first use. A signer whose
/// public key is registered but whose private key is not in this keyring is refused: that is
/// someone else's name, or a lost key.
pub fn signing_key(store: &mut Store, vault: &Vault, actor: &Actor) -> Result<SigningKey, Error> {
    let registered = store.signer_key(&actor.name)?;
    let key = match vault.get(&key_name(&actor.name)) {
        Ok(hex_key) => {
            let bytes: [u8; 32] = hex::decode(hex_key.expose_secret())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::MissingKey(actor.name.clone()))?;
            SigningKey::from_bytes(&bytes)
        }
        Err(VaultError::Missing(_)) if registered.is_none() => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            let key = SigningKey::from_bytes(&bytes);
            vault.put(
                &key_name(&actor.name),
                &SecretString::from(hex::encode(bytes)),
            )?;
            key
        }
        Err(VaultError::Missing(_)) => return Err(Error::MissingKey(actor.name.clone())),
        Err(e) => return Err(e.into()),
    };
    let public = hex::encode(key.verifying_key().to_bytes());
    match registered {
        Some(known) if known != public => Err(Error::MissingKey(actor.name.clone())),
        Some(_) => Ok(key),
        None => {
            store.register_signer(actor, &public)?;
            Ok(key)
        }
    }
}

/// SHA-256 of a canonical JSON value, hex.
pub fn digest(value: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

pub fn sign(key: &SigningKey, actor: &Actor, digest: String, at: String) -> Signed {
    let signature = key.sign(digest.as_bytes());
    Signed {
        signer: actor.name.clone(),
        role: actor.role.as_str().to_string(),
        at,
        digest,
        signature: hex::encode(signature.to_bytes()),
        public_key: hex::encode(key.verifying_key().to_bytes()),
    }
}

/// Whether `signed` is a valid signature of its digest by `public_key` (hex).
pub fn verify(signed: &Signed, public_key: &str) -> bool {
    let Some(key) = hex::decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
    else {
        return false;
    };
    let Some(signature) = hex::decode(&signed.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
    else {
        return false;
    };
    key.verify(signed.digest.as_bytes(), &signature).is_ok()
}
