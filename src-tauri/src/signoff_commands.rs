//! Sign-off, gate, decision and audit commands. Who acts is the saved identity, checked in Rust.

use flightdeck_core::{AuditReport, PhaseGate, SignoffRequest};
use flightdeck_store::{Decision, DecisionRecord, SignoffRecord};
use tauri::State;

use crate::commands::{store, store_and_actor, Result};
use crate::AppState;

#[tauri::command]
pub fn phase_gate(state: State<'_, AppState>, key: String, phase: String) -> Result<PhaseGate> {
    Ok(flightdeck_core::phase_gate(&*store(&state)?, &key, &phase)?)
}

#[tauri::command]
pub fn sign_off(
    state: State<'_, AppState>,
    key: String,
    phase: String,
    request: SignoffRequest,
) -> Result<SignoffRecord> {
    let (mut store, actor) = store_and_actor(&state)?;
    Ok(flightdeck_core::sign_off(
        &mut store,
        &state.vault,
        &key,
        &phase,
        &actor,
        request,
    )?)
}

#[tauri::command]
pub fn decide(
    state: State<'_, AppState>,
    key: String,
    decision: Decision,
    reason: String,
) -> Result<DecisionRecord> {
    let (mut store, actor) = store_and_actor(&state)?;
    Ok(flightdeck_core::decide(
        &mut store,
        &state.vault,
        &key,
        &actor,
        decision,
        &reason,
    )?)
}

#[tauri::command]
pub fn decisions(state: State<'_, AppState>, key: String) -> Result<Vec<DecisionRecord>> {
    Ok(store(&state)?.decisions(&key)?)
}

#[tauri::command]
pub fn verify_audit(state: State<'_, AppState>) -> Result<AuditReport> {
    Ok(flightdeck_core::verify_audit(&*store(&state)?)?)
}
