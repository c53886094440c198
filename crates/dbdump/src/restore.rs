//! Restoring our dumps: verified first, into a new database by default (over an existing one
//! only when the caller names it), schema, then the tables' data over several connections at
//! once, then triggers and routines; afterwards every table's row count is compared with the
//! manifest, table by table.

use std::io::Read;
use std::path::Path;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, Pool};

use crate::manifest::Manifest;
use crate::sql::ident;
use crate::verify::verify;
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

/// One table's rows in the manifest and after the restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    pub table: String,
    pub expected: u64,
    pub restored: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub tables: Vec<TableCheck>,
}

impl RestoreReport {
    pub fn matches(&self) -> bool {
        self.tables.iter().all(|t| t.expected == t.restored)
    }
}

/// The statements of a dump: each ends with `;` at the end of a line (values never hold a raw
/// newline: it is written `\n`), except inside `DELIMITER ;;` blocks. Bytes, not text: the stock
/// `mysqldump` writes blobs as raw bytes inside string literals.
fn statements(sql: &[u8]) -> Vec<Vec<u8>> {
    fn trim_end(b: &[u8]) -> &[u8] {
        let end = b
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        &b[..end]
    }
    let (mut out, mut current, mut delimiter) = (Vec::new(), Vec::new(), b";".to_vec());
    for line in sql.split_inclusive(|b| *b == b'\n') {
        let trimmed = trim_end(line);
        if let Some(d) = trimmed.strip_prefix(b"DELIMITER ") {
            delimiter = trim_end(d).to_vec();
            continue;
        }
        current.extend_from_slice(line);
        if trimmed.ends_with(&delimiter) {
            let body = trim_end(&current);
            let statement = trim_end(&body[..body.len() - delimiter.len()]);
            let start = statement
                .iter()
                .position(|c| !c.is_ascii_whitespace())
                .unwrap_or(statement.len());
            if start < statement.len() {
                out.push(statement[start..].to_vec());
            }
            current.clear();
        }
    }
    if !trim_end(&current).is_empty() {
        out.push(trim_end(&current).to_vec());
    }
    out
}

fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>, DumpError> {
    let path = dir.join(name);
    let file = std::fs::File::open(&path).map_err(DumpError::io(&path))?;
    let mut bytes = Vec::new();
    zstd::Decoder::new(file)
        .and_then(|mut d| d.read_to_end(&mut bytes))
        .map_err(DumpError::io(&path))?;
    Ok(bytes)
}

async fn run_file(conn: &mut Conn, dir: &Path, name: &str) -> Result<(), DumpError> {
    for statement in statements(&read_file(dir, name)?) {
        conn.query_drop(statement)
            .await
            .map_err(|e| DumpError::Restore {
                file: name.to_string(),
                why: e.to_string(),
            })?;
    }
    Ok(())
}

fn url_for(url: &str, database: &str) -> Result<Opts, DumpError> {
    let opts = Opts::from_url(url).map_err(|e| DumpError::Sql(e.into()))?;
    Ok(OptsBuilder::from_opts(opts).db_name(Some(database)).into())
}

/// Restores `options.source` from the dump in `dir` into `options.target` on the server `url`.
pub async fn restore(
    url: &str,
    dir: &Path,
    options: &RestoreOptions,
) -> Result<RestoreReport, DumpError> {
    let (manifest, _) = verify(dir)?;
    if !manifest.databases.contains(&options.source) {
        return Err(DumpError::Refused(format!(
            "the dump holds {}, not {}",
            manifest.databases.join(", "),
            options.source
        )));
    }
    let mut admin = Conn::new(url_for(url, "")?).await?;
    let exists: Option<String> = admin
        .exec_first(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (&options.target,),
        )
        .await?;
    if exists.is_some() && options.over_existing.as_deref() != Some(options.target.as_str()) {
        return Err(DumpError::Refused(format!(
            "database {} exists; restoring over it replaces its tables, so name it to confirm",
            options.target
        )));
    }
    admin
        .query_drop(format!(
            "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4",
            ident(&options.target)
        ))
        .await?;
    admin.disconnect().await?;
    let pool = Pool::new(url_for(url, &options.target)?);
    let mut conn = pool.get_conn().await?;
    run_file(
        &mut conn,
        dir,
        &format!("{}-schema.sql.zst", options.source),
    )
    .await?;
    drop(conn);
    load_data(&pool, dir, &manifest, options).await?;
    let mut conn = pool.get_conn().await?;
    run_file(&mut conn, dir, &format!("{}-post.sql.zst", options.source)).await?;
    let mut tables = Vec::new();
    for t in manifest
        .tables
        .iter()
        .filter(|t| t.database == options.source && t.file.is_some())
    {
        let restored: Option<u64> = conn
            .query_first(format!("SELECT COUNT(*) FROM {}", ident(&t.table)))
            .await?;
        tables.push(TableCheck {
            table: t.table.clone(),
            expected: t.rows,
            restored: restored.unwrap_or_default(),
        });
    }
    drop(conn);
    pool.disconnect().await?;
    Ok(RestoreReport { tables })
}

/// Restores a plain SQL dump from the stock `mysqldump`/`mariadb-dump` (gzip-compressed when
/// its name ends in `.gz`) into `target`, with the same rule for an existing database.
pub async fn restore_plain(
    url: &str,
    file: &Path,
    target: &str,
    over_existing: Option<&str>,
) -> Result<(), DumpError> {
    let raw = std::fs::read(file).map_err(DumpError::io(file))?;
    let text = if file.extension().is_some_and(|e| e == "gz") {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .map_err(DumpError::io(file))?;
        text
    } else {
        raw
    };
    let mut admin = Conn::new(url_for(url, "")?).await?;
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
    let mut conn = Conn::new(url_for(url, target)?).await?;
    let name = file.display().to_string();
    for statement in statements(&text) {
        conn.query_drop(statement)
            .await
            .map_err(|e| DumpError::Restore {
                file: name.clone(),
                why: e.to_string(),
            })?;
    }
    conn.disconnect().await?;
    Ok(())
}

/// Loads the data files, `parallel` at a time, each on its own connection.
async fn load_data(
    pool: &Pool,
    dir: &Path,
    manifest: &Manifest,
    options: &RestoreOptions,
) -> Result<(), DumpError> {
    let files: Vec<String> = manifest
        .tables
        .iter()
        .filter(|t| t.database == options.source)
        .filter_map(|t| t.file.clone())
        .collect();
    for batch in files.chunks(options.parallel.max(1)) {
        let loads = batch.iter().map(|name| {
            let (pool, dir, name) = (pool.clone(), dir.to_path_buf(), name.clone());
            tokio::spawn(async move {
                let mut conn = pool.get_conn().await?;
                run_file(&mut conn, &dir, &name).await
            })
        });
        for load in loads.collect::<Vec<_>>() {
            load.await
                .map_err(|e| DumpError::Refused(format!("a load task stopped: {e}")))??;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_line_ends_and_delimiters() {
        let sql = "SET NAMES utf8mb4;\nINSERT INTO t VALUES\n('a;\\nb'),\n('c');\nDELIMITER ;;\nCREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END;;\nDELIMITER ;\n";
        assert_eq!(
            statements(sql.as_bytes()),
            vec![
                b"SET NAMES utf8mb4".to_vec(),
                b"INSERT INTO t VALUES\n('a;\\nb'),\n('c')".to_vec(),
                b"CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END".to_vec(),
            ]
        );
    }
}
