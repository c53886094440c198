//! The critical path method on a network of activities: a forward pass for the earliest start
//! and finish, a backward pass for the latest, and slack. Times are minutes from T0.

use crate::error::ScheduleError;

/// One activity: how long it takes, the earliest it may start, and what must finish first.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub minutes: i64,
    /// Not before this (a clock time or an offset from T0).
    pub not_before: Option<i64>,
    pub after: Vec<usize>,
}

/// The network in an order where every activity comes after those it waits for.
#[derive(Debug, Clone)]
pub struct Network {
    activities: Vec<Activity>,
    order: Vec<usize>,
    successors: Vec<Vec<usize>>,
}

/// Earliest and latest times of each activity; `slack` is zero on the critical path.
#[derive(Debug, Clone)]
pub struct Pass {
    pub start: Vec<i64>,
    pub finish: Vec<i64>,
    pub slack: Vec<i64>,
}

/// What has really happened to an activity, for a projection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Actual {
    #[default]
    NotStarted,
    Started(i64),
    Finished(i64, i64),
}

impl Network {
    /// Orders the activities (Kahn's algorithm); a loop is an error naming one activity in it.
    pub fn new(activities: Vec<Activity>) -> Result<Self, ScheduleError> {
        let n = activities.len();
        let mut waiting = vec![0usize; n];
        let mut successors = vec![Vec::new(); n];
        for (i, a) in activities.iter().enumerate() {
            for &p in &a.after {
                if p >= n {
                    return Err(ScheduleError::UnknownActivity { index: p });
                }
                successors[p].push(i);
                waiting[i] += 1;
            }
        }
        let mut order: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
        let mut next = 0;
        while next < order.len() {
            let i = order[next];
            next += 1;
            for &s in &successors[i] {
                waiting[s] -= 1;
                if waiting[s] == 0 {
                    order.push(s);
                }
            }
        }
        if order.len() < n {
            let index = (0..n).find(|&i| waiting[i] > 0).unwrap_or(0);
            return Err(ScheduleError::Loop { index });
        }
        Ok(Network {
            activities,
            order,
            successors,
        })
    }

    pub fn len(&self) -> usize {
        self.activities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
    }

    pub fn activity(&self, index: usize) -> &Activity {
        &self.activities[index]
    }

    /// The plan: earliest times, then latest times back from the last finish, and slack.
    pub fn plan(&self) -> Pass {
        self.project(&[], None)
    }

    /// Earliest times given what has happened (`actuals`, by index; missing means not
    /// started) and, when `now` is set, that nothing unfinished ends before now.
    pub fn project(&self, actuals: &[Actual], now: Option<i64>) -> Pass {
        let n = self.activities.len();
        let mut start = vec![0i64; n];
        let mut finish = vec![0i64; n];
        for &i in &self.order {
            let a = &self.activities[i];
            let ready = a.after.iter().map(|&p| finish[p]).max();
            let earliest = match (ready, a.not_before) {
                (Some(r), Some(t)) => r.max(t),
                (Some(r), None) => r,
                (None, Some(t)) => t,
                (None, None) => 0,
            };
            let (s, f) = match actuals.get(i).copied().unwrap_or_default() {
                Actual::Finished(s, f) => (s, f),
                Actual::Started(s) => {
                    (s, now.map_or(s + a.minutes, |now| (s + a.minutes).max(now)))
                }
                Actual::NotStarted => {
                    let s = now.map_or(earliest, |now| earliest.max(now));
                    (s, s + a.minutes)
                }
            };
            start[i] = s;
            finish[i] = f;
        }
        let end = finish.iter().copied().max().unwrap_or(0);
        let mut latest_finish = vec![end; n];
        for &i in self.order.iter().rev() {
            let lf = self.successors[i]
                .iter()
                .map(|&s| latest_finish[s] - (finish[s] - start[s]))
                .min()
                .unwrap_or(end);
            latest_finish[i] = lf;
        }
        let slack = (0..n).map(|i| latest_finish[i] - finish[i]).collect();
        Pass {
            start,
            finish,
            slack,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(minutes: i64, after: &[usize]) -> Activity {
        Activity {
            minutes,
            not_before: None,
            after: after.to_vec(),
        }
    }

    #[test]
    fn the_longest_chain_is_critical() {
        // 0 -> 1 (30) -> 3 ; 0 -> 2 (10) -> 3
        let net = Network::new(vec![
            act(5, &[]),
            act(30, &[0]),
            act(10, &[0]),
            act(5, &[1, 2]),
        ])
        .unwrap();
        let pass = net.plan();
        assert_eq!(pass.start, vec![0, 5, 5, 35]);
        assert_eq!(pass.finish[3], 40);
        assert_eq!(pass.slack, vec![0, 0, 20, 0]);
    }

    #[test]
    fn a_clock_time_holds_an_activity() {
        let mut held = act(10, &[0]);
        held.not_before = Some(60);
        let net = Network::new(vec![act(5, &[]), held]).unwrap();
        let pass = net.plan();
        assert_eq!((pass.start[1], pass.finish[1]), (60, 70));
        assert_eq!(pass.slack[0], 55);
    }

    #[test]
    fn a_projection_moves_with_what_happened() {
        let net = Network::new(vec![act(30, &[]), act(30, &[0])]).unwrap();
        let pass = net.project(&[Actual::Finished(0, 50)], Some(50));
        assert_eq!(pass.finish, vec![50, 80]);
        let pass = net.project(&[Actual::Started(0)], Some(45));
        assert_eq!(pass.finish, vec![45, 75]);
    }

    #[test]
    fn a_loop_is_refused() {
        let err = Network::new(vec![act(1, &[1]), act(1, &[0])]).unwrap_err();
        assert!(matches!(err, ScheduleError::Loop { .. }));
    }
}
