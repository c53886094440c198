//! Progress of a dump or restore, shared with whoever shows it (the CLI prints it, the app sends
//! it to the window), and the way to cancel one. Counters only: reading them never blocks the
//! work.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug)]
pub struct Progress {
    started: Instant,
    tables_total: AtomicU64,
    tables_done: AtomicU64,
    rows_estimate: AtomicU64,
    rows: AtomicU64,
    bytes: AtomicU64,
    cancelled: AtomicBool,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            started: Instant::now(),
            tables_total: AtomicU64::new(0),
            tables_done: AtomicU64::new(0),
            rows_estimate: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
        }
    }
}

/// What a progress bar shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProgressSnapshot {
    #[ts(type = "number")]
    pub tables_total: u64,
    #[ts(type = "number")]
    pub tables_done: u64,
    #[ts(type = "number")]
    pub rows: u64,
    /// The server's estimate (InnoDB's is approximate), so rows may pass it.
    #[ts(type = "number")]
    pub rows_estimate: u64,
    /// SQL bytes produced or loaded, before compression.
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    pub mb_per_s: f64,
    /// Seconds left at the current pace, once there is a pace and an estimate.
    #[ts(type = "number | null")]
    pub eta_s: Option<u64>,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// The cancel switch itself, for work that checks a flag between its steps.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancelled
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    pub(crate) fn plan(&self, tables: u64, rows_estimate: u64) {
        self.tables_total.store(tables, Ordering::Relaxed);
        self.rows_estimate.store(rows_estimate, Ordering::Relaxed);
    }

    pub(crate) fn add(&self, rows: u64, bytes: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn table_done(&self) {
        self.tables_done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let elapsed = self.started.elapsed();
        let rows = self.rows.load(Ordering::Relaxed);
        let rows_estimate = self.rows_estimate.load(Ordering::Relaxed);
        let bytes = self.bytes.load(Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        let eta_s = (rows > 0 && rows_estimate > rows && seconds > 0.0)
            .then(|| ((rows_estimate - rows) as f64 * seconds / rows as f64).ceil() as u64);
        ProgressSnapshot {
            tables_total: self.tables_total.load(Ordering::Relaxed),
            tables_done: self.tables_done.load(Ordering::Relaxed),
            rows,
            rows_estimate,
            bytes,
            elapsed_ms: elapsed.as_millis() as u64,
            mb_per_s: if seconds > 0.0 {
                bytes as f64 / 1e6 / seconds
            } else {
                0.0
            },
            eta_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_and_time_left() {
        let progress = Progress::default();
        progress.plan(2, 1000);
        assert_eq!(progress.snapshot().eta_s, None);
        std::thread::sleep(std::time::Duration::from_millis(20));
        progress.add(250, 5_000_000);
        progress.table_done();
        let s = progress.snapshot();
        assert_eq!((s.tables_done, s.tables_total, s.rows), (1, 2, 250));
        // A quarter done: about three times the elapsed time is left.
        let eta = s.eta_s.unwrap();
        assert!(eta >= 1 && eta as f64 <= 3.0 * s.elapsed_ms as f64 / 1000.0 + 1.0);
        assert!(s.mb_per_s > 0.0);
        progress.add(900, 0);
        assert_eq!(progress.snapshot().eta_s, None, "past the estimate");
    }
}
