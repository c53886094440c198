//! Soaks: a phase's criteria evaluated at checkpoints on the schedule its runbook declares
//! (`[soak] checkpoints = 8, every = "6h"`), each result recorded once, and the timeline.
//!
//! A checkpoint is judged over the interval that ends at its due time, whenever it is run: a
//! checkpoint that fell due while nobody had Flightdeck open is still judged on its own hour.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flightdeck_cloud::{Status, Verdict};
use flightdeck_store::{Actor, CheckpointRecord, SoakRecord, Store};
use flightdeck_vault::Vault;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::gonogo::{evaluate_input, gonogo_input, Scope};
use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// The shortest and longest intervals one checkpoint looks back over.
const MIN_CHECKPOINT_WINDOW: u32 = 15 * 60;
const MAX_CHECKPOINT_WINDOW: u32 = 24 * 3600;

fn epoch_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Flightdeck {
    /// Starts the soak of a phase in an environment, now.
    pub fn start_soak(
        &self,
        actor: &Actor,
        key: &str,
        phase_id: &str,
        env_name: &str,
    ) -> Result<SoakRecord, Error> {
        let mut store = self.write()?;
        self.permit(&mut store, actor, Change::Soak, Some(key), phase_id)?;
        let runbook = store.outline(key)?;
        let phase = runbook
            .phase(phase_id)
            .ok_or_else(|| Error::Invalid(format!("runbook '{key}' has no phase '{phase_id}'")))?;
        let soak = phase.soak.ok_or_else(|| {
            Error::Invalid(format!(
                "{} declares no soak; add `[soak] checkpoints = 8` and `every = \"6h\"` to its criteria block",
                phase.title
            ))
        })?;
        store.environment(env_name)?;
        crate::require_open(&store, key, phase_id)?;
        let record = SoakRecord {
            phase_id: phase_id.to_string(),
            environment: env_name.to_string(),
            checkpoints: soak.checkpoints,
            every_seconds: soak.every_seconds,
            started_at: epoch_now(),
            started_by: actor.name.clone(),
        };
        let author = self.author(&mut store, actor)?;
        store.start_soak(key, &author, &record)?;
        Ok(record)
    }

    /// Evaluates and records every checkpoint of the runbook that fell due; returns those
    /// recorded. The store is free while CloudWatch is asked.
    pub async fn run_due_checkpoints(
        &self,
        actor: &Actor,
        key: &str,
    ) -> Result<Vec<CheckpointRecord>, Error> {
        if crate::permissions::permit(actor, Change::Soak).is_err() {
            // A read-only person's desktop judges nothing: the soak is judged by those who
            // may run it, and their checkpoints reach everyone.
            return Ok(Vec::new());
        }
        let due = {
            let store = self.read()?;
            due_checkpoints(&store, key)?
                .into_iter()
                .map(|d| Ok((gonogo_input(&store, key, &d.environment)?, d)))
                .collect::<Result<Vec<_>, Error>>()?
        };
        let mut recorded = Vec::new();
        for (input, due) in due {
            let record = evaluate_checkpoint(&input, self.vault(), &due).await?;
            let mut store = self.write()?;
            let author = self.author(&mut store, actor)?;
            if store.record_checkpoint(key, &due.phase, &author, &record)? {
                recorded.push(record);
            }
        }
        Ok(recorded)
    }
}

/// One checkpoint of the timeline, with its result once recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckpointView {
    pub number: u32,
    #[ts(type = "number")]
    pub due_at: i64,
    pub result: Option<CheckpointRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SoakTimeline {
    pub phase: String,
    pub title: String,
    /// The schedule the runbook declares.
    pub checkpoints: u32,
    pub every_seconds: u32,
    /// None until the soak is started.
    pub started: Option<SoakRecord>,
    pub timeline: Vec<CheckpointView>,
}

/// The soak timelines of every phase that declares a soak.
pub fn soak_timelines(store: &Store, key: &str) -> Result<Vec<SoakTimeline>, Error> {
    let runbook = store.outline(key)?;
    let mut out = Vec::new();
    for phase in &runbook.phases {
        let Some(declared) = phase.soak else { continue };
        let started = store.soak(key, &phase.id)?;
        let recorded = store.checkpoints(key, &phase.id)?;
        let timeline = match &started {
            None => Vec::new(),
            Some(soak) => (1..=soak.checkpoints)
                .map(|number| CheckpointView {
                    number,
                    due_at: soak.due_at(number),
                    result: recorded.iter().find(|r| r.number == number).cloned(),
                })
                .collect(),
        };
        out.push(SoakTimeline {
            phase: phase.id.clone(),
            title: phase.title.clone(),
            checkpoints: declared.checkpoints,
            every_seconds: declared.every_seconds,
            started,
            timeline,
        });
    }
    Ok(out)
}

/// A checkpoint that fell due and has no result yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DueCheckpoint {
    pub phase: String,
    pub environment: String,
    pub number: u32,
    pub due_at: i64,
    pub every_seconds: u32,
}

pub(crate) fn due_checkpoints(store: &Store, key: &str) -> Result<Vec<DueCheckpoint>, Error> {
    let now = epoch_now();
    let mut due = Vec::new();
    for t in soak_timelines(store, key)? {
        let Some(soak) = t.started else { continue };
        due.extend(
            t.timeline
                .iter()
                .filter(|c| c.result.is_none() && c.due_at <= now)
                .map(|c| DueCheckpoint {
                    phase: t.phase.clone(),
                    environment: soak.environment.clone(),
                    number: c.number,
                    due_at: c.due_at,
                    every_seconds: soak.every_seconds,
                }),
        );
    }
    Ok(due)
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Go => "go",
        Verdict::NoGo => "no_go",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// Judges one due checkpoint over the interval ending at its due time.
async fn evaluate_checkpoint(
    input: &crate::GoNoGoInput,
    vault: &Vault,
    due: &DueCheckpoint,
) -> Result<CheckpointRecord, Error> {
    let window = Duration::from_secs(u64::from(
        due.every_seconds
            .clamp(MIN_CHECKPOINT_WINDOW, MAX_CHECKPOINT_WINDOW),
    ));
    let at = UNIX_EPOCH + Duration::from_secs(due.due_at.max(0) as u64);
    let at = at.min(SystemTime::now());
    let evaluation =
        evaluate_input(input, vault, Scope::Checkpoint(&due.phase), window, at).await?;
    let summary: Vec<serde_json::Value> = evaluation
        .results
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "status": match r.status { Status::Pass => "pass", Status::Fail => "fail", Status::Inconclusive => "inconclusive" },
                "sentence": r.sentence,
            })
        })
        .collect();
    Ok(CheckpointRecord {
        number: due.number,
        due_at: due.due_at,
        evaluated_at: epoch_now(),
        verdict: verdict_name(evaluation.verdict).to_string(),
        summary: serde_json::Value::Array(summary),
    })
}
