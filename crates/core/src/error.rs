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
    #[error("who is acting? say who you are and in which role before changing anything")]
    NoIdentity,
    #[error("{0} has the Client Stakeholder role, which has a read-only view of runbooks")]
    ReadOnly(String),
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{0}")]
    Invalid(String),
    #[error("environment '{0}' has not passed a connection test; test it before changing anything in it")]
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
    #[error("the state of '{runbook}' is not what its events say: {problem}")]
    StateTampered { runbook: String, problem: String },
    #[error("{count} event(s) of the shared log of '{runbook}' were refused; the first, #{seq} ({claims}): {reason}")]
    Rejected {
        runbook: String,
        count: usize,
        seq: i64,
        claims: String,
        reason: String,
    },
    #[error("not confirmed: {message}")]
    NotConfirmed {
        message: String,
        /// The names to type, where the confirmation is typing one.
        needs: Vec<Typed>,
    },
    #[error("a note is limited to 10,000 characters")]
    InvalidNote,
    #[error("say where the database credentials are: a Secrets Manager secret or a keyring entry")]
    NoDbLogin,
    #[error("the store is unavailable after an earlier failure; restart Flightdeck")]
    Unavailable,
    #[error("action '{step}' failed (run {run}, recorded in the audit trail): {message}")]
    ActionFailed {
        step: String,
        run: i64,
        message: String,
    },
    #[error(transparent)]
    Database(#[from] flightdeck_dbdump::DumpError),
    #[error("'{title}' is held until {until} ({minutes} min from now); starting it early needs a reason, which is audited")]
    Held {
        held: String,
        title: String,
        until: String,
        minutes: i64,
        until_ms: i64,
    },
    #[error("run '{0}' has no planned start (T0); start a rehearsal or live run with one to see it in time")]
    NoT0(String),
    #[error(transparent)]
    Schedule(#[from] flightdeck_schedule::ScheduleError),
    /// An error of a face's own making (the app's updater), with the code it crosses with.
    #[error("{message}")]
    Face { code: &'static str, message: String },
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
            Error::Tampered { .. } | Error::StateTampered { .. } => "audit_tampered",
            Error::Rejected { .. } => "audit_rejected",
            Error::NotConfirmed { .. } => "not_confirmed",
            Error::InvalidNote => "invalid_note",
            Error::NoDbLogin => "invalid_input",
            Error::Unavailable => "internal",
            Error::ActionFailed { .. } => "action_failed",
            Error::Database(e) => e.code(),
            Error::Held { .. } => "held",
            Error::NoT0(_) => "no_t0",
            Error::Schedule(_) => "invalid_runbook",
            Error::Face { code, .. } => code,
        }
    }
}

/// A name a person must type to confirm a dangerous change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
#[ts(export)]
pub enum Typed {
    /// The database a restore replaces.
    DatabaseName(String),
    /// The environment a change is made in (PROD).
    EnvironmentName(String),
}

impl Typed {
    /// In words: "the database name shop".
    pub fn describe(&self) -> String {
        match self {
            Typed::DatabaseName(name) => format!("the database name {name}"),
            Typed::EnvironmentName(name) => format!("the environment name {name}"),
        }
    }
}

/// What a face must decide on, beyond the sentence: a reason to act on, not to parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Reason {
    /// The change waits for these names to be typed.
    NeedsTyped { names: Vec<Typed> },
    /// The item is held until its planned start; it may start early with a reason.
    Held {
        held: String,
        #[ts(type = "number")]
        until_ms: i64,
    },
}

/// How an error crosses a boundary (IPC, `--json` output): a stable code, a sentence for
/// people and, where a face must decide, a structured reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<Reason>,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
            reason: None,
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::from_ref(&e)
    }
}

impl ApiError {
    /// The error as it crosses a boundary.
    pub fn from_ref(e: &Error) -> ApiError {
        let reason = match e {
            Error::NotConfirmed { needs, .. } if !needs.is_empty() => Some(Reason::NeedsTyped {
                names: needs.clone(),
            }),
            Error::Held { held, until_ms, .. } => Some(Reason::Held {
                held: held.clone(),
                until_ms: *until_ms,
            }),
            _ => None,
        };
        ApiError {
            reason,
            ..ApiError::new(e.code(), e.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        Error::from(e).into()
    }
}

impl From<flightdeck_model::ModelError> for Error {
    fn from(e: flightdeck_model::ModelError) -> Error {
        Error::Store(e.into())
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
                "message": "no runbook named 'x'"
            })
        );
    }

    #[test]
    fn a_typed_confirmation_crosses_as_a_reason() {
        let e: ApiError = Error::NotConfirmed {
            message: "type PROD".into(),
            needs: vec![Typed::EnvironmentName("PROD".into())],
        }
        .into();
        assert_eq!(
            serde_json::to_value(&e).unwrap()["reason"],
            serde_json::json!({"kind": "needs_typed", "names": [{"kind": "environment_name", "name": "PROD"}]})
        );
    }
}
