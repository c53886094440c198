//! The Flightdeck desktop app: a window over the same core as the `flightdeck` CLI.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(test)]
mod bindings;
mod commands;
mod ipc;
mod rendering;
mod reporter;
mod rollouts;
mod startup;
mod updates;

use std::time::Duration;

use flightdeck_core::{data_dir, Flightdeck};
use tauri::Manager;
use tauri_plugin_notification::NotificationExt;

use crate::ipc::Desktop;
use crate::reporter::Operations;

/// Judges the soak checkpoints that fell due, every minute while the app runs.
async fn soak_clock(app: tauri::AppHandle) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let fd = &app.state::<Desktop>().fd;
        let (Ok(Some(actor)), Ok(keys)) = (fd.identity(), fd.current_keys()) else {
            continue;
        };
        for key in keys {
            if let Err(e) = fd.run_due_checkpoints(&actor, &key).await {
                tracing::warn!(key = %key, error = %e, "soak checkpoints not judged; retrying in a minute");
            }
        }
    }
}

/// Sends what the runs started here have due on their channels (sign-offs, decisions,
/// rollbacks, late items) every 30 s while the app runs.
async fn notify_clock(app: tauri::AppHandle) {
    loop {
        tokio::time::sleep(Duration::from_secs(30)).await;
        match app.state::<Desktop>().fd.deliver_notifications().await {
            Ok(sent) => {
                for n in sent {
                    let shown = app
                        .notification()
                        .builder()
                        .title("Flightdeck")
                        .body(&n.message)
                        .show();
                    if let Err(e) = shown {
                        tracing::warn!(error = %e, "desktop notification not shown");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "notifications not sent; retrying in 30 s"),
        }
    }
}

/// How often the shared runbooks' logs are read: others' changes show within this.
const TEAM_EVERY: Duration = Duration::from_secs(2);

/// Keeps the shared runbooks in sync while the app runs, telling the window each round.
async fn team_clock(app: tauri::AppHandle) {
    let fd = &app.state::<Desktop>().fd;
    fd.keep_in_sync(TEAM_EVERY, |round| reporter::emit(&app, round))
        .await;
}

fn main() {
    let software_painting = rendering::prefer_software_painting();
    startup::mark();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    if software_painting {
        tracing::info!("no GPU render node: the window is painted without accelerated compositing");
    }
    // Before the window, whose web view keeps its data in the same directory: opened first, it
    // would create the directory before one of the first identifier is moved there.
    let dir = data_dir();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::Updates::default())
        .setup(move |app| {
            rendering::open_main_window(app, software_painting, &dir)?;
            let fd = Flightdeck::open(&dir)?;
            if let Some(demo) = fd.ensure_demo()? {
                tracing::info!(key = %demo.key, "imported the demo runbook");
            }
            app.manage(Desktop {
                fd,
                operations: Operations::default(),
            });
            tauri::async_runtime::spawn(soak_clock(app.handle().clone()));
            tauri::async_runtime::spawn(team_clock(app.handle().clone()));
            tauri::async_runtime::spawn(notify_clock(app.handle().clone()));
            tauri::async_runtime::spawn(rollouts::take_up(app.handle().clone()));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("the Flightdeck window could not start");
}
