//! The go/no-go report: one self-contained HTML file (no scripts, no external files, charts
//! inline as PNG) with the verdict, the criteria and their charts, phase progress, sign-offs,
//! the decisions, the soak timelines and the open items. It opens offline and prints.

use std::time::{Duration, SystemTime};

use base64::Engine;
use flightdeck_charts::Theme;
use flightdeck_cloud::{Evaluation, Status, Verdict};
use flightdeck_store::{rfc3339, DecisionRecord, ItemView, RunbookSummary, Store};
use flightdeck_vault::Vault;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::board::{criterion_chart, ChartFormat};
use crate::gonogo::{evaluate_input, gonogo_input, GoNoGoInput, Scope};
use crate::signoff::phase_gate;
use crate::soak::{soak_timelines, SoakTimeline};
use crate::{Error, PhaseGate};

/// What the report needs from the store, read while holding it.
pub struct ReportInput {
    pub gonogo: GoNoGoInput,
    pub summary: RunbookSummary,
    pub gates: Vec<PhaseGate>,
    pub decisions: Vec<DecisionRecord>,
    pub soaks: Vec<SoakTimeline>,
    pub open_items: Vec<ItemView>,
}

pub fn report_input(store: &Store, key: &str, env_name: &str) -> Result<ReportInput, Error> {
    let gonogo = gonogo_input(store, key, env_name)?;
    let summary = store.summary(key)?;
    let mut gates = Vec::new();
    let mut open_items = Vec::new();
    for phase in &summary.phases {
        gates.push(phase_gate(store, key, &phase.id)?);
        open_items.extend(
            store
                .phase_items(key, &phase.id)?
                .into_iter()
                .filter(|i| i.state != Some(flightdeck_store::ItemState::Done))
                .filter(|i| i.state != Some(flightdeck_store::ItemState::Na)),
        );
    }
    Ok(ReportInput {
        gonogo,
        summary,
        gates,
        decisions: store.decisions(key)?,
        soaks: soak_timelines(store, key)?,
        open_items,
    })
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b2230;background:#fff;margin:0 auto;max-width:960px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e2e6ec;padding-bottom:4px}
.meta{color:#5b6576}.verdict{font-size:28px;font-weight:700;padding:14px 18px;border-radius:10px;margin:16px 0}
.go{background:#e3f4e8;color:#1e6b35}.no_go{background:#fbe4e4;color:#a12626}.inconclusive{background:#fff3d6;color:#7a5600}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f4;vertical-align:top}
.status{font-weight:700;white-space:nowrap}.pass{color:#1e6b35}.fail{color:#a12626}.unknown{color:#7a5600}
img{max-width:100%;border:1px solid #e2e6ec;border-radius:6px;margin:6px 0 14px}
.bar{background:#eef0f4;border-radius:4px;height:8px;min-width:120px}.bar span{display:block;height:8px;border-radius:4px;background:#1f5fd1}
@media (prefers-color-scheme:dark){body{background:#141a22;color:#e3e8ef}.meta{color:#9aa5b5}th,td{border-color:#2c3440}h2{border-color:#2c3440}}
@media print{.verdict{border:2px solid currentColor}}
";

fn verdict_text(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Go => ("GO", "go"),
        Verdict::NoGo => ("NO-GO", "no_go"),
        Verdict::Inconclusive => ("INCONCLUSIVE", "inconclusive"),
    }
}

fn status_text(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Pass => ("PASS", "pass"),
        Status::Fail => ("FAIL", "fail"),
        Status::Inconclusive => ("NO DATA / WAITING", "unknown"),
    }
}

fn criteria_section(evaluation: &Result<Evaluation, Error>) -> Result<Markup, Error> {
    let evaluation = match evaluation {
        Ok(e) => e,
        Err(e) => {
            return Ok(html! {
                div.verdict.inconclusive { "NOT EVALUATED" }
                p { "The criteria could not be evaluated: " (e.to_string()) }
            })
        }
    };
    let (label, class) = verdict_text(evaluation.verdict);
    let mut charts = Vec::new();
    for r in &evaluation.results {
        charts.push(
            criterion_chart(r, Theme::Light, ChartFormat::Png)?.map(|png| {
                format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(png)
                )
            }),
        );
    }
    Ok(html! {
        div.verdict.(class) data-verdict=(class) { (label) }
        p.meta { "Criteria over the last " (evaluation.window_minutes) " minutes." }
        h2 { "Criteria" }
        table {
            tr { th { "Status" } th { "Criterion" } th { "Why" } }
            @for r in &evaluation.results {
                @let (text, class) = status_text(r.status);
                tr { td.status.(class) { (text) } td { (r.name) } td { (r.sentence) } }
            }
        }
        @for (r, chart) in evaluation.results.iter().zip(&charts) {
            @if let Some(src) = chart {
                img src=(src) alt=(format!("Chart of {}", r.name));
            }
        }
    })
}

fn progress_section(input: &ReportInput) -> Markup {
    html! {
        h2 { "Phases" }
        table {
            tr { th { "Phase" } th { "Progress" } th { "Sign-off" } }
            @for (p, gate) in input.summary.phases.iter().zip(&input.gates) {
                @let pct = (p.complete() * 100).checked_div(p.total).unwrap_or(100);
                tr {
                    td { (p.title) }
                    td {
                        (p.complete()) " of " (p.total) " (" (pct) "%)"
                        @if p.failed > 0 { ", " (p.failed) " failed" }
                        div.bar { span style=(format!("width:{pct}%")) {} }
                    }
                    td {
                        @if gate.signed_off { "Signed off" } @else if let Some(no) = &gate.answered_no { "Answered NO: " (no) } @else { "Not signed off" }
                        @for s in &gate.signoffs {
                            br;
                            (s.record.signed.signer) " (" (s.record.signed.role) "), " (s.record.signed.at)
                            @if s.stale { " — stale: the phase changed after it" }
                            @if s.invalid { " — signature does not verify" }
                        }
                    }
                }
            }
        }
    }
}

fn soak_section(soaks: &[SoakTimeline]) -> Markup {
    html! {
        @for soak in soaks {
            h2 { "Soak: " (soak.title) }
            @match &soak.started {
                None => p { "Not started. " (soak.checkpoints) " checkpoints, every " (soak.every_seconds / 60) " minutes, once started." },
                Some(started) => {
                    p.meta { "Started " (rfc3339(started.started_at)) " by " (started.started_by) " in " (started.environment) "." }
                    table {
                        tr { th { "#" } th { "Due" } th { "Result" } }
                        @for c in &soak.timeline {
                            tr {
                                td { (c.number) }
                                td { (rfc3339(c.due_at)) }
                                td { @match &c.result { Some(r) => { (r.verdict.replace('_', "-").to_uppercase()) }, None => "pending" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn records_section(input: &ReportInput) -> Markup {
    html! {
        h2 { "Decisions" }
        @if input.decisions.is_empty() { p { "No go/no-go decision recorded yet." } }
        @for d in &input.decisions {
            p { strong { (format!("{:?}", d.decision).to_uppercase()) } " by " (d.signed.signer) " (" (d.signed.role) ") at " (d.signed.at) ": " (d.reason) }
        }
        h2 { "Open items (" (input.open_items.len()) ")" }
        @if input.open_items.is_empty() { p { "Every item is done or not applicable." } }
        @else {
            table {
                tr { th { "Phase" } th { "Item" } th { "State" } }
                @for i in &input.open_items {
                    tr {
                        td { (i.phase_id) }
                        td { (i.text) @if let Some(note) = &i.note { br; em { (note) } } }
                        td { @if i.state.is_some() { "failed" } @else { "open" } }
                    }
                }
            }
        }
    }
}

/// Evaluates the criteria over `window` and writes the report as one HTML document.
pub async fn report_html(
    input: &ReportInput,
    vault: &Vault,
    window: Duration,
) -> Result<String, Error> {
    let evaluation =
        evaluate_input(&input.gonogo, vault, Scope::All, window, SystemTime::now()).await;
    let generated = crate::now();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Go/no-go report: " (input.summary.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (input.summary.title) }
                p.meta {
                    "Environment " (input.gonogo.env.name) " · runbook revision " (input.summary.revision)
                    " · generated " (generated) " by Flightdeck"
                }
                (criteria_section(&evaluation)?)
                (progress_section(input))
                (soak_section(&input.soaks))
                (records_section(input))
            }
        }
    };
    Ok(page.into_string())
}

/// Writes the report next to its final name first and renames it, so a crash never leaves a
/// half-written report under the name someone will open.
pub fn write_report(path: &std::path::Path, html: &str) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let partial = path.with_extension("html.partial");
    std::fs::write(&partial, html).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}
