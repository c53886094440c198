use flightdeck_cloud::MotoServer;
use flightdeck_model::{CredentialSource, Environment, GuardLevel};

pub fn moto() -> MotoServer {
    let program =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server");
    MotoServer::start(&program).expect("moto_server from .venv (bash scripts/setup.sh creates it)")
}

pub fn environment(
    name: &str,
    credentials: CredentialSource,
    endpoint: Option<String>,
    account: Option<&str>,
) -> Environment {
    Environment {
        name: name.into(),
        colour: "#1f5fd1".into(),
        account_id: account.map(str::to_string),
        region: "af-south-1".into(),
        dr_region: Some("eu-west-1".into()),
        credentials,
        endpoint_url: endpoint,
        guard: GuardLevel::Confirm,
        last_check: None,
    }
}
