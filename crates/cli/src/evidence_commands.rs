//! `flightdeck evidence attach|list|verify`.

use std::io::Read;

use flightdeck_core::{Attachment, Error, EvidenceState, Flightdeck};
use flightdeck_model::EvidenceKind;
use flightdeck_store::EvidenceRecord;

use crate::args::EvidenceCommand;
use crate::commands::acting;
use crate::output;

/// Runs the command; false when `verify` found evidence that changed or is missing.
pub fn evidence(fd: &Flightdeck, command: EvidenceCommand) -> Result<bool, Error> {
    match command {
        EvidenceCommand::Attach {
            runbook,
            item,
            file,
            output: pasted,
            link,
            note,
            who,
            json,
        } => {
            let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
            let attachment = match (file, pasted, link) {
                (Some(path), _, _) => Attachment::File {
                    path: path.display().to_string(),
                },
                (_, Some(source), _) => Attachment::Output {
                    text: read_output(&source)?,
                },
                (_, _, Some(url)) => Attachment::Link { url },
                _ => {
                    return Err(Error::Invalid(
                        "say what to attach: --file PATH, --output FILE (or - for standard input) or --link URL".into(),
                    ))
                }
            };
            let record = fd.attach_evidence(&actor, &runbook, &item, &attachment, &note)?;
            if json {
                output::json(&record);
            } else {
                println!("attached to {item}: {}", describe(&record));
            }
        }
        EvidenceCommand::List {
            runbook,
            item,
            json,
        } => {
            let records = fd.read()?.evidence(&runbook, item.as_deref())?;
            if json {
                output::json(&records);
            } else {
                for r in &records {
                    println!("{}  {}  ({}, {})", r.item, describe(r), r.by, r.at);
                }
            }
        }
        EvidenceCommand::Verify { runbook, json } => {
            let checks = fd.verify_evidence(&runbook)?;
            let intact = checks.iter().all(|c| c.state == EvidenceState::Intact);
            if json {
                output::json(&checks);
            } else {
                for c in &checks {
                    let state = match &c.state {
                        EvidenceState::Intact => "intact".to_string(),
                        EvidenceState::Changed { sha256 } => {
                            format!("CHANGED: its bytes now hash to {sha256}")
                        }
                        EvidenceState::Missing => "MISSING from the data directory".to_string(),
                    };
                    println!("{}  {}: {state}", c.record.item, describe(&c.record));
                }
                println!("{} piece(s) of evidence checked", checks.len());
            }
            return Ok(intact);
        }
    }
    Ok(true)
}

fn read_output(source: &str) -> Result<String, Error> {
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|source_error| Error::Io {
        path: source.to_string(),
        source: source_error,
    })?;
    Ok(text)
}

fn describe(r: &EvidenceRecord) -> String {
    let e = &r.evidence;
    let what = match &e.kind {
        EvidenceKind::File { name } => format!("file {name}"),
        EvidenceKind::Output => "output".to_string(),
        EvidenceKind::Link { url } => format!("link {url}"),
    };
    let hash = match (&e.sha256, e.bytes) {
        (Some(sha), Some(bytes)) => format!(" ({bytes} bytes, sha256 {sha})"),
        _ => String::new(),
    };
    let note = if e.note.is_empty() {
        String::new()
    } else {
        format!(": {}", e.note)
    };
    format!("{what}{hash}{note}")
}
