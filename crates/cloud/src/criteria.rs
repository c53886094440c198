//! Go/no-go evaluation: every metric criterion fetched with as few `GetMetricData` calls as the
//! API allows (500 queries each), judged with its duration, and explained in a sentence. No data
//! is never a pass.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{
    Dimension, HistoryItemType, Metric, MetricAlarm, MetricDataQuery, MetricStat, StateValue,
};
use aws_smithy_types::DateTime;
use flightdeck_model::{AlarmMark, CriterionResult, Evaluation, Point, Span, Status, Verdict};
use flightdeck_runbook::{
    expression_names, Comparison, Criterion, CriterionKind, MetricRef, NoData, Series,
};

use crate::CloudError;

/// The most queries one `GetMetricData` call takes.
pub const QUERIES_PER_CALL: usize = 500;

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
        1 => "1 second".to_string(),
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
    /// Fewer points than this is no data.
    pub min_samples: u32,
    pub no_data: NoData,
}

/// Judges one metric series; `points` are in time order.
pub fn judge_series(
    name: &str,
    points: &[Point],
    rule: &Rule<'_>,
    window_seconds: u32,
) -> (Status, Option<f64>, String) {
    let Rule {
        period,
        pass_when,
        threshold,
        for_seconds,
        unit,
        min_samples,
        no_data,
    } = *rule;
    let too_few = (points.len() as u32) < min_samples.max(1);
    let (Some(latest), false) = (points.last(), too_few) else {
        let mut sentence = if points.is_empty() {
            format!(
                "no data for {name} in the last {}",
                minutes(i64::from(window_seconds))
            )
        } else {
            format!(
                "{} data point{} for {name} in the last {}, fewer than the {min_samples} it needs",
                points.len(),
                if points.len() == 1 { "" } else { "s" },
                minutes(i64::from(window_seconds))
            )
        };
        return match no_data {
            NoData::Hold => (Status::Inconclusive, None, sentence),
            NoData::Fail => {
                sentence.push_str("; the runbook counts that as a failure");
                (Status::Fail, None, sentence)
            }
        };
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

fn stat_query(id: String, m: &MetricRef, period: u32, return_data: bool) -> MetricDataQuery {
    let dims = m
        .dimensions
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build());
    let metric = Metric::builder()
        .namespace(&m.namespace)
        .metric_name(&m.metric)
        .set_dimensions(Some(dims.collect()))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(period as i32)
        .stat(&m.stat)
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(stat)
        .return_data(return_data)
        .build()
}

/// Replaces each metric name in a metric-math expression with its query id.
fn rewrite(expression: &str, prefix: &str) -> String {
    let names = expression_names(expression);
    let mut out = String::with_capacity(expression.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if names.contains(&word.as_str()) {
            out.push_str(prefix);
            out.push('_');
        }
        out.push_str(word);
        word.clear();
    };
    for c in expression.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The queries of one criterion, the one whose series is returned last; empty for criteria
/// that are not metric criteria.
fn queries(id: &str, kind: &CriterionKind) -> Vec<MetricDataQuery> {
    let CriterionKind::Metric { series, period, .. } = kind else {
        return Vec::new();
    };
    match series {
        Series::Stat { metric } => vec![stat_query(id.to_string(), metric, *period, true)],
        Series::Math {
            expression,
            metrics,
        } => {
            let mut out: Vec<MetricDataQuery> = metrics
                .iter()
                .map(|(name, m)| stat_query(format!("{id}_{name}"), m, *period, false))
                .collect();
            out.push(
                MetricDataQuery::builder()
                    .id(id)
                    .expression(rewrite(expression, id))
                    .period(*period as i32)
                    .return_data(true)
                    .build(),
            );
            out
        }
    }
}

/// Packs each criterion's queries, kept together, into calls of at most 500 queries.
fn pack(groups: Vec<Vec<MetricDataQuery>>) -> Vec<Vec<MetricDataQuery>> {
    let mut calls: Vec<Vec<MetricDataQuery>> = Vec::new();
    for group in groups.into_iter().filter(|g| !g.is_empty()) {
        match calls.last_mut() {
            Some(call) if call.len() + group.len() <= QUERIES_PER_CALL => call.extend(group),
            _ => calls.push(group),
        }
    }
    calls
}

/// The metrics a criterion reads.
fn metrics_of(kind: &CriterionKind) -> Vec<&MetricRef> {
    match kind {
        CriterionKind::Metric {
            series: Series::Stat { metric },
            ..
        } => vec![metric],
        CriterionKind::Metric {
            series: Series::Math { metrics, .. },
            ..
        } => metrics.values().collect(),
        _ => Vec::new(),
    }
}

fn alarm_watches(alarm: &MetricAlarm, m: &MetricRef) -> bool {
    let dims: std::collections::BTreeMap<String, String> = alarm
        .dimensions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    alarm.namespace() == Some(m.namespace.as_str())
        && alarm.metric_name() == Some(m.metric.as_str())
        && dims == m.dimensions
}

pub(crate) fn aws<E: std::error::Error + 'static>(
    call: &'static str,
) -> impl FnOnce(E) -> CloudError {
    move |e| CloudError::Aws {
        call,
        detail: aws_sdk_sts::error::DisplayErrorContext(&e).to_string(),
    }
}

/// Fetches the series of every query over the window, one call per group of at most 500.
pub(crate) async fn fetch(
    cw: &aws_sdk_cloudwatch::Client,
    calls: Vec<Vec<MetricDataQuery>>,
    start: SystemTime,
    end: SystemTime,
) -> Result<HashMap<String, Vec<Point>>, CloudError> {
    let mut series: HashMap<String, Vec<Point>> = HashMap::new();
    for chunk in calls {
        let mut token = None;
        loop {
            let out = cw
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.clone()))
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

/// The names of the alarms in ALARM now.
pub async fn alarms_in_alarm(config: &aws_config::SdkConfig) -> Result<Vec<String>, CloudError> {
    let cw = aws_sdk_cloudwatch::Client::new(config);
    Ok(all_alarms(&cw)
        .await?
        .iter()
        .filter(|a| a.state_value() == Some(&StateValue::Alarm))
        .filter_map(|a| a.alarm_name().map(str::to_string))
        .collect())
}

async fn all_alarms(cw: &aws_sdk_cloudwatch::Client) -> Result<Vec<MetricAlarm>, CloudError> {
    let mut alarms = Vec::new();
    let mut token = None;
    loop {
        let out = cw
            .describe_alarms()
            .set_next_token(token)
            .send()
            .await
            .map_err(aws("cloudwatch:DescribeAlarms"))?;
        alarms.extend(out.metric_alarms().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(alarms);
        }
    }
}

/// The state changes of every alarm between `start` and `end`, oldest first.
async fn state_changes(
    cw: &aws_sdk_cloudwatch::Client,
    start: SystemTime,
    end: SystemTime,
) -> Result<Vec<AlarmMark>, CloudError> {
    let (from, to) = (DateTime::from(start), DateTime::from(end));
    let mut marks = Vec::new();
    let mut token = None;
    loop {
        let out = cw
            .describe_alarm_history()
            .history_item_type(HistoryItemType::StateUpdate)
            .start_date(from)
            .end_date(to)
            .set_next_token(token)
            .send()
            .await
            .map_err(aws("cloudwatch:DescribeAlarmHistory"))?;
        for item in out.alarm_history_items() {
            let (Some(alarm), Some(at)) = (item.alarm_name(), item.timestamp()) else {
                continue;
            };
            let state = item
                .history_data()
                .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                .and_then(|d| d["newState"]["stateValue"].as_str().map(str::to_string))
                .or_else(|| {
                    item.history_summary()
                        .and_then(|s| s.rsplit(" to ").next())
                        .map(str::to_string)
                });
            if let Some(state) = state {
                marks.push(AlarmMark {
                    t: at.secs(),
                    alarm: alarm.to_string(),
                    state,
                });
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    marks.retain(|m| m.t >= from.secs() && m.t <= to.secs());
    marks.sort_by_key(|m| m.t);
    Ok(marks)
}

fn metric_result(
    c: &Criterion,
    points: Vec<Point>,
    rule: &Rule<'_>,
    window_seconds: u32,
    marks: Vec<AlarmMark>,
) -> CriterionResult {
    let (status, value, sentence) = judge_series(&c.name, &points, rule, window_seconds);
    CriterionResult {
        id: c.id.clone(),
        name: c.name.clone(),
        status,
        value,
        sentence,
        breaches: breach_spans(&points, rule),
        points,
        threshold: Some(rule.threshold),
        unit: rule.unit.map(str::to_string),
        marks,
    }
}

fn alarms_result(c: &Criterion, allow: &[String], alarms: &[MetricAlarm]) -> CriterionResult {
    let bad: Vec<&str> = alarms
        .iter()
        .filter(|a| a.state_value() == Some(&StateValue::Alarm))
        .filter_map(|a| a.alarm_name())
        .filter(|name| !allow.iter().any(|a| a == name))
        .collect();
    let (status, sentence) = if bad.is_empty() {
        (Status::Pass, "no CloudWatch alarm is in ALARM".to_string())
    } else {
        (Status::Fail, format!("in ALARM: {}", bad.join(", ")))
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
        marks: Vec::new(),
    }
}

/// Evaluates the CloudWatch criteria (metric and alarm criteria) over the last `window`; the
/// others (sign-offs, soak checkpoints, confirmations) are not CloudWatch's to judge and are
/// left out. GO only when every criterion evaluated passes.
pub async fn evaluate(
    cw: &aws_sdk_cloudwatch::Client,
    criteria: &[Criterion],
    window: Duration,
    now: SystemTime,
) -> Result<Evaluation, CloudError> {
    let window_minutes = (window.as_secs() / 60) as u32;
    let calls = pack(
        criteria
            .iter()
            .enumerate()
            .map(|(i, c)| queries(&format!("m{i}"), &c.kind))
            .collect(),
    );
    let series = if calls.is_empty() {
        HashMap::new()
    } else {
        fetch(cw, calls, now - window, now).await?
    };
    let needs_alarms = criteria.iter().any(|c| {
        matches!(
            c.kind,
            CriterionKind::Alarms { .. } | CriterionKind::Metric { .. }
        )
    });
    let alarms = if needs_alarms {
        all_alarms(cw).await?
    } else {
        Vec::new()
    };
    let watched = |c: &Criterion| -> Vec<String> {
        let metrics = metrics_of(&c.kind);
        alarms
            .iter()
            .filter(|a| metrics.iter().any(|m| alarm_watches(a, m)))
            .filter_map(|a| a.alarm_name().map(str::to_string))
            .collect()
    };
    let changes = if criteria.iter().any(|c| !watched(c).is_empty()) {
        state_changes(cw, now - window, now).await?
    } else {
        Vec::new()
    };
    let mut results = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        match &c.kind {
            CriterionKind::Metric {
                period,
                pass_when,
                threshold,
                for_seconds,
                unit,
                min_samples,
                no_data,
                ..
            } => {
                let points = series.get(&format!("m{i}")).cloned().unwrap_or_default();
                let rule = Rule {
                    period: *period,
                    pass_when: *pass_when,
                    threshold: *threshold,
                    for_seconds: *for_seconds,
                    unit: unit.as_deref(),
                    min_samples: *min_samples,
                    no_data: *no_data,
                };
                let names = watched(c);
                let marks = changes
                    .iter()
                    .filter(|m| names.contains(&m.alarm))
                    .cloned()
                    .collect();
                results.push(metric_result(
                    c,
                    points,
                    &rule,
                    window.as_secs() as u32,
                    marks,
                ));
            }
            CriterionKind::Alarms { allow } => results.push(alarms_result(c, allow, &alarms)),
            CriterionKind::SignedOff { .. }
            | CriterionKind::Checkpoints { .. }
            | CriterionKind::Manual { .. } => {}
        }
    }
    Ok(Evaluation {
        verdict: Verdict::of(&results),
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
            min_samples: 1,
            no_data: NoData::Hold,
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
            judge_series("p95 latency", &points, &rule(2.0, 300, Some("s")), 1800);
        assert_eq!(status, Status::Fail);
        assert_eq!(value, Some(2.6));
        assert_eq!(sentence, "p95 latency 2.6 s >= 2 s for 7 minutes");
    }

    #[test]
    fn a_short_spike_passes_and_says_so() {
        let points = series(&[0.2, 0.3, 7.0, 8.0, 0.4]);
        let (status, _, sentence) =
            judge_series("Error rate", &points, &rule(5.0, 300, Some("%")), 1800);
        assert_eq!(status, Status::Pass);
        assert_eq!(
            sentence,
            "Error rate 0.4% < 5%; a breach of 2 minutes stayed under the 5 minutes limit"
        );
    }

    #[test]
    fn no_data_is_inconclusive() {
        let (status, value, sentence) = judge_series("Throttles", &[], &rule(0.0, 0, None), 1800);
        assert_eq!((status, value), (Status::Inconclusive, None));
        assert_eq!(sentence, "no data for Throttles in the last 30 minutes");
        let few = series(&[0.0, 0.0]);
        let strict = Rule {
            min_samples: 3,
            no_data: NoData::Fail,
            ..rule(1.0, 0, None)
        };
        let (status, _, sentence) = judge_series("Throttles", &few, &strict, 20);
        assert_eq!(status, Status::Fail);
        assert_eq!(
            sentence,
            "2 data points for Throttles in the last 20 seconds, fewer than the 3 it needs; the runbook counts that as a failure"
        );
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
    fn expressions_name_their_queries() {
        assert_eq!(
            rewrite("100 * errors / FILL(requests, 0)", "m3"),
            "100 * m3_errors / FILL(m3_requests, 0)"
        );
    }

    #[test]
    fn a_criterion_keeps_its_queries_in_one_call() {
        let q = |i: usize| MetricDataQuery::builder().id(format!("q{i}")).build();
        let groups = vec![(0..499).map(q).collect(), (0..3).map(q).collect()];
        let calls = pack(groups);
        assert_eq!(calls.iter().map(Vec::len).collect::<Vec<_>>(), vec![499, 3]);
    }

    #[test]
    fn gaps_break_a_breach() {
        let mut points = series(&[9.0, 9.0, 9.0]);
        points.extend(
            series(&[9.0, 9.0, 9.0])
                .into_iter()
                .map(|p| Point { t: p.t + 3600, ..p }),
        );
        let (status, _, _) = judge_series("x", &points, &rule(5.0, 300, None), 7200);
        assert_eq!(status, Status::Pass);
    }
}
