//! The manifest: what a dump holds and how to check it, written after every other file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::compression::Compression;

pub const MANIFEST_NAME: &str = "manifest.json";

/// The manifest format this version writes and reads.
pub const FORMAT: u32 = 2;

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
    pub view: bool,
    pub rows: u64,
    /// The data files, one per primary-key chunk (one for a table dumped whole; none for views).
    pub files: Vec<String>,
    /// `CHECKSUM TABLE` read in the dump's snapshot, when asked for.
    pub checksum: Option<u64>,
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
    pub compression: Compression,
    pub files: Vec<FileEntry>,
    pub tables: Vec<TableEntry>,
    pub options: BTreeMap<String, String>,
}

impl Manifest {
    /// The schema file (tables, then views) of one database.
    pub fn schema_file(&self, database: &str) -> String {
        format!(
            "{}-schema{}",
            file_stem(database),
            self.compression.extension()
        )
    }

    /// The file of triggers, routines and events of one database, run after the data.
    pub fn post_file(&self, database: &str) -> String {
        format!(
            "{}-post{}",
            file_stem(database),
            self.compression.extension()
        )
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// A name usable as a file name on any system: letters, digits, `_`, `-` and `$` as they are,
/// every other byte as `@XX`.
pub fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$') {
            out.push(b as char);
        } else {
            out.push_str(&format!("@{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(file_stem("wp_posts"), "wp_posts");
        assert_eq!(file_stem("a/b.c"), "a@2Fb@2Ec");
        assert_eq!(file_stem("café"), "caf@C3@A9");
        assert_ne!(file_stem("a.b"), file_stem("a@2Eb"));
    }
}
