use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A profile from the user's AWS config, for picking one in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AwsProfile {
    pub name: String,
    /// Uses IAM Identity Center: `aws sso login --profile NAME` refreshes it.
    pub sso: bool,
    pub region: Option<String>,
}

/// The profiles in `~/.aws/config` and `~/.aws/credentials` (or `AWS_CONFIG_FILE` /
/// `AWS_SHARED_CREDENTIALS_FILE`), read with the SDK's own parser.
pub async fn list_profiles() -> Vec<AwsProfile> {
    let Ok(set) =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
    else {
        return Vec::new();
    };
    let mut profiles: Vec<AwsProfile> = set
        .profiles()
        .filter_map(|name| {
            let p = set.get_profile(name)?;
            Some(AwsProfile {
                name: name.to_string(),
                sso: p.get("sso_session").is_some() || p.get("sso_start_url").is_some(),
                region: p.get("region").map(str::to_string),
            })
        })
        .collect();
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    profiles
}
