//! The runbook in time. Pure: no IO and no clock of its own (callers pass `now`).
//!
//! [`plan`] turns a runbook's durations, windows, offsets and ordering into planned starts and
//! ends for a run's T0 and finds the critical path; [`timeline`] projects that plan through what
//! has happened in the run to give lateness and the projected end.

mod error;
mod network;
mod plan;
mod timeline;

pub use error::ScheduleError;
pub use network::{Activity, Actual, Network, Pass};
pub use plan::{plan, Baseline, ItemKind, PlannedItem, RunPlan};
pub use timeline::{
    duration_words, headline, timeline, RunProgress, Tick, Timeline, TimelineItem, WorkState,
};
