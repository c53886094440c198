//! Sharing a runbook with a team, joining one, and adding its members.

use std::path::PathBuf;

use base64::Engine;
use flightdeck_cloud::{TeamLog, DEFAULT_TABLE};
use flightdeck_model::{Actor, Role};
use flightdeck_store::Member;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{team_view, ReleaseUri, TeamView};
use crate::permissions::Change;
use crate::{require_verified, Error, Flightdeck};

/// What a person sends the owner of a release so that they can be added: their name, role and
/// public key, as one line to paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Invite {
    pub name: String,
    pub role: Role,
    pub public_key: String,
    /// All of it as one code: `fdinvite:` and base64url JSON.
    pub code: String,
}

const INVITE_PREFIX: &str = "fdinvite:";

impl Invite {
    fn new(name: &str, role: Role, public_key: &str) -> Invite {
        let json = serde_json::json!({ "name": name, "role": role, "public_key": public_key });
        let code = format!(
            "{INVITE_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
        );
        Invite {
            name: name.to_string(),
            role,
            public_key: public_key.to_string(),
            code,
        }
    }

    /// Reads an invite code.
    pub fn parse(code: &str) -> Result<Invite, Error> {
        let bad = || {
            Error::Invalid(
                "that is not an invite code: ask the person for the code `flightdeck team invite` (or Team → Invite) shows them".into(),
            )
        };
        let data = code.trim().strip_prefix(INVITE_PREFIX).ok_or_else(bad)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| bad())?;
        #[derive(Deserialize)]
        struct Fields {
            name: String,
            role: Role,
            public_key: String,
        }
        let f: Fields = serde_json::from_slice(&json).map_err(|_| bad())?;
        Ok(Invite::new(&f.name, f.role, &f.public_key))
    }
}

fn is_public_key(key: &str) -> bool {
    key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit())
}

impl Flightdeck {
    /// Shares runbook `key` with a team through a DynamoDB table in environment `env`'s
    /// account: creates the table if needed, publishes the runbook's markdown and its signed
    /// events (the sharing first, then the state it already has), and returns the release,
    /// whose URI the members join with.
    pub async fn share(
        &self,
        actor: &Actor,
        key: &str,
        env: &str,
        table: Option<&str>,
    ) -> Result<TeamView, Error> {
        let (env, source, sha256, owner) = {
            let mut store = self.write()?;
            self.permit(&mut store, actor, Change::Share, Some(key), key)?;
            if let Some(release) = store.release(key)? {
                return Err(Error::Invalid(format!(
                    "{key} is shared already, as {}",
                    release.uri
                )));
            }
            if !store.replayable(key)? {
                return Err(Error::Invalid(format!(
                    "{key} holds changes recorded before Flightdeck signed every change; they cannot be shared. Import the runbook under a new title to share it"
                )));
            }
            let env = store.environment(env)?;
            require_verified(&env)?;
            let (source, sha256) = store.source(key)?;
            let owner = self.author(&mut store, actor)?;
            (env, source, sha256, owner)
        };
        let markdown = std::fs::read(&source).map_err(|e| Error::Io {
            path: source.clone(),
            source: e,
        })?;
        if hex::encode(Sha256::digest(&markdown)) != sha256 {
            return Err(Error::Invalid(format!(
                "{source} changed since it was imported; import it again, then share it"
            )));
        }
        let account = env
            .account_id
            .clone()
            .or_else(|| env.last_check.as_ref().map(|c| c.account.clone()))
            .unwrap_or_default();
        let mut suffix = [0u8; 3];
        rand::rng().fill_bytes(&mut suffix);
        let release = format!("{key}-{}", hex::encode(suffix));
        let table = table.unwrap_or(DEFAULT_TABLE);
        let log = TeamLog::connect(&env, self.vault(), table, &release).await?;
        log.ensure_table().await?;
        log.put_document(&markdown).await?;
        let uri = ReleaseUri::new(&account, &env.region, table, &release, &owner.public_key());
        self.write()?
            .share(key, &uri.to_string(), &env.name, &owner, &sha256)?;
        self.sync(key).await?;
        team_view(&*self.read()?, key)?
            .ok_or_else(|| Error::Invalid(format!("{key} is not shared")))
    }

    /// Joins the release at `uri` from this desktop, reaching its table with environment
    /// `env`'s credentials: imports its runbook and reads its log.
    pub async fn join(&self, uri: &str, env: &str) -> Result<TeamView, Error> {
        let uri = ReleaseUri::parse(uri)?;
        let env = self.read()?.environment(env)?;
        let check = require_verified(&env)?;
        if !uri.account.is_empty() && check.account != uri.account {
            return Err(Error::Invalid(format!(
                "the release is in account {}, and environment {} reaches {}: join it with the environment of that account",
                uri.account, env.name, check.account
            )));
        }
        let log = TeamLog::connect(&env, self.vault(), &uri.table, &uri.release).await?;
        let document = log.document().await?;
        let dir = self.data_dir().join("releases");
        std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        let path: PathBuf = dir.join(format!("{}.md", uri.release));
        std::fs::write(&path, &document.markdown).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        let (runbook, sha256) = crate::read_runbook(&path)?;
        let key = runbook.key();
        {
            let mut store = self.write()?;
            if store.list()?.iter().any(|r| r.key == key) {
                return Err(Error::Invalid(format!(
                    "a runbook titled '{}' ({key}) is already here; join the release from a data directory without it",
                    runbook.title
                )));
            }
            store.import(&path.display().to_string(), &sha256, &runbook)?;
            store.join(&key, &uri.to_string(), &env.name, &uri.owner)?;
        }
        self.sync(&key).await?;
        team_view(&*self.read()?, &key)?
            .ok_or_else(|| Error::Invalid(format!("{key} is not shared")))
    }

    /// Adds `name` to the shared runbook `key` in `role`, with the public key their events
    /// will be signed with. Only the release's owner adds members.
    pub async fn add_member(
        &self,
        actor: &Actor,
        key: &str,
        name: &str,
        role: Role,
        public_key: &str,
    ) -> Result<Member, Error> {
        if !is_public_key(public_key) {
            return Err(Error::Invalid(format!(
                "'{public_key}' is not a public key: 64 hex digits, as the person's invite code or `flightdeck team invite` shows"
            )));
        }
        let member = {
            let mut store = self.write()?;
            let release = store
                .release(key)?
                .ok_or_else(|| Error::Invalid(format!("{key} is not shared with a team")))?;
            let uri = ReleaseUri::parse(&release.uri)?;
            let owner = self.author(&mut store, actor)?;
            if !uri.is_owner(&owner.public_key()) {
                return Err(Error::NotAllowed(format!(
                    "only the person who shared {key} adds its members; {} did not share it",
                    actor.name
                )));
            }
            store.add_member(key, &owner, name.trim(), role, public_key)?
        };
        self.sync(key).await?;
        Ok(member)
    }

    /// The invite code of `actor` on this desktop: their name, role and public key (the key is
    /// made in the keyring on first use).
    pub fn invite(&self, actor: &Actor) -> Result<Invite, Error> {
        let mut store = self.write()?;
        let author = self.author(&mut store, actor)?;
        Ok(Invite::new(&actor.name, actor.role, &author.public_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_code_round_trips_and_garbage_is_refused() {
        let invite = Invite::new("Dee Bee", Role::Dba, &"ab".repeat(32));
        assert!(invite.code.starts_with("fdinvite:"));
        assert_eq!(
            Invite::parse(&format!(" {}\n", invite.code)).unwrap(),
            invite
        );
        assert_eq!(
            Invite::parse("fdinvite:!!").unwrap_err().code(),
            "invalid_input"
        );
        assert!(!is_public_key("ab"));
        assert!(is_public_key(&"0f".repeat(32)));
    }
}
