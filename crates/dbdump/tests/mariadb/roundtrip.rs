//! Our dump restored with the stock `mariadb` client into a new database, compared table by
//! table with `CHECKSUM TABLE` and row counts, on a real MariaDB server started for the test.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;

use flightdeck_dbdump::{
    dump, restore, restore_plain, verify, DumpOptions, Manifest, MariaDbServer, RestoreOptions,
    MANIFEST_NAME,
};
use sha2::{Digest, Sha256};

/// Runs SQL through the stock client, as a DBA would.
fn mariadb(server: &MariaDbServer, database: &str, sql: &[u8]) -> String {
    server.sql(database, sql).unwrap()
}

fn source_sql() -> String {
    let every_byte: String = (0..=255u8).map(|b| format!("{b:02X}")).collect();
    format!(
        r#"
SET SESSION sql_mode = '';
CREATE TABLE everything (
  id INT PRIMARY KEY AUTO_INCREMENT,
  txt VARCHAR(100) CHARACTER SET utf8mb4,
  latin VARCHAR(50) CHARACTER SET latin1,
  blb BLOB,
  maybe VARCHAR(10) NULL,
  d DATE, dt DATETIME, ts TIMESTAMP(6) NULL,
  dec_max DECIMAL(65,30), dbl DOUBLE, flt FLOAT,
  js JSON, b BIT(10),
  doubled INT AS (id * 2) VIRTUAL,
  `select` INT, `we``ird` TEXT
) ENGINE=InnoDB;
INSERT INTO everything (txt, latin, blb, maybe, d, dt, ts, dec_max, dbl, flt, js, b, `select`, `we``ird`) VALUES
 ('emoji 😀 and ünïcødé', 'café', UNHEX('{every_byte}'), NULL, '0000-00-00', '0000-00-00 00:00:00', '2026-11-23 17:01:02.123456',
  '99999999999999999999999999999999999.999999999999999999999999999999', 1.7976931348623157e308, 0.15625, '{{"a": [1, 2], "b": "x"}}', b'1010101010', 1, 'back`tick'),
 ('quote '' and backslash \\ and newline \n end', 'naïve', '', '', '2026-01-01', '2026-01-01 00:00:00', NULL,
  '-0.000000000000000000000000000001', -0.0, -1.5, 'null', b'0', NULL, ''),
 (NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE no_key (a INT, b TEXT);
CREATE TABLE audit (n INT);
INSERT INTO no_key VALUES (1, 'dup'), (1, 'dup'), (2, NULL);
INSERT INTO audit VALUES (1), (1), (2);
CREATE TRIGGER count_no_key AFTER INSERT ON no_key FOR EACH ROW INSERT INTO audit VALUES (NEW.a);
CREATE TABLE empty_table (x INT PRIMARY KEY);
CREATE TABLE old_engine (x INT, y VARCHAR(5)) ENGINE=MyISAM;
INSERT INTO old_engine VALUES (1, 'a'), (2, 'b');
CREATE VIEW recent AS SELECT id, txt FROM everything WHERE id > 1;
DELIMITER ;;
CREATE PROCEDURE touch() BEGIN SELECT COUNT(*) FROM everything; END;;
CREATE FUNCTION plus_one(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;;
DELIMITER ;
"#
    )
}

fn checksum(server: &MariaDbServer, db: &str, table: &str) -> String {
    let out = mariadb(
        server,
        db,
        format!("CHECKSUM TABLE `{table}`; SELECT COUNT(*) FROM `{table}`;").as_bytes(),
    );
    out.lines()
        .map(|l| l.split('\t').next_back().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(" rows=")
}

#[tokio::test]
async fn our_dump_restores_with_the_stock_client() {
    let server = MariaDbServer::start().unwrap();
    mariadb(
        &server,
        "",
        b"CREATE DATABASE src CHARACTER SET utf8mb4; CREATE DATABASE copy CHARACTER SET utf8mb4;",
    );
    mariadb(&server, "src", source_sql().as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    let manifest = dump(
        &server.opts(),
        &DumpOptions {
            databases: vec!["src".into()],
            ..DumpOptions::default()
        },
        &out,
        Arc::default(),
    )
    .await
    .unwrap();

    // The manifest is written last and matches every file.
    let stored: Manifest =
        serde_json::from_slice(&std::fs::read(out.join(MANIFEST_NAME)).unwrap()).unwrap();
    assert_eq!(stored, manifest);
    assert!(manifest.server_version.contains("MariaDB"));
    for f in &manifest.files {
        let bytes = std::fs::read(out.join(&f.name)).unwrap();
        assert_eq!(bytes.len() as u64, f.bytes, "{}", f.name);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), f.sha256, "{}", f.name);
    }
    let rows = |t: &str| manifest.tables.iter().find(|e| e.table == t).unwrap().rows;
    assert_eq!(
        (rows("everything"), rows("no_key"), rows("empty_table")),
        (3, 3, 0)
    );

    // Restore with the stock client: schema, data, then triggers and routines.
    let order = |name: &str| {
        if name.ends_with("-schema.sql.zst") {
            0
        } else if name.ends_with("-post.sql.zst") {
            2
        } else {
            1
        }
    };
    let mut names: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    names.sort_by_key(|n| order(n));
    for name in names {
        let sql = zstd::decode_all(std::fs::File::open(out.join(name)).unwrap()).unwrap();
        mariadb(&server, "copy", &sql);
    }
    for table in TABLES {
        assert_eq!(
            checksum(&server, "src", table),
            checksum(&server, "copy", table),
            "{table}"
        );
    }
    let copied = mariadb(&server, "copy", b"SELECT COUNT(*) FROM recent; SELECT plus_one(41); SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='copy';");
    assert_eq!(
        copied.split_whitespace().collect::<Vec<_>>(),
        ["2", "42", "1"]
    );
}

#[tokio::test]
async fn interrupted_truncated_and_corrupted_dumps_are_refused_by_name() {
    let server = MariaDbServer::start().unwrap();
    mariadb(&server, "", b"CREATE DATABASE src CHARACTER SET utf8mb4;");
    mariadb(&server, "src", source_sql().as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    let options = DumpOptions {
        databases: vec!["src".into()],
        ..DumpOptions::default()
    };
    dump(&server.opts(), &options, &out, Arc::default())
        .await
        .unwrap();
    let (_, verified) = verify(&out).unwrap();
    assert_eq!(verified.files, 7);
    let again = dump(&server.opts(), &options, &out, Arc::default())
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("already holds a dump"),
        "{again}"
    );

    // Truncated: the file and the reason.
    let data = out.join("src.everything.00000.sql.zst");
    let bytes = std::fs::read(&data).unwrap();
    std::fs::write(&data, &bytes[..bytes.len() / 2]).unwrap();
    let err = verify(&out).unwrap_err().to_string();
    assert!(err.starts_with(&data.display().to_string()), "{err}");
    assert!(err.contains("truncated or replaced"), "{err}");

    // Same size, one byte flipped.
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0xFF;
    std::fs::write(&data, &flipped).unwrap();
    let err = verify(&out).unwrap_err().to_string();
    assert!(err.contains("SHA-256"), "{err}");

    // No manifest: an interrupted dump is never taken for a backup.
    std::fs::remove_file(out.join(MANIFEST_NAME)).unwrap();
    let err = verify(&out).unwrap_err().to_string();
    assert!(err.contains("the dump never finished"), "{err}");
}

const TABLES: [&str; 5] = ["everything", "no_key", "audit", "empty_table", "old_engine"];

#[tokio::test]
async fn ours_restores_ours_and_stock_dumps() {
    let server = MariaDbServer::start().unwrap();
    mariadb(&server, "", b"CREATE DATABASE src CHARACTER SET utf8mb4;");
    mariadb(&server, "src", source_sql().as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    dump(
        &server.opts(),
        &DumpOptions {
            databases: vec!["src".into()],
            ..DumpOptions::default()
        },
        &out,
        Arc::default(),
    )
    .await
    .unwrap();

    // Ours into a new database, four tables at a time.
    let options = |over: Option<&str>| RestoreOptions {
        source: "src".into(),
        target: "ours".into(),
        over_existing: over.map(str::to_string),
        parallel: 4,
    };
    let report = restore(&server.opts(), &out, &options(None), Arc::default())
        .await
        .unwrap();
    assert!(report.matches(), "{report:?}");
    assert_eq!(report.tables.len(), TABLES.len());
    assert!(
        report.tables.iter().all(|t| t.expected_checksum.is_some()),
        "{report:?}"
    );
    for table in TABLES {
        assert_eq!(
            checksum(&server, "src", table),
            checksum(&server, "ours", table),
            "{table}"
        );
    }
    // Over an existing database only when it is named.
    let refused = restore(&server.opts(), &out, &options(None), Arc::default())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("database ours exists"),
        "{refused}"
    );
    assert!(
        restore(&server.opts(), &out, &options(Some("ours")), Arc::default())
            .await
            .unwrap()
            .matches()
    );

    // The stock mariadb-dump's output, plain and gzip, restored by ours.
    let stock = Command::new("mariadb-dump")
        .args([
            "--no-defaults",
            &format!("--socket={}", server.socket().display()),
            "-uroot",
            "--single-transaction",
            "--routines",
            "--triggers",
            "--events",
            "src",
        ])
        .output()
        .unwrap();
    assert!(
        stock.status.success(),
        "{}",
        String::from_utf8_lossy(&stock.stderr)
    );
    let plain = dir.path().join("stock.sql");
    std::fs::write(&plain, &stock.stdout).unwrap();
    let gz = dir.path().join("stock.sql.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&stock.stdout).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    for (file, target) in [(&plain, "from_plain"), (&gz, "from_gzip")] {
        restore_plain(&server.opts(), file, target, None, Arc::default())
            .await
            .unwrap();
        for table in TABLES {
            assert_eq!(
                checksum(&server, "src", table),
                checksum(&server, target, table),
                "{target}.{table}"
            );
        }
    }
}
