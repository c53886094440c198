//! The go/no-go board: the evaluation, one chart per metric criterion, and the soaks.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use flightdeck_charts::{render_png, render_svg, Chart, Line, Mark, Theme};
use flightdeck_cloud::{AlarmMark, CriterionResult, Evaluation};
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use crate::gonogo::{evaluate_input, GoNoGoInput, Scope};
use crate::Error;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Board {
    pub evaluation: Evaluation,
    /// SVG per criterion id, for criteria with a series.
    pub charts: BTreeMap<String, String>,
}

/// An image format charts are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Png,
}

/// Draws a criterion's series; None for criteria without one.
pub fn criterion_chart(
    r: &CriterionResult,
    theme: Theme,
    format: ChartFormat,
) -> Result<Option<Vec<u8>>, Error> {
    if r.threshold.is_none() {
        return Ok(None);
    }
    let points: Vec<(i64, f64)> = r.points.iter().map(|p| (p.t, p.v)).collect();
    let breaches: Vec<(i64, i64)> = r.breaches.iter().map(|s| (s.from, s.to)).collect();
    let marks: Vec<Mark<'_>> = r
        .marks
        .iter()
        .map(|m| Mark {
            t: m.t,
            alarm: &m.alarm,
            state: &m.state,
        })
        .collect();
    let lines = [Line {
        label: &r.name,
        points: &points,
    }];
    let chart = Chart {
        title: &r.name,
        unit: r.unit.as_deref(),
        lines: &lines,
        threshold: r.threshold,
        breaches: &breaches,
        marks: &marks,
    };
    let drawn = match format {
        ChartFormat::Svg => render_svg(&chart, theme, 640, 220).map(String::into_bytes),
        ChartFormat::Png => render_png(&chart, theme, 640, 220),
    };
    drawn.map(Some).map_err(|e| Error::Invalid(e.to_string()))
}

/// Evaluates the runbook's criteria in its environment and draws each metric's chart.
/// `traffic` (a rollout's steps and rollbacks) is drawn on every metric chart as vertical lines.
pub async fn board(
    input: &GoNoGoInput,
    vault: &Vault,
    scope: Scope<'_>,
    window: Duration,
    dark: bool,
    traffic: &[AlarmMark],
) -> Result<Board, Error> {
    let evaluation = evaluate_input(input, vault, scope, window, SystemTime::now()).await?;
    let theme = if dark { Theme::Dark } else { Theme::Light };
    let mut charts = BTreeMap::new();
    for r in &evaluation.results {
        let mut drawn = r.clone();
        drawn.marks.extend(traffic.iter().cloned());
        drawn.marks.sort_by_key(|m| m.t);
        if let Some(svg) = criterion_chart(&drawn, theme, ChartFormat::Svg)? {
            charts.insert(r.id.clone(), String::from_utf8_lossy(&svg).into_owned());
        }
    }
    Ok(Board { evaluation, charts })
}
