//! Progressive rollouts through the façade: start one (with the confirmation any change to the
//! environment needs), a person's pause, resume, promote and abort, finding a rollout whose
//! process died, and what a face shows of them. The engine that drives one is in [`engine`].
//!
//! Every change of a rollout is one [`Event::Rollout`], so its state (step, traffic, each
//! judgment with its values) is in SQLite as it happens, and reaches teammates' desktops.

mod decide;
mod driver_lock;
mod engine;

use std::sync::atomic::AtomicBool;

use flightdeck_cloud::{live_traffic, sdk_config, stable_version, Run};
use flightdeck_model::Direction;
use flightdeck_model::{
    Actor, AlarmMark, Environment, Event, RolloutChange, RolloutStatus, ShiftCause,
};
use flightdeck_runbook::{
    Action, Criterion, CriterionKind, ExistingAlarms, Rollout, RolloutCriteria, Runbook, Traffic,
};
use flightdeck_store::{RolloutLogEntry, RolloutRow, Store};
use flightdeck_vault::Vault;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use driver_lock::DriverLock;

use crate::actions::{action_input, require_confirmation, ActionInput};
use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// The traffic as AWS holds it now: a read, with no progress to report and nothing to cancel.
async fn read_traffic(
    config: &flightdeck_cloud::SdkConfig,
    env: &Environment,
    traffic: &Traffic,
) -> Result<Action, Error> {
    let never = AtomicBool::new(false);
    let quiet = |_: &str| {};
    let run = Run {
        config: config.clone(),
        env,
        progress: &quiet,
        cancel: &never,
    };
    Ok(live_traffic(&run, traffic).await?)
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::Invalid(e.to_string()))
}

pub(crate) fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The criteria that judge each step of a rollout, metric and alarm criteria only. A phase's
/// criteria are in its heading, so the runbook's outline (no phase bodies) will do.
pub(crate) fn criteria_of(runbook: &Runbook, rollout: &Rollout) -> Vec<Criterion> {
    let all = match &rollout.criteria {
        RolloutCriteria::Inline { criteria } => criteria.clone(),
        RolloutCriteria::Phase { phase } => runbook
            .phase(phase)
            .map(|p| p.criteria.clone())
            .unwrap_or_default(),
    };
    all.into_iter()
        .filter(|c| {
            matches!(
                c.kind,
                CriterionKind::Metric { .. } | CriterionKind::Alarms { .. }
            )
        })
        .collect()
}

/// The rollout a step declares, or why it is not one.
fn rollout_of(action: &Action, step: &str) -> Result<Rollout, Error> {
    match action {
        Action::Rollout(r) => Ok((**r).clone()),
        other => Err(Error::Invalid(format!(
            "'{step}' is a {} action, not a rollout",
            other.kind()
        ))),
    }
}

/// Each shift of the environment's rollouts as a mark for the board's metric charts: a step
/// ("canary 50%") or a rollback ("canary rollback to 0%", drawn as an alarm).
pub(crate) fn traffic_marks(store: &Store, key: &str, env: &str) -> Result<Vec<AlarmMark>, Error> {
    let mut marks = Vec::new();
    for row in store
        .rollouts(key)?
        .into_iter()
        .filter(|r| r.environment == env)
    {
        for entry in store.rollout_log(key, &row.rollout)? {
            if let RolloutChange::Shifted {
                cause, to_percent, ..
            } = entry.change
            {
                let rollback = cause == ShiftCause::Rollback;
                marks.push(AlarmMark {
                    t: entry.at_ms / 1000,
                    alarm: if rollback {
                        format!("{} rollback to {to_percent}%", row.step)
                    } else {
                        format!("{} {to_percent}%", row.step)
                    },
                    state: if rollback { "ALARM" } else { "" }.into(),
                });
            }
        }
    }
    Ok(marks)
}

/// What the plan of a rollout adds for a person: the criteria that judge it.
pub(crate) fn plan_notes(store: &Store, input: &ActionInput) -> Result<Vec<String>, Error> {
    let Action::Rollout(rollout) = &input.action else {
        return Ok(Vec::new());
    };
    let criteria = criteria_of(&store.outline(&input.key)?, rollout);
    let source = match &rollout.criteria {
        RolloutCriteria::Phase { phase } => format!("the criteria of {phase}"),
        RolloutCriteria::Inline { .. } => "its own criteria".to_string(),
    };
    let names: Vec<&str> = criteria.iter().map(|c| c.name.as_str()).collect();
    Ok(vec![format!(
        "each step is judged by {source}: {}; more than {} failed judgment{} in a step {}, more than {} in a row without data hold it for a person",
        names.join(", "),
        rollout.failure_limit,
        if rollout.failure_limit == 1 { "" } else { "s" },
        match rollout.on_failure {
            flightdeck_runbook::OnFailure::Rollback => "roll it back",
            flightdeck_runbook::OnFailure::Pause => "hold it for a person",
        },
        rollout.inconclusive_limit
    )])
}

/// What the plan says of alarms already in ALARM, and what the runbook does about them.
pub(crate) async fn alarm_notes(
    rollout: &Rollout,
    env: &Environment,
    vault: &Vault,
) -> Result<Vec<String>, Error> {
    let config = sdk_config(env, vault).await?;
    let firing = flightdeck_cloud::alarms_in_alarm(&config).await?;
    if firing.is_empty() {
        return Ok(vec!["no CloudWatch alarm is in ALARM now".into()]);
    }
    Ok(vec![match rollout.existing_alarms {
        ExistingAlarms::Block => format!(
            "in ALARM before the rollout: {}; the runbook says existing_alarms = \"block\", so it will not start",
            firing.join(", ")
        ),
        ExistingAlarms::Ignore => format!(
            "in ALARM before the rollout: {}; the runbook says existing_alarms = \"ignore\", so these will not fail its alarm criteria",
            firing.join(", ")
        ),
    }])
}

/// A rollout as a face shows it: where it is, what comes next and when, the last judgment, and
/// its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RolloutView {
    #[serde(flatten)]
    pub row: RolloutRow,
    pub steps: Vec<u32>,
    pub pause_seconds: u32,
    pub interval_seconds: u32,
    pub next_percent: Option<u32>,
    /// When the running step's pause ends; None unless it is running.
    #[ts(type = "number | null")]
    pub next_at_ms: Option<i64>,
    pub last_judgment: Option<RolloutLogEntry>,
    /// A process drives it on this desktop now.
    pub driven: bool,
    /// It was started on this desktop, which drives it; a teammate's rollout is only watched
    /// here, and the commands given here reach its desktop through the team log.
    pub here: bool,
    pub log: Vec<RolloutLogEntry>,
}

fn view(store: &Store, data_dir: &std::path::Path, row: RolloutRow) -> Result<RolloutView, Error> {
    let rollout: Option<Rollout> = serde_json::from_value(row.definition.clone()).ok();
    let (steps, pause, interval) = rollout.as_ref().map_or((Vec::new(), 0, 0), |r| {
        (r.steps.clone(), r.pause_seconds, r.interval_seconds)
    });
    let next_index = row.step_index.map_or(0, |i| i as usize + 1);
    let log = store.rollout_log(&row.runbook, &row.rollout)?;
    let last_judgment = log
        .iter()
        .rev()
        .find(|e| matches!(e.change, RolloutChange::Judged { .. }))
        .cloned();
    Ok(RolloutView {
        steps: steps.clone(),
        pause_seconds: pause,
        interval_seconds: interval,
        next_percent: steps
            .get(next_index)
            .copied()
            .filter(|_| !row.status.ended()),
        next_at_ms: (row.status == RolloutStatus::Running && row.step_index.is_some())
            .then(|| row.step_started_ms + i64::from(pause) * 1000),
        last_judgment,
        driven: DriverLock::driven(data_dir, &row.rollout)?,
        here: row.desktop == store.desktop(),
        log,
        row,
    })
}

/// A person's command to a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RolloutCommand {
    Pause,
    Resume,
    Promote,
    Abort,
}

impl RolloutCommand {
    fn as_str(self) -> &'static str {
        match self {
            RolloutCommand::Pause => "pause",
            RolloutCommand::Resume => "resume",
            RolloutCommand::Promote => "promote",
            RolloutCommand::Abort => "abort",
        }
    }
}

impl Flightdeck {
    /// The runbook's rollouts, newest first.
    pub fn rollouts(&self, key: &str) -> Result<Vec<RolloutView>, Error> {
        let store = self.read()?;
        store
            .rollouts(key)?
            .into_iter()
            .map(|row| view(&store, self.data_dir(), row))
            .collect()
    }

    /// The newest rollout of a step in an environment.
    pub fn rollout_of_step(
        &self,
        key: &str,
        step: &str,
        env: &str,
    ) -> Result<Option<RolloutView>, Error> {
        let store = self.read()?;
        let row = store
            .rollouts(key)?
            .into_iter()
            .find(|r| r.step == step && r.environment == env);
        row.map(|r| view(&store, self.data_dir(), r)).transpose()
    }

    pub(crate) fn rollout_row(&self, key: &str, rollout: &str) -> Result<RolloutRow, Error> {
        self.read()?
            .rollout(key, rollout)?
            .ok_or_else(|| Error::Invalid(format!("runbook '{key}' has no rollout '{rollout}'")))
    }

    /// Records one change of a rollout by `actor`.
    pub(crate) fn record_rollout(
        &self,
        actor: &Actor,
        key: &str,
        rollout: &str,
        change: RolloutChange,
    ) -> Result<(), Error> {
        self.record(
            actor,
            Event::Rollout {
                runbook: key.to_string(),
                rollout: rollout.to_string(),
                at_ms: now_ms(),
                change,
            },
        )
    }

    /// Starts a rollout: the step must be a rollout, the environment tested and confirmed,
    /// the phase open, no other rollout of the step unfinished there, and no alarm in ALARM
    /// unless the runbook ignores those. The traffic before it is read from AWS and recorded as
    /// what a rollback puts back. Returns the rollout; [`Flightdeck::drive_rollout`] runs it.
    pub async fn start_rollout(
        &self,
        actor: &Actor,
        key: &str,
        step: &str,
        env: &str,
        confirmation: Option<&str>,
    ) -> Result<RolloutView, Error> {
        let input = {
            let mut store = self.write()?;
            let input = action_input(&store, key, step, env, Direction::Apply)?;
            self.permit(&mut store, actor, Change::Rollout, Some(key), step)?;
            rollout_of(&input.action, step)?;
            crate::require_verified(&input.env)?;
            require_confirmation(&input.env, confirmation)?;
            crate::require_open(&store, key, &input.step.phase)?;
            if let Some(open) = store
                .rollouts(key)?
                .into_iter()
                .find(|r| r.step == step && r.environment == env && !r.status.ended())
            {
                return Err(Error::Invalid(format!(
                    "rollout {} of '{step}' in {env} is {} at {}%; see it with `flightdeck rollout status`, then resume or abort it",
                    open.rollout,
                    open.status.as_str(),
                    open.percent
                )));
            }
            input
        };
        let rollout = rollout_of(&input.action, step)?;
        let config = sdk_config(&input.env, self.vault()).await?;
        let live = read_traffic(&config, &input.env, &rollout.traffic).await?;
        let firing = flightdeck_cloud::alarms_in_alarm(&config).await?;
        if !firing.is_empty() && rollout.existing_alarms == ExistingAlarms::Block {
            let reason = format!(
                "in ALARM before the rollout: {}; the runbook says existing_alarms = \"block\". Clear the alarms, or set existing_alarms = \"ignore\" to roll out past them",
                firing.join(", ")
            );
            self.record(
                actor,
                Event::Refused {
                    operation: "rollout_start".into(),
                    runbook: Some(key.to_string()),
                    subject: step.to_string(),
                    code: "alarms_in_alarm".into(),
                    reason: reason.clone(),
                },
            )?;
            return Err(Error::Invalid(reason));
        }
        let started = now_ms();
        let id = format!("{step}@{env}-{started}");
        let percent = rollout.traffic.percent_in(&live).unwrap_or(0);
        self.record_rollout(
            actor,
            key,
            &id,
            RolloutChange::Started {
                step: step.to_string(),
                environment: env.to_string(),
                definition: to_json(&rollout)?,
                rollback: to_json(&live)?,
                stable_version: stable_version(&live),
                start_percent: percent,
                ignored_alarms: firing,
            },
        )?;
        let store = self.read()?;
        let row = store
            .rollout(key, &id)?
            .ok_or_else(|| Error::Invalid(format!("rollout {id} was not recorded")))?;
        view(&store, self.data_dir(), row)
    }

    /// A person's command: pause, resume (the step's pause starts again, the live traffic
    /// re-read), promote now, or abort (roll back). Everything but a pause changes traffic and
    /// needs the environment's confirmation. The command is recorded; the process that drives
    /// the rollout acts on it within a second, or, when none does, the face drives it.
    pub async fn command_rollout(
        &self,
        actor: &Actor,
        key: &str,
        rollout: &str,
        command: RolloutCommand,
        confirmation: Option<&str>,
        reason: Option<&str>,
    ) -> Result<RolloutView, Error> {
        let row = {
            let mut store = self.write()?;
            let row = store.rollout(key, rollout)?.ok_or_else(|| {
                Error::Invalid(format!("runbook '{key}' has no rollout '{rollout}'"))
            })?;
            self.permit(&mut store, actor, Change::Rollout, Some(key), rollout)?;
            if row.status.ended() {
                return Err(Error::Invalid(format!(
                    "rollout {rollout} has ended ({}); there is nothing to {}",
                    row.status.as_str().replace('_', " "),
                    command.as_str()
                )));
            }
            if command != RolloutCommand::Pause {
                let env = store.environment(&row.environment)?;
                require_confirmation(&env, confirmation)?;
            }
            row
        };
        let by = |what: &str| match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(why) => format!("{what} by {}: {why}", actor.name),
            None => format!("{what} by {}", actor.name),
        };
        let change = match command {
            RolloutCommand::Pause => RolloutChange::Paused {
                reason: by("paused"),
            },
            RolloutCommand::Promote => RolloutChange::PromoteAsked,
            RolloutCommand::Abort => RolloutChange::RollbackBegun {
                reason: by("aborted"),
                judged_at_ms: now_ms(),
                aborted: true,
            },
            RolloutCommand::Resume => {
                let live = self.live_percent(&row).await;
                RolloutChange::Resumed { percent: live.ok() }
            }
        };
        if command == RolloutCommand::Resume && row.status == RolloutStatus::RollingBack {
            return Err(Error::Invalid(format!(
                "rollout {rollout} is rolling back; it cannot be resumed"
            )));
        }
        self.record_rollout(actor, key, rollout, change)?;
        let store = self.read()?;
        let row = store
            .rollout(key, rollout)?
            .ok_or_else(|| Error::Invalid(format!("rollout {rollout} is gone")))?;
        view(&store, self.data_dir(), row)
    }

    /// The canary's share of the live traffic, read from AWS now.
    pub(crate) async fn live_percent(&self, row: &RolloutRow) -> Result<u32, Error> {
        let rollout: Rollout = serde_json::from_value(row.definition.clone())
            .map_err(|e| Error::Invalid(format!("rollout {}: {e}", row.rollout)))?;
        let env = self.read()?.environment(&row.environment)?;
        let config = sdk_config(&env, self.vault()).await?;
        let live = read_traffic(&config, &env, &rollout.traffic).await?;
        Ok(rollout.traffic.percent_in(&live).unwrap_or(0))
    }

    /// Rollouts started on this desktop that have not ended and that no process drives (the
    /// one that did was killed, or the app restarted): each is held where the live traffic is, read from AWS, with a
    /// message saying so; one rolling back is left to roll back. Returns those found.
    pub async fn recover_rollouts(&self, actor: &Actor, key: &str) -> Result<Vec<String>, Error> {
        let orphans: Vec<RolloutRow> = {
            let store = self.read()?;
            let here = store.desktop().to_string();
            store
                .rollouts(key)?
                .into_iter()
                .filter(|r| !r.status.ended() && r.desktop == here)
                .filter(|r| !DriverLock::driven(self.data_dir(), &r.rollout).unwrap_or(true))
                .collect()
        };
        let mut found = Vec::new();
        for row in orphans {
            found.push(row.rollout.clone());
            if row.status == RolloutStatus::RollingBack {
                continue;
            }
            let live = self.live_percent(&row).await;
            let reason = match &live {
                Ok(live) => format!(
                    "the process driving it stopped while it was {} at {}%; the live traffic read from AWS sends {live}% to the canary, and it holds there until a person resumes (`rollout resume`) or aborts (`rollout abort`) it",
                    row.status.as_str().replace('_', " "),
                    row.percent
                ),
                Err(e) => format!(
                    "the process driving it stopped while it was {} at {}%; the live traffic could not be read ({e}), and it holds until a person resumes or aborts it",
                    row.status.as_str().replace('_', " "),
                    row.percent
                ),
            };
            let percent = live.ok();
            self.record_rollout(
                actor,
                key,
                &row.rollout,
                RolloutChange::Held { percent, reason },
            )?;
        }
        Ok(found)
    }
}
