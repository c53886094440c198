use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ModelError;

/// How an environment gets AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CredentialSource {
    /// A profile from `~/.aws/config` (SSO profiles included).
    Profile { profile: String },
    /// An access key pair kept in the OS keyring under `secret`.
    StaticKeys { secret: String },
}

/// What a mutating action on this environment asks before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GuardLevel {
    /// A plain confirmation.
    Confirm,
    /// Typing the environment's name (PROD).
    TypeName,
}

impl GuardLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardLevel::Confirm => "confirm",
            GuardLevel::TypeName => "type_name",
        }
    }
}

/// The last connection test: which account the credentials really reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionCheck {
    pub account: String,
    pub arn: String,
    pub region: String,
    pub checked_at: String,
    /// Set when the account differs from the one the environment expects.
    pub mismatch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Environment {
    pub name: String,
    pub colour: String,
    /// The AWS account this environment must reach.
    pub account_id: Option<String>,
    pub region: String,
    pub dr_region: Option<String>,
    pub credentials: CredentialSource,
    /// One endpoint for every AWS client (a local emulator).
    pub endpoint_url: Option<String>,
    pub guard: GuardLevel,
    pub last_check: Option<ConnectionCheck>,
}

impl Environment {
    /// Whether the endpoint is on this machine: a local emulator, never a real account.
    pub fn is_local(&self) -> bool {
        let Some(url) = self.endpoint_url.as_deref() else {
            return false;
        };
        let authority = url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host),
        };
        host == "localhost" || host == "::1" || host.starts_with("127.")
    }

    /// Checks the fields a person typed; the message names the field and the expected shape.
    pub fn validate(&self) -> Result<(), ModelError> {
        static NAME: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$").unwrap());
        static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{12}$").unwrap());
        static REGION: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$").unwrap());
        static COLOUR: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^#[0-9a-fA-F]{6}$").unwrap());
        let bad =
            |field: &str, why: &str| Err(ModelError::InvalidEnvironment(format!("{field}: {why}")));
        if !NAME.is_match(&self.name) {
            return bad(
                "name",
                "1 to 32 letters, digits, '-' or '_', starting with a letter (e.g. PROD)",
            );
        }
        if !COLOUR.is_match(&self.colour) {
            return bad("colour", "a hex colour such as #c62f2f");
        }
        if let Some(account) = &self.account_id {
            if !ACCOUNT.is_match(account) {
                return bad("account", "an AWS account id is 12 digits");
            }
        }
        if !REGION.is_match(&self.region) {
            return bad("region", "an AWS region such as af-south-1");
        }
        if let Some(dr) = &self.dr_region {
            if !REGION.is_match(dr) {
                return bad("DR region", "an AWS region such as eu-west-1");
            }
        }
        if let Some(url) = &self.endpoint_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return bad(
                    "endpoint URL",
                    "an http:// or https:// URL, e.g. http://127.0.0.1:5000",
                );
            }
        }
        match &self.credentials {
            CredentialSource::Profile { profile } if profile.trim().is_empty() => {
                bad("profile", "name an AWS profile")
            }
            CredentialSource::StaticKeys { secret } if secret.trim().is_empty() => {
                bad("keys", "name the keyring entry")
            }
            _ => Ok(()),
        }
    }
}
