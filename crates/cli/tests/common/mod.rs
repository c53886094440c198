//! Running the `flightdeck` binary from the tests (against moto, where a test starts one).
//! Each test file is a crate of its own and uses a part of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn flightdeck(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "trace")
        .env("FLIGHTDECK_MOTO_SERVER", moto_server())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `flightdeck` with no input.
pub fn cli(data: &Path, args: &[&str]) -> Output {
    flightdeck(data, args, None)
}

/// The standard output of a `flightdeck` that must succeed.
pub fn ok(data: &Path, args: &[&str]) -> String {
    ok_with(data, args, None)
}

/// The standard output of a `flightdeck` that must succeed, given `stdin`.
pub fn ok_with(data: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = flightdeck(data, args, stdin);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(data, args)).unwrap()
}

/// A T0 for `--t0` (`2027-01-10 09:00 +00:00`) `minutes` from now (before now when negative),
/// rounded down to the minute.
pub fn t0_in(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%d %H:%M +00:00")
        .to_string()
}

/// Like [`t0_in`], but written in the whole-hour UTC offset that puts T0 at noon local time
/// (12:00 to 12:59), so a test with clock-time windows ("23:30-23:59") reads the same at
/// whatever hour it runs.
pub fn t0_in_at_noon(minutes: i64) -> String {
    use chrono::Timelike;
    let t0 = chrono::Utc::now() + chrono::Duration::minutes(minutes);
    let hours = (12 - t0.hour() as i32 + 11).rem_euclid(24) - 11;
    let offset = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
    t0.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

pub fn moto_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server")
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Stops the demo emulator a test started (`flightdeck demo up`) when the test ends, passed or
/// not.
pub struct DemoDown<'a>(pub &'a Path);

impl Drop for DemoDown<'_> {
    fn drop(&mut self) {
        flightdeck(self.0, &["demo", "down"], None);
    }
}
