//! The operations both faces of Flightdeck (desktop app and `flightdeck` CLI) call: where the
//! data lives, reading runbook files, importing them, and the embedded demo.

mod data_dir;
mod demo;
mod error;
mod item_change;
mod runbook_file;
mod views;

pub use data_dir::{data_dir, open_store, DATA_DIR_ENV};
pub use demo::{ensure_demo, DEMO_RUNBOOK};
pub use error::{ApiError, Error};
pub use item_change::change_item;
pub use runbook_file::{import_file, read_runbook};
pub use views::{runbook_view, RunbookView};
