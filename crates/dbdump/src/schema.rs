//! What there is to dump: tables and views with their columns and integer primary keys, the
//! primary-key chunks a big table is read in, and the statements that recreate views,
//! triggers, routines and events.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row};

use crate::sql::ident;
use crate::DumpError;

#[derive(Debug, Clone)]
pub struct Table {
    pub database: String,
    pub name: String,
    pub view: bool,
    /// `information_schema.TABLES.TABLE_ROWS`: exact for MyISAM, an estimate for InnoDB.
    pub estimated_rows: u64,
    /// Stored columns, in order (generated columns are computed again on restore).
    pub columns: Vec<String>,
    /// The primary key when it is one integer column, which makes the table splittable.
    pub integer_key: Option<String>,
}

/// A range of the integer primary key, bounds included below and excluded above; no bound
/// means the start or end of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub column: Option<String>,
    pub from: Option<i128>,
    pub to: Option<i128>,
}

impl Chunk {
    fn whole() -> Chunk {
        Chunk {
            column: None,
            from: None,
            to: None,
        }
    }

    /// The WHERE clause that selects the chunk, with a leading space; empty for a whole table.
    pub fn filter(&self) -> String {
        let Some(column) = &self.column else {
            return String::new();
        };
        let column = ident(column);
        match (self.from, self.to) {
            (Some(from), Some(to)) => format!(" WHERE {column} >= {from} AND {column} < {to}"),
            (Some(from), None) => format!(" WHERE {column} >= {from}"),
            (None, Some(to)) => format!(" WHERE {column} < {to}"),
            (None, None) => String::new(),
        }
    }
}

const INTEGER_TYPES: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];

/// Lists the tables and views of the databases, refusing a database that does not exist.
pub async fn list_tables(conn: &mut Conn, databases: &[String]) -> Result<Vec<Table>, DumpError> {
    let mut tables = Vec::new();
    for db in databases {
        let exists: Option<String> = conn
            .exec_first(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (db,),
            )
            .await?;
        if exists.is_none() {
            return Err(DumpError::Refused(format!(
                "there is no database {db} on this server"
            )));
        }
        let listed: Vec<(String, String, Option<u64>)> = conn
            .exec(
                "SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
                (db,),
            )
            .await?;
        for (name, kind, rows) in listed {
            let columns: Vec<String> = conn
                .exec(
                    "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? \
                     AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
                    (db, &name),
                )
                .await?;
            let key: Vec<(String, String)> = conn
                .exec(
                    "SELECT s.COLUMN_NAME, c.DATA_TYPE FROM information_schema.STATISTICS s \
                     JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA \
                     AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME \
                     WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.INDEX_NAME = 'PRIMARY'",
                    (db, &name),
                )
                .await?;
            let integer_key = match key.as_slice() {
                [(column, kind)] if INTEGER_TYPES.contains(&kind.as_str()) => Some(column.clone()),
                _ => None,
            };
            tables.push(Table {
                database: db.clone(),
                view: kind == "VIEW",
                name,
                estimated_rows: rows.unwrap_or(0),
                columns,
                integer_key,
            });
        }
    }
    Ok(tables)
}

/// Splits a table into about `chunk_rows`-row ranges of its integer primary key, read in the
/// snapshot; a table without one, or small enough, is one chunk.
pub async fn chunks(
    conn: &mut Conn,
    table: &Table,
    chunk_rows: u64,
) -> Result<Vec<Chunk>, DumpError> {
    let Some(column) = &table.integer_key else {
        return Ok(vec![Chunk::whole()]);
    };
    if table.estimated_rows <= chunk_rows.max(1) {
        return Ok(vec![Chunk::whole()]);
    }
    let bounds: Option<(Option<String>, Option<String>)> = conn
        .query_first(format!(
            "SELECT MIN({c}), MAX({c}) FROM {}.{}",
            ident(&table.database),
            ident(&table.name),
            c = ident(column)
        ))
        .await?;
    let parse = |v: Option<String>| v.and_then(|v| v.parse::<i128>().ok());
    let (Some(min), Some(max)) = bounds.map_or((None, None), |(a, b)| (parse(a), parse(b))) else {
        return Ok(vec![Chunk::whole()]);
    };
    Ok(split(
        column,
        min,
        max,
        table.estimated_rows.div_ceil(chunk_rows.max(1)),
    ))
}

/// `count` ranges of equal width over `min..=max`, open at both ends.
fn split(column: &str, min: i128, max: i128, count: u64) -> Vec<Chunk> {
    let span = max - min + 1;
    let count = (count as i128).clamp(1, span);
    let width = (span + count - 1) / count;
    let bounds: Vec<i128> = (1..count)
        .map(|i| min + i * width)
        .filter(|b| *b <= max)
        .collect();
    let mut out = Vec::with_capacity(bounds.len() + 1);
    let mut from = None;
    for b in bounds {
        out.push(Chunk {
            column: Some(column.to_string()),
            from,
            to: Some(b),
        });
        from = Some(b);
    }
    out.push(Chunk {
        column: Some(column.to_string()),
        from,
        to: None,
    });
    out
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

fn column_text(row: Option<Row>, column: usize) -> Option<String> {
    row.and_then(|r| r.get::<Option<String>, _>(column))
        .flatten()
}

/// A table standing in for a view until every view exists, with the view's column names.
pub fn view_placeholder(view: &Table) -> String {
    let columns = view
        .columns
        .iter()
        .map(|c| format!("{} tinyint", ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let name = ident(&view.name);
    format!("DROP TABLE IF EXISTS {name};\nDROP VIEW IF EXISTS {name};\nCREATE TABLE {name} ({columns});\n")
}

/// The view's definition without its definer, replacing its stand-in table.
pub async fn view_statement(conn: &mut Conn, view: &Table) -> Result<Option<String>, DumpError> {
    let row: Option<Row> = conn
        .query_first(format!(
            "SHOW CREATE VIEW {}.{}",
            ident(&view.database),
            ident(&view.name)
        ))
        .await?;
    Ok(column_text(row, 1).map(|create| {
        format!(
            "DROP TABLE IF EXISTS {};\n{};\n",
            ident(&view.name),
            without_definer(&create)
        )
    }))
}

/// The statements that recreate a database's triggers, routines and events, each after a
/// `DROP ... IF EXISTS` so a restore over an existing database replaces them.
pub async fn post_statements(conn: &mut Conn, db: &str) -> Result<Vec<String>, DumpError> {
    let mut out = Vec::new();
    let mut add = |drop: String, create: Option<String>| {
        if let Some(sql) = create {
            out.push(drop);
            out.push(without_definer(&sql));
        }
    };
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
        add(
            format!("DROP TRIGGER IF EXISTS {}", ident(&t)),
            column_text(row, 2),
        );
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
        add(
            format!("DROP {kind} IF EXISTS {}", ident(&name)),
            column_text(row, 2),
        );
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
        add(
            format!("DROP EVENT IF EXISTS {}", ident(&e)),
            column_text(row, 3),
        );
    }
    Ok(out)
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

    #[test]
    fn ranges_cover_every_key_once() {
        let chunks = split("id", 1, 1000, 4);
        assert_eq!(
            chunks.iter().map(Chunk::filter).collect::<Vec<_>>(),
            [
                " WHERE `id` < 251",
                " WHERE `id` >= 251 AND `id` < 501",
                " WHERE `id` >= 501 AND `id` < 751",
                " WHERE `id` >= 751",
            ]
        );
        // More chunks than keys: one per key at most.
        assert_eq!(split("id", 5, 6, 10).len(), 2);
        assert_eq!(split("id", 7, 7, 3).len(), 1);
        // Unsigned BIGINT extremes do not overflow.
        assert_eq!(split("id", 0, u64::MAX as i128, 3).len(), 3);
    }
}
