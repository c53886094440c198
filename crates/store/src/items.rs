use rusqlite::{params, OptionalExtension, Row};

use crate::runbooks::EFFECTIVE_STATE;
use crate::runs::CURRENT_RUNS;
use flightdeck_model::{Author, Event, ItemState};

use crate::types::{ItemUpdate, ItemView, SearchHit};
use crate::{Store, StoreError};

fn item_select(filter: &str) -> String {
    format!(
        "SELECT i.item_id, i.phase_id, i.text, i.section, i.task_id, i.parent_id, i.depth, i.line, \
           {EFFECTIVE_STATE}, s.note, \
           CASE WHEN s.item_id IS NULL AND i.source_checked THEN 'runbook' ELSE s.actor END, \
           s.role, s.updated_at, s.desktop \
         FROM items i LEFT JOIN item_state s ON s.runbook_id = i.runbook_id AND s.item_id = i.item_id \
         WHERE {filter} ORDER BY i.ordinal"
    )
}

/// An item state column: NULL for open.
fn state_column(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<ItemState>> {
    r.get::<_, Option<String>>(column)?
        .map(|s| {
            ItemState::parse(&s).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    column,
                    rusqlite::types::Type::Text,
                    format!("unknown item state '{s}'").into(),
                )
            })
        })
        .transpose()
}

fn item_view(r: &Row<'_>) -> rusqlite::Result<ItemView> {
    Ok(ItemView {
        id: r.get(0)?,
        phase_id: r.get(1)?,
        text: r.get(2)?,
        section: r.get(3)?,
        task: r.get(4)?,
        parent: r.get(5)?,
        depth: r.get(6)?,
        line: r.get(7)?,
        state: state_column(r, 8)?,
        note: r.get(9)?,
        by: r.get(10)?,
        role: r.get(11)?,
        at: r.get(12)?,
        desktop: r.get(13)?,
    })
}

impl Store {
    /// The items of one phase, in document order, with their state.
    pub fn phase_items(&self, key: &str, phase_id: &str) -> Result<Vec<ItemView>, StoreError> {
        let id = self.runbook_id(key)?;
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM phases WHERE runbook_id = ?1 AND phase_id = ?2)",
            params![id, phase_id],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::UnknownPhase {
                runbook: key.to_string(),
                phase: phase_id.to_string(),
            });
        }
        let sql = item_select("i.runbook_id = ?1 AND i.phase_id = ?2");
        let items = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![id, phase_id], item_view)?
            .collect::<Result<_, _>>()?;
        Ok(items)
    }

    /// Every item of the runbook, in document order, with its state.
    pub fn items(&self, key: &str) -> Result<Vec<ItemView>, StoreError> {
        let id = self.runbook_id(key)?;
        let sql = item_select("i.runbook_id = ?1");
        let items = self
            .conn
            .prepare_cached(&sql)?
            .query_map([id], item_view)?
            .collect::<Result<_, _>>()?;
        Ok(items)
    }

    pub fn item(&self, key: &str, item_id: &str) -> Result<ItemView, StoreError> {
        let id = self.runbook_id(key)?;
        let sql = item_select("i.runbook_id = ?1 AND i.item_id = ?2");
        self.conn
            .prepare_cached(&sql)?
            .query_row(params![id, item_id], item_view)
            .optional()?
            .ok_or_else(|| StoreError::UnknownItem {
                runbook: key.to_string(),
                item: item_id.to_string(),
            })
    }

    /// Records a new state and/or note for an item, with who and when, in one transaction.
    pub fn set_item(
        &mut self,
        key: &str,
        item_id: &str,
        update: &ItemUpdate,
        author: &Author,
    ) -> Result<ItemView, StoreError> {
        let current = self.item(key, item_id)?;
        let note = match &update.note {
            Some(n) if n.trim().is_empty() => None,
            Some(n) => Some(n.trim().to_string()),
            None => current.note,
        };
        let event = Event::ItemChanged {
            runbook: key.to_string(),
            item: item_id.to_string(),
            state: update.state,
            note,
        };
        self.record_event(author, event)?;
        self.item(key, item_id)
    }

    /// Items whose text contains every word of `query`, across all runbooks.
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| {
                format!(
                    "%{}%",
                    w.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            })
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let filter = (1..=words.len())
            .map(|n| format!("i.text LIKE ?{n} ESCAPE '\\'"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "SELECT r.key, r.title, i.phase_id, i.item_id, i.text, {EFFECTIVE_STATE} \
             FROM items i JOIN runbooks r ON r.id = i.runbook_id \
             LEFT JOIN item_state s ON s.runbook_id = i.runbook_id AND s.item_id = i.item_id \
             WHERE {filter} AND r.id IN ({CURRENT_RUNS}) ORDER BY r.id, i.ordinal LIMIT {limit}"
        );
        let hits = self
            .conn
            .prepare(&sql)?
            .query_map(rusqlite::params_from_iter(words.iter()), |r| {
                Ok(SearchHit {
                    runbook: r.get(0)?,
                    runbook_title: r.get(1)?,
                    phase_id: r.get(2)?,
                    item_id: r.get(3)?,
                    text: r.get(4)?,
                    state: state_column(r, 5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(hits)
    }
}
