//! `flightdeck db` end to end: a private MariaDB, moto for S3 and Secrets Manager, the OS
//! keyring. Backups to S3 (uploaded while dumped) and to a directory, listed, verified and
//! test-restored; restores into a new database, over an existing one only when named, into
//! PROD only with its name typed; wrong credentials, an unreachable server and a corrupted file
//! refused with clear errors; the database password planted in the secret never reaches an
//! output or a file of the data directory; every backup and restore in the audit trail.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{flightdeck, text};
use flightdeck_dbdump::MariaDbServer;

const PASSWORD: &str = "Pl4nted-DB-pass-7781";

fn mariadb(server: &MariaDbServer, sql: &str) -> String {
    server.sql("", sql.as_bytes()).unwrap()
}

fn put_secret(endpoint: &str, name: &str, value: &str) {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, boto3; boto3.client('secretsmanager', endpoint_url=sys.argv[1], region_name='af-south-1', aws_access_key_id='x', aws_secret_access_key='y').create_secret(Name=sys.argv[2], SecretString=sys.argv[3])",
            endpoint,
            name,
            value,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn checksums(server: &MariaDbServer, db: &str) -> String {
    mariadb(
        server,
        &format!("CHECKSUM TABLE {db}.orders, {db}.customers; SELECT COUNT(*) FROM {db}.orders;"),
    )
    .replace(&format!("{db}."), "")
}

/// The `--json` error: the last line of stderr (progress and logs come before it).
fn error_of(out: &Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn every_file(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            every_file(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn backups_to_s3_and_disk_verify_list_and_restore_with_confirmations() {
    let server = MariaDbServer::start().unwrap();
    mariadb(
        &server,
        &format!(
            "SET SESSION max_recursive_iterations = 100000;
             CREATE DATABASE shop CHARACTER SET utf8mb4;
             CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(50));
             INSERT INTO shop.customers VALUES (1, 'Zoë'), (2, 'Ann');
             CREATE TABLE shop.orders (id INT PRIMARY KEY, customer INT, total DECIMAL(10,2), note TEXT);
             INSERT INTO shop.orders WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20000)
               SELECT i, 1 + i % 2, i / 7, REPEAT('x', i % 300) FROM s;
             CREATE USER 'dba'@'%' IDENTIFIED BY '{PASSWORD}';
             GRANT ALL ON *.* TO 'dba'@'%';"
        ),
    );
    let source = checksums(&server, "shop");
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path();
    let transcript = std::cell::RefCell::new(String::new());
    let run = |args: &[&str], stdin: Option<&str>| -> Output {
        let out = flightdeck(data, args, stdin);
        transcript.borrow_mut().push_str(&text(&out));
        out
    };
    let json = |out: &Output| -> serde_json::Value {
        assert!(out.status.success(), "{}", text(out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let up = json(&run(&["demo", "up", "--json"], None));
    let _down = common::DemoDown(data);
    let endpoint = up["endpoint_url"].as_str().unwrap().to_string();
    for (name, guard) in [("SIT", "confirm"), ("PROD", "type-name")] {
        let add = run(
            &[
                "env",
                "add",
                name,
                "--region",
                "af-south-1",
                "--account",
                "123456789012",
                "--access-key-id",
                "FDDBKEY000000000001",
                "--endpoint-url",
                &endpoint,
                "--guard",
                guard,
            ],
            Some("db-test-secret-key"),
        );
        assert!(add.status.success(), "{}", text(&add));
    }
    let login = serde_json::json!({
        "engine": "mariadb", "host": "127.0.0.1", "port": server.port(),
        "username": "dba", "password": PASSWORD, "dbname": "shop"
    })
    .to_string();
    put_secret(&endpoint, "sit/shop-db", &login);
    let stored = run(&["secret", "set", "prod-shop-db"], Some(&login));
    assert!(stored.status.success(), "{}", text(&stored));
    let dba = ["--as", "Dee Bee", "--role", "DBA"];
    let with = |base: &[&str], more: &[&str]| -> Vec<String> {
        base.iter().chain(more).map(|s| s.to_string()).collect()
    };
    let go = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&refs, None)
    };

    // A client stakeholder cannot take backups.
    let refused = go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--secret",
            "sit/shop-db",
            "--to",
            "/tmp/none",
        ],
        &["--as", "Chris Client", "--role", "Client Stakeholder"],
    ));
    assert!(!refused.status.success());
    assert!(text(&refused).contains("read-only"), "{}", text(&refused));

    // To S3, credentials from Secrets Manager, the database from the secret's dbname.
    let s3 = json(&go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--secret",
            "sit/shop-db",
            "--to",
            "s3://harbour-prod-backups/final",
            "--threads",
            "2",
            "--json",
        ],
        &dba,
    )));
    let location = s3["location"].as_str().unwrap().to_string();
    assert!(
        location.starts_with("s3://harbour-prod-backups/final/shop-"),
        "{location}"
    );
    assert_eq!(s3["rows"], 20002);
    // Nothing staged is left behind once uploaded.
    let staging = data.join("staging");
    assert!(!staging.exists() || std::fs::read_dir(&staging).unwrap().next().is_none());
    // An upload that fails stops the dump and says why; nothing is left staged.
    let nowhere = go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--secret",
            "sit/shop-db",
            "--to",
            "s3://no-such-bucket/final",
            "--json",
        ],
        &dba,
    ));
    assert!(!nowhere.status.success());
    let error = error_of(&nowhere);
    assert!(
        error["message"].as_str().unwrap().contains("s3:PutObject"),
        "{error}"
    );
    assert!(std::fs::read_dir(&staging).unwrap().next().is_none());
    let listed = json(&run(
        &[
            "db",
            "list",
            "s3://harbour-prod-backups/final",
            "--env",
            "SIT",
            "--json",
        ],
        None,
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["location"], location.as_str());
    assert_eq!(listed[0]["complete"], true);
    assert_eq!(listed[0]["files"], s3["files"].as_u64().unwrap() as i64);

    // Verified from S3 and test-restored into a scratch database that is then dropped.
    let verified = json(&run(
        &[
            "db",
            "verify",
            &location,
            "--env",
            "SIT",
            "--test-restore",
            "shop",
            "--secret",
            "sit/shop-db",
            "--json",
            "--as",
            "Dee Bee",
            "--role",
            "DBA",
        ],
        None,
    ));
    let tables = verified["test_restore"]["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2);
    assert!(tables
        .iter()
        .all(|t| t["rows"] == t["expected_rows"] && t["checksum"] == t["expected_checksum"]));
    assert_eq!(
        mariadb(&server, "SHOW DATABASES LIKE 'flightdeck_verify%'").trim(),
        ""
    );
    // The listing shows when it was last proven good, and by whom.
    let listed = json(&run(
        &[
            "db",
            "list",
            "s3://harbour-prod-backups/final",
            "--env",
            "SIT",
            "--json",
        ],
        None,
    ));
    assert_eq!(
        listed[0]["last_check"]["result"], "test_restored",
        "{listed}"
    );
    assert_eq!(listed[0]["last_check"]["actor"], "Dee Bee");
    let snapshots = json(&run(&["db", "snapshots", "--env", "SIT", "--json"], None));
    assert!(snapshots.is_array(), "{snapshots}");

    // Restored from S3 into a new database; again only when it is named.
    let restore = |target: &str, env: &str, extra: &[&str]| {
        let login: [&str; 2] = if env == "PROD" {
            ["--keyring", "prod-shop-db"]
        } else {
            ["--secret", "sit/shop-db"]
        };
        let mut args = vec![
            "db", "restore", &location, "--env", env, "--source", "shop", "--target", target,
            "--json",
        ];
        args.extend(login);
        args.extend(extra);
        args.extend(dba);
        run(&args, None)
    };
    let restored = json(&restore("shop_copy", "SIT", &[]));
    assert_eq!(restored["preview"]["rows"], 20002);
    assert_eq!(checksums(&server, "shop_copy"), source);
    let again = restore("shop_copy", "SIT", &[]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("database shop_copy exists"),
        "{}",
        text(&again)
    );
    json(&restore(
        "shop_copy",
        "SIT",
        &["--over-existing", "shop_copy"],
    ));

    // PROD: the environment's name typed, exactly.
    for wrong in [&[][..], &["--confirm", "prod"][..]] {
        let refused = restore("shop_prod", "PROD", wrong);
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("type the environment's name PROD"),
            "{}",
            text(&refused)
        );
    }
    assert_eq!(
        mariadb(&server, "SHOW DATABASES LIKE 'shop_prod'").trim(),
        ""
    );
    json(&restore("shop_prod", "PROD", &["--confirm", "PROD"]));
    assert_eq!(checksums(&server, "shop_prod"), source);

    // To a directory with gzip; a flipped byte is refused with the file's name.
    let local = data.join("backups");
    let disk = json(&go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--keyring",
            "prod-shop-db",
            "--to",
            local.to_str().unwrap(),
            "--compression",
            "gzip",
            "--json",
        ],
        &dba,
    )));
    let dir = Path::new(disk["location"].as_str().unwrap()).to_path_buf();
    let ok = run(&["db", "verify", dir.to_str().unwrap()], None);
    assert!(ok.status.success(), "{}", text(&ok));
    let data_file = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("shop.orders."))
        .unwrap();
    assert!(data_file.to_string_lossy().ends_with(".sql.gz"));
    let mut bytes = std::fs::read(&data_file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&data_file, &bytes).unwrap();
    let bad = go(with(
        &["db", "verify", dir.to_str().unwrap(), "--json"],
        &dba,
    ));
    assert!(!bad.status.success());
    let error = error_of(&bad);
    assert_eq!(error["code"], "backup_corrupt");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with(&data_file.display().to_string()),
        "{error}"
    );
    let listed = json(&run(
        &["db", "list", local.to_str().unwrap(), "--json"],
        None,
    ));
    assert_eq!(listed[0]["last_check"]["result"], "failed", "{listed}");
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let listed = json(&run(
        &["db", "list", local.to_str().unwrap(), "--json"],
        None,
    ));
    assert_eq!(listed[0]["complete"], false);

    // Wrong credentials and an unreachable server: clear errors, no password in them.
    let wrong = serde_json::json!({
        "host": "127.0.0.1", "port": server.port(), "username": "dba", "password": "not-it"
    })
    .to_string();
    assert!(run(&["secret", "set", "wrong-db"], Some(&wrong))
        .status
        .success());
    let denied = go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--keyring",
            "wrong-db",
            "--database",
            "shop",
            "--to",
            local.to_str().unwrap(),
            "--json",
        ],
        &dba,
    ));
    assert!(!denied.status.success());
    let error = error_of(&denied);
    assert_eq!(error["code"], "db_bad_credentials", "{error}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = serde_json::json!({
        "host": "127.0.0.1", "port": closed, "username": "dba", "password": PASSWORD
    })
    .to_string();
    assert!(run(&["secret", "set", "nowhere-db"], Some(&nowhere))
        .status
        .success());
    let unreachable = go(with(
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--keyring",
            "nowhere-db",
            "--database",
            "shop",
            "--to",
            local.to_str().unwrap(),
            "--json",
        ],
        &dba,
    ));
    let error = error_of(&unreachable);
    assert_eq!(error["code"], "db_unreachable", "{error}");

    // Every backup and restore is in the audit trail with its result.
    let trail = run(&["audit", "export", "--jsonl"], None);
    let trail = String::from_utf8_lossy(&trail.stdout).into_owned();
    let kinds = |kind: &str, result: &str| {
        trail
            .lines()
            .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")) && l.contains(result))
            .count()
    };
    assert_eq!(kinds("db.backup", "succeeded"), 2, "{trail}");
    assert_eq!(kinds("db.backup", "failed"), 3, "{trail}");
    assert_eq!(kinds("db.restore", "succeeded"), 3, "{trail}");
    assert_eq!(kinds("db.restore", "failed"), 3, "{trail}");

    // The planted password is nowhere: not in any output, not in any file we wrote.
    assert!(!transcript.borrow().contains(PASSWORD));
    let mut files = Vec::new();
    every_file(data, &mut files);
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "{} holds the password",
            file.display()
        );
    }
}
