//! How long the app takes to paint its first runbook. The window says when it has painted it,
//! and the app logs the time since `main` began. With `FLIGHTDECK_PAINT_PROBE` set to the moment
//! the process was launched (nanoseconds since the Unix epoch, as `date +%s%N` prints it), it
//! also prints `painted <ms> ms after launch` on stdout: `scripts/bench-start.sh` times cold
//! starts, and reads the process tree's memory, this way.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const PROBE_ENV: &str = "FLIGHTDECK_PAINT_PROBE";

static STARTED: OnceLock<Instant> = OnceLock::new();
static PAINTED: OnceLock<()> = OnceLock::new();

/// The moment `main` began; called first thing.
pub fn mark() {
    STARTED.get_or_init(Instant::now);
}

/// Time since the launch the probe names, when it names one.
fn since_launch() -> Option<Duration> {
    let launched = std::env::var(PROBE_ENV).ok()?.trim().parse::<u64>().ok()?;
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .checked_sub(Duration::from_nanos(launched))
}

/// The window painted its first runbook; only the first call counts.
pub fn painted() {
    if PAINTED.set(()).is_err() {
        return;
    }
    let since_main = STARTED.get().map(Instant::elapsed).unwrap_or_default();
    tracing::info!(
        ms = since_main.as_secs_f64() * 1e3,
        "first runbook painted after main began"
    );
    if let Some(since_launch) = since_launch() {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "painted {:.1} ms after launch ({:.1} ms after main began)",
            since_launch.as_secs_f64() * 1e3,
            since_main.as_secs_f64() * 1e3
        );
        let _ = out.flush();
    }
}
