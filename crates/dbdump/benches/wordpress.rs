//! `cargo bench -p flightdeck-dbdump --bench wordpress`: builds a WordPress-like database on a
//! private MariaDB server (`wp_posts` of FLIGHTDECK_BENCH_ROWS rows, 1,000,000 by default, about
//! 1 KB of content each, with postmeta, users and options), then times in the same run our dump
//! and restore against `mysqldump | zstd`, `mysqldump | gzip`, `mydumper`/`myloader` and
//! `mysql < dump`, and prints the tables. Our client's peak memory is read from the kernel
//! (VmHWM, reset before each of our runs). One run each: these take seconds to minutes.
//!
//! Everything runs twice on the same server: as started (MariaDB's default 128 MB buffer pool,
//! so every scan of the 1.5 GB of data reads pages from disk) and with the pool grown to hold
//! the data (`SET GLOBAL innodb_buffer_pool_size`), as production servers are sized (RDS gives
//! the pool three quarters of the instance's memory).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use flightdeck_dbdump::{
    dump, restore, restore_plain, Compression, DumpOptions, MariaDbServer, Progress, RestoreOptions,
};

const THREADS: usize = 2;

fn shell(script: &str) -> f64 {
    let started = Instant::now();
    let out = Command::new("bash")
        .args(["-c", &format!("set -euo pipefail; {script}")])
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed().as_secs_f64()
}

fn client(server: &MariaDbServer) -> String {
    format!(
        "mariadb --no-defaults -S {} -uroot",
        server.socket().display()
    )
}

fn generate(server: &MariaDbServer, rows: u64) {
    let sql = format!(
        r#"
SET SESSION max_recursive_iterations = 10000000;
CREATE DATABASE wp CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE wp;
CREATE TABLE wp_posts (
  ID bigint unsigned NOT NULL AUTO_INCREMENT, post_author bigint unsigned NOT NULL DEFAULT 0,
  post_date datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_date_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  post_content longtext NOT NULL, post_title text NOT NULL, post_excerpt text NOT NULL,
  post_status varchar(20) NOT NULL DEFAULT 'publish', comment_status varchar(20) NOT NULL DEFAULT 'open',
  ping_status varchar(20) NOT NULL DEFAULT 'open', post_password varchar(255) NOT NULL DEFAULT '',
  post_name varchar(200) NOT NULL DEFAULT '', to_ping text NOT NULL, pinged text NOT NULL,
  post_modified datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_modified_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  post_content_filtered longtext NOT NULL, post_parent bigint unsigned NOT NULL DEFAULT 0,
  guid varchar(255) NOT NULL DEFAULT '', menu_order int NOT NULL DEFAULT 0,
  post_type varchar(20) NOT NULL DEFAULT 'post', post_mime_type varchar(100) NOT NULL DEFAULT '',
  comment_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (ID), KEY post_name (post_name(191)), KEY type_status_date (post_type, post_status, post_date, ID),
  KEY post_parent (post_parent), KEY post_author (post_author)
) ENGINE=InnoDB;
CREATE TABLE wp_postmeta (
  meta_id bigint unsigned NOT NULL AUTO_INCREMENT, post_id bigint unsigned NOT NULL DEFAULT 0,
  meta_key varchar(255) DEFAULT NULL, meta_value longtext,
  PRIMARY KEY (meta_id), KEY post_id (post_id), KEY meta_key (meta_key(191))
) ENGINE=InnoDB;
CREATE TABLE wp_users (
  ID bigint unsigned NOT NULL AUTO_INCREMENT, user_login varchar(60) NOT NULL DEFAULT '',
  user_pass varchar(255) NOT NULL DEFAULT '', user_email varchar(100) NOT NULL DEFAULT '',
  user_registered datetime NOT NULL DEFAULT '0000-00-00 00:00:00', display_name varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY (ID), KEY user_login_key (user_login)
) ENGINE=InnoDB;
CREATE TABLE wp_options (
  option_id bigint unsigned NOT NULL AUTO_INCREMENT, option_name varchar(191) NOT NULL DEFAULT '',
  option_value longtext NOT NULL, autoload varchar(20) NOT NULL DEFAULT 'yes',
  PRIMARY KEY (option_id), UNIQUE KEY option_name (option_name)
) ENGINE=InnoDB;
CREATE TABLE seq (i int PRIMARY KEY);
INSERT INTO seq WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 99999) SELECT i FROM s;
DELIMITER //
CREATE PROCEDURE fill(total BIGINT)
BEGIN
  DECLARE base BIGINT DEFAULT 0;
  WHILE base < total DO
    INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,
      post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, post_parent, guid, post_type)
    SELECT (base + i) % 1000 + 1, '2020-01-01' + INTERVAL (base + i) MINUTE, '2020-01-01' + INTERVAL (base + i) MINUTE,
      CONCAT('<!-- wp:paragraph --><p>', REPEAT(CONCAT(MD5(base + i), ' the quick brown fox — ', SHA2(base + i, 256), ' '), 7), '</p>'),
      CONCAT('Post ', base + i, ': ', LEFT(SHA2(base + i, 224), 20)), '', CONCAT('post-', base + i), '', '',
      '2021-06-01' + INTERVAL (base + i) MINUTE, '2021-06-01' + INTERVAL (base + i) MINUTE, '', (base + i) % 97,
      CONCAT('https://example.com/?p=', base + i), IF((base + i) % 10 = 0, 'page', 'post')
    FROM seq WHERE i < LEAST(100000, total - base);
    INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
    SELECT base + i + 1, ELT(1 + i % 4, '_edit_lock', '_thumbnail_id', '_wp_page_template', 'views'), CONCAT(i, ':', MD5(i))
    FROM seq WHERE i < LEAST(100000, total - base);
    SET base = base + 100000;
  END WHILE;
END//
DELIMITER ;
CALL fill({rows});
DROP PROCEDURE fill;
INSERT INTO wp_users (user_login, user_pass, user_email, user_registered, display_name)
SELECT CONCAT('user', i), CONCAT('$P$', MD5(i)), CONCAT('user', i, '@example.com'), '2019-01-01' + INTERVAL i DAY, CONCAT('User ', i)
FROM seq WHERE i < 1000;
INSERT INTO wp_options (option_name, option_value)
SELECT CONCAT('option_', i), REPEAT(MD5(i), 4) FROM seq WHERE i < 500;
DROP TABLE seq;
ANALYZE TABLE wp_posts, wp_postmeta, wp_users, wp_options;
"#
    );
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), sql).expect("write");
    shell(&format!("{} < {}", client(server), file.path().display()));
}

/// Resets the process's peak resident memory, so the next reading covers one run.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn size_mb(path: &Path) -> f64 {
    let out = Command::new("du")
        .args(["-sb", &path.display().to_string()])
        .output()
        .expect("du");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1e6
}

struct Row {
    what: String,
    seconds: f64,
    output_mb: Option<f64>,
    peak_mb: Option<f64>,
}

/// The dumps and restores of one server configuration, measured in one run.
struct Figures {
    dumps: Vec<Row>,
    restores: Vec<Row>,
}

fn measure(server: &MariaDbServer, runtime: &tokio::runtime::Runtime, w: &Path) -> Figures {
    let sock = server.socket().display().to_string();
    let dump_cmd = format!(
        "mariadb-dump --no-defaults -S {sock} -uroot --single-transaction --routines --triggers --events wp"
    );
    let mut dumps = Vec::new();
    let mut ours = |what: &str, compression: Compression, checksums: bool, dir: &Path| {
        reset_peak();
        let started = Instant::now();
        runtime
            .block_on(dump(
                &server.opts(),
                &DumpOptions {
                    databases: vec!["wp".into()],
                    compression,
                    threads: THREADS,
                    checksums,
                    ..DumpOptions::default()
                },
                dir,
                Arc::new(Progress::default()),
            ))
            .expect("our dump");
        dumps.push(Row {
            what: what.into(),
            seconds: started.elapsed().as_secs_f64(),
            output_mb: Some(size_mb(dir)),
            peak_mb: Some(peak_mb()),
        });
    };
    ours(
        "ours, zstd (default: level 1, with CHECKSUM TABLE)",
        Compression::default(),
        true,
        &w.join("ours-zstd"),
    );
    ours(
        "ours, zstd, no CHECKSUM TABLE",
        Compression::default(),
        false,
        &w.join("ours-zstd-nocheck"),
    );
    ours(
        "ours, zstd level 3 (the zstd tool's default)",
        Compression::Zstd { level: 3 },
        true,
        &w.join("ours-zstd3"),
    );
    ours(
        "ours, gzip",
        Compression::Gzip { level: 1 },
        true,
        &w.join("ours-gzip"),
    );
    ours("ours, none", Compression::None, true, &w.join("ours-none"));
    let mut reference = |what: &str, script: String, output: &Path| {
        let seconds = shell(&script);
        dumps.push(Row {
            what: what.into(),
            seconds,
            output_mb: Some(size_mb(output)),
            peak_mb: None,
        });
    };
    let zst = w.join("stock.sql.zst");
    reference(
        "mysqldump | zstd -T2",
        format!("{dump_cmd} | zstd -q -T2 > {}", zst.display()),
        &zst,
    );
    let gz = w.join("stock.sql.gz");
    reference(
        "mysqldump | gzip",
        format!("{dump_cmd} | gzip > {}", gz.display()),
        &gz,
    );
    let plain = w.join("stock.sql");
    reference(
        "mysqldump (plain)",
        format!("{dump_cmd} > {}", plain.display()),
        &plain,
    );
    let mydumper = w.join("mydumper");
    reference(
        "mydumper -t 2 (uncompressed)",
        format!(
            "mydumper -S {sock} -u root -B wp -t {THREADS} --trx-consistency-only -o {}",
            mydumper.display()
        ),
        &mydumper,
    );

    let mut restores = Vec::new();
    let drop_db = |db: &str| shell(&format!("{} -e 'DROP DATABASE {db}'", client(server)));
    reset_peak();
    let started = Instant::now();
    let report = runtime
        .block_on(restore(
            &server.opts(),
            &w.join("ours-zstd"),
            &RestoreOptions {
                source: "wp".into(),
                target: "r_ours".into(),
                over_existing: None,
                parallel: THREADS,
            },
            Arc::new(Progress::default()),
        ))
        .expect("our restore");
    assert!(report.matches(), "{:?}", report.differences());
    restores.push(Row {
        what: "ours, from zstd (verify, load, CHECKSUM TABLE)".into(),
        seconds: started.elapsed().as_secs_f64(),
        output_mb: None,
        peak_mb: Some(peak_mb()),
    });
    drop_db("r_ours");
    reset_peak();
    let started = Instant::now();
    runtime
        .block_on(restore_plain(
            &server.opts(),
            &plain,
            "r_plain_ours",
            None,
            Arc::new(Progress::default()),
        ))
        .expect("our plain restore");
    restores.push(Row {
        what: "ours, mysqldump's plain file".into(),
        seconds: started.elapsed().as_secs_f64(),
        output_mb: None,
        peak_mb: Some(peak_mb()),
    });
    drop_db("r_plain_ours");
    let seconds = shell(&format!(
        "{} -e 'CREATE DATABASE r_mysql' && {} r_mysql < {}",
        client(server),
        client(server),
        plain.display()
    ));
    restores.push(Row {
        what: "mysql < plain.sql".into(),
        seconds,
        output_mb: None,
        peak_mb: None,
    });
    drop_db("r_mysql");
    let seconds = shell(&format!(
        "myloader -S {sock} -u root -d {} -B r_myloader -t {THREADS}",
        mydumper.display()
    ));
    restores.push(Row {
        what: format!("myloader -t {THREADS}"),
        seconds,
        output_mb: None,
        peak_mb: None,
    });
    drop_db("r_myloader");
    Figures { dumps, restores }
}

/// Grows the buffer pool (MariaDB 10.11 resizes before `SET` returns), checks its pages hold
/// `data_bytes`, and reads every table once so the pages are in it.
fn grow_buffer_pool(server: &MariaDbServer, data_bytes: f64) {
    let pool = server
        .sql(
            "",
            format!(
                "SET GLOBAL innodb_buffer_pool_size = {POOL_BYTES};
                 SELECT VARIABLE_VALUE * @@innodb_page_size FROM information_schema.GLOBAL_STATUS
                 WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_TOTAL';
                 CHECKSUM TABLE wp.wp_posts, wp.wp_postmeta, wp.wp_users, wp.wp_options;"
            )
            .as_bytes(),
        )
        .expect("grow the buffer pool");
    let bytes: f64 = pool
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    assert!(
        bytes >= data_bytes,
        "a buffer pool of {bytes} bytes does not hold the {data_bytes} bytes of data: {pool}"
    );
}

/// 2 GiB: holds the benchmark's 1.5 GB of data and indexes.
const POOL_BYTES: u64 = 2 << 30;

fn print(title: &str, figures: &Figures) {
    let cell = |v: Option<f64>| v.map_or("".to_string(), |v| format!("{v:.0}"));
    println!("\n### {title}\n");
    println!("| dump | seconds | output MB | client peak MB |\n|---|---:|---:|---:|");
    for r in &figures.dumps {
        println!(
            "| {} | {:.1} | {} | {} |",
            r.what.replace('|', "\\|"),
            r.seconds,
            cell(r.output_mb),
            cell(r.peak_mb)
        );
    }
    println!("\n| restore | seconds | client peak MB |\n|---|---:|---:|");
    for r in &figures.restores {
        println!("| {} | {:.1} | {} |", r.what, r.seconds, cell(r.peak_mb));
    }
}

fn main() {
    let rows: u64 = std::env::var("FLIGHTDECK_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let server = MariaDbServer::start().expect("MariaDB");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    eprintln!("generating {rows} posts...");
    let started = Instant::now();
    generate(&server, rows);
    let data_bytes: f64 = server
        .sql(
            "",
            b"SELECT SUM(data_length + index_length) FROM information_schema.TABLES \
              WHERE table_schema = 'wp'",
        )
        .expect("size")
        .trim()
        .parse()
        .expect("a size in bytes");
    let size = format!("{:.0}", data_bytes / 1e6);
    eprintln!(
        "generated in {:.0} s: {size} MB of data and indexes",
        started.elapsed().as_secs_f64()
    );
    let base = std::env::var("FLIGHTDECK_BENCH_DIR").unwrap_or("/tmp".into());
    let as_started = {
        let work = tempfile::tempdir_in(&base).expect("work dir");
        measure(&server, &runtime, work.path())
    };
    grow_buffer_pool(&server, data_bytes);
    let sized = {
        let work = tempfile::tempdir_in(&base).expect("work dir");
        measure(&server, &runtime, work.path())
    };
    println!(
        "\n{rows} wp_posts rows, {size} MB in InnoDB, {THREADS} threads where a tool takes them"
    );
    print(
        "Server as started (128 MB buffer pool: scans read from disk)",
        &as_started,
    );
    print("Buffer pool grown to hold the data (2 GiB)", &sized);
}
