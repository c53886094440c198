//! Evidence on checklist items. Files and pasted output are kept content-addressed in the data
//! directory (`evidence/ab/cdef...`, named by their SHA-256), streamed through a fixed buffer so
//! a file of any size is hashed and kept in bounded memory; the hash goes into the audit trail
//! with the event, and [`Flightdeck::verify_evidence`] finds a kept file that changed since.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flightdeck_model::{Actor, Event, Evidence, EvidenceKind};
use flightdeck_store::EvidenceRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// Pasted output larger than this is attached as a file instead.
pub const OUTPUT_LIMIT: usize = 10 * 1024 * 1024;
const BUFFER: usize = 1 << 20;

/// What to attach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Attachment {
    File { path: String },
    Output { text: String },
    Link { url: String },
}

/// A kept file or output checked against the SHA-256 its event recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum EvidenceState {
    Intact,
    /// Its bytes are not the ones attached.
    Changed {
        sha256: String,
    },
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EvidenceCheck {
    pub record: EvidenceRecord,
    pub state: EvidenceState,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Flightdeck {
    fn evidence_dir(&self) -> PathBuf {
        self.data_dir().join("evidence")
    }

    /// Where the kept bytes with this SHA-256 live.
    pub fn evidence_path(&self, sha256: &str) -> PathBuf {
        let (head, tail) = sha256.split_at(2.min(sha256.len()));
        self.evidence_dir().join(head).join(tail)
    }

    /// Copies `reader` into the evidence store, hashing as it goes; the SHA-256 and size.
    fn keep(&self, reader: &mut dyn Read) -> Result<(String, u64), Error> {
        let dir = self.evidence_dir();
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(io(&dir))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; BUFFER];
        let mut bytes = 0u64;
        loop {
            let n = reader.read(&mut buffer).map_err(io(&dir))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            temp.write_all(&buffer[..n]).map_err(io(temp.path()))?;
            bytes += n as u64;
        }
        temp.as_file().sync_all().map_err(io(temp.path()))?;
        let sha256 = hex::encode(hasher.finalize());
        let path = self.evidence_path(&sha256);
        if !path.exists() {
            let parent = path.parent().unwrap_or(&dir);
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            temp.persist(&path).map_err(|e| io(&path)(e.error))?;
        }
        Ok((sha256, bytes))
    }

    /// Attaches evidence to `item` of the run `key`: a file or output is kept first, then the
    /// event (with its SHA-256) is written.
    pub fn attach_evidence(
        &self,
        actor: &Actor,
        key: &str,
        item: &str,
        attachment: &Attachment,
        note: &str,
    ) -> Result<EvidenceRecord, Error> {
        {
            let mut store = self.write()?;
            store.item(key, item)?;
            self.permit(&mut store, actor, Change::Item, Some(key), item)?;
        }
        let evidence = match attachment {
            Attachment::File { path } => {
                let path = Path::new(path);
                let file = File::open(path).map_err(io(path))?;
                let (sha256, bytes) = self.keep(&mut BufReader::with_capacity(BUFFER, file))?;
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                Evidence {
                    kind: EvidenceKind::File { name },
                    sha256: Some(sha256),
                    bytes: Some(bytes),
                    note: note.to_string(),
                }
            }
            Attachment::Output { text } => {
                if text.trim().is_empty() {
                    return Err(Error::Invalid(
                        "paste the command's output to attach".into(),
                    ));
                }
                if text.len() > OUTPUT_LIMIT {
                    return Err(Error::Invalid(format!(
                        "pasted output is limited to {} MB; save it to a file and attach the file",
                        OUTPUT_LIMIT / (1024 * 1024)
                    )));
                }
                let (sha256, bytes) = self.keep(&mut text.as_bytes())?;
                Evidence {
                    kind: EvidenceKind::Output,
                    sha256: Some(sha256),
                    bytes: Some(bytes),
                    note: note.to_string(),
                }
            }
            Attachment::Link { url } => {
                let url = url.trim();
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048
                {
                    return Err(Error::Invalid(format!(
                        "'{url}' is not a link: give an http:// or https:// address"
                    )));
                }
                Evidence {
                    kind: EvidenceKind::Link {
                        url: url.to_string(),
                    },
                    sha256: None,
                    bytes: None,
                    note: note.to_string(),
                }
            }
        };
        let mut store = self.write()?;
        let author = self.author(&mut store, actor)?;
        store.record_event(
            &author,
            Event::EvidenceAttached {
                runbook: key.to_string(),
                item: item.to_string(),
                evidence,
            },
        )?;
        Ok(store
            .evidence(key, Some(item))?
            .pop()
            .expect("the evidence just attached"))
    }

    /// Every kept file and output of the run `key`, hashed again and compared with the SHA-256
    /// its event recorded.
    pub fn verify_evidence(&self, key: &str) -> Result<Vec<EvidenceCheck>, Error> {
        let records = self.read()?.evidence(key, None)?;
        records
            .into_iter()
            .map(|record| {
                let state = match &record.evidence.sha256 {
                    None => EvidenceState::Intact,
                    Some(sha256) => self.check_kept(sha256)?,
                };
                Ok(EvidenceCheck { record, state })
            })
            .collect()
    }

    fn check_kept(&self, sha256: &str) -> Result<EvidenceState, Error> {
        let path = self.evidence_path(sha256);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(EvidenceState::Missing)
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut reader = BufReader::with_capacity(BUFFER, file);
        let mut hasher = Sha256::new();
        std::io::copy(&mut reader, &mut hasher).map_err(io(&path))?;
        let found = hex::encode(hasher.finalize());
        Ok(if found == sha256 {
            EvidenceState::Intact
        } else {
            EvidenceState::Changed { sha256: found }
        })
    }
}
