//! Running the `flightdeck` binary against moto from the tests.

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
/// not. Not every test file of this crate starts one.
#[allow(dead_code)]
pub struct DemoDown<'a>(pub &'a Path);

impl Drop for DemoDown<'_> {
    fn drop(&mut self) {
        flightdeck(self.0, &["demo", "down"], None);
    }
}
