//! Tauri commands: validate input, call one core function, map errors to `{ code, message }`.

use std::path::PathBuf;
use std::sync::MutexGuard;

use flightdeck_core::{ApiError, RunbookView};
use flightdeck_store::{
    Actor, ImportOutcome, ItemUpdate, ItemView, Role, RunbookSummary, SearchHit, Store,
};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::AppState;

pub(crate) type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn store<'a>(state: &'a State<'_, AppState>) -> Result<MutexGuard<'a, Store>> {
    state.store.lock().map_err(|_| {
        ApiError::new(
            "internal",
            "the store is unavailable after an earlier failure; restart Flightdeck",
        )
    })
}

/// The store, locked, and the saved identity that every change is made as.
pub(crate) fn store_and_actor<'a>(
    state: &'a State<'_, AppState>,
) -> Result<(MutexGuard<'a, Store>, Actor)> {
    let store = store(state)?;
    let actor = store.identity()?.ok_or_else(|| {
        ApiError::new(
            "no_identity",
            "tell Flightdeck who you are before changing anything",
        )
    })?;
    Ok((store, actor))
}

#[derive(Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    version: &'static str,
    data_dir: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: state.data_dir.clone(),
    }
}

#[tauri::command]
pub fn list_runbooks(state: State<'_, AppState>) -> Result<Vec<RunbookSummary>> {
    Ok(store(&state)?.list()?)
}

#[tauri::command]
pub fn runbook_view(state: State<'_, AppState>, key: String) -> Result<RunbookView> {
    Ok(flightdeck_core::runbook_view(&*store(&state)?, &key)?)
}

#[tauri::command]
pub fn set_item(
    state: State<'_, AppState>,
    key: String,
    item: String,
    update: ItemUpdate,
) -> Result<ItemView> {
    let (mut store, actor) = store_and_actor(&state)?;
    if let Some(note) = &update.note {
        if note.len() > 10_000 {
            return Err(ApiError::new(
                "invalid_note",
                "a note is limited to 10,000 characters",
            ));
        }
    }
    Ok(flightdeck_core::change_item(
        &mut store, &key, &item, &update, &actor,
    )?)
}

#[tauri::command]
pub fn import_runbook(state: State<'_, AppState>, path: String) -> Result<ImportOutcome> {
    if path.trim().is_empty() {
        return Err(ApiError::new(
            "invalid_path",
            "choose a runbook file to import",
        ));
    }
    let mut store = store(&state)?;
    Ok(flightdeck_core::import_file(
        &mut store,
        &PathBuf::from(path),
    )?)
}

#[tauri::command]
pub fn identity(state: State<'_, AppState>) -> Result<Option<Actor>> {
    Ok(store(&state)?.identity()?)
}

#[tauri::command]
pub fn set_identity(state: State<'_, AppState>, name: String, role: Role) -> Result<Actor> {
    let actor = Actor::new(&name, role)?;
    store(&state)?.set_identity(&actor)?;
    Ok(actor)
}

#[tauri::command]
pub fn search(state: State<'_, AppState>, query: String) -> Result<Vec<SearchHit>> {
    Ok(store(&state)?.search(&query, 50)?)
}
