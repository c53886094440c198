//! A run in time: its plan laid out from its T0, the timeline of what has happened against
//! it, and the holds that keep fixed-start items ("Batch 1 (09:00-10:00)") until their time.

use flightdeck_model::{Actor, Event, ItemState};
use flightdeck_runbook::Runbook;
use flightdeck_schedule::{
    plan, timeline, Baseline, ItemKind, RunPlan, RunProgress, Tick, Timeline,
};
use flightdeck_store::{ItemView, RunRow, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::permissions::Change;
use crate::{Error, Flightdeck};

/// A run with its timeline, as every role sees it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunTimeline {
    pub run: RunRow,
    pub timeline: Timeline,
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// The plan of the run kept under `key`, laid out from its T0.
pub fn run_plan(store: &Store, key: &str) -> Result<(Runbook, RunRow, RunPlan), Error> {
    plan_of(store, key, store.run(key)?)
}

fn plan_of(store: &Store, key: &str, run: RunRow) -> Result<(Runbook, RunRow, RunPlan), Error> {
    let t0_ms = run.t0_ms.ok_or_else(|| Error::NoT0(key.to_string()))?;
    let runbook = store.document(key)?;
    let planned = plan(
        &runbook,
        Baseline {
            t0_ms,
            utc_offset_minutes: run.utc_offset_minutes,
        },
    )?;
    Ok((runbook, run, planned))
}

/// The run kept under `key` against its plan, as of `now_ms`: actual starts and ends from its
/// ticks and sign-offs, lateness, and the projected end.
pub fn run_timeline(store: &Store, key: &str, now_ms: i64) -> Result<RunTimeline, Error> {
    let (runbook, run, planned) = run_plan(store, key)?;
    let progress = run_progress(store, key, &runbook)?;
    Ok(RunTimeline {
        run,
        timeline: timeline(&runbook, &planned, &progress, now_ms),
    })
}

fn run_progress(store: &Store, key: &str, runbook: &Runbook) -> Result<RunProgress, Error> {
    let mut progress = RunProgress::default();
    for item in store.items(key)? {
        let (Some(state), Some(at)) = (item.state, item.at.as_deref()) else {
            continue;
        };
        let Some(at_ms) = parse_ms(at) else { continue };
        let done = matches!(state, ItemState::Done | ItemState::Na);
        progress.ticks.insert(item.id, Tick { at_ms, done });
    }
    for phase in &runbook.phases {
        let gate = crate::phase_gate(store, key, &phase.id)?;
        if gate.signed_off {
            let at = gate
                .signoffs
                .iter()
                .filter_map(|s| parse_ms(&s.record.signed.at))
                .max();
            if let Some(at) = at {
                progress.signed.insert(phase.id.clone(), at);
            }
        }
    }
    Ok(progress)
}

fn parse_ms(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The fixed-start phase, task or section that holds the item `view` at `now_ms`, if one does:
/// its planned start is still ahead and nobody has started it early.
pub(crate) fn hold(
    store: &Store,
    key: &str,
    view: &ItemView,
    now_ms: i64,
) -> Result<Option<Error>, Error> {
    if view.state.is_some() {
        return Ok(None);
    }
    let run = store.run(key)?;
    if run.t0_ms.is_none() {
        return Ok(None);
    }
    let (_, run, planned) = plan_of(store, key, run)?;
    let holding = planned.items.iter().find(|p| {
        p.fixed_start
            && p.start_ms > now_ms
            && p.phase == view.phase_id
            && match p.kind {
                ItemKind::Phase => true,
                ItemKind::Task => view.task.as_deref() == Some(p.id.as_str()),
                ItemKind::Section => {
                    view.task.is_none() && view.section.as_deref() == Some(p.title.as_str())
                }
            }
    });
    let Some(p) = holding else { return Ok(None) };
    if store.hold_overridden(key, &p.id)? {
        return Ok(None);
    }
    Ok(Some(Error::Held {
        held: p.id.clone(),
        title: p.title.clone(),
        until: wall_clock(p.start_ms, run.utc_offset_minutes),
        minutes: (p.start_ms - now_ms + 59_999) / 60_000,
        until_ms: p.start_ms,
    }))
}

/// "09:00" on the run's wall clock.
pub fn wall_clock(ms: i64, utc_offset_minutes: i32) -> String {
    let minute = (ms.div_euclid(60_000) + i64::from(utc_offset_minutes)).rem_euclid(1440);
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl Flightdeck {
    /// Lets the held item `item` (and the rest of what holds it) start before its planned
    /// time, with `reason` written to the audit trail.
    pub fn override_hold(
        &self,
        actor: &Actor,
        key: &str,
        item: &str,
        reason: &str,
    ) -> Result<String, Error> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "say why it starts before its planned time: the reason is audited".into(),
            ));
        }
        let mut store = self.write()?;
        let view = store.item(key, item)?;
        let Some(Error::Held { held, until_ms, .. }) = hold(&store, key, &view, now_ms())? else {
            return Err(Error::Invalid(format!(
                "item {item} is not held: it may start now"
            )));
        };
        self.permit(&mut store, actor, Change::Run, Some(key), &held)?;
        let author = self.author(&mut store, actor)?;
        store.record_event(
            &author,
            Event::HoldOverridden {
                runbook: key.to_string(),
                held: held.clone(),
                planned_start_ms: until_ms,
                reason: reason.to_string(),
            },
        )?;
        Ok(held)
    }
}
