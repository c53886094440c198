//! The dump: per database a schema file (tables and views), one data file per table, and a
//! post file (triggers, routines, events, created after the data so triggers do not fire on
//! restore), each zstd-compressed and hashed as it is written; the manifest last.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row};
use sha2::{Digest, Sha256};

use crate::manifest::{FileEntry, Manifest, TableEntry, MANIFEST_NAME};
use crate::sql::{ident, literal_for, write_value};
use crate::DumpError;

/// Bytes of one INSERT statement before the next begins.
const STATEMENT_BYTES: usize = 1 << 20;

const HEADER: &str = "/*!40101 SET NAMES utf8mb4 */;\n\
/*!40103 SET TIME_ZONE='+00:00' */;\n\
/*!40014 SET UNIQUE_CHECKS=0 */;\n\
/*!40014 SET FOREIGN_KEY_CHECKS=0 */;\n\
/*!40101 SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n";

#[derive(Debug, Clone)]
pub struct DumpOptions {
    pub databases: Vec<String>,
    /// zstd level (1 is fast, 19 small).
    pub zstd_level: i32,
}

/// A file being written: zstd over a writer that hashes and counts the compressed bytes.
struct Output {
    name: String,
    encoder: zstd::Encoder<'static, Hashing>,
}

struct Hashing {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Output {
    fn create(dir: &Path, name: String, level: i32) -> Result<Output, DumpError> {
        let path = dir.join(&name);
        let file = File::create(&path).map_err(DumpError::io(&path))?;
        let hashing = Hashing {
            file: BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let mut encoder = zstd::Encoder::new(hashing, level).map_err(DumpError::io(&path))?;
        encoder
            .write_all(HEADER.as_bytes())
            .map_err(DumpError::io(&path))?;
        Ok(Output { name, encoder })
    }

    fn write(&mut self, dir: &Path, bytes: &[u8]) -> Result<(), DumpError> {
        self.encoder
            .write_all(bytes)
            .map_err(DumpError::io(&dir.join(&self.name)))
    }

    fn finish(self, dir: &Path) -> Result<FileEntry, DumpError> {
        let path = dir.join(&self.name);
        let mut hashing = self.encoder.finish().map_err(DumpError::io(&path))?;
        hashing.file.flush().map_err(DumpError::io(&path))?;
        hashing
            .file
            .get_ref()
            .sync_all()
            .map_err(DumpError::io(&path))?;
        Ok(FileEntry {
            name: self.name,
            bytes: hashing.bytes,
            sha256: hex::encode(hashing.hasher.finalize()),
        })
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Removes `DEFINER=user@host` so the restoring account becomes the definer.
fn without_definer(sql: &str) -> String {
    match sql.find("DEFINER=") {
        None => sql.to_string(),
        Some(start) => {
            let rest = &sql[start..];
            let end = rest.find(' ').unwrap_or(rest.len());
            format!("{}{}", &sql[..start], rest[end..].trim_start())
        }
    }
}

async fn gtid(conn: &mut Conn) -> Option<String> {
    for query in ["SELECT @@gtid_current_pos", "SELECT @@gtid_executed"] {
        if let Ok(Some(v)) = conn.query_first::<Option<String>, _>(query).await {
            return v.filter(|g| !g.is_empty());
        }
    }
    None
}

/// The statements that recreate a database's triggers, routines and events, each after a
/// `DROP ... IF EXISTS` so a restore over an existing database replaces them.
async fn post_statements(conn: &mut Conn, db: &str) -> Result<Vec<String>, DumpError> {
    let mut out = Vec::new();
    let triggers: Vec<String> = conn
        .exec(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME",
            (db,),
        )
        .await?;
    for t in triggers {
        let row: Option<Row> = conn
            .query_first(format!("SHOW CREATE TRIGGER {}.{}", ident(db), ident(&t)))
            .await?;
        if let Some(sql) = row.and_then(|r| r.get::<String, _>(2)) {
            out.push(format!("DROP TRIGGER IF EXISTS {}", ident(&t)));
            out.push(without_definer(&sql));
        }
    }
    let routines: Vec<(String, String)> = conn
        .exec(
            "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
            (db,),
        )
        .await?;
    for (name, kind) in routines {
        let row: Option<Row> = conn
            .query_first(format!("SHOW CREATE {kind} {}.{}", ident(db), ident(&name)))
            .await?;
        if let Some(sql) = row.and_then(|r| r.get::<Option<String>, _>(2)).flatten() {
            out.push(format!("DROP {kind} IF EXISTS {}", ident(&name)));
            out.push(without_definer(&sql));
        }
    }
    let events: Vec<String> = conn
        .exec(
            "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME",
            (db,),
        )
        .await?;
    for e in events {
        let row: Option<Row> = conn
            .query_first(format!("SHOW CREATE EVENT {}.{}", ident(db), ident(&e)))
            .await?;
        if let Some(sql) = row.and_then(|r| r.get::<String, _>(3)) {
            out.push(format!("DROP EVENT IF EXISTS {}", ident(&e)));
            out.push(without_definer(&sql));
        }
    }
    Ok(out)
}

/// Streams one table's rows into INSERT statements; returns the row count.
async fn table_data(
    conn: &mut Conn,
    db: &str,
    table: &str,
    output: &mut Output,
    dir: &Path,
) -> Result<u64, DumpError> {
    let columns: Vec<String> = conn
        .exec(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? \
             AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
            (db, table),
        )
        .await?;
    let list = columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(",");
    let insert = format!("INSERT INTO {} ({list}) VALUES\n", ident(table));
    let mut result = conn
        .query_iter(format!("SELECT {list} FROM {}.{}", ident(db), ident(table)))
        .await?;
    let literals: Vec<_> = result
        .columns()
        .map(|cols| cols.iter().map(literal_for).collect())
        .unwrap_or_default();
    let (mut rows, mut statement) = (0u64, Vec::with_capacity(STATEMENT_BYTES + 4096));
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
        rows += 1;
        if statement.len() >= STATEMENT_BYTES {
            statement.extend_from_slice(b";\n");
            output.write(dir, &statement)?;
            statement.clear();
        }
    }
    if !statement.is_empty() {
        statement.extend_from_slice(b";\n");
        output.write(dir, &statement)?;
    }
    Ok(rows)
}

/// Dumps the databases over `url` into `dir` (created; refused if it already holds a dump).
pub async fn dump(url: &str, options: &DumpOptions, dir: &Path) -> Result<Manifest, DumpError> {
    std::fs::create_dir_all(dir).map_err(DumpError::io(dir))?;
    let manifest_path: PathBuf = dir.join(MANIFEST_NAME);
    if manifest_path.exists() {
        return Err(DumpError::Io {
            path: manifest_path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "this directory already holds a dump; choose an empty one",
            ),
        });
    }
    let started_at = now();
    let mut conn = Conn::from_url(url).await?;
    conn.query_drop("SET SESSION time_zone = '+00:00'").await?;
    conn.query_drop("SET NAMES utf8mb4").await?;
    conn.query_drop("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await?;
    conn.query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        .await?;
    let server_version: String = conn
        .query_first("SELECT VERSION()")
        .await?
        .unwrap_or_default();
    let gtid = gtid(&mut conn).await;
    let (mut files, mut tables) = (Vec::new(), Vec::new());
    for db in &options.databases {
        let listed: Vec<(String, String)> = conn
            .exec(
                "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
                (db,),
            )
            .await?;
        let mut schema = Output::create(dir, format!("{db}-schema.sql.zst"), options.zstd_level)?;
        for (table, _) in listed.iter().filter(|(_, k)| k != "VIEW") {
            let row: Option<(String, String)> = conn
                .query_first(format!("SHOW CREATE TABLE {}.{}", ident(db), ident(table)))
                .await?;
            if let Some((_, create)) = row {
                let sql = format!("DROP TABLE IF EXISTS {};\n{create};\n", ident(table));
                schema.write(dir, sql.as_bytes())?;
            }
            let mut data =
                Output::create(dir, format!("{db}.{table}.sql.zst"), options.zstd_level)?;
            let rows = table_data(&mut conn, db, table, &mut data, dir).await?;
            files.push(data.finish(dir)?);
            tables.push(TableEntry {
                database: db.clone(),
                table: table.clone(),
                rows,
                file: Some(format!("{db}.{table}.sql.zst")),
            });
        }
        for (view, _) in listed.iter().filter(|(_, k)| k == "VIEW") {
            let row: Option<Row> = conn
                .query_first(format!("SHOW CREATE VIEW {}.{}", ident(db), ident(view)))
                .await?;
            if let Some(create) = row.and_then(|r| r.get::<String, _>(1)) {
                let sql = format!(
                    "DROP VIEW IF EXISTS {};\n{};\n",
                    ident(view),
                    without_definer(&create)
                );
                schema.write(dir, sql.as_bytes())?;
            }
            tables.push(TableEntry {
                database: db.clone(),
                table: view.clone(),
                rows: 0,
                file: None,
            });
        }
        files.push(schema.finish(dir)?);
        let mut post = Output::create(dir, format!("{db}-post.sql.zst"), options.zstd_level)?;
        for statement in post_statements(&mut conn, db).await? {
            post.write(
                dir,
                format!("DELIMITER ;;\n{statement};;\nDELIMITER ;\n").as_bytes(),
            )?;
        }
        files.push(post.finish(dir)?);
    }
    conn.query_drop("COMMIT").await?;
    conn.disconnect().await?;
    let manifest = Manifest {
        format: 1,
        server_version,
        gtid,
        started_at,
        finished_at: now(),
        databases: options.databases.clone(),
        compression: "zstd".into(),
        files,
        tables,
        options: BTreeMap::from([("zstd_level".to_string(), options.zstd_level.to_string())]),
    };
    let partial = dir.join(format!("{MANIFEST_NAME}.partial"));
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| DumpError::Io {
        path: partial.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&partial, text).map_err(DumpError::io(&partial))?;
    std::fs::rename(&partial, &manifest_path).map_err(DumpError::io(&manifest_path))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definers_are_dropped() {
        assert_eq!(
            without_definer("CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT"),
            "CREATE TRIGGER t BEFORE INSERT"
        );
        assert_eq!(without_definer("CREATE TABLE t"), "CREATE TABLE t");
    }
}
