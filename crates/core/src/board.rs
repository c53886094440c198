//! The go/no-go board: the evaluation and one chart per metric criterion.

use std::collections::BTreeMap;
use std::time::Duration;

use flightdeck_charts::{render_svg, Chart, Theme};
use flightdeck_cloud::Evaluation;
use flightdeck_runbook::Runbook;
use flightdeck_store::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use crate::Error;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Board {
    pub evaluation: Evaluation,
    /// SVG per criterion id, for criteria with a series.
    pub charts: BTreeMap<String, String>,
}

/// Evaluates the runbook's criteria in `env` and draws each metric's chart.
pub async fn board(
    runbook: &Runbook,
    env: &Environment,
    vault: &Vault,
    window: Duration,
    dark: bool,
) -> Result<Board, Error> {
    let evaluation = crate::evaluate_runbook(runbook, env, vault, None, window).await?;
    let theme = if dark { Theme::Dark } else { Theme::Light };
    let mut charts = BTreeMap::new();
    for r in evaluation.results.iter().filter(|r| r.threshold.is_some()) {
        let points: Vec<(i64, f64)> = r.points.iter().map(|p| (p.t, p.v)).collect();
        let breaches: Vec<(i64, i64)> = r.breaches.iter().map(|s| (s.from, s.to)).collect();
        let chart = Chart {
            title: &r.name,
            unit: r.unit.as_deref(),
            points: &points,
            threshold: r.threshold,
            breaches: &breaches,
        };
        charts.insert(
            r.id.clone(),
            render_svg(&chart, theme, 640, 220).map_err(|e| Error::Invalid(e.to_string()))?,
        );
    }
    Ok(Board { evaluation, charts })
}
