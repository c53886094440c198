//! A private MariaDB server on a temporary data directory and a free port, for tests and
//! benchmarks; stopped and removed when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::DumpError;

pub struct MariaDbServer {
    child: Child,
    port: u16,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

fn run(program: &str, args: &[&str]) -> Result<(), DumpError> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| DumpError::Server(format!("{program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(DumpError::Server(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

impl MariaDbServer {
    /// Initialises a data directory and starts `mariadbd` on it; waits until it answers.
    pub fn start() -> Result<MariaDbServer, DumpError> {
        MariaDbServer::start_with(&[])
    }

    /// The same, with more server options (TLS certificates, `--require-secure-transport`).
    pub fn start_with(extra: &[String]) -> Result<MariaDbServer, DumpError> {
        let dir = tempfile::tempdir().map_err(|e| DumpError::Server(e.to_string()))?;
        let data = dir.path().join("data");
        let socket = dir.path().join("mysqld.sock");
        let data_arg = format!("--datadir={}", data.display());
        // A temporary directory of its own: servers bootstrapping at once in the shared /tmp
        // collide on their temporary table names.
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| DumpError::Server(e.to_string()))?;
        let tmp_arg = format!("--tmpdir={}", tmp.display());
        run(
            "mariadb-install-db",
            &[
                "--no-defaults",
                &data_arg,
                &tmp_arg,
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
        )?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| DumpError::Server(format!("no free port: {e}")))?
            .port();
        let child = Command::new("mariadbd")
            .args([
                "--no-defaults",
                &data_arg,
                &tmp_arg,
                &format!("--socket={}", socket.display()),
                &format!("--port={port}"),
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-log-bin",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| DumpError::Server(format!("mariadbd: {e}")))?;
        let mut server = MariaDbServer {
            child,
            port,
            socket,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let socket_arg = format!("--socket={}", server.socket.display());
        while run(
            "mariadb-admin",
            &["--no-defaults", &socket_arg, "-uroot", "ping"],
        )
        .is_err()
        {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(DumpError::Server(format!(
                    "mariadbd exited at start ({status})"
                )));
            }
            if Instant::now() > deadline {
                return Err(DumpError::Server(
                    "mariadbd did not answer within 30 s".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Runs SQL through the stock `mariadb` client over the socket, as a DBA would, and returns
    /// its tab-separated output without column names.
    pub fn sql(&self, database: &str, sql: &[u8]) -> Result<String, DumpError> {
        use std::io::Write;
        let mut child = Command::new("mariadb")
            .args([
                "--no-defaults",
                &format!("--socket={}", self.socket.display()),
                "-uroot",
                "--batch",
                "--skip-column-names",
                database,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| DumpError::Server(format!("mariadb: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(sql)
                .map_err(|e| DumpError::Server(format!("mariadb: {e}")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| DumpError::Server(format!("mariadb: {e}")))?;
        if !out.status.success() {
            return Err(DumpError::Server(format!(
                "mariadb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Connection options for root over TCP.
    pub fn opts(&self) -> mysql_async::Opts {
        mysql_async::OptsBuilder::default()
            .ip_or_hostname("127.0.0.1")
            .tcp_port(self.port)
            .user(Some("root"))
            .prefer_socket(false)
            .into()
    }

    /// A connection URL for root over TCP to `database`.
    pub fn url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for MariaDbServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
