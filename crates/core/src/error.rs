use flightdeck_cloud::CloudError;
use flightdeck_runbook::ImportError;
use flightdeck_store::StoreError;
use flightdeck_vault::VaultError;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("who is acting? save your identity with `flightdeck identity set NAME ROLE`, or pass --as NAME --role ROLE")]
    NoIdentity,
    #[error("{0} has the Client Stakeholder role, which has a read-only view of runbooks")]
    ReadOnly(String),
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{0}")]
    Invalid(String),
    #[error("environment '{0}' has not passed a connection test; run `flightdeck env test {0}` before changing anything in it")]
    Unverified(String),
    #[error("refusing to change environment '{env}': {detail}. Fix its credentials or expected account and test it again")]
    AccountMismatch { env: String, detail: String },
    #[error("{0}")]
    NotAllowed(String),
    #[error("phase '{phase}' is closed: it waits for '{waiting_for}', which is {reason}")]
    GateClosed {
        phase: String,
        waiting_for: String,
        reason: String,
    },
    #[error("no signing key for '{0}' in this keyring, or it is not the key registered for that name; only the person who registered it can sign as them")]
    MissingKey(String),
    #[error("the audit trail is broken at entry {entry}: {reason}")]
    Tampered { entry: i64, reason: String },
    #[error("not confirmed: {0}")]
    NotConfirmed(String),
    #[error("action '{step}' failed (run {run}, recorded in the audit trail): {message}")]
    ActionFailed {
        step: String,
        run: i64,
        message: String,
    },
    #[error(transparent)]
    Database(#[from] flightdeck_dbdump::DumpError),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                "file_not_found"
            }
            Error::Io { .. } => "io",
            Error::Import(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::NoIdentity => "no_identity",
            Error::ReadOnly(_) => "read_only",
            Error::Cloud(e) => e.code(),
            Error::Vault(e) => e.code(),
            Error::Invalid(_) => "invalid_input",
            Error::Unverified(_) => "environment_unverified",
            Error::AccountMismatch { .. } => "account_mismatch",
            Error::NotAllowed(_) => "not_allowed",
            Error::GateClosed { .. } => "gate_closed",
            Error::MissingKey(_) => "missing_key",
            Error::Tampered { .. } => "audit_tampered",
            Error::NotConfirmed(_) => "not_confirmed",
            Error::ActionFailed { .. } => "action_failed",
            Error::Database(e) => e.code(),
        }
    }
}

/// How an error crosses a boundary (IPC, `--json` output): a stable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        Error::from(e).into()
    }
}

impl From<flightdeck_runbook::UnknownRole> for Error {
    fn from(e: flightdeck_runbook::UnknownRole) -> Error {
        Error::Store(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_json_shape_is_code_and_message() {
        let e: ApiError = Error::from(StoreError::UnknownRunbook("x".into())).into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "unknown_runbook",
                "message": "no runbook named 'x'; `flightdeck runbook list` shows the imported ones"
            })
        );
    }
}
