//! An [`Event`] as it is kept and shared: who made it, on which desktop, when, under a globally
//! unique id, signed by its author's Ed25519 key. The signature covers the exact bytes of
//! [`SignedEvent::body`], so a replica verifies what it received, not a re-serialisation of it.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Actor, Event};

/// What an entry's signature covers: the event and who made it, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBody {
    /// 128 random bits, hex: the same event is the same id on every desktop and in the log.
    pub id: String,
    /// RFC 3339, UTC, as the author's desktop saw it.
    pub at: String,
    /// The person, or none for a desktop's own configuration made before anyone said who
    /// they are (signed with the desktop's key).
    pub author: Option<Actor>,
    /// The desktop it was made on: host name and a short random id.
    pub desktop: String,
    pub event: Event,
}

/// An event with its author's signature over the exact bytes of its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignedEvent {
    /// [`EventBody`] as JSON: the bytes the signature covers.
    pub body: String,
    /// The signer's Ed25519 public key, hex.
    pub public_key: String,
    /// Ed25519 signature of `body`, hex.
    pub signature: String,
}

/// Why a signed event cannot be trusted as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the public key is not an Ed25519 key")]
    BadKey,
    #[error("the signature does not match the event: it was altered after signing, or signed by another key")]
    Mismatch,
    #[error("the event cannot be read: {0}")]
    Unreadable(String),
}

/// Someone about to record a change: the person (or none, for the desktop itself) and the key
/// that signs it.
pub struct Author {
    actor: Option<Actor>,
    key: SigningKey,
}

impl Author {
    pub fn new(actor: Option<Actor>, key: SigningKey) -> Author {
        Author { actor, key }
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }

    /// The public key, hex.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// Signs arbitrary bytes (an audit head, say) with this author's key; hex.
    pub fn sign_bytes(&self, bytes: &[u8]) -> String {
        hex::encode(self.key.sign(bytes).to_bytes())
    }

    /// Signs `body` as this author.
    pub fn sign(&self, body: &EventBody) -> SignedEvent {
        let body = serde_json::to_string(body).expect("an event body serialises");
        SignedEvent {
            signature: self.sign_bytes(body.as_bytes()),
            public_key: self.public_key(),
            body,
        }
    }
}

impl std::fmt::Debug for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Author")
            .field("actor", &self.actor)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// Whether `signature` (hex) is `public_key`'s (hex) signature of `bytes`.
pub fn verify_bytes(public_key: &str, bytes: &[u8], signature: &str) -> Result<(), SignatureError> {
    let key = hex::decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or(SignatureError::BadKey)?;
    let signature = hex::decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(SignatureError::Mismatch)?;
    key.verify(bytes, &signature)
        .map_err(|_| SignatureError::Mismatch)
}

impl SignedEvent {
    /// The body, once its signature is checked against the key it names. Whether that key
    /// belongs to the author is the reader's question (the signers it knows, the release's
    /// members).
    pub fn verify(&self) -> Result<EventBody, SignatureError> {
        verify_bytes(&self.public_key, self.body.as_bytes(), &self.signature)?;
        self.body()
    }

    /// The body, unchecked: for showing what a rejected event claimed.
    pub fn body(&self) -> Result<EventBody, SignatureError> {
        serde_json::from_str(&self.body).map_err(|e| SignatureError::Unreadable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn body() -> EventBody {
        EventBody {
            id: "0123456789abcdef0123456789abcdef".into(),
            at: "2026-12-02T21:04:00Z".into(),
            author: Some(Actor::new("Naledi", Role::TechnicalLead).unwrap()),
            desktop: "lead-laptop/1a2b".into(),
            event: Event::CriterionConfirmed {
                runbook: "go-live".into(),
                criterion: "client-ok".into(),
                note: "ran clean".into(),
            },
        }
    }

    #[test]
    fn a_signed_event_verifies_and_any_change_is_caught() {
        let author = Author::new(body().author, SigningKey::from_bytes(&[7; 32]));
        let signed = author.sign(&body());
        assert_eq!(signed.verify().unwrap(), body());

        let mut edited = signed.clone();
        edited.body = edited.body.replace("ran clean", "ran dirty");
        assert_eq!(edited.verify().unwrap_err(), SignatureError::Mismatch);

        let other = Author::new(None, SigningKey::from_bytes(&[8; 32]));
        let mut rekeyed = signed.clone();
        rekeyed.public_key = other.public_key();
        assert_eq!(rekeyed.verify().unwrap_err(), SignatureError::Mismatch);

        let mut garbage = signed;
        garbage.public_key = "zz".into();
        assert_eq!(garbage.verify().unwrap_err(), SignatureError::BadKey);
    }
}
