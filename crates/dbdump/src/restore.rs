//! Restoring our dumps: verified first, into a new database by default (over an existing one
//! only when the caller names it), schema, then the data files over several connections at
//! once (each file decompressed and split on its own thread while its connection executes),
//! then triggers and routines; afterwards every table's row count and `CHECKSUM TABLE` are
//! compared with the manifest, table by table. Also restores the stock `mysqldump` output.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, Pool};
use serde::Serialize;
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::compression::Compression;
use crate::manifest::Manifest;
use crate::progress::Progress;
use crate::sql::ident;
use crate::statements::Statements;
use crate::verify::verify;
use crate::workers::join_all;
use crate::DumpError;

#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// The database of the dump to restore (a dump may hold several).
    pub source: String,
    /// Where to restore it.
    pub target: String,
    /// Restoring over an existing database needs its name here, typed by the person.
    pub over_existing: Option<String>,
    /// Data files loaded at once.
    pub parallel: usize,
}

/// One table in the manifest and after the restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TableCheck {
    pub table: String,
    #[ts(type = "number")]
    pub expected_rows: u64,
    #[ts(type = "number")]
    pub rows: u64,
    /// None when the dump was taken without checksums.
    #[ts(type = "number | null")]
    pub expected_checksum: Option<u64>,
    #[ts(type = "number | null")]
    pub checksum: Option<u64>,
}

impl TableCheck {
    pub fn matches(&self) -> bool {
        self.expected_rows == self.rows
            && (self.expected_checksum.is_none() || self.expected_checksum == self.checksum)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RestoreReport {
    pub target: String,
    pub tables: Vec<TableCheck>,
}

impl RestoreReport {
    pub fn matches(&self) -> bool {
        self.tables.iter().all(TableCheck::matches)
    }

    /// The tables that differ, as sentences.
    pub fn differences(&self) -> Vec<String> {
        self.tables
            .iter()
            .filter(|t| !t.matches())
            .map(|t| {
                if t.expected_rows != t.rows {
                    format!(
                        "{}: {} rows where the dump has {}",
                        t.table, t.rows, t.expected_rows
                    )
                } else {
                    format!(
                        "{}: CHECKSUM TABLE {} where the dump has {}",
                        t.table,
                        t.checksum.map_or("none".into(), |c| c.to_string()),
                        t.expected_checksum.unwrap_or_default()
                    )
                }
            })
            .collect()
    }
}

fn with_database(opts: &Opts, database: &str) -> Opts {
    OptsBuilder::from_opts(opts.clone())
        .db_name((!database.is_empty()).then_some(database))
        .into()
}

/// Creates the target database, refusing an existing one unless `over_existing` names it.
async fn prepare_target(
    opts: &Opts,
    target: &str,
    over_existing: Option<&str>,
) -> Result<(), DumpError> {
    let mut admin = Conn::new(with_database(opts, "")).await?;
    let exists: Option<String> = admin
        .exec_first(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (target,),
        )
        .await?;
    if exists.is_some() && over_existing != Some(target) {
        return Err(DumpError::Refused(format!(
            "database {target} exists; restoring over it replaces its tables, so name it to confirm"
        )));
    }
    admin
        .query_drop(format!(
            "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4",
            ident(target)
        ))
        .await?;
    admin.disconnect().await?;
    Ok(())
}

/// InnoDB's answer when two statements wait on each other's locks: it rolls one of them back
/// whole and asks for it to be run again. Connections loading chunks of one table side by side
/// meet it now and then.
const ER_LOCK_DEADLOCK: u16 = 1213;

/// How many times a row statement rolled back in a deadlock is run again before the restore fails.
const DEADLOCK_RETRIES: u64 = 5;

/// Runs one of our row INSERTs, again if InnoDB rolled it back in a deadlock: each runs in
/// autocommit, so a rollback undid exactly that statement and nothing before it.
async fn run_rows_statement(conn: &mut Conn, statement: &[u8]) -> Result<(), mysql_async::Error> {
    let mut retries = 0;
    loop {
        match conn.query_drop(statement).await {
            Err(mysql_async::Error::Server(e))
                if e.code == ER_LOCK_DEADLOCK && retries < DEADLOCK_RETRIES =>
            {
                retries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * retries)).await;
            }
            done => return done,
        }
    }
}

/// Runs the statements of one file, read and split on a blocking thread while the connection
/// executes. `rows` marks a file of our row INSERTs, each its own transaction: its rows are
/// counted (one per line) and a statement rolled back in a deadlock is run again.
async fn run_file(
    conn: &mut Conn,
    compression: Compression,
    path: PathBuf,
    progress: &Progress,
    rows: bool,
) -> Result<(), DumpError> {
    let name = path.display().to_string();
    let (sender, mut receiver) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let reading = path.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let file = compression.reader(&reading)?;
        for statement in Statements::new(file) {
            if sender.blocking_send(statement).is_err() {
                break;
            }
        }
        Ok::<_, DumpError>(())
    });
    let mut number = 0;
    let outcome = async {
        while let Some(statement) = receiver.recv().await {
            let statement = statement.map_err(DumpError::io(&path))?;
            if progress.is_cancelled() {
                return Err(DumpError::Cancelled);
            }
            number += 1;
            let row_count = if rows && statement.starts_with(b"INSERT") {
                statement.iter().filter(|b| **b == b'\n').count() as u64
            } else {
                0
            };
            let bytes = statement.len() as u64;
            let ran = if rows {
                run_rows_statement(conn, &statement).await
            } else {
                conn.query_drop(statement).await
            };
            ran.map_err(|e| DumpError::Restore {
                file: name.clone(),
                why: format!("statement {number}: {e}"),
            })?;
            progress.add(row_count, bytes);
        }
        Ok(())
    }
    .await;
    drop(receiver);
    reader
        .await
        .map_err(|e| DumpError::Refused(format!("a reader thread stopped: {e}")))??;
    outcome
}

/// Restores `options.source` from the dump in `dir` into `options.target` on the server `opts` reaches.
pub async fn restore(
    opts: &Opts,
    dir: &Path,
    options: &RestoreOptions,
    progress: Arc<Progress>,
) -> Result<RestoreReport, DumpError> {
    let (manifest, _) = verify(dir)?;
    if !manifest.databases.contains(&options.source) {
        return Err(DumpError::Refused(format!(
            "the dump holds {}, not {}",
            manifest.databases.join(", "),
            options.source
        )));
    }
    prepare_target(opts, &options.target, options.over_existing.as_deref()).await?;
    let pool = Pool::new(with_database(opts, &options.target));
    let outcome = load(&pool, dir, &manifest, options, progress).await;
    pool.disconnect().await?;
    outcome
}

async fn load(
    pool: &Pool,
    dir: &Path,
    manifest: &Manifest,
    options: &RestoreOptions,
    progress: Arc<Progress>,
) -> Result<RestoreReport, DumpError> {
    let compression = manifest.compression;
    let tables: Vec<_> = manifest
        .tables
        .iter()
        .filter(|t| t.database == options.source && !t.view)
        .collect();
    progress.plan(
        tables.len() as u64,
        tables.iter().map(|t| t.rows).sum::<u64>(),
    );
    let mut conn = pool.get_conn().await?;
    let schema = dir.join(manifest.schema_file(&options.source));
    run_file(&mut conn, compression, schema, &progress, false).await?;
    drop(conn);

    let jobs: VecDeque<(usize, PathBuf)> = tables
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.files.iter().map(move |f| (i, dir.join(f))))
        .collect();
    let left: Vec<usize> = tables.iter().map(|t| t.files.len()).collect();
    let shared = Arc::new((Mutex::new(jobs), Mutex::new(left)));
    let workers: Vec<_> = (0..options.parallel.max(1))
        .map(|_| {
            let (pool, shared, progress) = (pool.clone(), shared.clone(), progress.clone());
            tokio::spawn(async move {
                let mut conn = pool.get_conn().await?;
                loop {
                    let job = shared.0.lock().expect("load queue").pop_front();
                    let Some((table, path)) = job else {
                        return Ok(());
                    };
                    if let Err(e) = run_file(&mut conn, compression, path, &progress, true).await {
                        progress.cancel();
                        return Err(e);
                    }
                    let mut left = shared.1.lock().expect("files left");
                    left[table] -= 1;
                    if left[table] == 0 {
                        progress.table_done();
                    }
                }
            })
        })
        .collect();
    join_all(workers, "load").await?;

    let mut conn = pool.get_conn().await?;
    let post = dir.join(manifest.post_file(&options.source));
    run_file(&mut conn, compression, post, &progress, false).await?;
    let mut checks = Vec::new();
    for t in tables {
        let rows: Option<u64> = conn
            .query_first(format!("SELECT COUNT(*) FROM {}", ident(&t.table)))
            .await?;
        let checksum = match t.checksum {
            None => None,
            Some(_) => conn
                .query_first::<(String, Option<u64>), _>(format!(
                    "CHECKSUM TABLE {}",
                    ident(&t.table)
                ))
                .await?
                .and_then(|(_, c)| c),
        };
        checks.push(TableCheck {
            table: t.table.clone(),
            expected_rows: t.rows,
            rows: rows.unwrap_or_default(),
            expected_checksum: t.checksum,
            checksum,
        });
    }
    Ok(RestoreReport {
        target: options.target.clone(),
        tables: checks,
    })
}

/// Proves a dump good by restoring it into a scratch database on the server, checking every table
/// against the manifest, and dropping the scratch database whatever happened.
pub async fn test_restore(
    opts: &Opts,
    dir: &Path,
    source: &str,
    parallel: usize,
    progress: Arc<Progress>,
) -> Result<RestoreReport, DumpError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch = format!("flightdeck_verify_{}_{nanos:08x}", std::process::id());
    let options = RestoreOptions {
        source: source.to_string(),
        target: scratch.clone(),
        over_existing: None,
        parallel,
    };
    let outcome = restore(opts, dir, &options, progress).await;
    let mut admin = Conn::new(with_database(opts, "")).await?;
    admin
        .query_drop(format!("DROP DATABASE IF EXISTS {}", ident(&scratch)))
        .await?;
    admin.disconnect().await?;
    outcome
}

/// Restores a plain SQL dump from the stock `mysqldump`/`mariadb-dump` (gzip-compressed when
/// its name ends in `.gz`) into `target`, with the same rule for an existing database.
pub async fn restore_plain(
    opts: &Opts,
    file: &Path,
    target: &str,
    over_existing: Option<&str>,
    progress: Arc<Progress>,
) -> Result<(), DumpError> {
    let compression = if file.extension().is_some_and(|e| e == "gz") {
        Compression::Gzip { level: 6 }
    } else {
        Compression::None
    };
    // Opened first, so a missing file is named before anything is created.
    compression.reader(file)?;
    prepare_target(opts, target, over_existing).await?;
    let mut conn = Conn::new(with_database(opts, target)).await?;
    run_file(&mut conn, compression, file.to_path_buf(), &progress, false).await?;
    conn.disconnect().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MariaDbServer;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_row_statement_rolled_back_in_a_deadlock_runs_again() {
        let server = MariaDbServer::start().unwrap();
        server
            .sql(
                "",
                b"CREATE DATABASE d; USE d; CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL) \
                  ENGINE=InnoDB; INSERT INTO t SELECT seq, 0 FROM seq_1_to_300;",
            )
            .unwrap();
        let opts = with_database(&server.opts(), "d");
        let mut holder = Conn::new(opts.clone()).await.unwrap();
        holder.query_drop("START TRANSACTION").await.unwrap();
        // Far heavier than the statement below, so InnoDB rolls that one back.
        holder
            .query_drop("UPDATE t SET v = v + 10 WHERE id >= 100 OR id = 2")
            .await
            .unwrap();
        let mut loader = Conn::new(opts).await.unwrap();
        let loading = tokio::spawn(async move {
            let ran =
                run_rows_statement(&mut loader, b"UPDATE t SET v = v + 1 WHERE id IN (1, 2)").await;
            (ran, loader)
        });
        // The loader holds row 1 and waits for row 2; asking for row 1 closes the circle.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        holder
            .query_drop("UPDATE t SET v = v + 10 WHERE id = 1")
            .await
            .unwrap();
        holder.query_drop("COMMIT").await.unwrap();
        let (ran, mut loader) = loading.await.unwrap();
        ran.unwrap();
        let rows: Vec<(i32, i32)> = loader
            .query("SELECT id, v FROM t WHERE id IN (1, 2) ORDER BY id")
            .await
            .unwrap();
        assert_eq!(rows, vec![(1, 11), (2, 11)]);
        let deadlocks: Vec<(String, u64)> = loader
            .query("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")
            .await
            .unwrap();
        assert_eq!(deadlocks[0].1, 1, "the statement met no deadlock");
        loader.disconnect().await.unwrap();
        holder.disconnect().await.unwrap();
    }
}
