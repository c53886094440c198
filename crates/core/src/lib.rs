//! Flightdeck's core: [`Flightdeck`], the one façade every change goes through, and the reads
//! both faces (desktop app and `flightdeck` CLI) show. Where the data lives, runbook files,
//! the embedded demo.

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
mod evidence;
mod facade;
mod gonogo;
mod item_change;
mod local_criteria;
mod monitoring;
mod notify;
pub mod permissions;
mod reads;
mod report;
mod reporter;
mod review;
mod rollout;
mod runbook_file;
mod runs;
mod schedule;
mod signing;
mod signoff;
mod soak;
mod team;
mod views;

pub use audit_check::{export_audit, verify_audit, AuditReport};
pub use backups::{
    db_credentials, BackupDone, BackupListing, BackupPlace, BackupRequest, DatabaseLogin, DbLogin,
    RestoreDone, RestorePreview, RestoreRequest, VerifyDone,
};
pub use board::{board, criterion_chart, Board, ChartFormat};
pub use data_dir::{data_dir, open_store, DATA_DIR_ENV};
pub use demo::DEMO_RUNBOOK;
pub use demo_world::{demo_down, DemoStatus, DEMO_ENV};
pub use environments::{keys_secret_name, require_verified, EnvironmentInput, EnvironmentView};
pub use error::{ApiError, Error, Reason, Typed};
pub use evidence::{Attachment, EvidenceCheck, EvidenceState, OUTPUT_LIMIT};
pub use facade::{Flightdeck, Reading};
pub use flightdeck_dbdump::{Compression, RestoreReport};
pub use flightdeck_model::Direction;
pub use gonogo::{evaluate_input, gonogo_input, GoNoGoInput, Scope};
pub use item_change::NOTE_LIMIT;
pub use local_criteria::{local_results, LocalResults};
pub use monitoring::{monitoring, Latest, MonitoringView, PanelView};
pub use notify::Notification;
pub use report::{report_html, report_input, write_report, ReportInput};
pub use reporter::{Progress, ProgressSnapshot, Reporter};
pub use review::{review_html, review_input, ReviewInput};
pub use rollout::{RolloutCommand, RolloutView};
pub use runbook_file::read_runbook;
pub use runs::RunStart;
pub use schedule::{now_ms, run_plan, run_timeline, wall_clock, RunTimeline};
pub(crate) use signoff::require_open;
pub use signoff::{phase_gate, GateBlock, PhaseGate, SignoffRequest, SignoffView};
pub use soak::{soak_timelines, CheckpointView, SoakTimeline};
pub use team::{
    team_view, Invite, LogDifference, ReleaseUri, SyncRound, SyncState, TeamView, PRESENCE,
};
pub use views::{runbook_view, RunbookView};

/// Now, as RFC 3339 UTC.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats every UTC time")
}
