//! A release's address, to paste into chat:
//! `flightdeck://ACCOUNT/REGION/TABLE/RELEASE?owner=FINGERPRINT`. The fingerprint is the first
//! 32 hex digits of the owner's public key: whoever joins trusts the log's first event only if
//! it is signed with that key, so a table's writer cannot pass a release off as someone else's.

use std::fmt;

use crate::Error;

const SCHEME: &str = "flightdeck://";

/// How much of the owner's public key (hex) the URI carries: 128 bits.
pub const FINGERPRINT_HEX: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseUri {
    pub account: String,
    pub region: String,
    pub table: String,
    pub release: String,
    pub owner: String,
}

impl ReleaseUri {
    pub fn new(account: &str, region: &str, table: &str, release: &str, owner_key: &str) -> Self {
        ReleaseUri {
            account: account.to_string(),
            region: region.to_string(),
            table: table.to_string(),
            release: release.to_string(),
            owner: owner_key.chars().take(FINGERPRINT_HEX).collect(),
        }
    }

    pub fn parse(text: &str) -> Result<ReleaseUri, Error> {
        let bad = |why: &str| {
            Error::Invalid(format!(
                "'{}' is not a release URI ({why}); it looks like flightdeck://ACCOUNT/REGION/TABLE/RELEASE?owner=KEY",
                text.trim()
            ))
        };
        let rest = text
            .trim()
            .strip_prefix(SCHEME)
            .ok_or_else(|| bad("it does not start with flightdeck://"))?;
        let (path, query) = rest.split_once('?').ok_or_else(|| bad("no owner"))?;
        let owner = query
            .strip_prefix("owner=")
            .filter(|o| o.len() == FINGERPRINT_HEX && o.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| bad("the owner is not 32 hex digits"))?;
        let parts: Vec<&str> = path.split('/').collect();
        let [account, region, table, release] = parts.as_slice() else {
            return Err(bad("it needs account, region, table and release"));
        };
        if [account, region, table, release]
            .iter()
            .any(|p| p.is_empty())
        {
            return Err(bad("a part is empty"));
        }
        Ok(ReleaseUri::new(account, region, table, release, owner))
    }

    /// Whether `public_key` (hex) is the owner's.
    pub fn is_owner(&self, public_key: &str) -> bool {
        public_key.len() > FINGERPRINT_HEX && public_key.starts_with(&self.owner)
    }
}

impl fmt::Display for ReleaseUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}{}/{}/{}/{}?owner={}",
            self.account, self.region, self.table, self.release, self.owner
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_round_trips_and_bad_ones_say_why() {
        let key = "ab".repeat(32);
        let uri = ReleaseUri::new(
            "093646564004",
            "af-south-1",
            "releases",
            "go-live-1a2b",
            &key,
        );
        let text = uri.to_string();
        assert_eq!(
            text,
            format!(
                "flightdeck://093646564004/af-south-1/releases/go-live-1a2b?owner={}",
                &key[..32]
            )
        );
        assert_eq!(ReleaseUri::parse(&format!("  {text}\n")).unwrap(), uri);
        assert!(uri.is_owner(&key));
        assert!(!uri.is_owner(&"cd".repeat(32)));
        for (bad, why) in [
            ("https://x", "flightdeck://"),
            ("flightdeck://a/b/c/d", "no owner"),
            (
                "flightdeck://a/b/c?owner=00000000000000000000000000000000",
                "account, region",
            ),
            ("flightdeck://a/b/c/d?owner=xyz", "32 hex"),
        ] {
            let err = ReleaseUri::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
