//! Dumps read on several connections in primary-key chunks, in every compression: restored by
//! the stock tools and by ours with the manifest's row counts and checksums; one snapshot
//! across connections while a writer keeps committing; a cancelled dump is never a backup.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use flightdeck_dbdump::{
    dump, read_manifest, restore, test_restore, verify, Compression, DumpError, DumpOptions,
    Manifest, MariaDbServer, Progress, RestoreOptions, MANIFEST_NAME,
};
use mysql_async::prelude::Queryable;

fn mariadb(server: &MariaDbServer, database: &str, sql: &[u8]) -> String {
    server.sql(database, sql).unwrap()
}

fn checksums(server: &MariaDbServer, db: &str) -> String {
    mariadb(
        server,
        db,
        b"CHECKSUM TABLE big; CHECKSUM TABLE no_key; SELECT COUNT(*) FROM big; SELECT COUNT(*) FROM a_outer;",
    )
    .replace(&format!("{db}."), "")
}

const SOURCE: &str = r#"
SET SESSION max_recursive_iterations = 100000;
CREATE TABLE big (id BIGINT UNSIGNED PRIMARY KEY, payload VARCHAR(200), n DOUBLE, at DATETIME(3));
INSERT INTO big
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 5000)
  SELECT i * 7, CONCAT('row ', i, ' ', REPEAT('é', i % 40)), i / 3, '2026-11-23 10:00:00.123' + INTERVAL i SECOND FROM seq;
CREATE TABLE no_key (a INT, b TEXT);
INSERT INTO no_key
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 3000)
  SELECT i % 10, IF(i % 3 = 0, NULL, 'x') FROM seq;
"#;

/// The stock client, fed each file in order through the stock decompressor.
fn restore_with_stock_tools(server: &MariaDbServer, manifest: &Manifest, dir: &Path, db: &str) {
    let mut names = vec![manifest.schema_file("src")];
    names.extend(manifest.tables.iter().flat_map(|t| t.files.clone()));
    names.push(manifest.post_file("src"));
    for name in names {
        let path = dir.join(name);
        let sql = match manifest.compression {
            Compression::Gzip { .. } => {
                let out = Command::new("gzip").arg("-dc").arg(&path).output().unwrap();
                assert!(out.status.success());
                out.stdout
            }
            Compression::Zstd { .. } => {
                zstd::decode_all(std::fs::File::open(&path).unwrap()).unwrap()
            }
            Compression::None => std::fs::read(&path).unwrap(),
        };
        mariadb(server, db, &sql);
    }
}

#[tokio::test]
async fn chunked_dumps_in_every_compression_restore_and_verify() {
    let server = MariaDbServer::start().unwrap();
    mariadb(&server, "", b"CREATE DATABASE src CHARACTER SET utf8mb4;");
    // A view reading a view that sorts after it: stand-in tables make the order irrelevant.
    mariadb(
        &server,
        "src",
        format!("{SOURCE} CREATE VIEW z_inner AS SELECT id FROM big; CREATE VIEW a_outer AS SELECT id FROM z_inner WHERE id < 100;").as_bytes(),
    );
    mariadb(&server, "src", b"ANALYZE TABLE big, no_key;");
    let source = checksums(&server, "src");
    let dir = tempfile::tempdir().unwrap();
    for (i, compression) in [
        Compression::default(),
        Compression::Gzip { level: 1 },
        Compression::None,
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.path().join(format!("dump{i}"));
        let progress = Arc::new(Progress::default());
        let (finished, mut announced) = tokio::sync::mpsc::unbounded_channel();
        let manifest = dump(
            &server.opts(),
            &DumpOptions {
                databases: vec!["src".into()],
                compression,
                threads: 3,
                chunk_rows: 1000,
                checksums: true,
                finished: Some(finished),
            },
            &out,
            progress.clone(),
        )
        .await
        .unwrap();
        // Every file was announced once, complete, before the manifest was written.
        let mut seen = Vec::new();
        while let Ok(entry) = announced.try_recv() {
            seen.push(entry);
        }
        let mut listed = manifest.files.clone();
        seen.sort_by(|a, b| a.name.cmp(&b.name));
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(seen, listed);
        let big = manifest.tables.iter().find(|t| t.table == "big").unwrap();
        assert!(big.files.len() >= 4, "{:?}", big.files);
        assert!(big
            .files
            .iter()
            .all(|f| f.ends_with(compression.extension())));
        assert_eq!(big.rows, 5000);
        assert!(big.checksum.is_some());
        let seen = progress.snapshot();
        assert_eq!(
            (seen.rows, seen.tables_done, seen.tables_total),
            (8000, 2, 2)
        );
        verify(&out).unwrap();

        let copy = format!("stock{i}");
        mariadb(
            &server,
            "",
            format!("CREATE DATABASE {copy} CHARACTER SET utf8mb4").as_bytes(),
        );
        restore_with_stock_tools(&server, &manifest, &out, &copy);
        assert_eq!(checksums(&server, &copy), source, "{compression:?}");

        let ours = format!("ours{i}");
        let report = restore(
            &server.opts(),
            &out,
            &RestoreOptions {
                source: "src".into(),
                target: ours.clone(),
                over_existing: None,
                parallel: 2,
            },
            Arc::default(),
        )
        .await
        .unwrap();
        assert!(report.matches(), "{report:?}");
        assert_eq!(checksums(&server, &ours), source, "{compression:?}");
    }

    // A test restore into a scratch database, which is gone afterwards.
    let out = dir.path().join("dump0");
    let report = test_restore(&server.opts(), &out, "src", 2, Arc::default())
        .await
        .unwrap();
    assert!(report.matches(), "{report:?}");
    assert!(report.target.starts_with("flightdeck_verify_"));
    let left = mariadb(&server, "", b"SHOW DATABASES LIKE 'flightdeck_verify%'");
    assert_eq!(left.trim(), "");

    // A checksum that does not match is named, table by table.
    let path = out.join(MANIFEST_NAME);
    let mut manifest = read_manifest(&out).unwrap();
    for t in manifest.tables.iter_mut().filter(|t| t.table == "no_key") {
        t.checksum = Some(12345);
    }
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let report = test_restore(&server.opts(), &out, "src", 2, Arc::default())
        .await
        .unwrap();
    assert!(!report.matches());
    let differences = report.differences();
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].starts_with("no_key: CHECKSUM TABLE ")
            && differences[0].ends_with("where the dump has 12345"),
        "{differences:?}"
    );
}

#[tokio::test]
async fn connections_share_one_snapshot_while_a_writer_commits() {
    let server = MariaDbServer::start().unwrap();
    mariadb(
        &server,
        "",
        b"CREATE DATABASE src CHARACTER SET utf8mb4; \
          CREATE TABLE src.a (id INT PRIMARY KEY AUTO_INCREMENT, v INT); \
          CREATE TABLE src.b (id INT PRIMARY KEY AUTO_INCREMENT, v INT);",
    );
    // Every transaction adds one row to each table, so any one snapshot has as many in both.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (url, writing) = (server.url("src"), writing.clone());
        tokio::spawn(async move {
            let mut conn = mysql_async::Conn::from_url(url).await.unwrap();
            let mut committed = 0u64;
            while writing.load(Ordering::SeqCst) {
                conn.query_drop("START TRANSACTION; INSERT INTO a (v) VALUES (1); INSERT INTO b (v) VALUES (1); COMMIT")
                    .await
                    .unwrap();
                committed += 1;
            }
            committed
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    for round in 0..5 {
        let manifest = dump(
            &server.opts(),
            &DumpOptions {
                databases: vec!["src".into()],
                threads: 2,
                checksums: false,
                ..DumpOptions::default()
            },
            &dir.path().join(format!("d{round}")),
            Arc::default(),
        )
        .await
        .unwrap();
        let rows: Vec<u64> = manifest.tables.iter().map(|t| t.rows).collect();
        assert_eq!(rows[0], rows[1], "round {round}: {rows:?}");
        assert!(rows[0] > 0);
    }
    writing.store(false, Ordering::SeqCst);
    assert!(writer.await.unwrap() > 0);
}

#[tokio::test]
async fn a_cancelled_dump_is_never_a_backup() {
    let server = MariaDbServer::start().unwrap();
    mariadb(&server, "", b"CREATE DATABASE src CHARACTER SET utf8mb4;");
    mariadb(&server, "src", SOURCE.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    let progress = Arc::new(Progress::default());
    progress.cancel();
    let err = dump(
        &server.opts(),
        &DumpOptions {
            databases: vec!["src".into()],
            ..DumpOptions::default()
        },
        &out,
        progress,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DumpError::Cancelled), "{err}");
    assert!(!out.join(MANIFEST_NAME).exists());
    assert!(verify(&out)
        .unwrap_err()
        .to_string()
        .contains("the dump never finished"));

    // A database that is not there is named.
    let err = dump(
        &server.opts(),
        &DumpOptions {
            databases: vec!["nope".into()],
            ..DumpOptions::default()
        },
        &dir.path().join("other"),
        Arc::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "there is no database nope on this server");
}
