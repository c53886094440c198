//! The monitoring grid: the panels a go-live watches (ECS, ALB, RDS, CloudFront), each series
//! found with ListMetrics and all of them fetched with as few GetMetricData calls as the API
//! allows. CloudFront publishes its metrics in us-east-1 only, so its panels are read there.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::criteria::{aws, fetch, QUERIES_PER_CALL};
use crate::CloudError;
use flightdeck_model::Point;

/// The region CloudFront's metrics live in, whatever the distribution's viewers.
const CLOUDFRONT_REGION: &str = "us-east-1";
/// Series per panel, at most: a panel is for reading, not for every task of a big fleet.
const SERIES_PER_PANEL: usize = 6;

struct PanelSpec {
    title: &'static str,
    namespace: &'static str,
    metric: &'static str,
    stat: &'static str,
    unit: Option<&'static str>,
    /// Divides every value (bytes to GB).
    scale: f64,
}

const PANELS: [PanelSpec; 11] = [
    PanelSpec {
        title: "ECS CPU",
        namespace: "AWS/ECS",
        metric: "CPUUtilization",
        stat: "Average",
        unit: Some("%"),
        scale: 1.0,
    },
    PanelSpec {
        title: "ECS memory",
        namespace: "AWS/ECS",
        metric: "MemoryUtilization",
        stat: "Average",
        unit: Some("%"),
        scale: 1.0,
    },
    PanelSpec {
        title: "ALB healthy hosts",
        namespace: "AWS/ApplicationELB",
        metric: "HealthyHostCount",
        stat: "Minimum",
        unit: None,
        scale: 1.0,
    },
    PanelSpec {
        title: "ALB unhealthy hosts",
        namespace: "AWS/ApplicationELB",
        metric: "UnHealthyHostCount",
        stat: "Maximum",
        unit: None,
        scale: 1.0,
    },
    PanelSpec {
        title: "ALB target 5xx",
        namespace: "AWS/ApplicationELB",
        metric: "HTTPCode_Target_5XX_Count",
        stat: "Sum",
        unit: None,
        scale: 1.0,
    },
    PanelSpec {
        title: "ALB target response time",
        namespace: "AWS/ApplicationELB",
        metric: "TargetResponseTime",
        stat: "Average",
        unit: Some("s"),
        scale: 1.0,
    },
    PanelSpec {
        title: "RDS CPU",
        namespace: "AWS/RDS",
        metric: "CPUUtilization",
        stat: "Average",
        unit: Some("%"),
        scale: 1.0,
    },
    PanelSpec {
        title: "RDS connections",
        namespace: "AWS/RDS",
        metric: "DatabaseConnections",
        stat: "Maximum",
        unit: None,
        scale: 1.0,
    },
    PanelSpec {
        title: "RDS free storage",
        namespace: "AWS/RDS",
        metric: "FreeStorageSpace",
        stat: "Minimum",
        unit: Some("GB"),
        scale: 1e9,
    },
    PanelSpec {
        title: "CloudFront 4xx rate",
        namespace: "AWS/CloudFront",
        metric: "4xxErrorRate",
        stat: "Average",
        unit: Some("%"),
        scale: 1.0,
    },
    PanelSpec {
        title: "CloudFront 5xx rate",
        namespace: "AWS/CloudFront",
        metric: "5xxErrorRate",
        stat: "Average",
        unit: Some("%"),
        scale: 1.0,
    },
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PanelSeries {
    /// The dimension values that tell this series from the panel's others.
    pub label: String,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Panel {
    pub title: String,
    pub unit: Option<String>,
    pub stat: String,
    pub period: u32,
    /// Empty when the account publishes no such metric.
    pub series: Vec<PanelSeries>,
}

/// A period that keeps a panel near 60 to 300 points over `range`.
pub fn period_for(range: Duration) -> u32 {
    match range.as_secs() {
        0..=10_800 => 60,
        10_801..=86_400 => 300,
        86_401..=259_200 => 900,
        _ => 3600,
    }
}

fn label(dims: &[Dimension]) -> String {
    let values: Vec<&str> = dims.iter().filter_map(|d| d.value()).collect();
    if values.is_empty() {
        "all".to_string()
    } else {
        values.join(" / ")
    }
}

/// The dimension sets a metric is published with (ListMetrics, paginated).
async fn dimension_sets(
    cw: &aws_sdk_cloudwatch::Client,
    spec: &PanelSpec,
) -> Result<Vec<Vec<Dimension>>, CloudError> {
    let mut sets = Vec::new();
    let mut token = None;
    loop {
        let out = cw
            .list_metrics()
            .namespace(spec.namespace)
            .metric_name(spec.metric)
            .set_next_token(token)
            .send()
            .await
            .map_err(aws("cloudwatch:ListMetrics"))?;
        sets.extend(out.metrics().iter().map(|m| m.dimensions().to_vec()));
        token = out.next_token().map(str::to_string);
        if token.is_none() || sets.len() >= SERIES_PER_PANEL {
            break;
        }
    }
    sets.sort_by_key(|d| label(d));
    sets.dedup_by_key(|d| label(d));
    sets.truncate(SERIES_PER_PANEL);
    Ok(sets)
}

/// Reads the panels of one client (one region) over the range that ends at `end`.
async fn panels_in(
    cw: &aws_sdk_cloudwatch::Client,
    specs: &[&PanelSpec],
    range: Duration,
    end: SystemTime,
) -> Result<Vec<Panel>, CloudError> {
    let period = period_for(range);
    let mut layout: Vec<Vec<(String, String)>> = Vec::new();
    let mut queries = Vec::new();
    for (p, spec) in specs.iter().enumerate() {
        let mut ids = Vec::new();
        for (s, dims) in dimension_sets(cw, spec).await?.into_iter().enumerate() {
            let id = format!("p{p}s{s}");
            let metric = Metric::builder()
                .namespace(spec.namespace)
                .metric_name(spec.metric)
                .set_dimensions(Some(dims.clone()))
                .build();
            let stat = MetricStat::builder()
                .metric(metric)
                .period(period as i32)
                .stat(spec.stat)
                .build();
            queries.push(
                MetricDataQuery::builder()
                    .id(&id)
                    .metric_stat(stat)
                    .return_data(true)
                    .build(),
            );
            ids.push((id, label(&dims)));
        }
        layout.push(ids);
    }
    let mut data = if queries.is_empty() {
        HashMap::new()
    } else {
        let calls = queries
            .chunks(QUERIES_PER_CALL)
            .map(<[_]>::to_vec)
            .collect();
        fetch(cw, calls, end - range, end).await?
    };
    Ok(specs
        .iter()
        .zip(layout)
        .map(|(spec, ids)| Panel {
            title: spec.title.to_string(),
            unit: spec.unit.map(str::to_string),
            stat: spec.stat.to_string(),
            period,
            series: ids
                .into_iter()
                .map(|(id, label)| PanelSeries {
                    label,
                    points: data
                        .remove(&id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| Point {
                            t: p.t,
                            v: p.v / spec.scale,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect())
}

/// Every panel of the grid over the `range` that ends now, in the catalogue's order.
pub async fn monitoring_panels(
    config: &aws_config::SdkConfig,
    range: Duration,
) -> Result<Vec<Panel>, CloudError> {
    let end = SystemTime::now();
    let regional: Vec<&PanelSpec> = PANELS
        .iter()
        .filter(|p| p.namespace != "AWS/CloudFront")
        .collect();
    let global: Vec<&PanelSpec> = PANELS
        .iter()
        .filter(|p| p.namespace == "AWS/CloudFront")
        .collect();
    let cw = aws_sdk_cloudwatch::Client::new(config);
    let us_east_1 = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(config)
            .region(aws_sdk_cloudwatch::config::Region::new(CLOUDFRONT_REGION))
            .build(),
    );
    let (mut panels, cloudfront) = tokio::try_join!(
        panels_in(&cw, &regional, range, end),
        panels_in(&us_east_1, &global, range, end)
    )?;
    panels.extend(cloudfront);
    Ok(panels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_range() {
        assert_eq!(period_for(Duration::from_secs(3600)), 60);
        assert_eq!(period_for(Duration::from_secs(12 * 3600)), 300);
        assert_eq!(period_for(Duration::from_secs(3 * 86_400)), 900);
        assert_eq!(period_for(Duration::from_secs(7 * 86_400)), 3600);
    }

    #[test]
    fn series_are_labelled_by_their_dimension_values() {
        let dims = [
            Dimension::builder()
                .name("ClusterName")
                .value("prod")
                .build(),
            Dimension::builder()
                .name("ServiceName")
                .value("api")
                .build(),
        ];
        assert_eq!(label(&dims), "prod / api");
        assert_eq!(label(&[]), "all");
    }
}
