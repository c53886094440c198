//! Reading and writing a shared runbook's log: read what others wrote (judged, then applied in
//! log order), then write ours from the outbox, oldest first, each under the next sequence
//! number with a conditional write; when another desktop took that number, read again and
//! retry. Nothing waits on the store while DynamoDB answers.

use std::time::Duration;

use flightdeck_cloud::{Appended, TeamLog};
use flightdeck_model::SignedEvent;
use flightdeck_store::{LogEntry, Pulled};

use super::judge::Judge;
use super::uri::FINGERPRINT_HEX;
use super::{team_view, ReleaseUri, TeamView};
use crate::{Error, Flightdeck};

/// How many times in a row a write may find its number taken while reading the log finds
/// nothing new, before giving up for now (the outbox keeps the changes).
const STUCK: u32 = 5;

/// How many waiting changes go to the log in one transaction, and how many bytes at most
/// (DynamoDB takes 100 items and 4 MB).
const BATCH: usize = 25;
const BATCH_BYTES: usize = 2_000_000;

/// The oldest waiting changes that fit in one write.
fn batch(outbox: Vec<SignedEvent>) -> Vec<SignedEvent> {
    let mut bytes = 0;
    let mut out = Vec::new();
    for event in outbox.into_iter().take(BATCH) {
        bytes += event.body.len() + event.signature.len() + 200;
        if !out.is_empty() && bytes > BATCH_BYTES {
            break;
        }
        out.push(event);
    }
    out
}

/// What a round of syncing every shared runbook found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncRound {
    pub views: Vec<TeamView>,
    /// Others' changes that arrived in this round.
    pub applied: u32,
    /// Changes of this desktop written to the logs in this round.
    pub pushed: u32,
    /// Writes that found their sequence number taken by another desktop and were tried again.
    pub retried: u32,
}

/// How long a person counts as present after their last heartbeat; they send one at least
/// this often while they sync.
pub const PRESENCE: Duration = Duration::from_secs(30);

/// One event of the log differs between this replica and the table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LogDifference {
    #[ts(type = "number")]
    pub seq: i64,
    pub problem: String,
}

impl Flightdeck {
    /// The shared runbook's log, reached with its environment's credentials.
    async fn team_log(&self, key: &str) -> Result<TeamLog, Error> {
        let (release, env) = {
            let store = self.read()?;
            let release = store
                .release(key)?
                .ok_or_else(|| Error::Invalid(format!("{key} is not shared with a team")))?;
            let env = store.environment(&release.environment)?;
            (release, env)
        };
        let uri = ReleaseUri::parse(&release.uri)?;
        Ok(TeamLog::connect(&env, self.vault(), &uri.table, &uri.release).await?)
    }

    /// Reads the log of `key` and writes this desktop's waiting changes to it; records how it
    /// went (reached, or offline since when and why). Returns what was read.
    pub async fn sync(&self, key: &str) -> Result<Pulled, Error> {
        let outcome = async {
            let log = self.team_log(key).await?;
            let mut total = self.pull(&log, key).await?;
            let mut stuck = 0;
            loop {
                let (batch, seq) = {
                    let store = self.read()?;
                    let batch = batch(store.outbox(key)?);
                    let seq = store.release(key)?.map_or(0, |r| r.last_seq) + 1;
                    (batch, seq)
                };
                if batch.is_empty() {
                    break;
                }
                let events: Vec<(String, String)> = batch
                    .iter()
                    .map(|e| {
                        let id = e.body().map(|b| b.id).unwrap_or_default();
                        (id, serde_json::to_string(e).expect("a signed event serialises"))
                    })
                    .collect();
                match log.append_many(seq, &events).await? {
                    Appended::Written => {
                        self.write()?.pushed(key, seq, &batch)?;
                        total.pushed += batch.len() as u32;
                    }
                    Appended::Taken => {
                        total.retried += 1;
                        let read = self.pull(&log, key).await?;
                        total.applied += read.applied;
                        total.confirmed += read.confirmed;
                        total.rejected += read.rejected;
                        // Taken means another desktop wrote that number: reading finds it.
                        // Finding nothing again and again means the table does not answer
                        // consistently; the changes wait for the next sync.
                        stuck = if read.applied + read.confirmed + read.rejected == 0 {
                            stuck + 1
                        } else {
                            0
                        };
                        if stuck > STUCK {
                            return Err(Error::Invalid(format!(
                                "the log of {key} says event {seq} is written, yet reading it finds nothing; the changes are kept and will be written at the next sync"
                            )));
                        }
                    }
                }
            }
            // Presence is a courtesy: a member whose policy does not let them say they are here
            // (a read-only stakeholder) still reads the log.
            if let Err(e) = self.presence(&log, key).await {
                tracing::info!(key, error = %e, "presence not shared");
            }
            Ok(total)
        }
        .await;
        let error = outcome.as_ref().err().map(|e: &Error| e.to_string());
        self.write()?.set_sync_outcome(key, error.as_deref())?;
        outcome
    }

    /// Syncs every shared runbook once; each one's view afterwards (a log that cannot be
    /// reached shows as offline in its view), and how many of others' changes arrived.
    pub async fn sync_all(&self) -> Result<SyncRound, Error> {
        self.sync_some(None).await
    }

    /// Syncs `only` that shared runbook, or all of them.
    pub async fn sync_some(&self, only: Option<&str>) -> Result<SyncRound, Error> {
        let keys: Vec<String> = self
            .read()?
            .releases()?
            .into_iter()
            .map(|r| r.key)
            .filter(|k| only.is_none_or(|o| o == k))
            .collect();
        if let (Some(key), true) = (only, keys.is_empty()) {
            return Err(Error::Invalid(format!("{key} is not shared with a team")));
        }
        let mut round = SyncRound::default();
        for key in keys {
            match self.sync(&key).await {
                Ok(pulled) => {
                    round.applied += pulled.applied;
                    round.pushed += pulled.pushed;
                    round.retried += pulled.retried;
                }
                Err(e) => tracing::info!(key, error = %e, "not synced"),
            }
            if let Some(view) = team_view(&*self.read()?, &key)? {
                round.views.push(view);
            }
        }
        Ok(round)
    }

    /// Keeps every shared runbook in sync with its log, a round every `every`, for as long as
    /// the future runs; `each` hears every round.
    pub async fn keep_in_sync(&self, every: Duration, mut each: impl FnMut(SyncRound)) {
        loop {
            match self.sync_all().await {
                Ok(round) => each(round),
                Err(e) => tracing::warn!(error = %e, "shared runbooks not synced; trying again"),
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Reads the events after the last one read, judges each and applies the valid ones.
    async fn pull(&self, log: &TeamLog, key: &str) -> Result<Pulled, Error> {
        let after = self.read()?.release(key)?.map_or(0, |r| r.last_seq);
        let raw = log.read_after(after).await?;
        if raw.is_empty() {
            return Ok(Pulled::default());
        }
        let mut store = self.write()?;
        let release = store
            .release(key)?
            .ok_or_else(|| Error::Invalid(format!("{key} is not shared with a team")))?;
        let runbook = store.document(key)?;
        let members = store.members(key)?;
        let fingerprint: String = release.owner_key.chars().take(FINGERPRINT_HEX).collect();
        let mut judge = Judge::new(&runbook, key, &fingerprint, &members);
        let mut expected = after + 1;
        let mut entries = Vec::new();
        for (seq, text) in raw {
            let (signed, unreadable) = match serde_json::from_str::<SignedEvent>(&text) {
                Ok(signed) => (signed, None),
                Err(e) => (
                    SignedEvent {
                        body: text,
                        public_key: String::new(),
                        signature: String::new(),
                    },
                    Some(format!("it cannot be read as a signed event: {e}")),
                ),
            };
            let gap = (seq != expected)
                .then(|| format!("events {expected} to {} are missing from the log", seq - 1));
            let rejected = unreadable.or(gap).or_else(|| judge.judge(seq, &signed));
            expected = seq + 1;
            entries.push(LogEntry {
                seq,
                signed,
                rejected,
            });
        }
        let identity = store.identity()?;
        let reader = self.author_of(&mut store, identity.as_ref())?;
        Ok(store.pulled(key, &entries, &reader)?)
    }

    /// Says this desktop's person is here (at most once per [`PRESENCE`]), and reads who
    /// else is.
    async fn presence(&self, log: &TeamLog, key: &str) -> Result<(), Error> {
        let (identity, desktop, last) = {
            let store = self.read()?;
            let identity = store.identity()?;
            let last = identity.as_ref().and_then(|me| {
                store
                    .members(key)
                    .ok()?
                    .into_iter()
                    .find(|m| m.name == me.name)?
                    .last_seen
            });
            (identity, store.desktop().to_string(), last)
        };
        let stale = last.as_deref().is_none_or(|at| {
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .map_or(true, |at| {
                    time::OffsetDateTime::now_utc() - at > PRESENCE / 2
                })
        });
        if let (Some(me), true) = (identity, stale) {
            log.heartbeat(&me.name, &crate::now(), &desktop).await?;
        }
        let seen = log.presence().await?;
        let mut store = self.write()?;
        for (name, at, desktop) in seen {
            store.seen(key, &name, &at, &desktop)?;
        }
        Ok(())
    }

    /// Compares the log as this replica read it with the table, event by event: an event
    /// edited in the table, or one in this file that the table does not hold, is named.
    pub async fn verify_against_log(&self, key: &str) -> Result<Vec<LogDifference>, Error> {
        let log = self.team_log(key).await?;
        let remote = log.read_after(0).await?;
        let local = self.read()?.team_log(key)?;
        let mut differences = Vec::new();
        for entry in &local {
            let theirs = remote.iter().find(|(seq, _)| *seq == entry.seq);
            let same = theirs.is_some_and(|(_, text)| {
                serde_json::from_str::<SignedEvent>(text).ok().as_ref() == Some(&entry.signed)
            });
            if !same {
                differences.push(LogDifference {
                    seq: entry.seq,
                    problem: match theirs {
                        None => "this replica holds it; the table does not".into(),
                        Some(_) => "the table's event differs from the one this replica applied: it was edited in the table, or here".into(),
                    },
                });
            }
        }
        let trail = self.read()?.audit_entries()?;
        for entry in trail.iter().filter(|e| e.runbook.as_deref() == Some(key)) {
            let (Some(id), Some(signed)) = (&entry.event_id, &entry.signed) else {
                continue;
            };
            let logged = local
                .iter()
                .find(|l| l.signed.body().map(|b| &b.id == id).unwrap_or(false));
            if let Some(logged) = logged {
                if &logged.signed != signed {
                    differences.push(LogDifference {
                        seq: logged.seq,
                        problem: format!(
                            "audit entry {} differs from the log's event: the file was rewritten; `flightdeck team rebuild {key}` restores the state from the log",
                            entry.id
                        ),
                    });
                }
            }
        }
        Ok(differences)
    }

    /// Rebuilds the shared runbook's state from the table's log: reads it all again, judges
    /// every event anew, and makes the state from the valid ones (and this desktop's waiting
    /// changes).
    pub async fn rebuild(&self, key: &str) -> Result<TeamView, Error> {
        let log = self.team_log(key).await?;
        self.write()?.forget_log(key)?;
        self.pull(&log, key).await?;
        self.write()?.rebuild(key)?;
        team_view(&*self.read()?, key)?
            .ok_or_else(|| Error::Invalid(format!("{key} is not shared")))
    }
}
