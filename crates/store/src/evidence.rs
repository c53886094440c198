//! Evidence attached to checklist items, as its events record it.

use flightdeck_model::{Evidence, EvidenceKind};
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Store, StoreError};

/// One piece of evidence, with who attached it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EvidenceRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub item: String,
    pub evidence: Evidence,
    pub by: String,
    pub role: String,
    pub at: String,
}

pub(crate) fn attach(
    tx: &Transaction<'_>,
    runbook_id: i64,
    item: &str,
    evidence: &Evidence,
    (actor, role, at, event_id): (&str, &str, &str, &str),
) -> Result<(), StoreError> {
    let (kind, name, url) = match &evidence.kind {
        EvidenceKind::File { name } => ("file", Some(name.as_str()), None),
        EvidenceKind::Output => ("output", None, None),
        EvidenceKind::Link { url } => ("link", None, Some(url.as_str())),
    };
    tx.execute(
        "INSERT OR IGNORE INTO evidence (runbook_id, item_id, kind, name, url, sha256, bytes, note, \
         actor, role, at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            runbook_id,
            item,
            kind,
            name,
            url,
            evidence.sha256,
            evidence.bytes.map(|b| b as i64),
            evidence.note,
            actor,
            role,
            at,
            event_id
        ],
    )?;
    Ok(())
}

impl Store {
    /// The evidence of the run `key`, oldest first; of one item when `item` is given.
    pub fn evidence(
        &self,
        key: &str,
        item: Option<&str>,
    ) -> Result<Vec<EvidenceRecord>, StoreError> {
        let id = self.runbook_id(key)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, item_id, kind, name, url, sha256, bytes, note, actor, role, at FROM evidence \
             WHERE runbook_id = ?1 AND (?2 IS NULL OR item_id = ?2) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![id, item], |r| {
            let kind: String = r.get(2)?;
            let kind = match kind.as_str() {
                "file" => EvidenceKind::File {
                    name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                },
                "link" => EvidenceKind::Link {
                    url: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                },
                _ => EvidenceKind::Output,
            };
            Ok(EvidenceRecord {
                id: r.get(0)?,
                item: r.get(1)?,
                evidence: Evidence {
                    kind,
                    sha256: r.get(5)?,
                    bytes: r.get::<_, Option<i64>>(6)?.map(|b| b as u64),
                    note: r.get(7)?,
                },
                by: r.get(8)?,
                role: r.get(9)?,
                at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
