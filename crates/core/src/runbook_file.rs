use std::io::Read;
use std::path::Path;

use flightdeck_runbook::{parse, ImportError, Runbook, MAX_RUNBOOK_BYTES};
use sha2::{Digest, Sha256};

use crate::Error;

/// Reads and parses a runbook file; returns it with the SHA-256 of its bytes.
pub fn read_runbook(path: &Path) -> Result<(Runbook, String), Error> {
    let name = path.display().to_string();
    let io = |source| Error::Io {
        path: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if metadata.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a directory, not a runbook file",
        )));
    }
    if metadata.len() > MAX_RUNBOOK_BYTES {
        return Err(ImportError::TooLarge {
            file: name,
            size: metadata.len(),
            limit: MAX_RUNBOOK_BYTES,
        }
        .into());
    }
    let mut bytes = Vec::new();
    file.take(MAX_RUNBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let runbook = parse(&name, &bytes)?;
    Ok((runbook, hex::encode(Sha256::digest(&bytes))))
}
