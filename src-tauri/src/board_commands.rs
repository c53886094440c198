//! The go/no-go board: criteria evaluated in an environment, with their charts; soaks, manual
//! confirmations and the report.

use std::path::PathBuf;
use std::time::Duration;

use flightdeck_core::{Board, MonitoringView, Scope, SoakTimeline};
use flightdeck_store::{Confirmation, SoakRecord};
use tauri::State;

use crate::commands::{store, store_and_actor, Result};
use crate::AppState;

fn window(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes.clamp(5, 24 * 60)) * 60)
}

/// Evaluates the runbook's criteria (all, or one phase's) and draws their charts in the UI's
/// theme.
#[tauri::command]
pub async fn go_no_go(
    state: State<'_, AppState>,
    key: String,
    env: String,
    phase: Option<String>,
    window_minutes: u32,
    dark: bool,
) -> Result<Board> {
    let input = flightdeck_core::gonogo_input(&*store(&state)?, &key, &env)?;
    let scope = phase.as_deref().map(Scope::Phase).unwrap_or(Scope::All);
    Ok(flightdeck_core::board(&input, &state.vault, scope, window(window_minutes), dark).await?)
}

/// The monitoring grid of an environment over the last `range_minutes`.
#[tauri::command]
pub async fn monitoring(
    state: State<'_, AppState>,
    env: String,
    range_minutes: u32,
    dark: bool,
) -> Result<MonitoringView> {
    let environment = store(&state)?.environment(&env)?;
    let range = Duration::from_secs(u64::from(range_minutes.clamp(15, 7 * 24 * 60)) * 60);
    Ok(flightdeck_core::monitoring(&environment, &state.vault, range, dark).await?)
}

#[tauri::command]
pub fn soak_timelines(state: State<'_, AppState>, key: String) -> Result<Vec<SoakTimeline>> {
    Ok(flightdeck_core::soak_timelines(&*store(&state)?, &key)?)
}

#[tauri::command]
pub fn start_soak(
    state: State<'_, AppState>,
    key: String,
    phase: String,
    env: String,
) -> Result<SoakRecord> {
    let (mut store, actor) = store_and_actor(&state)?;
    Ok(flightdeck_core::start_soak(
        &mut store, &key, &phase, &env, &actor,
    )?)
}

#[tauri::command]
pub fn confirm_criterion(
    state: State<'_, AppState>,
    key: String,
    criterion: String,
    note: String,
) -> Result<Confirmation> {
    let (mut store, actor) = store_and_actor(&state)?;
    Ok(flightdeck_core::confirm_criterion(
        &mut store, &key, &criterion, &actor, &note,
    )?)
}

/// Writes the self-contained HTML report to the file the person chose.
#[tauri::command]
pub async fn save_report(
    state: State<'_, AppState>,
    key: String,
    env: String,
    window_minutes: u32,
    path: PathBuf,
) -> Result<String> {
    let input = flightdeck_core::report_input(&*store(&state)?, &key, &env)?;
    let html = flightdeck_core::report_html(&input, &state.vault, window(window_minutes)).await?;
    flightdeck_core::write_report(&path, &html)?;
    Ok(path.display().to_string())
}

/// Evaluates and records the soak checkpoints that fell due, every minute while the app runs.
pub async fn run_soaks(app: tauri::AppHandle) {
    use tauri::Manager;
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let state = app.state::<AppState>();
        let due = {
            let Ok(store) = state.store.lock() else {
                return;
            };
            let Ok(Some(actor)) = store.identity() else {
                continue;
            };
            let keys: Vec<String> = store
                .list()
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.key)
                .collect();
            let mut due = Vec::new();
            for key in keys {
                for checkpoint in flightdeck_core::due_checkpoints(&store, &key).unwrap_or_default()
                {
                    match flightdeck_core::gonogo_input(&store, &key, &checkpoint.environment) {
                        Ok(input) => due.push((key.clone(), checkpoint, input, actor.clone())),
                        Err(e) => {
                            tracing::warn!(%key, error = %e, "soak checkpoint cannot be read")
                        }
                    }
                }
            }
            due
        };
        for (key, checkpoint, input, actor) in due {
            match flightdeck_core::evaluate_checkpoint(&input, &state.vault, &checkpoint).await {
                Ok(record) => {
                    if let Ok(mut store) = state.store.lock() {
                        if let Err(e) =
                            store.record_checkpoint(&key, &checkpoint.phase, &actor, &record)
                        {
                            tracing::warn!(%key, error = %e, "soak checkpoint not recorded");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(%key, number = checkpoint.number, error = %e, "soak checkpoint not evaluated; retrying in a minute")
                }
            }
        }
    }
}
