//! The rollout engine: drives one rollout until it ends. At each interval it judges the step's
//! criteria over the time since the step began; a failure beyond the limit rolls back at once
//! to the traffic recorded at the start; no data holds and never promotes; after each step's
//! pause, with every criterion passing, it promotes. A person's commands, recorded by any
//! process, are read from the store every [`POLL`].
//!
//! The store is not locked across AWS calls; each change is one event.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use flightdeck_cloud::SdkConfig;
use flightdeck_cloud::{evaluate_in, Run, Status};
use flightdeck_model::{
    Actor, Environment, Judged, RollbackTiming, RolloutChange, RolloutStatus, ShiftCause,
};
use flightdeck_runbook::{Action, Criterion, CriterionKind, Rollout};
use flightdeck_store::RolloutRow;

use super::decide::{after_judgment, next, AfterJudgment, Counts, Moment, Next};
use super::{criteria_of, now_ms, DriverLock, RolloutView};
use crate::{Error, Flightdeck, Reporter};

/// How often the engine looks for a person's command between judgments.
const POLL: Duration = Duration::from_millis(200);

/// What the engine needs, read once when it starts driving.
struct Drive<'a> {
    actor: &'a Actor,
    key: &'a str,
    id: &'a str,
    rollout: Rollout,
    criteria: Vec<Criterion>,
    env: Environment,
    config: SdkConfig,
    reporter: &'a dyn Reporter,
}

/// The engine's memory of the running step's judgments.
#[derive(Default)]
struct StepMemory {
    step: Option<Option<u32>>,
    started_ms: i64,
    last_judged_ms: Option<i64>,
    judged_after_pause: Option<Status>,
}

fn verdict_of(results: &[Judged]) -> Status {
    if results.iter().any(|r| r.status == Status::Fail) {
        Status::Fail
    } else if results.is_empty() || results.iter().any(|r| r.status == Status::Inconclusive) {
        Status::Inconclusive
    } else {
        Status::Pass
    }
}

fn failing_reason(results: &[Judged], status: Status, percent: u32) -> String {
    let sentences: Vec<&str> = results
        .iter()
        .filter(|r| r.status == status)
        .map(|r| r.sentence.as_str())
        .collect();
    format!("{} at {percent}% traffic", sentences.join("; "))
}

impl Drive<'_> {
    fn record(&self, fd: &Flightdeck, change: RolloutChange) -> Result<(), Error> {
        self.reporter.line(&describe(&change));
        fd.record_rollout(self.actor, self.key, self.id, change)
    }

    fn run<'r>(
        &'r self,
        progress: &'r (dyn Fn(&str) + Send + Sync),
        cancel: &'r AtomicBool,
    ) -> Run<'r> {
        Run {
            config: self.config.clone(),
            env: &self.env,
            progress,
            cancel,
        }
    }

    /// Each criterion judged over the time since the step began; an unreadable CloudWatch is
    /// no data, never a pass.
    async fn judge(&self, row: &RolloutRow) -> Vec<Judged> {
        let now = now_ms();
        let window = Duration::from_millis((now - row.step_started_ms).max(1000) as u64);
        let mut criteria = self.criteria.clone();
        for c in &mut criteria {
            if let CriterionKind::Alarms { allow } = &mut c.kind {
                allow.extend(row.ignored_alarms.iter().cloned());
            }
        }
        let at = UNIX_EPOCH + Duration::from_millis(now as u64);
        match evaluate_in(&self.config, &criteria, window, at).await {
            Ok(evaluation) => evaluation
                .results
                .into_iter()
                .map(|r| Judged {
                    name: r.name,
                    status: r.status,
                    value: r.value,
                    sentence: r.sentence,
                })
                .collect(),
            Err(e) => vec![Judged {
                name: "CloudWatch".into(),
                status: Status::Inconclusive,
                value: None,
                sentence: format!("the criteria could not be read: {e}"),
            }],
        }
    }

    /// Applies the traffic action; the AWS request ids, or the error.
    async fn shift(&self, action: &Action) -> Result<Vec<String>, String> {
        let never = AtomicBool::new(false);
        let lines = |line: &str| self.reporter.line(line);
        let run = self.run(&lines, &never);
        flightdeck_cloud::apply(&run, action)
            .await
            .map(|o| o.request_ids)
            .map_err(|f| f.to_string())
    }

    async fn promote(
        &self,
        fd: &Flightdeck,
        row: &RolloutRow,
        step: u32,
        by_person: bool,
    ) -> Result<(), Error> {
        let percent = self.rollout.steps[step as usize];
        let action = self.rollout.traffic.at(percent, &row.stable_version);
        match self.shift(&action).await {
            Ok(request_ids) => self.record(
                fd,
                RolloutChange::Shifted {
                    cause: if by_person {
                        ShiftCause::PromotedByPerson
                    } else {
                        ShiftCause::Promotion
                    },
                    from_percent: row.percent,
                    to_percent: percent,
                    step_index: Some(step),
                    request_ids,
                    timing: None,
                },
            ),
            Err(error) => {
                self.record(
                    fd,
                    RolloutChange::ShiftFailed {
                        to_percent: percent,
                        error: error.clone(),
                    },
                )?;
                self.record(
                    fd,
                    RolloutChange::Held {
                        percent: None,
                        reason: format!(
                            "could not shift to {percent}%: {error}; it holds at {}%",
                            row.percent
                        ),
                    },
                )
            }
        }
    }

    /// Puts the traffic back as it was before the start; a refusal is recorded and tried again
    /// at the next interval.
    async fn roll_back(&self, fd: &Flightdeck, row: &RolloutRow) -> Result<(), Error> {
        let action: Action = serde_json::from_value(row.rollback.clone()).map_err(|e| {
            Error::Invalid(format!(
                "the rollback recorded for {} cannot be read: {e}",
                row.rollout
            ))
        })?;
        let judged_at = row.judged_at_ms.unwrap_or_else(now_ms);
        let first_call = now_ms();
        let to_percent = self.rollout.traffic.percent_in(&action).unwrap_or(0);
        match self.shift(&action).await {
            Ok(request_ids) => {
                let done = now_ms();
                self.record(
                    fd,
                    RolloutChange::Shifted {
                        cause: ShiftCause::Rollback,
                        from_percent: row.percent,
                        to_percent,
                        step_index: None,
                        request_ids,
                        timing: Some(RollbackTiming {
                            to_first_call_ms: first_call - judged_at,
                            to_complete_ms: done - judged_at,
                        }),
                    },
                )?;
                let reason = row
                    .rollback_reason
                    .clone()
                    .unwrap_or_else(|| "rolled back".into());
                self.record(
                    fd,
                    RolloutChange::Ended {
                        status: if row.rollback_aborted {
                            RolloutStatus::Aborted
                        } else {
                            RolloutStatus::RolledBack
                        },
                        reason,
                    },
                )
            }
            Err(error) => {
                self.record(fd, RolloutChange::ShiftFailed { to_percent, error })?;
                tokio::time::sleep(Duration::from_secs(u64::from(
                    self.rollout.interval_seconds,
                )))
                .await;
                Ok(())
            }
        }
    }

    /// Judges the step and acts on the judgment; returns its verdict.
    async fn judge_and_act(&self, fd: &Flightdeck, row: &RolloutRow) -> Result<Status, Error> {
        let judged_at = now_ms();
        let results = self.judge(row).await;
        let verdict = verdict_of(&results);
        let counts = Counts {
            failures: row.failures,
            inconclusive: row.inconclusive,
        }
        .after(verdict);
        let reason_fail = failing_reason(&results, Status::Fail, row.percent);
        let reason_silent = failing_reason(&results, Status::Inconclusive, row.percent);
        self.record(
            fd,
            RolloutChange::Judged {
                step_index: row.step_index,
                percent: row.percent,
                verdict,
                results,
                failures: counts.failures,
                inconclusive: counts.inconclusive,
            },
        )?;
        match after_judgment(&self.rollout, row.status, counts) {
            AfterJudgment::Continue => {}
            AfterJudgment::Rollback => self.record(
                fd,
                RolloutChange::RollbackBegun {
                    reason: reason_fail,
                    judged_at_ms: judged_at,
                    aborted: false,
                },
            )?,
            AfterJudgment::Hold => {
                let reason = if verdict == Status::Fail {
                    format!("{reason_fail}; the runbook says to hold on failure: a person resumes, promotes or aborts it")
                } else {
                    format!("{reason_silent}; without data it never promotes: a person resumes, promotes or aborts it")
                };
                self.record(
                    fd,
                    RolloutChange::Held {
                        percent: None,
                        reason,
                    },
                )?
            }
        }
        Ok(verdict)
    }
}

/// One change in a line for a person watching.
fn describe(change: &RolloutChange) -> String {
    match change {
        RolloutChange::Judged {
            percent,
            verdict,
            results,
            ..
        } => format!(
            "judged at {percent}%: {} ({})",
            match verdict {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::Inconclusive => "no data",
            },
            results
                .iter()
                .map(|r| r.sentence.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        RolloutChange::Shifted {
            cause,
            from_percent,
            to_percent,
            request_ids,
            timing,
            ..
        } => {
            let what = match cause {
                ShiftCause::Promotion => "promoted",
                ShiftCause::PromotedByPerson => "promoted by a person",
                ShiftCause::Rollback => "rolled back",
            };
            let mut line = format!(
                "{what}: {from_percent}% → {to_percent}% (request ids: {})",
                request_ids.join(", ")
            );
            if let Some(t) = timing {
                line.push_str(&format!(
                    "; {} ms from the judgment to the first rollback call, {} ms to done",
                    t.to_first_call_ms, t.to_complete_ms
                ));
            }
            line
        }
        RolloutChange::ShiftFailed { to_percent, error } => {
            format!("could not shift to {to_percent}%: {error}")
        }
        RolloutChange::Held { reason, .. } => format!("holding: {reason}"),
        RolloutChange::Paused { reason } => reason.clone(),
        RolloutChange::Resumed { .. } => "resumed".into(),
        RolloutChange::PromoteAsked => "promotion asked".into(),
        RolloutChange::RollbackBegun { reason, .. } => format!("rolling back: {reason}"),
        RolloutChange::Ended { status, reason } => {
            format!("{}: {reason}", status.as_str().replace('_', " "))
        }
        RolloutChange::Started { .. } => "started".into(),
    }
}

impl Flightdeck {
    /// Drives a rollout until it ends, on this process; refused when another process drives
    /// it. The reporter's cancel stops driving (the rollout holds, for a person or another
    /// process to take up). Needs a person who may run actions: their name is on every change.
    pub async fn drive_rollout(
        &self,
        actor: &Actor,
        key: &str,
        id: &str,
        reporter: &dyn Reporter,
    ) -> Result<RolloutView, Error> {
        crate::permissions::permit(actor, crate::permissions::Change::Rollout)?;
        let Some(_lock) = DriverLock::take(self.data_dir(), id)? else {
            return Err(Error::Invalid(format!(
                "another process already drives rollout {id}; watch it with `flightdeck rollout status`"
            )));
        };
        let row = self.rollout_row(key, id)?;
        let here = self.read()?.desktop().to_string();
        if row.desktop != here {
            return Err(Error::Invalid(format!(
                "rollout {id} was started on the desktop {}, which drives it; commands given here reach it through the team log",
                row.desktop
            )));
        }
        let rollout: Rollout = serde_json::from_value(row.definition.clone())
            .map_err(|e| Error::Invalid(format!("rollout {id}: {e}")))?;
        let (criteria, env) = {
            let store = self.read()?;
            (
                criteria_of(&store.outline(key)?, &rollout),
                store.environment(&row.environment)?,
            )
        };
        let config = flightdeck_cloud::sdk_config(&env, self.vault()).await?;
        let drive = Drive {
            actor,
            key,
            id,
            rollout,
            criteria,
            env,
            config,
            reporter,
        };
        let progress = reporter.progress();
        let mut memory = StepMemory::default();
        loop {
            let row = self.rollout_row(key, id)?;
            if row.status.ended() {
                break;
            }
            if row.status == RolloutStatus::RollingBack {
                drive.roll_back(self, &row).await?;
                continue;
            }
            if progress.cancel_flag().load(Ordering::SeqCst) {
                drive.record(
                    self,
                    RolloutChange::Held {
                        percent: None,
                        reason: format!(
                            "the process driving it was stopped by {} at {}%; it holds until a person resumes or aborts it",
                            actor.name, row.percent
                        ),
                    },
                )?;
                break;
            }
            if memory.step != Some(row.step_index) || memory.started_ms != row.step_started_ms {
                memory = StepMemory {
                    step: Some(row.step_index),
                    started_ms: row.step_started_ms,
                    ..StepMemory::default()
                };
            }
            let now = now_ms();
            let pause_ends = row.step_started_ms + i64::from(drive.rollout.pause_seconds) * 1000;
            let interval = i64::from(drive.rollout.interval_seconds) * 1000;
            let judge_due = row.step_index.is_some()
                && memory.last_judged_ms.is_none_or(|t| now - t >= interval);
            let moment = Moment {
                status: row.status,
                step_index: row.step_index,
                step_started_ms: row.step_started_ms,
                now_ms: now,
                judged_after_pause: memory.judged_after_pause,
                promote_asked: row.promote_asked,
            };
            let step = next(&drive.rollout, moment);
            match step {
                Next::Promote { step, by_person } => {
                    drive.promote(self, &row, step, by_person).await?;
                    continue;
                }
                Next::Complete => {
                    drive.record(
                        self,
                        RolloutChange::Ended {
                            status: RolloutStatus::Completed,
                            reason: format!(
                                "every step passed its pause with every criterion passing; {}% of the traffic is on the canary",
                                row.percent
                            ),
                        },
                    )?;
                    continue;
                }
                Next::JudgeNow | Next::Wait => {}
            }
            if step == Next::JudgeNow || judge_due {
                let judged_at = now_ms();
                let verdict = drive.judge_and_act(self, &row).await?;
                memory.last_judged_ms = Some(judged_at);
                if judged_at >= pause_ends {
                    memory.judged_after_pause = Some(verdict);
                }
                continue;
            }
            tokio::time::sleep(POLL).await;
        }
        let store = self.read()?;
        let row = store
            .rollout(key, id)?
            .ok_or_else(|| Error::Invalid(format!("rollout {id} is gone")))?;
        super::view(&store, self.data_dir(), row)
    }
}
