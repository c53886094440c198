//! What a rollout does after a judgment, and when: pure rules over its state and the time, so
//! they are tested without AWS.

use flightdeck_model::{RolloutStatus, Status};
use flightdeck_runbook::{OnFailure, Rollout};

/// The counts after one judgment of a step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub failures: u32,
    pub inconclusive: u32,
}

impl Counts {
    /// Failures count for the whole step; inconclusive judgments only in a row (data that
    /// comes back clears them).
    pub fn after(self, verdict: Status) -> Counts {
        match verdict {
            Status::Pass => Counts {
                inconclusive: 0,
                ..self
            },
            Status::Fail => Counts {
                failures: self.failures + 1,
                ..self
            },
            Status::Inconclusive => Counts {
                inconclusive: self.inconclusive + 1,
                ..self
            },
        }
    }
}

/// What a judgment leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterJudgment {
    Continue,
    Rollback,
    /// Hold and ask a person: a failure the runbook says to pause on, or too long without data.
    Hold,
}

pub fn after_judgment(rollout: &Rollout, status: RolloutStatus, counts: Counts) -> AfterJudgment {
    if counts.failures > rollout.failure_limit {
        return match rollout.on_failure {
            OnFailure::Rollback => AfterJudgment::Rollback,
            OnFailure::Pause if status == RolloutStatus::Held => AfterJudgment::Continue,
            OnFailure::Pause => AfterJudgment::Hold,
        };
    }
    if counts.inconclusive > rollout.inconclusive_limit && status == RolloutStatus::Running {
        return AfterJudgment::Hold;
    }
    AfterJudgment::Continue
}

/// Where the rollout stands between judgments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub status: RolloutStatus,
    pub step_index: Option<u32>,
    pub step_started_ms: i64,
    pub now_ms: i64,
    /// The last judgment of this step, made at or after the step's pause ended, and its verdict.
    pub judged_after_pause: Option<Status>,
    pub promote_asked: bool,
}

/// What to do now, apart from judging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Wait,
    /// Judge now: the pause has passed and no judgment since says whether to promote.
    JudgeNow,
    /// Shift to this step.
    Promote {
        step: u32,
        by_person: bool,
    },
    Complete,
}

pub fn next(rollout: &Rollout, m: Moment) -> Next {
    let last = rollout.steps.len() as u32 - 1;
    let after = |index: Option<u32>| index.map_or(0, |i| i + 1);
    if m.promote_asked && !m.status.ended() && m.status != RolloutStatus::RollingBack {
        return match m.step_index {
            Some(i) if i == last => Next::Complete,
            index => Next::Promote {
                step: after(index),
                by_person: true,
            },
        };
    }
    if m.status != RolloutStatus::Running {
        return Next::Wait;
    }
    let Some(index) = m.step_index else {
        return Next::Promote {
            step: 0,
            by_person: false,
        };
    };
    let pause_over = m.now_ms - m.step_started_ms >= i64::from(rollout.pause_seconds) * 1000;
    match (pause_over, m.judged_after_pause) {
        (false, _) => Next::Wait,
        (true, None) => Next::JudgeNow,
        (true, Some(Status::Pass)) if index == last => Next::Complete,
        (true, Some(Status::Pass)) => Next::Promote {
            step: index + 1,
            by_person: false,
        },
        // Never promoted on silence or failure: it waits for the next judgment.
        (true, Some(_)) => Next::Wait,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flightdeck_runbook::{ExistingAlarms, RolloutCriteria, Traffic};

    fn rollout(on_failure: OnFailure) -> Rollout {
        Rollout {
            traffic: Traffic::Alb {
                listener_arn: "l".into(),
                stable: "b".into(),
                canary: "g".into(),
            },
            steps: vec![10, 50, 100],
            pause_seconds: 60,
            interval_seconds: 10,
            failure_limit: 1,
            inconclusive_limit: 2,
            on_failure,
            existing_alarms: ExistingAlarms::Block,
            criteria: RolloutCriteria::Inline {
                criteria: Vec::new(),
            },
        }
    }

    fn moment(step: u32, elapsed_s: i64, judged: Option<Status>) -> Moment {
        Moment {
            status: RolloutStatus::Running,
            step_index: Some(step),
            step_started_ms: 1_000_000,
            now_ms: 1_000_000 + elapsed_s * 1000,
            judged_after_pause: judged,
            promote_asked: false,
        }
    }

    #[test]
    fn failures_beyond_the_limit_roll_back_or_hold() {
        let r = rollout(OnFailure::Rollback);
        let once = Counts::default().after(Status::Fail);
        assert_eq!(
            after_judgment(&r, RolloutStatus::Running, once),
            AfterJudgment::Continue
        );
        let twice = once.after(Status::Pass).after(Status::Fail);
        assert_eq!(
            after_judgment(&r, RolloutStatus::Running, twice),
            AfterJudgment::Rollback
        );
        assert_eq!(
            after_judgment(&r, RolloutStatus::Paused, twice),
            AfterJudgment::Rollback
        );
        let p = rollout(OnFailure::Pause);
        assert_eq!(
            after_judgment(&p, RolloutStatus::Running, twice),
            AfterJudgment::Hold
        );
        assert_eq!(
            after_judgment(&p, RolloutStatus::Held, twice),
            AfterJudgment::Continue
        );
    }

    #[test]
    fn silence_holds_and_data_clears_it() {
        let r = rollout(OnFailure::Rollback);
        let silent = Counts::default()
            .after(Status::Inconclusive)
            .after(Status::Inconclusive);
        assert_eq!(
            after_judgment(&r, RolloutStatus::Running, silent),
            AfterJudgment::Continue
        );
        let three = silent.after(Status::Inconclusive);
        assert_eq!(
            after_judgment(&r, RolloutStatus::Running, three),
            AfterJudgment::Hold
        );
        assert_eq!(three.after(Status::Pass).inconclusive, 0);
    }

    #[test]
    fn promotion_waits_for_the_pause_and_a_pass() {
        let r = rollout(OnFailure::Rollback);
        assert_eq!(next(&r, moment(0, 30, Some(Status::Pass))), Next::Wait);
        assert_eq!(next(&r, moment(0, 60, None)), Next::JudgeNow);
        assert_eq!(
            next(&r, moment(0, 60, Some(Status::Inconclusive))),
            Next::Wait
        );
        assert_eq!(next(&r, moment(0, 60, Some(Status::Fail))), Next::Wait);
        assert_eq!(
            next(&r, moment(0, 61, Some(Status::Pass))),
            Next::Promote {
                step: 1,
                by_person: false
            }
        );
        assert_eq!(next(&r, moment(2, 61, Some(Status::Pass))), Next::Complete);
        let before = Moment {
            step_index: None,
            ..moment(0, 0, None)
        };
        assert_eq!(
            next(&r, before),
            Next::Promote {
                step: 0,
                by_person: false
            }
        );
    }

    #[test]
    fn a_person_promotes_early_but_a_hold_never_promotes_itself() {
        let r = rollout(OnFailure::Rollback);
        let held = Moment {
            status: RolloutStatus::Held,
            ..moment(1, 600, Some(Status::Pass))
        };
        assert_eq!(next(&r, held), Next::Wait);
        let asked = Moment {
            promote_asked: true,
            ..moment(1, 5, None)
        };
        assert_eq!(
            next(&r, asked),
            Next::Promote {
                step: 2,
                by_person: true
            }
        );
        let paused = Moment {
            status: RolloutStatus::Paused,
            ..moment(1, 600, Some(Status::Pass))
        };
        assert_eq!(next(&r, paused), Next::Wait);
    }
}
