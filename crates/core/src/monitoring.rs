//! The monitoring view: the grid of panels for an environment over a time range, drawn in Rust.

use std::time::Duration;

use flightdeck_charts::{render_svg, Chart, Line, Theme};
use flightdeck_cloud::{monitoring_panels, sdk_config};
use flightdeck_store::Environment;
use flightdeck_vault::Vault;
use serde::Serialize;
use ts_rs::TS;

use crate::Error;

/// The latest value of one series of a panel.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Latest {
    pub label: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PanelView {
    pub title: String,
    pub unit: Option<String>,
    pub stat: String,
    pub period: u32,
    pub latest: Vec<Latest>,
    /// The chart as SVG; "no data" drawn in it when the metric is not published.
    pub svg: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MonitoringView {
    pub environment: String,
    pub range_minutes: u32,
    pub panels: Vec<PanelView>,
}

/// Reads every panel of `env` over the last `range` and draws it in the UI's theme.
pub async fn monitoring(
    env: &Environment,
    vault: &Vault,
    range: Duration,
    dark: bool,
) -> Result<MonitoringView, Error> {
    let config = sdk_config(env, vault).await?;
    let panels = monitoring_panels(&config, range).await?;
    let theme = if dark { Theme::Dark } else { Theme::Light };
    let mut views = Vec::new();
    for panel in panels {
        let points: Vec<Vec<(i64, f64)>> = panel
            .series
            .iter()
            .map(|s| s.points.iter().map(|p| (p.t, p.v)).collect())
            .collect();
        let lines: Vec<Line<'_>> = panel
            .series
            .iter()
            .zip(&points)
            .map(|(s, points)| Line {
                label: &s.label,
                points,
            })
            .collect();
        let chart = Chart {
            title: &panel.title,
            unit: panel.unit.as_deref(),
            lines: &lines,
            threshold: None,
            breaches: &[],
            marks: &[],
        };
        let svg = render_svg(&chart, theme, 460, 200).map_err(|e| Error::Invalid(e.to_string()))?;
        views.push(PanelView {
            latest: panel
                .series
                .iter()
                .filter_map(|s| {
                    s.points.last().map(|p| Latest {
                        label: s.label.clone(),
                        value: p.v,
                    })
                })
                .collect(),
            title: panel.title,
            unit: panel.unit,
            stat: panel.stat,
            period: panel.period,
            svg,
        });
    }
    Ok(MonitoringView {
        environment: env.name.clone(),
        range_minutes: (range.as_secs() / 60) as u32,
        panels: views,
    })
}
