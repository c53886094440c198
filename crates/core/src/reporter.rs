//! What a face does while long work runs, like Yaak's `Host`: it shows progress and lets the
//! person cancel. The CLI prints lines and counters to stderr and cancels on Ctrl-C; the app
//! sends them to the window as events and cancels from a button.

use std::sync::Arc;

pub use flightdeck_dbdump::{Progress, ProgressSnapshot};

pub trait Reporter: Send + Sync {
    /// The work's counters and its cancel switch: the work updates the one and checks the other.
    fn progress(&self) -> Arc<Progress>;

    /// One line of what is being done.
    fn line(&self, line: &str);

    /// The work was recorded as begun under `run` (an action run's number).
    fn began(&self, run: i64);
}
