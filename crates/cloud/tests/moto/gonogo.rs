//! Go/no-go evaluation against moto with metric data the test puts there.

use crate::common;
use crate::keyed::Keyed;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudwatch::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StateValue, Statistic,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::DateTime;
use flightdeck_cloud::{evaluate, sdk_config, Status, Verdict};
use flightdeck_runbook::{Comparison, Criterion, CriterionKind, MetricRef, NoData, Series};

/// Counts the GetMetricData requests a client sends.
#[derive(Debug, Default, Clone)]
struct CountRequests(Arc<AtomicUsize>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_cloudwatch::error::BoxError> {
        if cfg.load::<Metadata>().map(Metadata::name) == Some("GetMetricData") {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

fn metric_ref(metric: &str, stat: &str) -> MetricRef {
    MetricRef {
        namespace: "Flightdeck/Test".into(),
        metric: metric.into(),
        dimensions: [("Service".to_string(), "ledger-api".to_string())].into(),
        stat: stat.into(),
    }
}

fn metric(name: &str, metric: &str, threshold: f64, for_seconds: u32) -> Criterion {
    criterion(
        name,
        Series::Stat {
            metric: metric_ref(metric, "Average"),
        },
        threshold,
        for_seconds,
        "%",
    )
}

fn criterion(
    name: &str,
    series: Series,
    threshold: f64,
    for_seconds: u32,
    unit: &str,
) -> Criterion {
    Criterion {
        id: format!("c-{name}"),
        name: name.into(),
        phase: "phase-9".into(),
        line: 1,
        kind: CriterionKind::Metric {
            series,
            period: 60,
            pass_when: Comparison::Below,
            threshold,
            for_seconds,
            unit: Some(unit.into()),
            min_samples: 1,
            no_data: NoData::Hold,
        },
    }
}

async fn put(cw: &aws_sdk_cloudwatch::Client, metric: &str, values: &[f64], now: SystemTime) {
    let per_minute: Vec<Vec<f64>> = values.iter().map(|v| vec![*v]).collect();
    put_samples(cw, metric, &per_minute, now).await;
}

/// Puts each minute's samples, the last minute one minute before `now`.
async fn put_samples(
    cw: &aws_sdk_cloudwatch::Client,
    metric: &str,
    minutes: &[Vec<f64>],
    now: SystemTime,
) {
    let n = minutes.len() as u64;
    let data: Vec<MetricDatum> = minutes
        .iter()
        .enumerate()
        .flat_map(|(i, samples)| samples.iter().map(move |v| (i, v)))
        .map(|(i, v)| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(
                    Dimension::builder()
                        .name("Service")
                        .value("ledger-api")
                        .build(),
                )
                .timestamp(DateTime::from(
                    now - Duration::from_secs((n - i as u64) * 60),
                ))
                .value(*v)
                .build()
        })
        .collect();
    for chunk in data.chunks(500) {
        cw.put_metric_data()
            .namespace("Flightdeck/Test")
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn breaches_spikes_missing_data_alarms_and_batching() {
    let moto = common::moto();
    let keyed = Keyed::new("GONOGO", "FDGONOGOKEY00000001", "gonogo-secret", &moto);
    let config = sdk_config(&keyed.env, &keyed.vault).await.unwrap();
    let counter = CountRequests::default();
    let cw = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(&config)
            .interceptor(counter.clone())
            .build(),
    );
    let now = SystemTime::now();
    // 20 one-minute points: eight minutes above 5% in the middle; a two-minute spike elsewhere.
    let mut breach = vec![0.5; 20];
    breach[8..16]
        .iter_mut()
        .enumerate()
        .for_each(|(i, v)| *v = 6.0 + i as f64 * 0.5);
    put(&cw, "ErrorRate", &breach, now).await;
    let mut spike = vec![0.4; 20];
    spike[5] = 9.0;
    spike[6] = 8.0;
    put(&cw, "SpikyRate", &spike, now).await;
    let window = Duration::from_secs(30 * 60);

    let criteria = vec![metric("Error rate", "ErrorRate", 5.0, 300)];
    let e = evaluate(&cw, &criteria, window, now).await.unwrap();
    assert_eq!(e.verdict, Verdict::NoGo);
    assert_eq!(e.results[0].sentence, "Error rate 9.5% >= 5% for 8 minutes");
    assert_eq!(e.results[0].points.len(), 20);

    let criteria = vec![metric("Spiky rate", "SpikyRate", 5.0, 300)];
    let e = evaluate(&cw, &criteria, window, now).await.unwrap();
    assert_eq!(e.verdict, Verdict::Go, "{:?}", e.results);
    assert!(e.results[0]
        .sentence
        .contains("a breach of 2 minutes stayed under the 5 minutes limit"));

    let criteria = vec![metric("Throttles", "NoSuchMetric", 1.0, 0)];
    let e = evaluate(&cw, &criteria, window, now).await.unwrap();
    assert_eq!(
        (e.verdict, e.results[0].status),
        (Verdict::Inconclusive, Status::Inconclusive)
    );

    // moto never evaluates alarms itself: set the state as CloudWatch would.
    for alarm in ["ledger-5xx", "noisy-canary"] {
        cw.put_metric_alarm()
            .alarm_name(alarm)
            .namespace("Flightdeck/Test")
            .metric_name("ErrorRate")
            .dimensions(
                Dimension::builder()
                    .name("Service")
                    .value("ledger-api")
                    .build(),
            )
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(5.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .unwrap();
        cw.set_alarm_state()
            .alarm_name(alarm)
            .state_value(StateValue::Alarm)
            .state_reason("test")
            .send()
            .await
            .unwrap();
    }
    let alarms = |allow: Vec<String>| Criterion {
        id: "alarms".into(),
        name: "All alarms green".into(),
        phase: "phase-9".into(),
        line: 1,
        kind: CriterionKind::Alarms { allow },
    };
    let e = evaluate(&cw, &[alarms(vec!["noisy-canary".into()])], window, now)
        .await
        .unwrap();
    assert_eq!(e.verdict, Verdict::NoGo);
    assert_eq!(e.results[0].sentence, "in ALARM: ledger-5xx");
    let e = evaluate(
        &cw,
        &[alarms(vec!["noisy-canary".into(), "ledger-5xx".into()])],
        window,
        now,
    )
    .await
    .unwrap();
    assert_eq!(e.verdict, Verdict::Go);

    // The alarms on the error-rate metric went to ALARM: the chart marks it.
    let e = evaluate(
        &cw,
        &[metric("Error rate", "ErrorRate", 5.0, 300)],
        window,
        SystemTime::now(),
    )
    .await
    .unwrap();
    let marks: Vec<(&str, &str)> = e.results[0]
        .marks
        .iter()
        .map(|m| (m.alarm.as_str(), m.state.as_str()))
        .collect();
    assert!(marks.contains(&("ledger-5xx", "ALARM")), "{marks:?}");

    // 100 metric criteria: one GetMetricData call (500 queries fit in one).
    let many: Vec<Criterion> = (0..100)
        .map(|i| metric(&format!("c{i}"), "SpikyRate", 5.0, 300))
        .collect();
    let before = counter.0.load(Ordering::SeqCst);
    let e = evaluate(&cw, &many, window, now).await.unwrap();
    assert_eq!(e.results.len(), 100);
    assert_eq!(counter.0.load(Ordering::SeqCst) - before, 1);
}

#[tokio::test]
async fn percentiles_and_metric_math() {
    let moto = common::moto();
    let keyed = Keyed::new("PCT", "FDPCTKEY00000000001", "pct-secret", &moto);
    let config = sdk_config(&keyed.env, &keyed.vault).await.unwrap();
    let cw = aws_sdk_cloudwatch::Client::new(&config);
    let now = SystemTime::now();
    let window = Duration::from_secs(30 * 60);

    // 20 requests a minute; for 7 minutes two of them take 2.5 s. The average stays low, the
    // p95 does not.
    let latency: Vec<Vec<f64>> = (0..20)
        .map(|minute| {
            let mut samples = vec![0.3; 20];
            if (6..13).contains(&minute) {
                samples[0] = 2.5;
                samples[1] = 2.5;
            }
            samples
        })
        .collect();
    put_samples(&cw, "Latency", &latency, now).await;
    let p95 = criterion(
        "p95 latency",
        Series::Stat {
            metric: metric_ref("Latency", "p95"),
        },
        2.0,
        300,
        "s",
    );
    let average = criterion(
        "Average latency",
        Series::Stat {
            metric: metric_ref("Latency", "Average"),
        },
        2.0,
        300,
        "s",
    );
    let e = evaluate(&cw, &[p95, average], window, now).await.unwrap();
    assert_eq!(e.results[0].status, Status::Fail);
    assert_eq!(
        e.results[0].sentence,
        "p95 latency 2.5 s >= 2 s for 7 minutes"
    );
    assert_eq!(
        e.results[1].status,
        Status::Pass,
        "{}",
        e.results[1].sentence
    );
    assert_eq!(e.verdict, Verdict::NoGo);

    // Error rate as metric math: 200 requests a minute, 20 of them failing for 8 minutes.
    put(&cw, "Requests", &[200.0; 20], now).await;
    let mut errors = vec![2.0; 20];
    errors[10..18].iter_mut().for_each(|v| *v = 20.0);
    put(&cw, "Errors", &errors, now).await;
    let rate = criterion(
        "Error rate",
        Series::Math {
            expression: "100 * errors / requests".into(),
            metrics: [
                ("errors".to_string(), metric_ref("Errors", "Sum")),
                ("requests".to_string(), metric_ref("Requests", "Sum")),
            ]
            .into(),
        },
        5.0,
        300,
        "%",
    );
    let e = evaluate(&cw, &[rate], window, now).await.unwrap();
    assert_eq!(e.results[0].points.len(), 20);
    assert_eq!(e.results[0].sentence, "Error rate 10% >= 5% for 8 minutes");
    assert_eq!(e.verdict, Verdict::NoGo);
}
