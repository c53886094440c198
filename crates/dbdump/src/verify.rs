//! Verifying a dump without restoring it: the manifest must be there (a dump without one was
//! interrupted), and every file it lists must have its size and SHA-256 and decompress whole.
//! Files are streamed, so a dump of any size is checked in constant memory.

use std::path::Path;

use serde::Serialize;

use crate::compression::check_file;
use crate::manifest::{Manifest, FORMAT, MANIFEST_NAME};
use crate::DumpError;

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub files: usize,
    pub bytes: u64,
}

fn bad(path: &Path, why: String) -> DumpError {
    DumpError::Corrupt {
        file: path.display().to_string(),
        why,
    }
}

/// Reads the manifest of the dump in `dir`, refusing a dump that never finished.
pub fn read_manifest(dir: &Path) -> Result<Manifest, DumpError> {
    let manifest_path = dir.join(MANIFEST_NAME);
    let text = std::fs::read(&manifest_path).map_err(|_| {
        bad(
            &manifest_path,
            "missing: the dump never finished, so it is not a backup".into(),
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| bad(&manifest_path, format!("unreadable manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(bad(
            &manifest_path,
            format!(
                "manifest format {} is not the format {FORMAT} this version reads",
                manifest.format
            ),
        ));
    }
    Ok(manifest)
}

/// Checks every file of the dump in `dir` against its manifest.
pub fn verify(dir: &Path) -> Result<(Manifest, Verified), DumpError> {
    let manifest = read_manifest(dir)?;
    let mut bytes = 0;
    for entry in &manifest.files {
        let path = dir.join(&entry.name);
        let checked = check_file(manifest.compression, &path)
            .map_err(|e| bad(&path, format!("cannot be read: {e}")))?;
        let (size, sha) = (checked.bytes, checked.sha256);
        if size != entry.bytes {
            return Err(bad(
                &path,
                format!(
                    "{size} bytes where the manifest says {}: truncated or replaced",
                    entry.bytes
                ),
            ));
        }
        if sha != entry.sha256 {
            return Err(bad(
                &path,
                format!("SHA-256 {sha} where the manifest says {}", entry.sha256),
            ));
        }
        if let Some(e) = checked.broken {
            return Err(bad(&path, format!("does not decompress: {e}")));
        }
        bytes += entry.bytes;
    }
    let files = manifest.files.len();
    Ok((manifest, Verified { files, bytes }))
}
