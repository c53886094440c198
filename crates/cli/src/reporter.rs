//! The CLI's [`Reporter`]: progress lines and counters on stderr, once a second; Ctrl-C
//! cancels the work cleanly.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use flightdeck_core::{Progress, Reporter};

pub struct Stderr {
    progress: Arc<Progress>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Stderr {
    /// Prints each line of work as it comes; Ctrl-C cancels.
    pub fn lines() -> Stderr {
        let progress = Arc::new(Progress::default());
        Stderr {
            tasks: vec![cancel_on_ctrl_c(progress.clone(), "the action")],
            progress,
        }
    }

    /// Prints the counters of `what` (a backup, a restore) every second; Ctrl-C cancels.
    pub fn counters(what: &'static str) -> Stderr {
        let progress = Arc::new(Progress::default());
        let ticking = progress.clone();
        let terminal = std::io::stderr().is_terminal();
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let p = ticking.snapshot();
                let eta = p
                    .eta_s
                    .map(|s| format!(", about {s} s left"))
                    .unwrap_or_default();
                let line = format!(
                    "{what}: {}/{} tables, {} of ~{} rows, {:.1} MB/s{eta}",
                    p.tables_done, p.tables_total, p.rows, p.rows_estimate, p.mb_per_s
                );
                if terminal {
                    eprint!("\r{line}    ");
                } else {
                    eprintln!("{line}");
                }
            }
        });
        Stderr {
            tasks: vec![cancel_on_ctrl_c(progress.clone(), what), ticker],
            progress,
        }
    }
}

fn cancel_on_ctrl_c(progress: Arc<Progress>, what: &'static str) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling {what}...");
            progress.cancel();
        }
    })
}

impl Drop for Stderr {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Reporter for Stderr {
    fn progress(&self) -> Arc<Progress> {
        self.progress.clone()
    }

    fn line(&self, line: &str) {
        eprintln!("  {line}");
    }

    fn began(&self, _run: i64) {}
}
