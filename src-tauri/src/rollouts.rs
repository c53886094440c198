//! Rollouts in the app: each one started here is driven in the background until it ends, its
//! changes sent to the window as `RolloutProgress`; at start, the rollouts this desktop was
//! driving when it stopped are found, held at the live traffic, and driven again.

use std::sync::Arc;

use flightdeck_core::{Progress, Reporter};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::ipc::Desktop;
use crate::reporter::{emit, Emitted};

/// One change of a rollout driven by this app, as a line.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RolloutProgress {
    pub runbook: String,
    pub rollout: String,
    pub line: String,
}

impl Emitted for RolloutProgress {
    const NAME: &'static str = "rollout-progress";
}

/// Reports a rollout's changes to the window; its cancel (the operation `rollout:ID`) stops
/// driving, and the rollout holds.
struct RolloutWindow {
    app: AppHandle,
    runbook: String,
    rollout: String,
    progress: Arc<Progress>,
}

impl Reporter for RolloutWindow {
    fn progress(&self) -> Arc<Progress> {
        self.progress.clone()
    }

    fn line(&self, line: &str) {
        emit(
            &self.app,
            RolloutProgress {
                runbook: self.runbook.clone(),
                rollout: self.rollout.clone(),
                line: line.to_string(),
            },
        );
    }

    fn began(&self, _run: i64) {}
}

/// Drives the rollout on this desktop in the background until it ends.
pub fn drive_in_background(app: &AppHandle, runbook: String, rollout: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let desktop = app.state::<Desktop>();
        let operation = format!("rollout:{rollout}");
        let reporter = RolloutWindow {
            app: app.clone(),
            runbook: runbook.clone(),
            rollout: rollout.clone(),
            progress: desktop.operations.track(&operation),
        };
        let driven = match desktop.fd.acting() {
            Ok(actor) => {
                desktop
                    .fd
                    .drive_rollout(&actor, &runbook, &rollout, &reporter)
                    .await
            }
            Err(e) => Err(e),
        };
        desktop.operations.forget(&operation);
        if let Err(e) = driven {
            tracing::warn!(%rollout, error = %e, "the rollout is not driven by this app");
            reporter.line(&format!("not driven here: {e}"));
        }
    });
}

/// Takes up, once at start, this desktop's rollouts that no process drives.
pub async fn take_up(app: AppHandle) {
    let desktop = app.state::<Desktop>();
    let (Ok(Some(actor)), Ok(keys)) = (desktop.fd.identity(), desktop.fd.current_keys()) else {
        return;
    };
    for key in keys {
        match desktop.fd.recover_rollouts(&actor, &key).await {
            Ok(found) => {
                for rollout in found {
                    drive_in_background(&app, key.clone(), rollout);
                }
            }
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "rollouts not taken up");
            }
        }
    }
}
