//! TLS to the database, as RDS with `require_secure_transport` needs: a private MariaDB that
//! refuses insecure connections, a certificate signed by a CA of the test's own (as RDS's are
//! signed by Amazon's RDS CA, not a public root). Verified against that CA the dump works and
//! the session is encrypted; without TLS, or without the CA, the connection is refused.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use flightdeck_dbdump::{dump, Credentials, DumpOptions, MariaDbServer};
use mysql_async::prelude::Queryable;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn credentials(port: u16, ssl: bool, ca: Option<&Path>) -> Credentials {
    Credentials::from_json(
        &serde_json::json!({
            "host": "127.0.0.1", "port": port, "username": "root", "password": "",
            "ssl": ssl, "ssl_ca": ca,
        })
        .to_string(),
        "test",
    )
    .unwrap()
}

#[tokio::test]
async fn dumps_over_tls_verified_against_the_databases_own_ca() {
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Flightdeck Test RDS CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    let arg = |name: &str, file: &str| format!("--{name}={}", dir.join(file).display());
    let server = MariaDbServer::start_with(&[
        arg("ssl-ca", "ca.pem"),
        arg("ssl-cert", "server.pem"),
        arg("ssl-key", "server.key"),
        "--require-secure-transport=ON".into(),
    ])
    .unwrap();
    server
        .sql("", b"CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v TEXT); INSERT INTO shop.t VALUES (1, 'a'), (2, 'b');")
        .unwrap();
    let options = DumpOptions {
        databases: vec!["shop".into()],
        ..DumpOptions::default()
    };
    let out = tempfile::tempdir().unwrap();

    // Verified against the CA: the dump works, over an encrypted session.
    let good = credentials(server.port(), true, Some(&dir.join("ca.pem")));
    assert!(good.describe().ends_with("over TLS"));
    let manifest = dump(
        &good.opts(),
        &options,
        &out.path().join("ok"),
        Arc::default(),
    )
    .await
    .unwrap();
    assert_eq!(manifest.tables[0].rows, 2);
    let mut conn = mysql_async::Conn::new(good.opts()).await.unwrap();
    let cipher: Option<(String, String)> = conn
        .query_first("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        .await
        .unwrap();
    assert!(
        !cipher.unwrap().1.is_empty(),
        "the session is not encrypted"
    );
    conn.disconnect().await.unwrap();

    // Without TLS the server refuses (MariaDB says "Access denied" for an insecure connection).
    let plain = credentials(server.port(), false, None);
    let err = dump(
        &plain.opts(),
        &options,
        &out.path().join("plain"),
        Arc::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("Access denied"), "{err}");

    // TLS against the public roots only: the server's CA is not one of them.
    let unverified = credentials(server.port(), true, None);
    let err = dump(
        &unverified.opts(),
        &options,
        &out.path().join("roots"),
        Arc::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}
