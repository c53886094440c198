//! Environment commands. Secrets arrive once (a new access key) and go straight to the keyring;
//! no response carries one.

use flightdeck_cloud::{list_profiles, AwsProfile};
use flightdeck_core::{ApiError, EnvironmentInput, EnvironmentView};
use tauri::State;

use crate::commands::{store, Result};
use crate::AppState;

#[tauri::command]
pub fn list_environments(state: State<'_, AppState>) -> Result<Vec<EnvironmentView>> {
    Ok(store(&state)?
        .environments()?
        .into_iter()
        .map(EnvironmentView::from)
        .collect())
}

#[tauri::command]
pub fn save_environment(
    state: State<'_, AppState>,
    input: EnvironmentInput,
) -> Result<EnvironmentView> {
    let mut store = store(&state)?;
    Ok(flightdeck_core::save_environment(&mut store, &state.vault, input)?.into())
}

/// Calls STS GetCallerIdentity with the environment's credentials and records what it reached.
#[tauri::command]
pub async fn test_environment(state: State<'_, AppState>, name: String) -> Result<EnvironmentView> {
    let env = store(&state)?.environment(&name)?;
    let check = flightdeck_core::test_environment(&env, &state.vault).await?;
    let mut store = store(&state)?;
    store.record_check(&env.name, &check)?;
    Ok(store.environment(&env.name)?.into())
}

#[tauri::command]
pub fn remove_environment(state: State<'_, AppState>, name: String) -> Result<()> {
    let mut store = store(&state)?;
    flightdeck_core::remove_environment(&mut store, &state.vault, &name).map_err(ApiError::from)?;
    Ok(())
}

#[tauri::command]
pub async fn aws_profiles() -> Vec<AwsProfile> {
    list_profiles().await
}
