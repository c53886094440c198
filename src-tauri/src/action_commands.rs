//! Actions from the app: plan, run with live progress lines (the `action-progress` event) and
//! cancel, and the recorded runs. The store is held only to read and to record, never while AWS
//! is called.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use flightdeck_cloud::Plan;
use flightdeck_core::{ApiError, Direction};
use flightdeck_store::ActionRun;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::commands::{store, store_and_actor, Result};
use crate::AppState;

/// Cancel flags of the runs in progress, by run id.
#[derive(Default)]
pub struct Running(Mutex<HashMap<i64, Arc<AtomicBool>>>);

/// One progress line of a run, as the `action-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActionProgress {
    pub step: String,
    #[ts(type = "number")]
    pub run: i64,
    pub line: String,
}

#[tauri::command]
pub async fn plan_action(
    state: State<'_, AppState>,
    key: String,
    step: String,
    env: String,
    direction: Direction,
) -> Result<Plan> {
    let input = flightdeck_core::action_input(&*store(&state)?, &key, &step, &env, direction)?;
    Ok(flightdeck_core::plan_action(&input, &state.vault).await?)
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn run_action(
    app: AppHandle,
    state: State<'_, AppState>,
    running: State<'_, Running>,
    key: String,
    step: String,
    env: String,
    direction: Direction,
    confirmation: Option<String>,
) -> Result<ActionRun> {
    let (input, actor, run) = {
        let (mut store, actor) = store_and_actor(&state)?;
        let input = flightdeck_core::action_input(&store, &key, &step, &env, direction)?;
        let run =
            flightdeck_core::begin_action(&mut store, &input, &actor, confirmation.as_deref())?;
        (input, actor, run)
    };
    let cancel = Arc::new(AtomicBool::new(false));
    running
        .0
        .lock()
        .map_err(|_| ApiError::new("internal", "run registry unavailable"))?
        .insert(run, cancel.clone());
    let progress = |line: &str| {
        let _ = app.emit(
            "action-progress",
            ActionProgress {
                step: step.clone(),
                run,
                line: line.to_string(),
            },
        );
    };
    let result = flightdeck_core::execute_action(&input, &state.vault, &progress, &cancel).await;
    if let Ok(mut map) = running.0.lock() {
        map.remove(&run);
    }
    let (mut store, _) = store_and_actor(&state)?;
    Ok(flightdeck_core::finish_action(
        &mut store, &input, &actor, run, result,
    )?)
}

/// Asks a run in progress to stop before its next AWS call.
#[tauri::command]
pub fn cancel_action(running: State<'_, Running>, run: i64) -> Result<bool> {
    let map = running
        .0
        .lock()
        .map_err(|_| ApiError::new("internal", "run registry unavailable"))?;
    Ok(match map.get(&run) {
        Some(flag) => {
            flag.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    })
}

#[tauri::command]
pub fn action_runs(state: State<'_, AppState>, key: String) -> Result<Vec<ActionRun>> {
    Ok(store(&state)?.action_runs(&key, None)?)
}
