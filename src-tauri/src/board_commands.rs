//! The go/no-go board: criteria evaluated in an environment.

use std::time::Duration;

use flightdeck_cloud::Evaluation;
use tauri::State;

use crate::commands::{store, Result};
use crate::AppState;

#[tauri::command]
pub async fn go_no_go(
    state: State<'_, AppState>,
    key: String,
    env: String,
    window_minutes: u32,
) -> Result<Evaluation> {
    let runbook = store(&state)?.document(&key)?;
    let environment = store(&state)?.environment(&env)?;
    let window = Duration::from_secs(u64::from(window_minutes.clamp(5, 24 * 60)) * 60);
    Ok(
        flightdeck_core::evaluate_runbook(&runbook, &environment, &state.vault, None, window)
            .await?,
    )
}
