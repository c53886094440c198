//! The runbook as a network: each scheduled phase is a start, its own work, its tasks and timed
//! sections, and an end. Clock times are rebaselined onto the run's T0: the document's first
//! date becomes T0's date and times of day are kept; offsets (`T-30 minutes`) count from T0.

use std::collections::{HashMap, HashSet};

use flightdeck_runbook::{MonthDay, Order, Phase, Runbook, Timing};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ScheduleError;
use crate::network::{Activity, Network, Pass};

/// When a run starts: T0 as an instant, and the UTC offset its wall-clock times are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Baseline {
    #[ts(type = "number")]
    pub t0_ms: i64,
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemKind {
    Phase,
    Task,
    Section,
}

/// A phase, task or timed section with its planned times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlannedItem {
    pub id: String,
    pub kind: ItemKind,
    pub phase: String,
    pub title: String,
    pub line: u32,
    #[ts(type = "number")]
    pub start_ms: i64,
    #[ts(type = "number")]
    pub end_ms: i64,
    /// Held until its clock time ("Batch 1 (09:00-10:00)"): it may not start before `start_ms`
    /// without an override.
    pub fixed_start: bool,
    pub critical: bool,
    #[ts(type = "number")]
    pub slack_minutes: i64,
}

/// The planned run: every scheduled item and the critical path through them.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunPlan {
    pub baseline: Baseline,
    #[ts(type = "number")]
    pub start_ms: i64,
    #[ts(type = "number")]
    pub end_ms: i64,
    pub items: Vec<PlannedItem>,
    /// Ids of the items on the critical path, in time order: tasks and sections, and phases
    /// that are on it through their own work rather than through a child.
    pub critical_path: Vec<String>,
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) shape: Option<Shape>,
}

/// How items map onto activities, kept for projections.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub network: Network,
    /// For each item: its first and last activity (the same for a task or section).
    pub spans: Vec<(usize, usize)>,
    /// For each phase item: its start activity and its own-work activity.
    pub phase_parts: HashMap<usize, (usize, usize)>,
}

impl RunPlan {
    pub fn item(&self, id: &str) -> Option<&PlannedItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// Computes the plan of `runbook` for a run that starts at `baseline`.
pub fn plan(runbook: &Runbook, baseline: Baseline) -> Result<RunPlan, ScheduleError> {
    let mut builder = Builder::new(runbook, baseline);
    for phase in runbook.phases.iter().filter(|p| scheduled(p)) {
        builder.add_phase(phase);
    }
    let Builder {
        activities,
        items,
        spans,
        phase_parts,
        ..
    } = builder;
    let network = Network::new(activities).map_err(|e| match e {
        ScheduleError::Loop { index } => {
            let item = spans
                .iter()
                .position(|(a, b)| (*a..=*b).contains(&index))
                .map(|i| &items[i]);
            ScheduleError::OrderingLoop {
                title: item.map_or_else(String::new, |i| i.title.clone()),
                line: item.map_or(0, |i| i.line),
            }
        }
        other => other,
    })?;
    let pass = network.plan();
    Ok(assemble(
        baseline,
        items,
        Shape {
            network,
            spans,
            phase_parts,
        },
        &pass,
    ))
}

/// Fills times, criticality and the critical path from a pass over the network.
pub(crate) fn assemble(
    baseline: Baseline,
    mut items: Vec<PlannedItem>,
    shape: Shape,
    pass: &Pass,
) -> RunPlan {
    let ms = |minutes: i64| baseline.t0_ms + minutes * 60_000;
    for (item, &(first, last)) in items.iter_mut().zip(&shape.spans) {
        let start = match shape.phase_parts.get(&first) {
            Some(_) => (first..=last).map(|a| pass.start[a]).min().unwrap_or(0),
            None => pass.start[first],
        };
        item.start_ms = ms(start);
        item.end_ms = ms(pass.finish[last]);
        item.slack_minutes = pass.slack[last];
        item.critical = pass.slack[last] == 0;
    }
    let on_path = |i: &PlannedItem| i.critical && i.end_ms > i.start_ms;
    let through_child: HashSet<&str> = items
        .iter()
        .filter(|i| i.kind != ItemKind::Phase && on_path(i))
        .map(|i| i.phase.as_str())
        .collect();
    let mut path: Vec<&PlannedItem> = items
        .iter()
        .filter(|i| on_path(i))
        .filter(|i| i.kind != ItemKind::Phase || !through_child.contains(i.id.as_str()))
        .collect();
    path.sort_by_key(|i| (i.start_ms, i.end_ms));
    let critical_path = path.iter().map(|i| i.id.clone()).collect();
    let start_ms = items
        .iter()
        .map(|i| i.start_ms)
        .min()
        .unwrap_or(baseline.t0_ms);
    let end_ms = items
        .iter()
        .map(|i| i.end_ms)
        .max()
        .unwrap_or(baseline.t0_ms);
    RunPlan {
        baseline,
        start_ms,
        end_ms,
        items,
        critical_path,
        shape: Some(shape),
    }
}

/// A phase is on the timeline when it, a task or a section of it says something about time.
fn scheduled(phase: &Phase) -> bool {
    !phase.timing.is_empty()
        || !phase.sections.is_empty()
        || phase.tasks.iter().any(|t| !t.timing.is_empty())
}

struct Builder<'a> {
    baseline: Baseline,
    calendar: Calendar,
    activities: Vec<Activity>,
    items: Vec<PlannedItem>,
    spans: Vec<(usize, usize)>,
    phase_parts: HashMap<usize, (usize, usize)>,
    /// Phase id -> (start activity, end activity).
    phases: HashMap<&'a str, (usize, usize)>,
    previous_phase: Option<(usize, usize)>,
}

impl<'a> Builder<'a> {
    fn new(runbook: &Runbook, baseline: Baseline) -> Self {
        Builder {
            baseline,
            calendar: Calendar::new(runbook, baseline),
            activities: Vec::new(),
            items: Vec::new(),
            spans: Vec::new(),
            phase_parts: HashMap::new(),
            phases: HashMap::new(),
            previous_phase: None,
        }
    }

    fn push(&mut self, activity: Activity) -> usize {
        self.activities.push(activity);
        self.activities.len() - 1
    }

    fn add_phase(&mut self, phase: &'a Phase) {
        let not_before = self.calendar.not_before(&phase.timing);
        let mut after: Vec<usize> = phase
            .depends_on
            .iter()
            .chain(&phase.timing.after)
            .filter_map(|id| self.phases.get(id.as_str()).map(|(_, end)| *end))
            .collect();
        let explicit = !after.is_empty();
        if let Some((prev_start, prev_end)) = self.previous_phase {
            match phase.timing.order {
                Order::Parallel { .. } => after.push(prev_start),
                _ if !explicit && not_before.is_none() => after.push(prev_end),
                _ => {}
            }
        }
        let start = self.push(Activity {
            minutes: 0,
            not_before,
            after,
        });
        let work = self.push(Activity {
            minutes: own_minutes(&phase.timing),
            not_before: None,
            after: vec![start],
        });
        let item_index = self.items.len();
        self.items.push(self.item(
            &phase.id,
            ItemKind::Phase,
            phase,
            &phase.title,
            phase.line,
            not_before.is_some() && is_clock(&phase.timing),
        ));
        self.spans.push((start, start));
        let mut children: Vec<(&str, &str, u32, &Timing, ItemKind)> = phase
            .tasks
            .iter()
            .map(|t| {
                (
                    t.id.as_str(),
                    t.title.as_str(),
                    t.line,
                    &t.timing,
                    ItemKind::Task,
                )
            })
            .chain(phase.sections.iter().map(|s| {
                (
                    s.id.as_str(),
                    s.title.as_str(),
                    s.line,
                    &s.timing,
                    ItemKind::Section,
                )
            }))
            .collect();
        children.sort_by_key(|c| c.2);
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut previous: Option<(usize, Vec<usize>)> = None;
        let mut ends = vec![work];
        for (id, title, line, timing, kind) in children {
            let not_before = self.calendar.not_before(timing);
            let mut after: Vec<usize> = timing
                .after
                .iter()
                .filter_map(|a| ids.get(a.as_str()).copied())
                .collect();
            if after.is_empty() {
                after = match (&timing.order, &previous) {
                    (Order::Parallel { .. }, Some((_, prev_after))) => prev_after.clone(),
                    _ if not_before.is_some() => Vec::new(),
                    (_, Some((prev, _))) => vec![*prev],
                    (_, None) => vec![start],
                };
            }
            let activity = self.push(Activity {
                minutes: own_minutes(timing),
                not_before,
                after: after.clone(),
            });
            ids.insert(id, activity);
            ends.push(activity);
            previous = Some((activity, after));
            self.items.push(self.item(
                id,
                kind,
                phase,
                title,
                line,
                not_before.is_some() && is_clock(timing),
            ));
            self.spans.push((activity, activity));
        }
        let end = self.push(Activity {
            minutes: 0,
            not_before: None,
            after: ends,
        });
        self.spans[item_index] = (start, end);
        self.phase_parts.insert(start, (start, work));
        self.phases.insert(&phase.id, (start, end));
        self.previous_phase = Some((start, end));
    }

    fn item(
        &self,
        id: &str,
        kind: ItemKind,
        phase: &Phase,
        title: &str,
        line: u32,
        fixed_start: bool,
    ) -> PlannedItem {
        PlannedItem {
            id: id.to_string(),
            kind,
            phase: phase.id.clone(),
            title: title.to_string(),
            line,
            start_ms: self.baseline.t0_ms,
            end_ms: self.baseline.t0_ms,
            fixed_start,
            critical: false,
            slack_minutes: 0,
        }
    }
}

/// How long an item itself takes: its duration (the longer end of a range), or the length of
/// its window or offset range.
fn own_minutes(timing: &Timing) -> i64 {
    if let Some(d) = &timing.duration {
        return i64::from(d.max_minutes);
    }
    if let Some(w) = &timing.window {
        if let (Some(s), Some(e)) = (w.start, w.end) {
            let (s, e) = (i64::from(s), i64::from(e));
            return if e >= s { e - s } else { e + 1440 - s };
        }
    }
    if let Some(o) = &timing.offset {
        if let Some(e) = o.end_minutes {
            return i64::from(e - o.start_minutes);
        }
    }
    0
}

fn is_clock(timing: &Timing) -> bool {
    timing.window.as_ref().is_some_and(|w| w.start.is_some())
}

/// Turns the document's dates and times of day into minutes from T0.
struct Calendar {
    /// T0 in local minutes since the epoch.
    t0_local: i64,
    /// The day (Julian day number) of T0 in local time.
    t0_day: i64,
    /// Dates seen so far, in document order: line -> Julian day.
    dated: Vec<(u32, i64)>,
}

impl Calendar {
    fn new(runbook: &Runbook, baseline: Baseline) -> Self {
        let t0_local = baseline.t0_ms.div_euclid(60_000) + i64::from(baseline.utc_offset_minutes);
        let t0_day_offset = t0_local.div_euclid(1440);
        let epoch = time::Date::from_calendar_date(1970, time::Month::January, 1)
            .map(|d| i64::from(d.to_julian_day()))
            .unwrap_or(2_440_588);
        let t0_day = epoch + t0_day_offset;
        let t0_year = time::Date::from_julian_day(t0_day as i32).map_or(1970, |d| d.year());
        let mut windows: Vec<(u32, MonthDay)> = runbook
            .phases
            .iter()
            .flat_map(|p| {
                std::iter::once(&p.timing)
                    .chain(p.tasks.iter().map(|t| &t.timing))
                    .chain(p.sections.iter().map(|s| &s.timing))
            })
            .filter_map(|t| t.window.as_ref())
            .filter_map(|w| w.date.map(|d| (w.line, d)))
            .collect();
        windows.sort_by_key(|(line, _)| *line);
        let anchor = windows.first().and_then(|(_, first)| {
            let year = first.year.map_or(t0_year, i32::from);
            julian(*first, year).map(|day| (day, year))
        });
        let dated = windows
            .iter()
            .filter_map(|(line, d)| {
                let (first_day, year) = anchor?;
                let mut day = julian(*d, d.year.map_or(year, i32::from))?;
                if d.year.is_none() && day < first_day - 183 {
                    day = julian(*d, year + 1)?;
                }
                Some((*line, day - first_day + t0_day))
            })
            .collect();
        Calendar {
            t0_local,
            t0_day,
            dated,
        }
    }

    /// The day a line's clock times are on: its own date, or the last date above it.
    fn day_of(&self, line: u32) -> i64 {
        self.dated
            .iter()
            .take_while(|(l, _)| *l <= line)
            .last()
            .map_or(self.t0_day, |(_, day)| *day)
    }

    /// The earliest start a timing sets, in minutes from T0.
    fn not_before(&self, timing: &Timing) -> Option<i64> {
        if let Some(w) = &timing.window {
            if let Some(start) = w.start {
                let day = self.day_of(w.line);
                return Some(
                    day * 1440 + i64::from(start) - (self.t0_day * 1440) - self.t0_minute(),
                );
            }
        }
        timing.offset.as_ref().map(|o| i64::from(o.start_minutes))
    }

    fn t0_minute(&self) -> i64 {
        self.t0_local.rem_euclid(1440)
    }
}

fn julian(d: MonthDay, year: i32) -> Option<i64> {
    let month = time::Month::try_from(d.month).ok()?;
    time::Date::from_calendar_date(year, month, d.day)
        .ok()
        .map(|date| i64::from(date.to_julian_day()))
}
