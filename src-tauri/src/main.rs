//! The Flightdeck desktop app: a window over the same core as the `flightdeck` CLI.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod action_commands;
mod backup_commands;
mod board_commands;
mod commands;
mod environment_commands;
mod signoff_commands;

use std::sync::Mutex;

use flightdeck_core::{data_dir, ensure_demo, open_store};
use flightdeck_store::Store;
use flightdeck_vault::Vault;

/// The app's state: one connection to the store, used by one command at a time.
pub struct AppState {
    pub store: Mutex<Store>,
    pub vault: Vault,
    pub data_dir: String,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            use tauri::Manager;
            let dir = data_dir();
            let mut store = open_store(&dir)?;
            if let Some(demo) = ensure_demo(&mut store)? {
                tracing::info!(key = %demo.key, "imported the demo runbook");
            }
            app.manage(AppState {
                store: Mutex::new(store),
                vault: Vault::new(),
                data_dir: dir.display().to_string(),
            });
            app.manage(action_commands::Running::default());
            app.manage(backup_commands::Operations::default());
            tauri::async_runtime::spawn(board_commands::run_soaks(app.handle().clone()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_runbooks,
            commands::runbook_view,
            commands::set_item,
            commands::import_runbook,
            commands::identity,
            commands::set_identity,
            commands::search,
            environment_commands::list_environments,
            environment_commands::save_environment,
            environment_commands::test_environment,
            environment_commands::remove_environment,
            environment_commands::aws_profiles,
            signoff_commands::phase_gate,
            signoff_commands::sign_off,
            signoff_commands::decide,
            signoff_commands::decisions,
            signoff_commands::verify_audit,
            action_commands::plan_action,
            action_commands::run_action,
            action_commands::cancel_action,
            action_commands::action_runs,
            board_commands::go_no_go,
            board_commands::monitoring,
            board_commands::soak_timelines,
            board_commands::start_soak,
            board_commands::confirm_criterion,
            board_commands::save_report,
            backup_commands::list_backups,
            backup_commands::start_backup,
            backup_commands::cancel_backup,
            backup_commands::verify_backup,
            backup_commands::preview_restore,
            backup_commands::run_restore,
            backup_commands::rds_snapshots,
        ])
        .run(tauri::generate_context!())
        .expect("the Flightdeck window could not start");
}
