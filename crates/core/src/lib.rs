//! The operations both faces of Flightdeck (desktop app and `flightdeck` CLI) call: where the
//! data lives, reading runbook files, importing them, and the embedded demo.

mod actions;
mod audit_check;
mod backups;
mod board;
mod data_dir;
mod decision;
mod demo;
mod demo_world;
mod environments;
mod error;
mod gonogo;
mod item_change;
mod local_criteria;
mod monitoring;
mod report;
mod runbook_file;
mod signing;
mod signoff;
mod soak;
mod views;

pub use actions::{
    action_input, begin_action, execute_action, finish_action, plan_action, run_action,
    ActionInput, Direction,
};
pub use audit_check::{export_audit, verify_audit, AuditReport};
pub use backups::{
    backup, backup_audit, db_credentials, list_backups, require_writer, restore_audit,
    restore_backup, restore_preview, verify_backup, verify_check, BackupDone, BackupListing,
    BackupPlace, BackupRequest, CredentialSource, RestorePreview, RestoreRequest, VerifyDone,
};
pub use board::{board, criterion_chart, Board, ChartFormat};
pub use data_dir::{data_dir, open_store, DATA_DIR_ENV};
pub use decision::decide;
pub use demo::{ensure_demo, DEMO_RUNBOOK};
pub use demo_world::{demo_down, demo_up, DemoStatus, DEMO_ENV};
pub use environments::{
    keys_secret_name, remove_environment, require_verified, save_environment, test_environment,
    EnvironmentInput, EnvironmentView,
};
pub use error::{ApiError, Error};
pub use gonogo::{evaluate_input, go_no_go, gonogo_input, GoNoGoInput, Scope};
pub use item_change::change_item;
pub use local_criteria::{confirm_criterion, local_results, LocalResults};
pub use monitoring::{monitoring, Latest, MonitoringView, PanelView};
pub use report::{report_html, report_input, write_report, ReportInput};
pub use runbook_file::{import_file, read_runbook};
pub use signoff::{
    phase_gate, require_open, sign_off, GateBlock, PhaseGate, SignoffRequest, SignoffView,
};
pub use soak::{
    due_checkpoints, evaluate_checkpoint, run_due_checkpoints, soak_timelines, start_soak,
    CheckpointView, DueCheckpoint, SoakTimeline,
};
pub use views::{runbook_view, RunbookView};

/// Now, as RFC 3339 UTC.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats every UTC time")
}
