//! Evidence on a checklist item: a file, a command's output, or a link.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum EvidenceKind {
    /// A file, kept in the data directory under its SHA-256; `name` is what it was called.
    File {
        name: String,
    },
    /// A command's output, pasted; kept like a file.
    Output,
    Link {
        url: String,
    },
}

/// What is attached: a file's or output's SHA-256 and size, and a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evidence {
    #[serde(flatten)]
    pub kind: EvidenceKind,
    pub sha256: Option<String>,
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
    pub note: String,
}
