//! The app's [`Reporter`]: progress goes to the window as events (an action's lines as
//! `ActionProgress`, a backup's or restore's counters twice a second as `BackupProgress`), and
//! the window cancels by the operation id it chose.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flightdeck_core::{Progress, ProgressSnapshot, Reporter};
use serde::Serialize;
use tauri::{AppHandle, Emitter};
use ts_rs::TS;

/// A payload the app emits to the window under its name.
pub trait Emitted: Serialize + Clone + TS + 'static {
    const NAME: &'static str;
}

/// One progress line of an action run.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActionProgress {
    pub operation: String,
    pub step: String,
    #[ts(type = "number | null")]
    pub run: Option<i64>,
    pub line: String,
}

impl Emitted for ActionProgress {
    const NAME: &'static str = "action-progress";
}

/// The counters of a backup or restore.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupProgress {
    pub operation: String,
    pub progress: ProgressSnapshot,
}

impl Emitted for BackupProgress {
    const NAME: &'static str = "backup-progress";
}

/// A round of syncing the shared runbooks: their states, and whether others' changes arrived.
impl Emitted for flightdeck_core::SyncRound {
    const NAME: &'static str = "team-synced";
}

pub fn emit<E: Emitted>(app: &AppHandle, event: E) {
    if let Err(e) = app.emit(E::NAME, event) {
        tracing::warn!(event = E::NAME, error = %e, "progress not sent to the window");
    }
}

/// The operations in progress, by the id the window chose, so that it can cancel them.
#[derive(Default)]
pub struct Operations(Mutex<HashMap<String, Arc<Progress>>>);

impl Operations {
    /// Asks the operation to stop; false when none has that id.
    pub fn cancel(&self, operation: &str) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(operation).map(|p| p.cancel()).is_some()
    }

    fn register(&self, operation: &str, progress: Arc<Progress>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(operation.to_string(), progress);
    }

    /// A new operation's progress, registered under `operation` until forgotten.
    pub fn track(&self, operation: &str) -> Arc<Progress> {
        let progress = Arc::new(Progress::default());
        self.register(operation, progress.clone());
        progress
    }

    pub fn forget(&self, operation: &str) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(operation);
    }
}

/// Reports one operation to the window until dropped.
pub struct Window<'a> {
    app: AppHandle,
    operations: &'a Operations,
    operation: String,
    step: Option<String>,
    run: Mutex<Option<i64>>,
    progress: Arc<Progress>,
    ticker: Option<tauri::async_runtime::JoinHandle<()>>,
}

impl<'a> Window<'a> {
    fn new(app: &AppHandle, operations: &'a Operations, operation: &str) -> Window<'a> {
        let progress = operations.track(operation);
        Window {
            app: app.clone(),
            operations,
            operation: operation.to_string(),
            step: None,
            run: Mutex::new(None),
            progress,
            ticker: None,
        }
    }

    /// An action run: each line goes to the window as it comes.
    pub fn lines(app: &AppHandle, operations: &'a Operations, operation: &str, step: &str) -> Self {
        let mut window = Window::new(app, operations, operation);
        window.step = Some(step.to_string());
        window
    }

    /// A backup or restore: its counters go to the window twice a second.
    pub fn counters(app: &AppHandle, operations: &'a Operations, operation: &str) -> Self {
        let mut window = Window::new(app, operations, operation);
        let (app, ticking, id) = (app.clone(), window.progress.clone(), operation.to_string());
        window.ticker = Some(tauri::async_runtime::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let progress = ticking.snapshot();
                emit(
                    &app,
                    BackupProgress {
                        operation: id.clone(),
                        progress,
                    },
                );
            }
        }));
        window
    }
}

impl Drop for Window<'_> {
    fn drop(&mut self) {
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
        self.operations.forget(&self.operation);
    }
}

impl Reporter for Window<'_> {
    fn progress(&self) -> Arc<Progress> {
        self.progress.clone()
    }

    fn line(&self, line: &str) {
        let run = *self.run.lock().unwrap_or_else(|e| e.into_inner());
        emit(
            &self.app,
            ActionProgress {
                operation: self.operation.clone(),
                step: self.step.clone().unwrap_or_default(),
                run,
                line: line.to_string(),
            },
        );
    }

    fn began(&self, run: i64) {
        *self.run.lock().unwrap_or_else(|e| e.into_inner()) = Some(run);
    }
}
