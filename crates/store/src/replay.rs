//! Checks that a runbook's state is what its events say: the events are applied again to
//! empty state inside a transaction that is rolled back, and the two are compared row by row.
//! A row changed, added or removed in the file without its event is found this way, since it
//! leaves no entry in the trail to break.

use rusqlite::{Connection, Transaction};

use flightdeck_model::SignedEvent;

use crate::apply::{apply, EVENT_STATE};
use crate::{Store, StoreError};

/// Columns that are not what an event says: row numbers, and members' presence.
fn is_state(table: &str, column: &str) -> bool {
    match column {
        "id" | "runbook_id" => false,
        "last_seen" | "desktop" => table != "members",
        _ => true,
    }
}

/// Every row of the runbook's event state, table by table, as text, in a stable order.
fn snapshot(conn: &Connection, runbook_id: i64) -> Result<Vec<(String, String)>, StoreError> {
    let mut rows = Vec::new();
    for table in EVENT_STATE {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|c| is_state(table, c))
            .collect();
        let list = columns.join(", ");
        let sql =
            format!("SELECT json_array({list}) FROM {table} WHERE runbook_id = ?1 ORDER BY {list}");
        let mut stmt = conn.prepare(&sql)?;
        for row in stmt.query_map([runbook_id], |r| r.get::<_, String>(0))? {
            rows.push((table.to_string(), row?));
        }
    }
    Ok(rows)
}

/// How the state differs from what the events make, in a sentence; none when it does not.
fn compare(found: &[(String, String)], made: &[(String, String)]) -> Option<String> {
    let extra = found.iter().find(|row| !made.contains(row));
    let missing = made.iter().find(|row| !found.contains(row));
    match (extra, missing) {
        (None, None) => None,
        (Some((table, row)), Some((_, wanted))) => Some(format!(
            "{table} holds {row} where the events make {wanted}: it was changed without an event"
        )),
        (Some((table, row)), None) => Some(format!(
            "{table} holds {row}, which no event made: it was added without an event"
        )),
        (None, Some((table, wanted))) => Some(format!(
            "{table} lacks {wanted}, which the events make: it was removed without an event"
        )),
    }
}

impl Store {
    /// Whether `key`'s state is what its events say. A shared runbook's events are its log's
    /// (in log order) and then the outbox's; a local runbook's are its trail's. `None` when
    /// the state matches; `Err` only when the file cannot be read.
    pub fn replay_difference(&self, key: &str) -> Result<Option<String>, StoreError> {
        let runbook_id = self.runbook_id(key)?;
        let found = snapshot(&self.conn, runbook_id)?;
        let tx = self.conn.unchecked_transaction()?;
        let events = if self.release(key)?.is_some() {
            crate::team::rebuild(&tx, runbook_id)?;
            None
        } else {
            Some(self.trail_events(&tx, key)?)
        };
        if let Some(events) = events {
            for table in EVENT_STATE {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE runbook_id = ?1"),
                    [runbook_id],
                )?;
            }
            for signed in events {
                let body = signed
                    .body()
                    .map_err(|e| StoreError::Corrupt(format!("an event of the trail: {e}")))?;
                apply(&tx, &body)?;
            }
        }
        let made = snapshot(&tx, runbook_id)?;
        tx.rollback()?;
        Ok(compare(&found, &made))
    }

    /// The runbook's signed events in the trail, oldest first.
    fn trail_events(
        &self,
        tx: &Transaction<'_>,
        key: &str,
    ) -> Result<Vec<SignedEvent>, StoreError> {
        let texts: Vec<String> = tx
            .prepare(
                "SELECT signed FROM audit WHERE runbook = ?1 AND signed IS NOT NULL ORDER BY id",
            )?
            .query_map([key], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        texts
            .into_iter()
            .map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    /// Whether every entry of `key` in the trail carries its signed event, so that the state
    /// can be replayed from them (entries written before events were signed do not).
    pub fn replayable(&self, key: &str) -> Result<bool, StoreError> {
        Ok(!self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM audit WHERE runbook = ?1 AND signed IS NULL)",
            [key],
            |r| r.get::<_, bool>(0),
        )?)
    }
}
