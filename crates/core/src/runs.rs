//! Runs: starting a rehearsal or the live run of a runbook, ending one, and which run a
//! runbook's commands act on when none is named.

use flightdeck_model::{
    run_key, split_run_key, Actor, Event, NotifyChannel, RunKind, RunNotify, RunRecord,
};
use flightdeck_store::RunRow;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// What a person asks for when they start a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunStart {
    pub kind: RunKind,
    /// Defaults to `rehearsal-N` / `live-N`.
    pub name: Option<String>,
    pub environment: Option<String>,
    #[ts(type = "number")]
    pub t0_ms: i64,
    pub utc_offset_minutes: i32,
    /// Where it announces sign-offs, decisions, rollbacks and late items; none for a quiet run.
    pub notify: Option<RunNotify>,
}

impl Flightdeck {
    /// Starts a run of `runbook`: it becomes the runbook's current run, with a clean checklist
    /// and its plan laid out from `t0_ms`. Earlier runs and their state are kept.
    pub fn start_run(
        &self,
        actor: &Actor,
        runbook: &str,
        start: &RunStart,
    ) -> Result<RunRow, Error> {
        let runbook = split_run_key(runbook).0;
        let mut store = self.write()?;
        let runs = store.runs(runbook)?;
        if start.kind == RunKind::Default {
            return Err(Error::Invalid(
                "a run is a rehearsal or live; the default run is the state kept before runs"
                    .into(),
            ));
        }
        let name = match &start.name {
            Some(name) => name.trim().to_string(),
            None => {
                let n = runs.iter().filter(|r| r.kind == start.kind).count() + 1;
                format!("{}-{n}", start.kind.as_str())
            }
        };
        check_name(&name)?;
        if runs.iter().any(|r| r.name == name) {
            return Err(Error::Invalid(format!(
                "{runbook} already has a run named '{name}'; name the new run differently"
            )));
        }
        if let Some(env) = &start.environment {
            store.environment(env)?;
        }
        if !(-14 * 60..=14 * 60).contains(&start.utc_offset_minutes) {
            return Err(Error::Invalid(format!(
                "{} minutes is not a UTC offset (it is between -14:00 and +14:00)",
                start.utc_offset_minutes
            )));
        }
        match start.notify.as_ref().map(|n| &n.channel) {
            Some(NotifyChannel::Sns { environment, .. }) => {
                store.environment(environment)?;
            }
            Some(NotifyChannel::Webhook { secret }) if !self.vault().contains(secret)? => {
                return Err(Error::Invalid(format!(
                    "no secret '{secret}' in the keyring for the webhook's URL; store the URL there first"
                )));
            }
            _ => {}
        }
        self.permit(&mut store, actor, Change::Run, Some(runbook), &name)?;
        let author = self.author(&mut store, actor)?;
        let run = RunRecord {
            name: name.clone(),
            kind: start.kind,
            environment: start.environment.clone(),
            t0_ms: Some(start.t0_ms),
            utc_offset_minutes: start.utc_offset_minutes,
            notify: start.notify.clone(),
        };
        store.record_event(
            &author,
            Event::RunStarted {
                runbook: runbook.to_string(),
                run,
            },
        )?;
        Ok(store.run(&run_key(runbook, &name))?)
    }

    /// Ends the run kept under `key`: its state stays for the review, and the runbook's current
    /// run becomes the latest one still open.
    pub fn end_run(&self, actor: &Actor, key: &str) -> Result<RunRow, Error> {
        let mut store = self.write()?;
        let run = store.run(key)?;
        if run.kind == RunKind::Default {
            return Err(Error::Invalid(format!(
                "{key} is the default run of its runbook, which does not end"
            )));
        }
        if run.ended_at.is_some() {
            return Ok(run);
        }
        self.permit(&mut store, actor, Change::Run, Some(key), &run.name)?;
        let author = self.author(&mut store, actor)?;
        store.record_event(
            &author,
            Event::RunEnded {
                runbook: key.to_string(),
            },
        )?;
        Ok(store.run(key)?)
    }

    /// The key the state of run `run` of `runbook` is kept under; without a run, the runbook's
    /// current run. A key that already names a run (`runbook@run`) is that run.
    pub fn run_key(&self, runbook: &str, run: Option<&str>) -> Result<String, Error> {
        let store = self.read()?;
        let (root, named) = match (split_run_key(runbook), run) {
            ((root, _), Some(run)) => (root, Some(run)),
            ((root, name), None) if runbook.contains('@') => (root, Some(name)),
            ((root, _), None) => (root, None),
        };
        match named {
            None => Ok(store.current_run(root)?.key),
            Some(name) => {
                let runs = store.runs(root)?;
                runs.iter()
                    .find(|r| r.name == name)
                    .map(|r| r.key.clone())
                    .ok_or_else(|| {
                        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
                        Error::Invalid(format!(
                            "{root} has no run named '{name}'; its runs are {}",
                            names.join(", ")
                        ))
                    })
            }
        }
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name != "default"
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "'{name}' cannot name a run: use up to 64 letters, digits, '-', '_' or '.', and not 'default'"
        )))
    }
}
