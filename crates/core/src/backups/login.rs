//! Where a database's credentials are: a Secrets Manager secret of the environment or an OS
//! keyring entry, each holding the RDS JSON. Never a file or an argument.

use flightdeck_cloud::BackupStore;
use flightdeck_dbdump::Credentials;
use flightdeck_store::Environment;
use flightdeck_vault::{ExposeSecret, Vault};
use serde::Deserialize;
use ts_rs::TS;

use crate::Error;

/// The names a person gave for the database credentials, as a face receives them.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct DbLogin {
    pub secret: Option<String>,
    pub keyring: Option<String>,
}

impl DbLogin {
    /// The source these names give, or the error that asks for one.
    pub fn source(&self) -> Result<DatabaseLogin, Error> {
        DatabaseLogin::named(self.secret.as_deref(), self.keyring.as_deref())
            .ok_or(Error::NoDbLogin)
    }
}

/// Where the database credentials are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLogin {
    /// A Secrets Manager secret of the environment, holding the RDS JSON.
    Secret(String),
    /// An entry of the OS keyring (`flightdeck secret set NAME`), holding the same JSON.
    Keyring(String),
}

impl DatabaseLogin {
    /// The source someone named: the secret when one is given, else the keyring entry; blank
    /// names count as not given. `None` when neither is.
    pub fn named(secret: Option<&str>, keyring: Option<&str>) -> Option<Self> {
        given(secret)
            .map(|s| Self::Secret(s.into()))
            .or_else(|| given(keyring).map(|k| Self::Keyring(k.into())))
    }
}

fn given(name: Option<&str>) -> Option<&str> {
    name.map(str::trim).filter(|n| !n.is_empty())
}

/// Reads the credentials from where `source` says.
pub async fn db_credentials(
    env: &Environment,
    vault: &Vault,
    source: &DatabaseLogin,
) -> Result<Credentials, Error> {
    Ok(match source {
        DatabaseLogin::Secret(name) => {
            let text = BackupStore::new(env, vault)
                .await?
                .secret_text(name)
                .await?;
            Credentials::from_json(&text, &format!("secret {name}"))?
        }
        DatabaseLogin::Keyring(name) => {
            let text = vault.get(name)?;
            Credentials::from_json(text.expose_secret(), &format!("keyring entry {name}"))?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::DatabaseLogin;

    #[test]
    fn a_named_secret_wins_and_blank_names_are_not_names() {
        assert_eq!(
            DatabaseLogin::named(Some(" db/sit "), Some("kr")),
            Some(DatabaseLogin::Secret("db/sit".into()))
        );
        assert_eq!(
            DatabaseLogin::named(Some("  "), Some("kr")),
            Some(DatabaseLogin::Keyring("kr".into()))
        );
        assert_eq!(DatabaseLogin::named(None, Some("")), None);
        assert_eq!(DatabaseLogin::named(None, None), None);
    }
}
