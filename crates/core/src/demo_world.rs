//! `flightdeck demo up|down`: a local AWS world on moto and the DEMO environment pointing at it.

use std::path::{Path, PathBuf};

use flightdeck_cloud::{sdk_config, seed_demo_world, DemoWorld, MotoServer, DEMO_ACCOUNT};
use flightdeck_store::{Actor, Environment, GuardLevel};
use flightdeck_vault::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::environments::EnvironmentInput;
use crate::{Error, Flightdeck};

pub const DEMO_ENV: &str = "DEMO";

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DemoStatus {
    pub pid: u32,
    pub endpoint_url: String,
    pub environment: String,
    pub world: DemoWorld,
}

fn status_file(data_dir: &Path) -> PathBuf {
    data_dir.join("demo.json")
}

impl Flightdeck {
    /// Starts moto on a free loopback port, seeds the demo world, and points the DEMO
    /// environment at it, tested. Any earlier demo emulator is stopped first.
    pub async fn demo_up(&self, actor: Option<&Actor>) -> Result<DemoStatus, Error> {
        let data_dir = self.data_dir();
        demo_down(data_dir)?;
        let server = MotoServer::start(&MotoServer::locate()?)?;
        let input = EnvironmentInput {
            name: DEMO_ENV.into(),
            colour: None,
            account_id: Some(DEMO_ACCOUNT.into()),
            region: "af-south-1".into(),
            dr_region: Some("eu-west-1".into()),
            endpoint_url: Some(server.url()),
            guard: Some(GuardLevel::Confirm),
            profile: None,
            access_key_id: Some("FDDEMOLOCALKEY000001".into()),
            secret_access_key: Some(SecretString::from(
                "local-emulator-secret-not-an-aws-key".to_string(),
            )),
        };
        let env: Environment = self.save_environment(actor, input)?;
        let world = seed_demo_world(&sdk_config(&env, self.vault()).await?).await?;
        let (_, env) = self.test_environment(actor, &env.name).await?;
        let status = DemoStatus {
            endpoint_url: server.url(),
            environment: env.name,
            world,
            pid: server.detach(),
        };
        let json = serde_json::to_string_pretty(&status).expect("demo status serialises");
        std::fs::write(status_file(data_dir), json).map_err(|source| Error::Io {
            path: status_file(data_dir).display().to_string(),
            source,
        })?;
        Ok(status)
    }
}

/// Stops the demo emulator started by [`Flightdeck::demo_up`], if it is running.
pub fn demo_down(data_dir: &Path) -> Result<Option<u32>, Error> {
    let path = status_file(data_dir);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let _ = std::fs::remove_file(&path);
    let Ok(status) = serde_json::from_str::<DemoStatus>(&text) else {
        return Ok(None);
    };
    let cmdline =
        std::fs::read_to_string(format!("/proc/{}/cmdline", status.pid)).unwrap_or_default();
    if cmdline.contains("moto_server") {
        let _ = std::process::Command::new("kill")
            .arg(status.pid.to_string())
            .status();
        return Ok(Some(status.pid));
    }
    Ok(None)
}
