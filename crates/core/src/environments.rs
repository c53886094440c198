//! Environments: where Flightdeck reaches AWS, with credentials kept in the OS keyring.

use flightdeck_cloud::{check_connection, key_pair_json};
use flightdeck_store::{
    Actor, Author, ConnectionCheck, CredentialSource, Environment, GuardLevel, Store,
};
use flightdeck_vault::{ExposeSecret, SecretString, Vault};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Flightdeck};

/// An environment as a person enters it; static keys travel here once, into the keyring.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct EnvironmentInput {
    pub name: String,
    pub colour: Option<String>,
    pub account_id: Option<String>,
    pub region: String,
    pub dr_region: Option<String>,
    pub endpoint_url: Option<String>,
    pub guard: Option<GuardLevel>,
    pub profile: Option<String>,
    pub access_key_id: Option<String>,
    #[ts(type = "string | null")]
    pub secret_access_key: Option<SecretString>,
}

/// An environment as the UI shows it: with whether it is a local emulator.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentView {
    #[serde(flatten)]
    pub environment: Environment,
    /// A local emulator, never a real account: labelled as such everywhere.
    pub local: bool,
}

impl From<Environment> for EnvironmentView {
    fn from(environment: Environment) -> EnvironmentView {
        EnvironmentView {
            local: environment.is_local(),
            environment,
        }
    }
}

/// The keyring entry holding an environment's access key pair.
pub fn keys_secret_name(env: &str) -> String {
    format!("env/{env}/aws-keys")
}

fn default_colour(name: &str) -> &'static str {
    match name.to_uppercase().as_str() {
        n if n.contains("PROD") => "#c62f2f",
        n if n.contains("DR") => "#8e44ad",
        n if n.contains("SIT") || n.contains("UAT") => "#d68910",
        n if n.contains("DEMO") => "#1f8a70",
        _ => "#1f5fd1",
    }
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Flightdeck {
    /// Validates and saves an environment; static keys go to the keyring, SQLite keeps their
    /// name. Saving an existing environment without credentials keeps the ones it has.
    /// Environments are this desktop's configuration, so anyone may set them up, even before
    /// saying who they are; the event names the person when there is one.
    pub fn save_environment(
        &self,
        actor: Option<&Actor>,
        input: EnvironmentInput,
    ) -> Result<Environment, Error> {
        let mut store = self.write()?;
        let author = self.author_of(&mut store, actor)?;
        save(&mut store, self.vault(), &author, input)
    }

    /// Proves which account the environment reaches (STS GetCallerIdentity) and records what
    /// it reached; the store is free during the call.
    pub async fn test_environment(
        &self,
        actor: Option<&Actor>,
        name: &str,
    ) -> Result<(ConnectionCheck, Environment), Error> {
        let env = self.read()?.environment(name)?;
        let check = check_connection(&env, self.vault(), crate::now()).await?;
        let mut store = self.write()?;
        let author = self.author_of(&mut store, actor)?;
        store.record_check(&author, &env.name, &check)?;
        Ok((check, store.environment(&env.name)?))
    }

    /// Removes the environment and the keys it kept in the keyring.
    pub fn remove_environment(
        &self,
        actor: Option<&Actor>,
        name: &str,
    ) -> Result<Environment, Error> {
        let env = {
            let mut store = self.write()?;
            let author = self.author_of(&mut store, actor)?;
            store.remove_environment(&author, name)?
        };
        if let CredentialSource::StaticKeys { secret } = &env.credentials {
            self.vault().remove(secret)?;
        }
        Ok(env)
    }
}

pub(crate) fn save(
    store: &mut Store,
    vault: &Vault,
    author: &Author,
    input: EnvironmentInput,
) -> Result<Environment, Error> {
    let name = input.name.trim().to_string();
    let (credentials, keys) = match (
        blank_to_none(input.profile),
        blank_to_none(input.access_key_id),
        input.secret_access_key,
    ) {
        (Some(profile), None, None) => (CredentialSource::Profile { profile }, None),
        (None, Some(key_id), Some(secret)) => {
            let secret = secret.expose_secret().trim();
            if secret.is_empty() {
                return Err(Error::Invalid("the secret access key is empty".into()));
            }
            let pair = SecretString::from(key_pair_json(&key_id, secret));
            (
                CredentialSource::StaticKeys {
                    secret: keys_secret_name(&name),
                },
                Some(pair),
            )
        }
        (None, None, None) => {
            match store.environment(&name) {
                Ok(existing) => (existing.credentials, None),
                Err(_) => return Err(Error::Invalid(
                    "choose a credential source: an AWS profile, or an access key id and secret"
                        .into(),
                )),
            }
        }
        _ => {
            return Err(Error::Invalid(
                "give either an AWS profile or an access key id with its secret, not both".into(),
            ))
        }
    };
    let guard = input
        .guard
        .unwrap_or(if name.to_uppercase().contains("PROD") {
            GuardLevel::TypeName
        } else {
            GuardLevel::Confirm
        });
    let env = Environment {
        colour: blank_to_none(input.colour).unwrap_or_else(|| default_colour(&name).to_string()),
        account_id: blank_to_none(input.account_id),
        region: input.region.trim().to_string(),
        dr_region: blank_to_none(input.dr_region),
        endpoint_url: blank_to_none(input.endpoint_url),
        name,
        credentials,
        guard,
        last_check: None,
    };
    env.validate()?;
    if let (Some(pair), CredentialSource::StaticKeys { secret }) = (keys, &env.credentials) {
        vault.put(secret, &pair)?;
    }
    store.save_environment(author, &env)?;
    Ok(env)
}

/// Mutating actions need an environment whose last connection test reached the expected
/// account. Called before any action changes AWS.
pub fn require_verified(env: &Environment) -> Result<&ConnectionCheck, Error> {
    match &env.last_check {
        None => Err(Error::Unverified(env.name.clone())),
        Some(check) => match &check.mismatch {
            Some(mismatch) => Err(Error::AccountMismatch {
                env: env.name.clone(),
                detail: mismatch.clone(),
            }),
            None => Ok(check),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desktop() -> Author {
        Author::new(None, flightdeck_model::SigningKey::from_bytes(&[9; 32]))
    }

    fn input(name: &str) -> EnvironmentInput {
        EnvironmentInput {
            name: name.into(),
            colour: None,
            account_id: Some("093646564004".into()),
            region: "af-south-1".into(),
            dr_region: Some(" ".into()),
            endpoint_url: None,
            guard: None,
            profile: Some("prod-sso".into()),
            access_key_id: None,
            secret_access_key: None,
        }
    }

    fn check(mismatch: Option<&str>) -> ConnectionCheck {
        ConnectionCheck {
            account: "093646564004".into(),
            arn: "arn:aws:sts::093646564004:assumed-role/Deployer/x".into(),
            region: "af-south-1".into(),
            checked_at: "2026-11-23T00:00:00Z".into(),
            mismatch: mismatch.map(str::to_string),
        }
    }

    #[test]
    fn prod_defaults_to_typed_confirmation_and_blanks_become_none() {
        let mut store = Store::open_in_memory().unwrap();
        let env = save(&mut store, &Vault::new(), &desktop(), input("PROD")).unwrap();
        assert_eq!(env.guard, GuardLevel::TypeName);
        assert_eq!(env.colour, "#c62f2f");
        assert_eq!(env.dr_region, None);
        let sit = save(&mut store, &Vault::new(), &desktop(), input("SIT")).unwrap();
        assert_eq!(sit.guard, GuardLevel::Confirm);
    }

    #[test]
    fn bad_input_names_the_field_and_saves_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let mut bad = input("PROD");
        bad.region = "Cape Town".into();
        let err = save(&mut store, &Vault::new(), &desktop(), bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("region: an AWS region such as af-south-1"),
            "{err}"
        );
        let mut both = input("PROD");
        both.access_key_id = Some("AKIA".into());
        both.secret_access_key = Some(SecretString::from("x".to_string()));
        assert_eq!(
            save(&mut store, &Vault::new(), &desktop(), both)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        assert!(store.environments().unwrap().is_empty());
    }

    #[test]
    fn mutations_need_a_test_that_reached_the_expected_account() {
        let mut store = Store::open_in_memory().unwrap();
        let env = save(&mut store, &Vault::new(), &desktop(), input("PROD")).unwrap();
        assert_eq!(
            require_verified(&env).unwrap_err().code(),
            "environment_unverified"
        );
        store
            .record_check(
                &desktop(),
                "PROD",
                &check(Some(
                    "this profile reaches 815856636111, the environment expects 093646564004",
                )),
            )
            .unwrap();
        let err = require_verified(&store.environment("PROD").unwrap()).unwrap_err();
        assert_eq!(err.code(), "account_mismatch");
        assert!(err.to_string().contains("reaches 815856636111"), "{err}");
        store
            .record_check(&desktop(), "PROD", &check(None))
            .unwrap();
        assert!(require_verified(&store.environment("PROD").unwrap()).is_ok());
        let resaved = save(&mut store, &Vault::new(), &desktop(), input("PROD")).unwrap();
        assert!(
            require_verified(&resaved).is_err(),
            "changing an environment clears its check"
        );
    }
}
