//! Verifying a dump without restoring it: the manifest must be there (a dump without one was
//! interrupted), and every file it lists must have its size and SHA-256 and decompress whole.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::manifest::{Manifest, MANIFEST_NAME};
use crate::DumpError;

/// What verification found, file by file.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Checks every file of the dump in `dir` against its manifest.
pub fn verify(dir: &Path) -> Result<(Manifest, Verified), DumpError> {
    let manifest_path = dir.join(MANIFEST_NAME);
    let text = std::fs::read(&manifest_path).map_err(|_| {
        bad(
            &manifest_path,
            "missing: the dump never finished, so it is not a backup".into(),
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| bad(&manifest_path, format!("unreadable manifest: {e}")))?;
    let mut bytes = 0;
    for entry in &manifest.files {
        let path = dir.join(&entry.name);
        let data = std::fs::read(&path).map_err(|e| bad(&path, format!("cannot be read: {e}")))?;
        if data.len() as u64 != entry.bytes {
            return Err(bad(
                &path,
                format!(
                    "{} bytes where the manifest says {}: truncated or replaced",
                    data.len(),
                    entry.bytes
                ),
            ));
        }
        let sha = hex::encode(Sha256::digest(&data));
        if sha != entry.sha256 {
            return Err(bad(
                &path,
                format!("SHA-256 {sha} where the manifest says {}", entry.sha256),
            ));
        }
        let mut decoder =
            zstd::Decoder::new(&data[..]).map_err(|e| bad(&path, format!("not zstd: {e}")))?;
        std::io::copy(&mut decoder.by_ref(), &mut std::io::sink())
            .map_err(|e| bad(&path, format!("does not decompress: {e}")))?;
        bytes += entry.bytes;
    }
    let files = manifest.files.len();
    Ok((manifest, Verified { files, bytes }))
}
