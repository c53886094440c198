use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::CloudError;

/// Fixes to moto's CloudWatch (percentiles, metric math, alarm history), run before its server.
const FIXES: &str = include_str!("../moto/fixes.py");

/// Names the `moto_server` program, overriding the search below.
pub const MOTO_SERVER_ENV: &str = "FLIGHTDECK_MOTO_SERVER";

/// A `moto_server` (PyPI `moto[server]`) on a free loopback port: a local AWS to run against.
/// Stopped when dropped, unless [`MotoServer::detach`]ed.
pub struct MotoServer {
    child: Option<Child>,
    pid: u32,
    port: u16,
}

impl MotoServer {
    /// `$FLIGHTDECK_MOTO_SERVER`, else `.venv/bin/moto_server` in the working directory or one
    /// of its parents (the set-up script creates it at the repository root), else the PATH.
    pub fn locate() -> Result<PathBuf, CloudError> {
        if let Some(path) = std::env::var_os(MOTO_SERVER_ENV) {
            return Ok(PathBuf::from(path));
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let exe = std::env::current_exe().unwrap_or_default();
        let candidates = cwd
            .ancestors()
            .chain(exe.ancestors())
            .map(|d| d.join(".venv/bin/moto_server"));
        if let Some(found) = candidates.into_iter().find(|p| p.is_file()) {
            return Ok(found);
        }
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("moto_server")).find(|p| p.is_file()))
            .ok_or_else(|| {
                CloudError::Emulator(
                    "moto_server not found; run `bash scripts/setup.sh` (it creates .venv with moto[server])".into(),
                )
            })
    }

    /// The Python interpreter of a `moto_server` console script, read from its `#!` line.
    fn interpreter(program: &Path) -> Result<PathBuf, CloudError> {
        let text = std::fs::read(program)
            .map_err(|e| CloudError::Emulator(format!("{}: {e}", program.display())))?;
        let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
        std::str::from_utf8(first)
            .ok()
            .and_then(|line| line.strip_prefix("#!"))
            .and_then(|line| line.split_whitespace().next())
            .filter(|python| python.contains("python"))
            .map(PathBuf::from)
            .ok_or_else(|| {
                CloudError::Emulator(format!(
                    "{} is not the moto_server script of a Python environment",
                    program.display()
                ))
            })
    }

    /// Starts the emulator on a free port, with the fixes in `moto/fixes.py` applied, and waits
    /// until it accepts connections.
    pub fn start(program: &Path) -> Result<MotoServer, CloudError> {
        Self::start_with_env(program, &[])
    }

    /// [`MotoServer::start`] with extra environment for the emulator, such as
    /// `FLIGHTDECK_MOTO_THROTTLE` (see `moto/fixes.py`).
    pub fn start_with_env(program: &Path, env: &[(&str, &str)]) -> Result<MotoServer, CloudError> {
        let python = Self::interpreter(program)?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| CloudError::Emulator(format!("no free port: {e}")))?
            .port();
        let child = Command::new(&python)
            .args(["-c", FIXES, "-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ECS_SERVICE_RUNNING", "2")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| CloudError::Emulator(format!("{}: {e}", python.display())))?;
        let mut server = MotoServer {
            pid: child.id(),
            child: Some(child),
            port,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            let exited = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                return Err(CloudError::Emulator(format!(
                    "moto_server exited at start ({status})"
                )));
            }
            if Instant::now() > deadline {
                return Err(CloudError::Emulator(format!(
                    "moto_server did not listen on port {port} within 30 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Leaves the emulator running after this handle is gone (`flightdeck demo up`).
    pub fn detach(mut self) -> u32 {
        self.child = None;
        self.pid
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
