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
//! name = "All alarms green"
//! alarms = { allow = ["prod-db-connections"] }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum CriterionKind {
    /// A CloudWatch metric statistic compared with a threshold over a duration.
    Metric {
        namespace: String,
        metric: String,
        dimensions: BTreeMap<String, String>,
        /// Average, Sum, Maximum, Minimum, SampleCount, or pNN.
        stat: String,
        period: u32,
        pass_when: Comparison,
        threshold: f64,
        /// Fails only when breaching at least this long; 0 fails on any breach.
        for_seconds: u32,
        unit: Option<String>,
    },
    /// No CloudWatch alarm in ALARM, except the allowed ones.
    Alarms { allow: Vec<String> },
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    criterion: Vec<RawCriterion>,
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
    period: Option<u32>,
    pass_when: Option<Comparison>,
    threshold: Option<f64>,
    #[serde(rename = "for")]
    for_duration: Option<String>,
    unit: Option<String>,
    alarms: Option<RawAlarms>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlarms {
    #[serde(default)]
    allow: Vec<String>,
}

/// "5m" -> 300, "90s" -> 90, "1h" -> 3600.
fn seconds(text: &str) -> Option<u32> {
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

/// One criterion read from a block, before it gets its id.
pub struct Parsed {
    pub name: String,
    pub line: u32,
    pub kind: CriterionKind,
}

/// Where a block is wrong, and why.
pub struct BlockError {
    pub line: u32,
    pub reason: String,
}

/// Parses one criteria block; errors give the line in the runbook and the reason.
pub fn parse_block(code: &str, phase: &str, first_line: u32) -> Result<Vec<Parsed>, BlockError> {
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
    let mut out = Vec::new();
    for raw in block.criterion {
        let line = code
            .find(&format!("\"{}\"", raw.name))
            .map(|at| first_line + 1 + code[..at].matches('\n').count() as u32)
            .unwrap_or(first_line);
        let bad = |why: String| {
            Err(BlockError {
                line,
                reason: format!("criterion '{}' in {phase}: {why}", raw.name),
            })
        };
        let kind = if let Some(alarms) = raw.alarms {
            CriterionKind::Alarms {
                allow: alarms.allow,
            }
        } else {
            let (Some(namespace), Some(metric), Some(pass_when), Some(threshold)) =
                (raw.namespace, raw.metric, raw.pass_when, raw.threshold)
            else {
                return bad(
                    "a metric criterion needs namespace, metric, pass_when and threshold".into(),
                );
            };
            let stat = raw.stat.unwrap_or_else(|| "Average".into());
            if !valid_stat(&stat) {
                return bad(format!("unknown statistic '{stat}' (Average, Sum, Maximum, Minimum, SampleCount, p95...)"));
            }
            let period = raw.period.unwrap_or(60);
            if period == 0 || (period % 60 != 0 && ![1, 5, 10, 30].contains(&period)) {
                return bad(format!("period {period} s is not one CloudWatch accepts (1, 5, 10, 30 or a multiple of 60)"));
            }
            let for_seconds = match raw.for_duration.as_deref() {
                None => 0,
                Some(text) => match seconds(text) {
                    Some(s) => s,
                    None => {
                        return bad(format!(
                            "'for = \"{text}\"' is not a duration such as \"5m\" or \"90s\""
                        ))
                    }
                },
            };
            CriterionKind::Metric {
                namespace,
                metric,
                dimensions: raw.dimensions,
                stat,
                period,
                pass_when,
                threshold,
                for_seconds,
                unit: raw.unit,
            }
        };
        out.push(Parsed {
            name: raw.name,
            line,
            kind,
        });
    }
    Ok(out)
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
