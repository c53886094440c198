//! The go/no-go board: criteria evaluated in an environment, with their charts.

use std::time::Duration;

use flightdeck_core::Board;
use tauri::State;

use crate::commands::{store, Result};
use crate::AppState;

/// Evaluates the runbook's criteria and draws their charts in the UI's theme.
#[tauri::command]
pub async fn go_no_go(
    state: State<'_, AppState>,
    key: String,
    env: String,
    window_minutes: u32,
    dark: bool,
) -> Result<Board> {
    let input = flightdeck_core::gonogo_input(&*store(&state)?, &key, &env)?;
    let window = Duration::from_secs(u64::from(window_minutes.clamp(5, 24 * 60)) * 60);
    Ok(flightdeck_core::board(&input, &state.vault, window, dark).await?)
}
