//! Go/no-go criteria declared in a runbook: a ```` ```flightdeck-criteria ```` block of TOML
//! beside the human text of "Go/No-Go Criteria" or "Rollback Triggers".
//!
//! ```toml
//! [[criterion]]
//! name = "5xx errors"
//! namespace = "AWS/ApplicationELB"
//! metric = "HTTPCode_Target_5XX_Count"
//! dimensions = { LoadBalancer = "app/prod-alb/123" }
//! stat = "Sum"
//! period = 60
//! pass_when = "<"
//! threshold = 5
//! for = "5m"
//!
//! [[criterion]]
//! name = "Error rate"
//! expression = "100 * errors / requests"
//! metrics.errors = { namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", stat = "Sum" }
//! metrics.requests = { namespace = "AWS/ApplicationELB", metric = "RequestCount", stat = "Sum" }
//! pass_when = "<"
//! threshold = 5
//! unit = "%"
//!
//! [[criterion]]
//! name = "All alarms green"
//! alarms = { allow = ["prod-db-connections"] }
//!
//! [[criterion]]
//! name = "Deployment signed off"
//! signed_off = "Phase 8"
//!
//! [[criterion]]
//! name = "Soak passed"
//! checkpoints_passed = 8
//!
//! [[criterion]]
//! name = "Business confirms readiness"
//! confirmed_by = "Product Owner"
//!
//! [soak]
//! checkpoints = 8
//! every = "6h"
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::role::Role;

/// Pass when the value compares like this with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Comparison {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = ">=")]
    AtLeast,
}

impl Comparison {
    pub fn passes(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
        }
    }

    /// The comparison a failing value makes: `<` fails as `>=`.
    pub fn failing_symbol(self) -> &'static str {
        match self {
            Comparison::Below => ">=",
            Comparison::AtMost => ">",
            Comparison::Above => "<=",
            Comparison::AtLeast => "<",
        }
    }
}

/// What a metric criterion with too little data means. Never a pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NoData {
    /// Inconclusive: hold and ask a person.
    #[default]
    Hold,
    /// A failure, as if the criterion breached.
    Fail,
}

fn one() -> u32 {
    1
}

/// One CloudWatch metric statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MetricRef {
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    /// Average, Sum, Maximum, Minimum, SampleCount, or pNN.
    pub stat: String,
}

/// Where a metric criterion's series comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "source", rename_all = "snake_case")]
#[ts(export)]
pub enum Series {
    /// One metric's statistic.
    Stat { metric: MetricRef },
    /// A CloudWatch metric-math expression over named metrics ("100 * errors / requests").
    Math {
        expression: String,
        metrics: BTreeMap<String, MetricRef>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum CriterionKind {
    /// A metric series compared with a threshold over a duration.
    Metric {
        series: Series,
        period: u32,
        pass_when: Comparison,
        threshold: f64,
        /// Fails only when breaching at least this long; 0 fails on any breach.
        for_seconds: u32,
        unit: Option<String>,
        /// Fewer data points than this in the window is no data.
        #[serde(default = "one")]
        min_samples: u32,
        /// What no data means.
        #[serde(default)]
        no_data: NoData,
    },
    /// No CloudWatch alarm in ALARM, except the allowed ones.
    Alarms { allow: Vec<String> },
    /// Another phase of the runbook is signed off (its id, e.g. `phase-8`).
    SignedOff { phase: String },
    /// At least this many of the phase's soak checkpoints passed.
    Checkpoints { passed: u32 },
    /// A person holding this role confirms it by hand.
    Manual { role: Role },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub phase: String,
    pub line: u32,
    pub kind: CriterionKind,
}

/// A soak: the phase's criteria are evaluated at `checkpoints` points, `every_seconds` apart,
/// from the moment the soak starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Soak {
    pub checkpoints: u32,
    pub every_seconds: u32,
    pub line: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    #[serde(default)]
    criterion: Vec<RawCriterion>,
    soak: Option<RawSoak>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSoak {
    checkpoints: u32,
    every: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    namespace: String,
    metric: String,
    #[serde(default)]
    dimensions: BTreeMap<String, String>,
    stat: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    name: String,
    namespace: Option<String>,
    metric: Option<String>,
    #[serde(default)]
    dimensions: BTreeMap<String, String>,
    stat: Option<String>,
    expression: Option<String>,
    #[serde(default)]
    metrics: BTreeMap<String, RawMetric>,
    period: Option<u32>,
    pass_when: Option<Comparison>,
    threshold: Option<f64>,
    #[serde(rename = "for")]
    for_duration: Option<String>,
    unit: Option<String>,
    min_samples: Option<u32>,
    no_data: Option<NoData>,
    alarms: Option<RawAlarms>,
    signed_off: Option<String>,
    checkpoints_passed: Option<u32>,
    confirmed_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlarms {
    #[serde(default)]
    allow: Vec<String>,
}

/// "5m" -> 300, "90s" -> 90, "1h" -> 3600.
pub(crate) fn seconds(text: &str) -> Option<u32> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = number.parse().ok()?;
    match unit.trim() {
        "s" | "sec" | "seconds" => Some(n),
        "m" | "min" | "minutes" => n.checked_mul(60),
        "h" | "hours" => n.checked_mul(3600),
        _ => None,
    }
}

fn valid_stat(stat: &str) -> bool {
    matches!(
        stat,
        "Average" | "Sum" | "Maximum" | "Minimum" | "SampleCount"
    ) || stat
        .strip_prefix('p')
        .and_then(|p| p.parse::<f64>().ok())
        .is_some_and(|p| p > 0.0 && p < 100.0)
}

/// A name CloudWatch accepts as a query id: a lower-case letter, then letters, digits, `_`.
fn valid_query_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The words of a metric-math expression that name metrics (lower-case first letter; upper-case
/// words are CloudWatch functions such as `FILL` or `METRICS`).
pub fn expression_names(expression: &str) -> Vec<&str> {
    expression
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
        .collect()
}

/// One criterion read from a block, before it gets its id.
pub struct Parsed {
    pub name: String,
    pub line: u32,
    pub kind: CriterionKind,
}

/// What one block declares.
pub struct ParsedBlock {
    pub criteria: Vec<Parsed>,
    pub soak: Option<Soak>,
}

/// Where a block is wrong, and why.
pub struct BlockError {
    pub line: u32,
    pub reason: String,
}

fn stat_of(raw: Option<String>) -> Result<String, String> {
    let stat = raw.unwrap_or_else(|| "Average".into());
    if valid_stat(&stat) {
        Ok(stat)
    } else {
        Err(format!(
            "unknown statistic '{stat}' (Average, Sum, Maximum, Minimum, SampleCount, p95...)"
        ))
    }
}

fn series(raw: &mut RawCriterion) -> Result<Series, String> {
    if let Some(expression) = raw.expression.take() {
        if raw.metrics.is_empty() {
            return Err("an expression needs its metrics, e.g. metrics.errors = { ... }".into());
        }
        let mut metrics = BTreeMap::new();
        for (name, m) in std::mem::take(&mut raw.metrics) {
            if !valid_query_name(&name) {
                return Err(format!("metric name '{name}' must start with a lower-case letter and hold only letters, digits and _"));
            }
            let metric = MetricRef {
                namespace: m.namespace,
                metric: m.metric,
                dimensions: m.dimensions,
                stat: stat_of(m.stat)?,
            };
            metrics.insert(name, metric);
        }
        if let Some(unknown) = expression_names(&expression)
            .into_iter()
            .find(|n| !metrics.contains_key(*n))
        {
            return Err(format!(
                "the expression names '{unknown}', which is not one of its metrics"
            ));
        }
        return Ok(Series::Math {
            expression,
            metrics,
        });
    }
    let (Some(namespace), Some(metric)) = (raw.namespace.take(), raw.metric.take()) else {
        return Err("a metric criterion needs namespace and metric, or an expression".into());
    };
    Ok(Series::Stat {
        metric: MetricRef {
            namespace,
            metric,
            dimensions: std::mem::take(&mut raw.dimensions),
            stat: stat_of(raw.stat.take())?,
        },
    })
}

fn kind(mut raw: RawCriterion) -> Result<CriterionKind, String> {
    if let Some(alarms) = raw.alarms {
        return Ok(CriterionKind::Alarms {
            allow: alarms.allow,
        });
    }
    if let Some(reference) = raw.signed_off {
        let Some(phase) = crate::labels::phase_references(&reference)
            .into_iter()
            .next()
        else {
            return Err(format!(
                "signed_off = \"{reference}\" names no phase (e.g. \"Phase 8\")"
            ));
        };
        return Ok(CriterionKind::SignedOff { phase });
    }
    if let Some(passed) = raw.checkpoints_passed {
        return Ok(CriterionKind::Checkpoints { passed });
    }
    if let Some(role) = raw.confirmed_by {
        let role: Role = role
            .parse()
            .map_err(|e: crate::role::UnknownRole| e.to_string())?;
        return Ok(CriterionKind::Manual { role });
    }
    let series = series(&mut raw)?;
    let (Some(pass_when), Some(threshold)) = (raw.pass_when, raw.threshold) else {
        return Err("a metric criterion needs pass_when and threshold".into());
    };
    let period = raw.period.unwrap_or(60);
    if period == 0 || (!period.is_multiple_of(60) && ![1, 5, 10, 30].contains(&period)) {
        return Err(format!(
            "period {period} s is not one CloudWatch accepts (1, 5, 10, 30 or a multiple of 60)"
        ));
    }
    let for_seconds = match raw.for_duration.as_deref() {
        None => 0,
        Some(text) => seconds(text).ok_or_else(|| {
            format!("'for = \"{text}\"' is not a duration such as \"5m\" or \"90s\"")
        })?,
    };
    Ok(CriterionKind::Metric {
        series,
        period,
        pass_when,
        threshold,
        for_seconds,
        unit: raw.unit,
        min_samples: raw.min_samples.unwrap_or(1).max(1),
        no_data: raw.no_data.unwrap_or_default(),
    })
}

/// Reads one criterion given as a TOML table (a rollout's `[[action.criterion]]`): its name and
/// kind, or why not.
pub(crate) fn criterion_from_toml(value: toml::Value) -> Result<(String, CriterionKind), String> {
    let raw: RawCriterion = value
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let name = raw.name.clone();
    let kind = kind(raw).map_err(|why| format!("criterion '{name}': {why}"))?;
    Ok((name, kind))
}

/// The line in the runbook of the first occurrence of `needle` in the block.
fn line_of(code: &str, needle: &str, first_line: u32) -> u32 {
    code.find(needle)
        .map(|at| first_line + 1 + code[..at].matches('\n').count() as u32)
        .unwrap_or(first_line)
}

/// Parses one criteria block; errors give the line in the runbook and the reason.
pub fn parse_block(code: &str, phase: &str, first_line: u32) -> Result<ParsedBlock, BlockError> {
    let block: Block = toml::from_str(code).map_err(|e| {
        let line = e
            .span()
            .map(|s| code[..s.start].matches('\n').count() as u32)
            .unwrap_or(0);
        BlockError {
            line: first_line + 1 + line,
            reason: e.message().to_string(),
        }
    })?;
    let soak = match block.soak {
        None => None,
        Some(raw) => {
            let line = line_of(code, "[soak]", first_line);
            let every_seconds =
                seconds(&raw.every)
                    .filter(|s| *s > 0)
                    .ok_or_else(|| BlockError {
                        line,
                        reason: format!(
                            "soak in {phase}: 'every = \"{}\"' is not a duration such as \"6h\"",
                            raw.every
                        ),
                    })?;
            if raw.checkpoints == 0 {
                return Err(BlockError {
                    line,
                    reason: format!("soak in {phase}: checkpoints must be at least 1"),
                });
            }
            Some(Soak {
                checkpoints: raw.checkpoints,
                every_seconds,
                line,
            })
        }
    };
    let mut criteria = Vec::new();
    for raw in block.criterion {
        let line = line_of(code, &format!("\"{}\"", raw.name), first_line);
        let name = raw.name.clone();
        let kind = kind(raw).map_err(|why| BlockError {
            line,
            reason: format!("criterion '{name}' in {phase}: {why}"),
        })?;
        criteria.push(Parsed { name, line, kind });
    }
    Ok(ParsedBlock { criteria, soak })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(seconds("5m"), Some(300));
        assert_eq!(seconds("90s"), Some(90));
        assert_eq!(seconds("1h"), Some(3600));
        assert_eq!(seconds("five"), None);
        assert_eq!(seconds("5 parsecs"), None);
    }

    #[test]
    fn comparisons() {
        assert!(Comparison::Below.passes(0.05, 0.1));
        assert!(!Comparison::Below.passes(0.1, 0.1));
        assert!(Comparison::AtMost.passes(0.1, 0.1));
        assert_eq!(Comparison::Below.failing_symbol(), ">=");
    }
}
