//! Go/no-go evaluation: every metric criterion fetched with as few `GetMetricData` calls as the
//! API allows (500 queries each), judged with its duration, and explained in a sentence. No data
//! is never a pass.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, StateValue};
use aws_smithy_types::DateTime;
use flightdeck_runbook::{Comparison, Criterion, CriterionKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::CloudError;

/// The most queries one `GetMetricData` call takes.
pub const QUERIES_PER_CALL: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    Pass,
    Fail,
    /// No data, or not enough to judge: never a pass.
    Inconclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    Go,
    NoGo,
    Inconclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Point {
    /// Seconds since the Unix epoch.
    pub t: i64,
    pub v: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CriterionResult {
    pub id: String,
    pub name: String,
    pub status: Status,
    /// The value the sentence speaks of: the worst of a breach, else the latest.
    pub value: Option<f64>,
    pub sentence: String,
    pub points: Vec<Point>,
    pub threshold: Option<f64>,
    pub unit: Option<String>,
    /// Time spans (seconds since the epoch) whose points breach the threshold.
    pub breaches: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

/// The runs of breaching points, each from its first point to one period after its last.
pub fn breach_spans(points: &[Point], rule: &Rule<'_>) -> Vec<Span> {
    let period = i64::from(rule.period);
    let mut spans: Vec<Span> = Vec::new();
    for p in points
        .iter()
        .filter(|p| !rule.pass_when.passes(p.v, rule.threshold))
    {
        match spans.last_mut() {
            Some(last) if p.t - (last.to - period) <= period => last.to = p.t + period,
            _ => spans.push(Span {
                from: p.t,
                to: p.t + period,
            }),
        }
    }
    spans
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evaluation {
    pub verdict: Verdict,
    pub results: Vec<CriterionResult>,
    pub window_minutes: u32,
}

fn number(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn with_unit(v: f64, unit: Option<&str>) -> String {
    match unit {
        Some("%") => format!("{}%", number(v)),
        Some(u) => format!("{} {u}", number(v)),
        None => number(v),
    }
}

fn minutes(seconds: i64) -> String {
    match seconds {
        s if s % 60 == 0 => format!("{} minute{}", s / 60, if s == 60 { "" } else { "s" }),
        s => format!("{s} seconds"),
    }
}

/// How a metric series is judged.
pub struct Rule<'a> {
    pub period: u32,
    pub pass_when: Comparison,
    pub threshold: f64,
    pub for_seconds: u32,
    pub unit: Option<&'a str>,
}

/// Judges one metric series; `points` are in time order.
pub fn judge_series(
    name: &str,
    points: &[Point],
    rule: &Rule<'_>,
    window_minutes: u32,
) -> (Status, Option<f64>, String) {
    let Rule {
        period,
        pass_when,
        threshold,
        for_seconds,
        unit,
    } = *rule;
    let Some(latest) = points.last() else {
        return (
            Status::Inconclusive,
            None,
            format!("no data for {name} in the last {window_minutes} minutes"),
        );
    };
    let period = i64::from(period);
    // The longest run of consecutive breaching points, and its worst value.
    let (mut run, mut run_worst, mut prev_t) = (0i64, f64::NAN, None::<i64>);
    let (mut longest, mut worst) = (0i64, f64::NAN);
    let worse = |a: f64, b: f64| match pass_when {
        Comparison::Below | Comparison::AtMost => a.max(b),
        Comparison::Above | Comparison::AtLeast => a.min(b),
    };
    for p in points {
        if pass_when.passes(p.v, threshold) {
            run = 0;
        } else {
            let continues = run > 0 && prev_t.is_some_and(|t| p.t - t <= period);
            run = if continues { run + 1 } else { 1 };
            run_worst = if run == 1 { p.v } else { worse(run_worst, p.v) };
            if run * period > longest {
                longest = run * period;
                worst = run_worst;
            }
        }
        prev_t = Some(p.t);
    }
    let limit = i64::from(for_seconds).max(period);
    let threshold_text = with_unit(threshold, unit);
    if longest >= limit {
        let sentence = format!(
            "{name} {} {} {threshold_text} for {}",
            with_unit(worst, unit),
            pass_when.failing_symbol(),
            minutes(longest)
        );
        return (Status::Fail, Some(worst), sentence);
    }
    let mut sentence = format!(
        "{name} {} {} {threshold_text}",
        with_unit(latest.v, unit),
        pass_when.symbol()
    );
    if longest > 0 {
        sentence.push_str(&format!(
            "; a breach of {} stayed under the {} limit",
            minutes(longest),
            minutes(limit)
        ));
    }
    (Status::Pass, Some(latest.v), sentence)
}

fn query(id: String, kind: &CriterionKind) -> Option<MetricDataQuery> {
    let CriterionKind::Metric {
        namespace,
        metric,
        dimensions,
        stat,
        period,
        ..
    } = kind
    else {
        return None;
    };
    let dims = dimensions
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build());
    let metric = Metric::builder()
        .namespace(namespace)
        .metric_name(metric)
        .set_dimensions(Some(dims.collect()))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(*period as i32)
        .stat(stat)
        .build();
    Some(
        MetricDataQuery::builder()
            .id(id)
            .metric_stat(stat)
            .return_data(true)
            .build(),
    )
}

fn aws<E: std::error::Error + 'static>(call: &'static str) -> impl FnOnce(E) -> CloudError {
    move |e| CloudError::Aws {
        call,
        detail: aws_sdk_sts::error::DisplayErrorContext(&e).to_string(),
    }
}

/// Fetches every metric criterion's series over the window, 500 queries per call.
async fn fetch(
    cw: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    start: SystemTime,
    end: SystemTime,
) -> Result<HashMap<String, Vec<Point>>, CloudError> {
    let mut series: HashMap<String, Vec<Point>> = HashMap::new();
    for chunk in queries.chunks(QUERIES_PER_CALL) {
        let mut token = None;
        loop {
            let out = cw
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.to_vec()))
                .start_time(DateTime::from(start))
                .end_time(DateTime::from(end))
                .set_next_token(token)
                .send()
                .await
                .map_err(aws("cloudwatch:GetMetricData"))?;
            for result in out.metric_data_results() {
                let points = series
                    .entry(result.id().unwrap_or_default().to_string())
                    .or_default();
                for (t, v) in result.timestamps().iter().zip(result.values()) {
                    points.push(Point { t: t.secs(), v: *v });
                }
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    for points in series.values_mut() {
        points.sort_by_key(|p| p.t);
        points.dedup_by_key(|p| p.t);
    }
    Ok(series)
}

async fn alarms_in_alarm(cw: &aws_sdk_cloudwatch::Client) -> Result<Vec<String>, CloudError> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let out = cw
            .describe_alarms()
            .state_value(StateValue::Alarm)
            .set_next_token(token)
            .send()
            .await
            .map_err(aws("cloudwatch:DescribeAlarms"))?;
        names.extend(
            out.metric_alarms()
                .iter()
                .filter_map(|a| a.alarm_name().map(str::to_string)),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// Evaluates criteria over the last `window`; GO only when every criterion passes.
pub async fn evaluate(
    cw: &aws_sdk_cloudwatch::Client,
    criteria: &[Criterion],
    window: Duration,
    now: SystemTime,
) -> Result<Evaluation, CloudError> {
    let window_minutes = (window.as_secs() / 60) as u32;
    let queries: Vec<MetricDataQuery> = criteria
        .iter()
        .enumerate()
        .filter_map(|(i, c)| query(format!("m{i}"), &c.kind))
        .collect();
    let series = if queries.is_empty() {
        HashMap::new()
    } else {
        fetch(cw, queries, now - window, now).await?
    };
    let needs_alarms = criteria
        .iter()
        .any(|c| matches!(c.kind, CriterionKind::Alarms { .. }));
    let firing = if needs_alarms {
        alarms_in_alarm(cw).await?
    } else {
        Vec::new()
    };
    let results: Vec<CriterionResult> = criteria
        .iter()
        .enumerate()
        .map(|(i, c)| match &c.kind {
            CriterionKind::Metric {
                period,
                pass_when,
                threshold,
                for_seconds,
                unit,
                ..
            } => {
                let points = series.get(&format!("m{i}")).cloned().unwrap_or_default();
                let rule = Rule {
                    period: *period,
                    pass_when: *pass_when,
                    threshold: *threshold,
                    for_seconds: *for_seconds,
                    unit: unit.as_deref(),
                };
                let (status, value, sentence) =
                    judge_series(&c.name, &points, &rule, window_minutes);
                CriterionResult {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    status,
                    value,
                    sentence,
                    breaches: breach_spans(&points, &rule),
                    points,
                    threshold: Some(*threshold),
                    unit: unit.clone(),
                }
            }
            CriterionKind::Alarms { allow } => {
                let bad: Vec<&String> = firing.iter().filter(|a| !allow.contains(a)).collect();
                let (status, sentence) = if bad.is_empty() {
                    (Status::Pass, "no CloudWatch alarm is in ALARM".to_string())
                } else {
                    let names: Vec<&str> = bad.iter().map(|s| s.as_str()).collect();
                    (Status::Fail, format!("in ALARM: {}", names.join(", ")))
                };
                CriterionResult {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    status,
                    value: Some(bad.len() as f64),
                    sentence,
                    points: Vec::new(),
                    threshold: None,
                    unit: None,
                    breaches: Vec::new(),
                }
            }
        })
        .collect();
    let verdict = if results.iter().any(|r| r.status == Status::Fail) {
        Verdict::NoGo
    } else if results.is_empty() || results.iter().any(|r| r.status == Status::Inconclusive) {
        Verdict::Inconclusive
    } else {
        Verdict::Go
    };
    Ok(Evaluation {
        verdict,
        results,
        window_minutes,
    })
}

/// [`evaluate`] with a CloudWatch client for `config`.
pub async fn evaluate_in(
    config: &aws_config::SdkConfig,
    criteria: &[Criterion],
    window: Duration,
    now: SystemTime,
) -> Result<Evaluation, CloudError> {
    evaluate(
        &aws_sdk_cloudwatch::Client::new(config),
        criteria,
        window,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(threshold: f64, for_seconds: u32, unit: Option<&str>) -> Rule<'_> {
        Rule {
            period: 60,
            pass_when: Comparison::Below,
            threshold,
            for_seconds,
            unit,
        }
    }

    fn series(values: &[f64]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                t: 1_000_000 + 60 * i as i64,
                v: *v,
            })
            .collect()
    }

    #[test]
    fn a_long_breach_fails_with_its_sentence() {
        let points = series(&[1.2, 1.5, 2.4, 2.2, 2.6, 2.1, 2.3, 2.2, 2.5, 1.1]);
        let (status, value, sentence) =
            judge_series("p95 latency", &points, &rule(2.0, 300, Some("s")), 30);
        assert_eq!(status, Status::Fail);
        assert_eq!(value, Some(2.6));
        assert_eq!(sentence, "p95 latency 2.6 s >= 2 s for 7 minutes");
    }

    #[test]
    fn a_short_spike_passes_and_says_so() {
        let points = series(&[0.2, 0.3, 7.0, 8.0, 0.4]);
        let (status, _, sentence) =
            judge_series("Error rate", &points, &rule(5.0, 300, Some("%")), 30);
        assert_eq!(status, Status::Pass);
        assert_eq!(
            sentence,
            "Error rate 0.4% < 5%; a breach of 2 minutes stayed under the 5 minutes limit"
        );
    }

    #[test]
    fn no_data_is_inconclusive() {
        let (status, value, sentence) = judge_series("Throttles", &[], &rule(0.0, 0, None), 30);
        assert_eq!((status, value), (Status::Inconclusive, None));
        assert_eq!(sentence, "no data for Throttles in the last 30 minutes");
    }

    #[test]
    fn breach_spans_cover_each_run() {
        let points = series(&[1.0, 9.0, 9.0, 1.0, 9.0]);
        let spans = breach_spans(&points, &rule(5.0, 0, None));
        assert_eq!(
            spans,
            vec![
                Span {
                    from: 1_000_060,
                    to: 1_000_180
                },
                Span {
                    from: 1_000_240,
                    to: 1_000_300
                }
            ]
        );
    }

    #[test]
    fn gaps_break_a_breach() {
        let mut points = series(&[9.0, 9.0, 9.0]);
        points.extend(
            series(&[9.0, 9.0, 9.0])
                .into_iter()
                .map(|p| Point { t: p.t + 3600, ..p }),
        );
        let (status, _, _) = judge_series("x", &points, &rule(5.0, 300, None), 120);
        assert_eq!(status, Status::Pass);
    }
}
