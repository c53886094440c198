//! The run against its plan: actual starts and ends from the checklist's ticks, lateness, and
//! the projected end of the release from what is left.

use std::collections::HashMap;

use flightdeck_runbook::Runbook;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::network::Actual;
use crate::plan::{ItemKind, PlannedItem, RunPlan};

/// The latest state of one checklist item in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub at_ms: i64,
    /// Ticked, or marked not applicable.
    pub done: bool,
}

/// What has happened in a run: its checklist items' ticks and its phases' sign-offs.
#[derive(Debug, Clone, Default)]
pub struct RunProgress {
    pub ticks: HashMap<String, Tick>,
    /// Phase id -> when it was signed off.
    pub signed: HashMap<String, i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WorkState {
    NotStarted,
    Running,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineItem {
    pub planned: PlannedItem,
    pub progress: WorkState,
    #[ts(type = "number | null")]
    pub actual_start_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub actual_end_ms: Option<i64>,
    #[ts(type = "number")]
    pub projected_start_ms: i64,
    #[ts(type = "number")]
    pub projected_end_ms: i64,
    /// Minutes its (projected or actual) end is after the planned end; negative when early.
    #[ts(type = "number")]
    pub late_minutes: i64,
    /// On the critical path as things stand: what happened and what is left.
    pub critical_now: bool,
}

/// The run in time, as every role sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Timeline {
    #[ts(type = "number")]
    pub t0_ms: i64,
    pub utc_offset_minutes: i32,
    #[ts(type = "number")]
    pub now_ms: i64,
    #[ts(type = "number")]
    pub planned_start_ms: i64,
    #[ts(type = "number")]
    pub planned_end_ms: i64,
    #[ts(type = "number")]
    pub projected_end_ms: i64,
    /// Minutes the projected end is after the planned end (0 when on time or early).
    #[ts(type = "number")]
    pub late_minutes: i64,
    /// "on time", or "running 25 min late, projected end 10:40".
    pub headline: String,
    pub items: Vec<TimelineItem>,
    pub critical_path: Vec<String>,
}

/// Projects `plan` through what has happened, as of `now_ms`.
pub fn timeline(
    runbook: &Runbook,
    plan: &RunPlan,
    progress: &RunProgress,
    now_ms: i64,
) -> Timeline {
    let base = plan.baseline;
    let minutes = |ms: i64| (ms - base.t0_ms).div_euclid(60_000);
    let ms = |minutes: i64| base.t0_ms + minutes * 60_000;
    let members = Members::of(runbook);
    let actuals: Vec<(Option<i64>, Option<i64>)> = plan
        .items
        .iter()
        .map(|item| actual(&members, item, progress))
        .collect();
    let Some(shape) = plan.shape.as_ref() else {
        return empty(plan, now_ms);
    };
    let mut by_activity = vec![Actual::NotStarted; shape.network.len()];
    for (item, (&(first, last), &(start, end))) in
        plan.items.iter().zip(shape.spans.iter().zip(&actuals))
    {
        let start = start.map(minutes);
        let end = end.map(minutes);
        if item.kind == ItemKind::Phase {
            let work = shape.phase_parts.get(&first).map(|(_, w)| *w);
            if let Some(s) = start {
                by_activity[first] = Actual::Finished(s, s);
                // Once a phase has begun, its tasks and sections say how long it takes; its own
                // duration holds only a phase without them.
                let has_children = last - first > 2;
                if let Some(work) = work {
                    by_activity[work] = match end {
                        Some(e) => Actual::Finished(s, e),
                        None if has_children => Actual::Finished(s, s),
                        None => Actual::Started(s),
                    };
                }
            }
            if let Some(e) = end {
                by_activity[last] = Actual::Finished(e, e);
            }
        } else {
            by_activity[first] = match (start, end) {
                (Some(s), Some(e)) => Actual::Finished(s, e.max(s)),
                (Some(s), None) => Actual::Started(s),
                _ => Actual::NotStarted,
            };
        }
    }
    let pass = shape.network.project(&by_activity, Some(minutes(now_ms)));
    let items: Vec<TimelineItem> = plan
        .items
        .iter()
        .zip(shape.spans.iter().zip(&actuals))
        .map(|(item, (&(first, last), &(start, end)))| {
            let projected_start = match item.kind {
                ItemKind::Phase => (first..=last).map(|a| pass.start[a]).min().unwrap_or(0),
                _ => pass.start[first],
            };
            let projected_end = ms(pass.finish[last]);
            let progress = match (start, end) {
                (_, Some(_)) => WorkState::Done,
                (Some(_), None) => WorkState::Running,
                _ => WorkState::NotStarted,
            };
            TimelineItem {
                planned: item.clone(),
                progress,
                actual_start_ms: start,
                actual_end_ms: end,
                projected_start_ms: start.unwrap_or(ms(projected_start)),
                projected_end_ms: end.unwrap_or(projected_end),
                late_minutes: late(end.unwrap_or(projected_end), item.end_ms),
                critical_now: pass.slack[last] == 0,
            }
        })
        .collect();
    let projected_end_ms = items
        .iter()
        .map(|i| i.projected_end_ms)
        .max()
        .unwrap_or(plan.end_ms);
    let late_minutes = late(projected_end_ms, plan.end_ms).max(0);
    Timeline {
        t0_ms: base.t0_ms,
        utc_offset_minutes: base.utc_offset_minutes,
        now_ms,
        planned_start_ms: plan.start_ms,
        planned_end_ms: plan.end_ms,
        projected_end_ms,
        late_minutes,
        headline: headline(
            late_minutes,
            projected_end_ms,
            base.utc_offset_minutes,
            worst_open(&items),
        ),
        items,
        critical_path: plan.critical_path.clone(),
    }
}

fn empty(plan: &RunPlan, now_ms: i64) -> Timeline {
    Timeline {
        t0_ms: plan.baseline.t0_ms,
        utc_offset_minutes: plan.baseline.utc_offset_minutes,
        now_ms,
        planned_start_ms: plan.start_ms,
        planned_end_ms: plan.end_ms,
        projected_end_ms: plan.end_ms,
        late_minutes: 0,
        headline: "on time".to_string(),
        items: Vec::new(),
        critical_path: Vec::new(),
    }
}

/// Whole minutes `actual` is after `planned` (rounded up: 20 min 10 s late is 21 min late).
fn late(actual: i64, planned: i64) -> i64 {
    let ms = actual - planned;
    if ms > 0 {
        (ms + 59_999) / 60_000
    } else {
        ms / 60_000
    }
}

/// The unfinished item furthest behind its plan, if one is.
fn worst_open(items: &[TimelineItem]) -> Option<(&str, i64)> {
    items
        .iter()
        .filter(|i| i.progress != WorkState::Done && i.late_minutes > 0)
        .max_by_key(|i| i.late_minutes)
        .map(|i| (i.planned.title.as_str(), i.late_minutes))
}

/// "on time", "running 25 min late, projected end 10:40" (the run's wall clock), or, when the
/// end is safe but an item is behind, "on time to the end; 'Phase 1' is 20 min late".
pub fn headline(
    late_minutes: i64,
    projected_end_ms: i64,
    utc_offset_minutes: i32,
    worst_open: Option<(&str, i64)>,
) -> String {
    if late_minutes <= 0 {
        return match worst_open {
            Some((title, late)) => format!(
                "on time to the end; '{title}' is {} late",
                duration_words(late)
            ),
            None => "on time".to_string(),
        };
    }
    let local = projected_end_ms.div_euclid(60_000) + i64::from(utc_offset_minutes);
    let minute_of_day = local.rem_euclid(1440);
    format!(
        "running {} late, projected end {:02}:{:02}",
        duration_words(late_minutes),
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// "25 min", "1 h 5 min".
pub fn duration_words(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The checklist items under each phase, task and section, gathered once.
struct Members<'a> {
    phases: HashMap<&'a str, Vec<&'a str>>,
    tasks: HashMap<&'a str, Vec<&'a str>>,
    sections: HashMap<&'a str, HashMap<&'a str, Vec<&'a str>>>,
}

impl<'a> Members<'a> {
    fn of(runbook: &'a Runbook) -> Self {
        let mut members = Members {
            phases: HashMap::new(),
            tasks: HashMap::new(),
            sections: HashMap::new(),
        };
        for phase in &runbook.phases {
            for item in &phase.items {
                let id = item.id.as_str();
                members.phases.entry(&phase.id).or_default().push(id);
                match (&item.task, &item.section) {
                    (Some(task), _) => members.tasks.entry(task).or_default().push(id),
                    (None, Some(section)) => members
                        .sections
                        .entry(&phase.id)
                        .or_default()
                        .entry(section)
                        .or_default()
                        .push(id),
                    (None, None) => {}
                }
            }
        }
        members
    }

    fn of_item(&self, item: &PlannedItem) -> &[&'a str] {
        let found = match item.kind {
            ItemKind::Phase => self.phases.get(item.phase.as_str()),
            ItemKind::Task => self.tasks.get(item.id.as_str()),
            ItemKind::Section => self
                .sections
                .get(item.phase.as_str())
                .and_then(|s| s.get(item.title.as_str())),
        };
        found.map_or(&[], Vec::as_slice)
    }
}

/// The first tick and, once every item is done, the last, of the checklist items under `item`;
/// a phase is also done when it is signed off.
fn actual(
    members: &Members,
    item: &PlannedItem,
    progress: &RunProgress,
) -> (Option<i64>, Option<i64>) {
    let members = members.of_item(item);
    let ticks: Vec<Tick> = members
        .iter()
        .filter_map(|id| progress.ticks.get(*id).copied())
        .collect();
    let first = ticks.iter().map(|t| t.at_ms).min();
    let all_done =
        !members.is_empty() && ticks.len() == members.len() && ticks.iter().all(|t| t.done);
    let last = all_done
        .then(|| ticks.iter().map(|t| t.at_ms).max())
        .flatten();
    let signed = progress.signed.get(&item.phase).copied();
    match item.kind {
        ItemKind::Phase => match signed {
            Some(at) => (first.or(Some(at)), Some(last.map_or(at, |l| l.max(at)))),
            None => (first, last),
        },
        _ if members.is_empty() => match signed {
            Some(at) => (Some(at), Some(at)),
            None => (None, None),
        },
        _ => (first, last),
    }
}
