use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use flightdeck_model::{ConnectionCheck, CredentialSource, Environment};
use flightdeck_vault::Vault;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::{sdk_config, OPERATION_TIMEOUT};
use crate::CloudError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub region: String,
}

/// Calls STS GetCallerIdentity with the environment's credentials and compares the account
/// reached with the one expected. A mismatch is in the result, not an error: the caller records
/// it, and mutating actions are refused while it stands.
pub async fn check_connection(
    env: &Environment,
    vault: &Vault,
    checked_at: String,
) -> Result<ConnectionCheck, CloudError> {
    let config = sdk_config(env, vault).await?;
    let sts = aws_sdk_sts::Client::new(&config);
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| classify(env, "sts:GetCallerIdentity", e))?;
    let account = out.account().unwrap_or_default().to_string();
    let mismatch = match &env.account_id {
        Some(expected) if expected != &account => Some(format!(
            "this {} reaches {account}, the environment expects {expected}",
            match env.credentials {
                CredentialSource::Profile { .. } => "profile",
                CredentialSource::StaticKeys { .. } => "access key",
            }
        )),
        _ => None,
    };
    Ok(ConnectionCheck {
        account,
        arn: out.arn().unwrap_or_default().to_string(),
        region: env.region.clone(),
        checked_at,
        mismatch,
    })
}

fn endpoint(env: &Environment) -> String {
    env.endpoint_url
        .clone()
        .unwrap_or_else(|| format!("AWS STS in {}", env.region))
}

/// Turns an SDK failure into the thing to fix.
pub(crate) fn classify<E>(env: &Environment, call: &'static str, err: SdkError<E>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    let lowered = detail.to_lowercase();
    if let CredentialSource::Profile { profile } = &env.credentials {
        if lowered.contains("sso") && (lowered.contains("expired") || lowered.contains("token")) {
            return CloudError::SsoExpired {
                profile: profile.clone(),
            };
        }
    }
    match &err {
        SdkError::TimeoutError(_) => CloudError::Timeout {
            endpoint: endpoint(env),
            seconds: OPERATION_TIMEOUT.as_secs(),
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => CloudError::Timeout {
            endpoint: endpoint(env),
            seconds: OPERATION_TIMEOUT.as_secs(),
        },
        SdkError::DispatchFailure(d) if d.is_io() => CloudError::Unreachable {
            endpoint: endpoint(env),
            detail: "connection failed".into(),
        },
        SdkError::ServiceError(s) => match s.err().code() {
            Some(
                code @ ("InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "UnrecognizedClientException"
                | "AccessDenied"
                | "ExpiredToken"),
            ) => CloudError::BadCredentials {
                env: env.name.clone(),
                code: code.to_string(),
            },
            Some(_) => CloudError::Aws { call, detail },
            None => CloudError::Aws {
                call,
                detail: format!(
                    "{} answered HTTP {} with no AWS error: a failure on its side; try again",
                    endpoint(env),
                    s.raw().status().as_u16()
                ),
            },
        },
        _ if lowered.contains("credential") => CloudError::NoCredentials {
            env: env.name.clone(),
            detail,
        },
        _ if lowered.contains("dns") || lowered.contains("connect") => CloudError::Unreachable {
            endpoint: endpoint(env),
            detail,
        },
        _ => CloudError::Aws { call, detail },
    }
}
