//! The manifest: what a dump holds and how to check it, written after every other file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const MANIFEST_NAME: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    pub database: String,
    pub table: String,
    pub rows: u64,
    /// The data file; None for views.
    pub file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub server_version: String,
    /// `@@gtid_current_pos` (MariaDB) or `@@gtid_executed` (MySQL) at the snapshot, when known.
    pub gtid: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub databases: Vec<String>,
    pub compression: String,
    pub files: Vec<FileEntry>,
    pub tables: Vec<TableEntry>,
    pub options: BTreeMap<String, String>,
}
