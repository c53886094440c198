use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use flightdeck_model::{CredentialSource, Environment};
use flightdeck_vault::{ExposeSecret, Vault};

use crate::profiles::list_profiles;
use crate::CloudError;

/// Every AWS call gives up after this long, so nothing hangs on an unreachable endpoint.
pub(crate) const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The shape of the keyring entry for static keys: one JSON value, so the pair stays together.
#[derive(serde::Deserialize)]
struct KeyPair {
    access_key_id: String,
    secret_access_key: String,
}

/// The SDK configuration for an environment: its region, credentials (profile, or keys read
/// from the keyring into this process only), optional endpoint, timeouts and retries.
pub async fn sdk_config(env: &Environment, vault: &Vault) -> Result<SdkConfig, CloudError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(env.region.clone()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2));
    match &env.credentials {
        CredentialSource::Profile { profile } => {
            let known = list_profiles().await;
            if !known.iter().any(|p| &p.name == profile) {
                let names: Vec<_> = known.iter().map(|p| p.name.as_str()).collect();
                return Err(CloudError::UnknownProfile {
                    profile: profile.clone(),
                    known: if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    },
                });
            }
            loader = loader.profile_name(profile);
        }
        CredentialSource::StaticKeys { secret } => {
            let stored = vault.get(secret)?;
            let keys: KeyPair = serde_json::from_str(stored.expose_secret()).map_err(|_| {
                CloudError::MalformedKeys {
                    env: env.name.clone(),
                }
            })?;
            loader = loader.credentials_provider(Credentials::new(
                keys.access_key_id,
                keys.secret_access_key,
                None,
                None,
                "flightdeck-keyring",
            ));
        }
    }
    if let Some(url) = &env.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    Ok(loader.load().await)
}

/// The keyring value for a static key pair.
pub fn key_pair_json(access_key_id: &str, secret_access_key: &str) -> String {
    serde_json::json!({ "access_key_id": access_key_id, "secret_access_key": secret_access_key })
        .to_string()
}
