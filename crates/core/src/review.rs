//! The post-implementation review of a run: one self-contained HTML file with the run's
//! timeline drawn as a PNG, planned against actual per phase, the critical path as it happened,
//! what was late, skipped, failed or rolled back and why, the go/no-go history, the holds
//! started early, and, for a live run, how it compared with its last rehearsal.

use base64::Engine;
use flightdeck_charts::{render_gantt_png, GanttRow, Theme};
use flightdeck_model::{ItemState, RunKind};
use flightdeck_schedule::{duration_words, ItemKind, Timeline, TimelineItem, WorkState};
use flightdeck_store::{
    ActionRun, AuditEntry, DecisionRecord, ItemView, RolloutRow, RolloutStatus, RunRow, Store,
};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::schedule::{run_timeline, wall_clock};
use crate::{Error, RunTimeline};

/// Everything the review shows, read from the store at one moment.
pub struct ReviewInput {
    pub title: String,
    pub run: RunRow,
    pub timeline: Timeline,
    pub items: Vec<ItemView>,
    pub decisions: Vec<DecisionRecord>,
    pub actions: Vec<ActionRun>,
    pub rollouts: Vec<RolloutRow>,
    pub holds: Vec<AuditEntry>,
    /// For a live run: the last rehearsal of the same runbook that has a timeline.
    pub rehearsal: Option<RunTimeline>,
}

/// Reads what the review of the run `key` shows, as of `now_ms`.
pub fn review_input(store: &Store, key: &str, now_ms: i64) -> Result<ReviewInput, Error> {
    let RunTimeline { run, timeline } = run_timeline(store, key, now_ms)?;
    let rehearsal = if run.kind == RunKind::Live {
        store
            .runs(key)?
            .into_iter()
            .rfind(|r| r.kind == RunKind::Rehearsal && r.t0_ms.is_some())
            .map(|r| run_timeline(store, &r.key, now_ms))
            .transpose()?
    } else {
        None
    };
    let holds = store
        .trail_of(key)?
        .into_iter()
        .filter(|e| e.kind == "hold_overridden")
        .collect();
    Ok(ReviewInput {
        title: store.outline(key)?.title,
        items: store.items(key)?,
        decisions: store.decisions(key)?,
        actions: store.action_runs(key, None)?,
        rollouts: store.rollouts(key)?,
        holds,
        rehearsal,
        run,
        timeline,
    })
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:28px auto;max-width:1040px;padding:0 20px;color:#1b2230;background:#fff}
h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #e2e6ec;padding-bottom:4px}
.meta{color:#5d6778}.headline{font-size:20px;font-weight:700;margin:14px 0}.late{color:#a12626}.ok{color:#1e6b35}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f4;vertical-align:top}
td.num{text-align:right;white-space:nowrap}img{max-width:100%;border:1px solid #e2e6ec;border-radius:6px}
@media (prefers-color-scheme:dark){body{background:#141a22;color:#e3e8ef}.meta{color:#9aa5b5}th,td,h2{border-color:#2c3440}}
";

fn signed_minutes(minutes: i64) -> String {
    match minutes {
        0 => "on time".to_string(),
        m if m > 0 => format!("+{}", duration_words(m)),
        m => format!("-{}", duration_words(-m)),
    }
}

/// Minutes from start to end, when both happened.
fn took(item: &TimelineItem) -> Option<i64> {
    Some((item.actual_end_ms? - item.actual_start_ms?) / 60_000)
}

fn gantt(t: &Timeline) -> Result<String, Error> {
    let rows: Vec<GanttRow<'_>> = t
        .items
        .iter()
        .map(|i| GanttRow {
            label: &i.planned.title,
            planned: (i.planned.start_ms / 1000, i.planned.end_ms / 1000),
            actual: Some((
                i.actual_start_ms.unwrap_or(i.projected_start_ms) / 1000,
                i.actual_end_ms.unwrap_or(i.projected_end_ms) / 1000,
            )),
            late: i.late_minutes > 0,
            critical: i.critical_now,
            heading: i.planned.kind == ItemKind::Phase,
        })
        .collect();
    let offset = t.utc_offset_minutes;
    let png = render_gantt_png(&rows, Theme::Light, 1000, &|s| wall_clock(s * 1000, offset))
        .map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

fn phases_section(input: &ReviewInput) -> Markup {
    let t = &input.timeline;
    let clock = |ms: i64| wall_clock(ms, t.utc_offset_minutes);
    html! {
        h2 { "Planned against actual" }
        table {
            tr { th { "Phase, task or section" } th { "Planned" } th { "Actual" } th.num { "Against plan" } }
            @for i in &t.items {
                tr {
                    td { @if i.planned.kind != ItemKind::Phase { "\u{a0}\u{a0}\u{a0}" } (i.planned.title) }
                    td { (clock(i.planned.start_ms)) "–" (clock(i.planned.end_ms)) }
                    td {
                        @match (i.actual_start_ms, i.actual_end_ms) {
                            (Some(s), Some(e)) => { (clock(s)) "–" (clock(e)) },
                            (Some(s), None) => { (clock(s)) "– (still running)" },
                            _ => "not started",
                        }
                    }
                    td.num.late[i.late_minutes > 0] { (signed_minutes(i.late_minutes)) }
                }
            }
        }
        h2 { "The critical path as it happened" }
        ol {
            @for i in t.items.iter().filter(|i| i.critical_now && i.planned.kind != ItemKind::Phase) {
                li { (i.planned.title) " — " (signed_minutes(i.late_minutes))
                    @if let Some(m) = took(i) { " (took " (duration_words(m)) ")" } }
            }
        }
    }
}

fn exceptions_section(input: &ReviewInput) -> Markup {
    let late: Vec<&TimelineItem> = input
        .timeline
        .items
        .iter()
        .filter(|i| i.late_minutes > 0 && i.planned.kind != ItemKind::Phase)
        .collect();
    let noted = |state: ItemState| -> Vec<&ItemView> {
        input
            .items
            .iter()
            .filter(|i| i.state == Some(state))
            .collect()
    };
    let (skipped, failed, untested) = (
        noted(ItemState::Na),
        noted(ItemState::Failed),
        noted(ItemState::NotTested),
    );
    html! {
        h2 { "Late (" (late.len()) ")" }
        @if late.is_empty() { p { "Nothing ended after its planned time." } }
        ul { @for i in &late { li { (i.planned.title) ": " (signed_minutes(i.late_minutes))
            @if i.progress != WorkState::Done { " (not finished)" } } } }
        h2 { "Skipped, failed and not tested" }
        @if skipped.is_empty() && failed.is_empty() && untested.is_empty() { p { "None." } }
        table {
            @for (label, list) in [("Skipped (n/a)", &skipped), ("Failed", &failed), ("Not tested", &untested)] {
                @for i in list.iter() {
                    tr { td { (label) } td { (i.text) } td { (i.note.as_deref().unwrap_or("no reason given")) } td { (i.by.as_deref().unwrap_or("")) } }
                }
            }
        }
        @if !input.holds.is_empty() {
            h2 { "Started before their time" }
            ul { @for h in &input.holds { li { (h.subject) " by " (h.actor) " at " (h.at) ": "
                (h.detail.get("reason").and_then(|r| r.as_str()).unwrap_or("")) } } }
        }
        h2 { "Failures and rollbacks" }
        @let failures: Vec<&ActionRun> = input.actions.iter().filter(|a| a.error.is_some() || a.direction == "undo").collect();
        @let rollbacks: Vec<&RolloutRow> = input.rollouts.iter().filter(|r| matches!(r.status, RolloutStatus::RolledBack | RolloutStatus::Aborted) || r.rollback_reason.is_some()).collect();
        @if failures.is_empty() && rollbacks.is_empty() { p { "No action failed and nothing was rolled back." } }
        ul {
            @for a in &failures {
                li { @if a.direction == "undo" { "Rolled back " } @else { "Failed " } (a.step) " in " (a.environment) " at " (a.started_at)
                    @if let Some(e) = &a.error { ": " (e) } }
            }
            @for r in &rollbacks {
                li { "Rollout " (r.step) " in " (r.environment) " rolled back"
                    @if let Some(why) = &r.rollback_reason { ": " (why) } }
            }
        }
        h2 { "Go/no-go decisions" }
        @if input.decisions.is_empty() { p { "No decision was recorded." } }
        ul { @for d in &input.decisions {
            li { strong { (d.decision.as_str().replace('_', "-").to_uppercase()) } " by " (d.signed.signer) " (" (d.signed.role) ") at " (d.signed.at) ": " (d.reason) }
        } }
    }
}

fn rehearsal_section(input: &ReviewInput) -> Markup {
    let Some(rehearsal) = &input.rehearsal else {
        return html! {};
    };
    let live = &input.timeline;
    let duration =
        |t: &Timeline, id: &str| t.items.iter().find(|i| i.planned.id == id).and_then(took);
    let total = |t: &Timeline| (t.projected_end_ms - t.planned_start_ms.min(t.t0_ms)) / 60_000;
    html! {
        h2 { "Against the rehearsal (" (rehearsal.run.name) ")" }
        table {
            tr { th { "Phase" } th.num { "Rehearsal took" } th.num { "Live took" } th.num { "Difference" } }
            @for i in live.items.iter().filter(|i| i.planned.kind == ItemKind::Phase) {
                @let before = duration(&rehearsal.timeline, &i.planned.id);
                @let now = took(i);
                tr {
                    td { (i.planned.title) }
                    td.num { (before.map_or("—".to_string(), duration_words)) }
                    td.num { (now.map_or("—".to_string(), duration_words)) }
                    td.num { @if let (Some(b), Some(n)) = (before, now) { (signed_minutes(n - b)) } @else { "—" } }
                }
            }
            tr {
                td { strong { "Whole run (T0 to end)" } }
                td.num { (duration_words(total(&rehearsal.timeline))) }
                td.num { (duration_words(total(live))) }
                td.num { (signed_minutes(total(live) - total(&rehearsal.timeline))) }
            }
        }
    }
}

/// The review as one HTML document that opens offline.
pub fn review_html(input: &ReviewInput) -> Result<String, Error> {
    let t = &input.timeline;
    let clock = |ms: i64| wall_clock(ms, t.utc_offset_minutes);
    let chart = gantt(t)?;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Review: " (input.title) " (" (input.run.name) ")" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Post-implementation review: " (input.title) }
                p.meta {
                    (input.run.kind.as_str()) " run " (input.run.name)
                    @if let Some(env) = &input.run.environment { " in " (env) }
                    " · T0 " (clock(t.t0_ms)) " (UTC" (format!("{:+03}:{:02}", input.run.utc_offset_minutes / 60, input.run.utc_offset_minutes.abs() % 60)) ")"
                    " · started " (input.run.started_at)
                    @if let Some(end) = &input.run.ended_at { " · ended " (end) } @else { " · still open" }
                    " · written " (crate::now()) " by Flightdeck"
                }
                p.headline.late[t.late_minutes > 0].ok[t.late_minutes <= 0] {
                    "Planned end " (clock(t.planned_end_ms)) ", "
                    @if input.run.ended_at.is_some() { "ended " } @else { "projected " }
                    (clock(t.projected_end_ms)) ": " (signed_minutes(t.late_minutes))
                }
                img src=(chart) alt="The run's timeline: planned bars with what happened over them";
                (phases_section(input))
                (rehearsal_section(input))
                (exceptions_section(input))
            }
        }
    };
    Ok(page.into_string())
}
