//! The dump: per database a schema file (tables and views), data files (one per primary-key
//! chunk of a table, written by several connections at once, each compressed on its own thread
//! as the rows arrive), and a post file (triggers, routines, events, created after the data so
//! triggers do not fire on restore); the manifest last.
//!
//! One snapshot on several connections: a first connection takes `LOCK TABLES ... READ` on the
//! tables to dump (allowed on Amazon RDS, unlike `FLUSH TABLES WITH READ LOCK`; it waits for
//! transactions writing to them to finish and holds new writes back), every worker connection
//! then starts `START TRANSACTION WITH CONSISTENT SNAPSHOT`, and the lock is released, a moment
//! after it was taken. No write can commit to those tables between the snapshots, so every
//! worker reads the same state. With one thread no lock is taken at all. With checksums, one
//! more connection starts on `CHECKSUM TABLE` (read in the same snapshot) while the others dump.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use tokio::sync::mpsc;

use crate::compression::{Compression, Output};
use crate::manifest::{file_stem, FileEntry, Manifest, TableEntry, FORMAT, MANIFEST_NAME};
use crate::progress::Progress;
use crate::schema::{
    chunks, list_tables, post_statements, view_placeholder, view_statement, Chunk, Table,
};
use crate::sql::{ident, literal_for, write_value};
use crate::workers::join_all;
use crate::DumpError;

/// Bytes of one INSERT statement before the next begins.
const STATEMENT_BYTES: usize = 1 << 20;

pub(crate) const HEADER: &str = "/*!40101 SET NAMES utf8mb4 */;\n\
/*!40103 SET TIME_ZONE='+00:00' */;\n\
/*!40014 SET UNIQUE_CHECKS=0 */;\n\
/*!40014 SET FOREIGN_KEY_CHECKS=0 */;\n\
/*!40101 SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n";

#[derive(Debug, Clone)]
pub struct DumpOptions {
    pub databases: Vec<String>,
    pub compression: Compression,
    /// Connections reading at once (and compressing threads).
    pub threads: usize,
    /// Rows per chunk of a table with an integer primary key.
    pub chunk_rows: u64,
    /// `CHECKSUM TABLE` every table in the snapshot, for verification after a restore.
    pub checksums: bool,
    /// Told of each file as soon as it is complete (to upload it while the dump goes on);
    /// the manifest is not sent: the caller has it when the dump returns.
    pub finished: Option<mpsc::UnboundedSender<FileEntry>>,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            databases: Vec::new(),
            compression: Compression::default(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            chunk_rows: 250_000,
            checksums: true,
            finished: None,
        }
    }
}

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn gtid(conn: &mut Conn) -> Option<String> {
    for query in ["SELECT @@gtid_current_pos", "SELECT @@gtid_executed"] {
        if let Ok(Some(v)) = conn.query_first::<Option<String>, _>(query).await {
            return v.filter(|g| !g.is_empty());
        }
    }
    None
}

async fn session(opts: &Opts) -> Result<Conn, DumpError> {
    let mut conn = Conn::new(opts.clone()).await?;
    conn.query_drop("SET SESSION time_zone = '+00:00', NAMES utf8mb4")
        .await?;
    Ok(conn)
}

async fn snapshot(opts: &Opts) -> Result<Conn, DumpError> {
    let mut conn = session(opts).await?;
    conn.query_drop("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await?;
    conn.query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        .await?;
    Ok(conn)
}

/// Opens `connections` reading one snapshot of `tables`, and the GTID position there.
async fn snapshots(
    opts: &Opts,
    connections: usize,
    tables: &[Table],
) -> Result<(Vec<Conn>, Option<String>), DumpError> {
    let base: Vec<String> = tables
        .iter()
        .filter(|t| !t.view)
        .map(|t| format!("{}.{} READ", ident(&t.database), ident(&t.name)))
        .collect();
    let mut lock = None;
    if connections > 1 && !base.is_empty() {
        let mut conn = session(opts).await?;
        conn.query_drop(format!("LOCK TABLES {}", base.join(", ")))
            .await
            .map_err(|e| {
                DumpError::Refused(format!(
                    "LOCK TABLES was refused ({e}); a dump on several connections needs the \
                     LOCK TABLES privilege for one snapshot, or dump with one thread"
                ))
            })?;
        lock = Some(conn);
    }
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        conns.push(snapshot(opts).await?);
    }
    let gtid = gtid(&mut conns[0]).await;
    if let Some(mut conn) = lock {
        conn.query_drop("UNLOCK TABLES").await?;
        conn.disconnect().await?;
    }
    Ok((conns, gtid))
}

enum Job {
    Data {
        table: usize,
        index: usize,
        chunk: Chunk,
    },
    Checksum {
        table: usize,
    },
}

/// What the workers found, per table (by index in the table list).
#[derive(Default)]
struct Found {
    rows: u64,
    files: BTreeMap<usize, FileEntry>,
    chunks_left: usize,
    checksum: Option<u64>,
}

fn announce(options_sink: &Option<mpsc::UnboundedSender<FileEntry>>, entry: &FileEntry) {
    if let Some(sink) = options_sink {
        // A receiver that went away has stopped caring; the dump itself goes on.
        let _ = sink.send(entry.clone());
    }
}

struct Shared {
    dir: std::path::PathBuf,
    compression: Compression,
    tables: Vec<Table>,
    jobs: Mutex<VecDeque<Job>>,
    checksum_jobs: Mutex<VecDeque<Job>>,
    found: Mutex<Vec<Found>>,
    progress: Arc<Progress>,
    finished: Option<mpsc::UnboundedSender<FileEntry>>,
}

impl Shared {
    fn data_file(&self, table: usize, index: usize) -> String {
        let t = &self.tables[table];
        format!(
            "{}.{}.{index:05}{}",
            file_stem(&t.database),
            file_stem(&t.name),
            self.compression.extension()
        )
    }

    /// The next job from the preferred queue, or the other one once it is empty.
    fn next_job(&self, prefer_checksums: bool) -> Option<Job> {
        let (first, second) = if prefer_checksums {
            (&self.checksum_jobs, &self.jobs)
        } else {
            (&self.jobs, &self.checksum_jobs)
        };
        let job = first.lock().expect("job queue").pop_front();
        job.or_else(|| second.lock().expect("job queue").pop_front())
    }
}

/// Streams one chunk's rows as INSERT statements to a compressing thread.
async fn dump_chunk(
    conn: &mut Conn,
    shared: &Shared,
    table: usize,
    index: usize,
    chunk: &Chunk,
) -> Result<(), DumpError> {
    let t = &shared.tables[table];
    let name = shared.data_file(table, index);
    let mut output = Output::create(&shared.dir, name, shared.compression)?;
    let (sender, mut receiver) = mpsc::channel::<Vec<u8>>(2);
    let writer = tokio::task::spawn_blocking(move || {
        output.write(HEADER.as_bytes())?;
        while let Some(buffer) = receiver.blocking_recv() {
            output.write(&buffer)?;
        }
        output.finish()
    });
    let list = t
        .columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(",");
    let insert = format!("INSERT INTO {} ({list}) VALUES\n", ident(&t.name));
    let query = format!(
        "SELECT {list} FROM {}.{}{}",
        ident(&t.database),
        ident(&t.name),
        chunk.filter()
    );
    let mut rows = 0u64;
    let read = async {
        let mut result = conn.query_iter(query).await?;
        let literals: Vec<_> = result
            .columns()
            .map(|cols| cols.iter().map(literal_for).collect())
            .unwrap_or_default();
        let (mut in_statement, mut statement) = (0u64, Vec::with_capacity(STATEMENT_BYTES + 65536));
        while let Some(row) = result.next().await? {
            statement.extend_from_slice(if statement.is_empty() {
                insert.as_bytes()
            } else {
                b",\n"
            });
            statement.push(b'(');
            for (i, value) in row.unwrap().iter().enumerate() {
                if i > 0 {
                    statement.push(b',');
                }
                write_value(value, literals[i], &mut statement);
            }
            statement.push(b')');
            in_statement += 1;
            if statement.len() >= STATEMENT_BYTES {
                statement.extend_from_slice(b";\n");
                shared.progress.add(in_statement, statement.len() as u64);
                rows += in_statement;
                in_statement = 0;
                let full =
                    std::mem::replace(&mut statement, Vec::with_capacity(STATEMENT_BYTES + 65536));
                if sender.send(full).await.is_err() || shared.progress.is_cancelled() {
                    break;
                }
            }
        }
        if !statement.is_empty() {
            statement.extend_from_slice(b";\n");
            shared.progress.add(in_statement, statement.len() as u64);
            rows += in_statement;
            // A closed channel means the writer failed; its error is reported below.
            let _ = sender.send(statement).await;
        }
        Ok::<_, DumpError>(())
    };
    let read = read.await;
    drop(sender);
    let entry = writer
        .await
        .map_err(|e| DumpError::Refused(format!("a writer thread stopped: {e}")))??;
    read?;
    if shared.progress.is_cancelled() {
        return Err(DumpError::Cancelled);
    }
    announce(&shared.finished, &entry);
    let mut found = shared.found.lock().expect("results");
    let f = &mut found[table];
    f.rows += rows;
    f.files.insert(index, entry);
    f.chunks_left -= 1;
    if f.chunks_left == 0 {
        shared.progress.table_done();
    }
    Ok(())
}

async fn work(
    mut conn: Conn,
    shared: Arc<Shared>,
    prefer_checksums: bool,
) -> Result<(), DumpError> {
    let outcome = async {
        while let Some(job) = shared.next_job(prefer_checksums) {
            if shared.progress.is_cancelled() {
                return Err(DumpError::Cancelled);
            }
            match job {
                Job::Data {
                    table,
                    index,
                    chunk,
                } => dump_chunk(&mut conn, &shared, table, index, &chunk).await?,
                Job::Checksum { table } => {
                    let t = &shared.tables[table];
                    let row: Option<(String, Option<u64>)> = conn
                        .query_first(format!(
                            "CHECKSUM TABLE {}.{}",
                            ident(&t.database),
                            ident(&t.name)
                        ))
                        .await?;
                    shared.found.lock().expect("results")[table].checksum =
                        row.and_then(|(_, c)| c);
                }
            }
        }
        Ok(())
    }
    .await;
    if outcome.is_err() {
        // The others stop at their next statement: the dump has failed either way.
        shared.progress.cancel();
    }
    conn.query_drop("COMMIT").await?;
    conn.disconnect().await?;
    outcome
}

fn refuse_existing(dir: &Path) -> Result<(), DumpError> {
    let manifest_path = dir.join(MANIFEST_NAME);
    if manifest_path.exists() {
        return Err(DumpError::Io {
            path: manifest_path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "this directory already holds a dump; choose an empty one",
            ),
        });
    }
    Ok(())
}

/// Dumps the databases over `url` into `dir` (created; refused if it already holds a dump).
/// Progress is counted in `progress`, which also cancels: a cancelled dump has no manifest.
pub async fn dump(
    opts: &Opts,
    options: &DumpOptions,
    dir: &Path,
    progress: Arc<Progress>,
) -> Result<Manifest, DumpError> {
    std::fs::create_dir_all(dir).map_err(DumpError::io(dir))?;
    refuse_existing(dir)?;
    let started_at = now();
    let mut lister = session(opts).await?;
    let tables = list_tables(&mut lister, &options.databases).await?;
    lister.disconnect().await?;
    let threads = options.threads.max(1);
    let connections = threads + usize::from(options.checksums && threads > 1);
    let (mut conns, gtid) = snapshots(opts, connections, &tables).await?;
    let server_version: String = conns[0]
        .query_first("SELECT VERSION()")
        .await?
        .unwrap_or_default();

    // Schemas, views and post statements on the first connection, inside the snapshot.
    let mut files = Vec::new();
    let mut post_files = Vec::new();
    for db in &options.databases {
        // Definitions are shown relative to the current database: without this, views and
        // routines name their database and would be recreated there, not where restored.
        conns[0].query_drop(format!("USE {}", ident(db))).await?;
        let name = format!(
            "{}-schema{}",
            file_stem(db),
            options.compression.extension()
        );
        let mut schema = Output::create(dir, name, options.compression)?;
        schema.write(HEADER.as_bytes())?;
        let in_db: Vec<&Table> = tables.iter().filter(|t| &t.database == db).collect();
        for t in in_db.iter().filter(|t| !t.view) {
            let row: Option<(String, String)> = conns[0]
                .query_first(format!(
                    "SHOW CREATE TABLE {}.{}",
                    ident(db),
                    ident(&t.name)
                ))
                .await?;
            if let Some((_, create)) = row {
                let sql = format!("DROP TABLE IF EXISTS {};\n{create};\n", ident(&t.name));
                schema.write(sql.as_bytes())?;
            }
        }
        // Views may read views: stand-in tables first, as mysqldump does, then the views.
        for t in in_db.iter().filter(|t| t.view) {
            schema.write(view_placeholder(t).as_bytes())?;
        }
        for t in in_db.iter().filter(|t| t.view) {
            if let Some(sql) = view_statement(&mut conns[0], t).await? {
                schema.write(sql.as_bytes())?;
            }
        }
        let entry = schema.finish()?;
        announce(&options.finished, &entry);
        files.push(entry);
        let name = format!("{}-post{}", file_stem(db), options.compression.extension());
        let mut post = Output::create(dir, name, options.compression)?;
        post.write(HEADER.as_bytes())?;
        for statement in post_statements(&mut conns[0], db).await? {
            post.write(format!("DELIMITER ;;\n{statement};;\nDELIMITER ;\n").as_bytes())?;
        }
        let entry = post.finish()?;
        announce(&options.finished, &entry);
        post_files.push(entry);
    }

    // The data, chunk by chunk, largest tables first so the last jobs are short.
    let mut jobs = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let table_chunks = if t.view {
            Vec::new()
        } else {
            chunks(&mut conns[0], t, options.chunk_rows).await?
        };
        found.push(Found {
            chunks_left: table_chunks.len(),
            ..Found::default()
        });
        for (index, chunk) in table_chunks.into_iter().enumerate() {
            jobs.push((t.estimated_rows, i, index, chunk));
        }
    }
    jobs.sort_by_key(|(estimate, ..)| std::cmp::Reverse(*estimate));
    let queue: VecDeque<Job> = jobs
        .into_iter()
        .map(|(_, table, index, chunk)| Job::Data {
            table,
            index,
            chunk,
        })
        .collect();
    let mut checksum_jobs: Vec<(u64, usize)> = tables
        .iter()
        .enumerate()
        .filter(|(_, t)| options.checksums && !t.view)
        .map(|(table, t)| (t.estimated_rows, table))
        .collect();
    checksum_jobs.sort_by_key(|(estimate, _)| std::cmp::Reverse(*estimate));
    progress.plan(
        tables.iter().filter(|t| !t.view).count() as u64,
        tables.iter().map(|t| t.estimated_rows).sum(),
    );
    let shared = Arc::new(Shared {
        dir: dir.to_path_buf(),
        compression: options.compression,
        tables,
        jobs: Mutex::new(queue),
        checksum_jobs: Mutex::new(
            checksum_jobs
                .into_iter()
                .map(|(_, table)| Job::Checksum { table })
                .collect(),
        ),
        found: Mutex::new(found),
        progress,
        finished: options.finished.clone(),
    });
    // With checksums, the last connection starts on them while the others read data, so the
    // server's checksum scans overlap with our formatting and compressing.
    let count = conns.len();
    let workers: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, conn)| {
            let prefer_checksums = options.checksums && i + 1 == count;
            tokio::spawn(work(conn, shared.clone(), prefer_checksums))
        })
        .collect();
    join_all(workers, "dump").await?;

    let found = std::mem::take(&mut *shared.found.lock().expect("results"));
    let mut entries = Vec::new();
    for (t, f) in shared.tables.iter().zip(found) {
        entries.push(TableEntry {
            database: t.database.clone(),
            table: t.name.clone(),
            view: t.view,
            rows: f.rows,
            files: f.files.values().map(|e| e.name.clone()).collect(),
            checksum: f.checksum,
        });
        files.extend(f.files.into_values());
    }
    files.extend(post_files);
    let manifest = Manifest {
        format: FORMAT,
        server_version,
        gtid,
        started_at,
        finished_at: now(),
        databases: options.databases.clone(),
        compression: options.compression,
        files,
        tables: entries,
        options: BTreeMap::from([
            ("threads".to_string(), threads.to_string()),
            ("chunk_rows".to_string(), options.chunk_rows.to_string()),
            ("checksums".to_string(), options.checksums.to_string()),
        ]),
    };
    write_manifest(dir, &manifest)?;
    Ok(manifest)
}

/// Writes the manifest through a rename, so it is either whole or absent.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), DumpError> {
    let partial = dir.join(format!("{MANIFEST_NAME}.partial"));
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| DumpError::Io {
        path: partial.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&partial, text).map_err(DumpError::io(&partial))?;
    let path = dir.join(MANIFEST_NAME);
    std::fs::rename(&partial, &path).map_err(DumpError::io(&path))
}
