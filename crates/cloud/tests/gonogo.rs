//! Go/no-go evaluation against moto with metric data the test puts there.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudwatch::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StateValue, Statistic,
};
use aws_smithy_types::DateTime;
use flightdeck_cloud::{evaluate, key_pair_json, sdk_config, Status, Verdict};
use flightdeck_runbook::{Comparison, Criterion, CriterionKind};
use flightdeck_store::CredentialSource;
use flightdeck_vault::{SecretString, Vault};

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
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_cloudwatch::error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn metric(name: &str, metric: &str, threshold: f64, for_seconds: u32) -> Criterion {
    Criterion {
        id: format!("c-{name}"),
        name: name.into(),
        phase: "phase-9".into(),
        line: 1,
        kind: CriterionKind::Metric {
            namespace: "Flightdeck/Test".into(),
            metric: metric.into(),
            dimensions: [("Service".to_string(), "ledger-api".to_string())].into(),
            stat: "Average".into(),
            period: 60,
            pass_when: Comparison::Below,
            threshold,
            for_seconds,
            unit: Some("%".into()),
        },
    }
}

async fn put(cw: &aws_sdk_cloudwatch::Client, metric: &str, values: &[f64], now: SystemTime) {
    let n = values.len() as u64;
    let data = values
        .iter()
        .enumerate()
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
    cw.put_metric_data()
        .namespace("Flightdeck/Test")
        .set_metric_data(Some(data))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn breaches_spikes_missing_data_alarms_and_batching() {
    let moto = common::moto();
    let name = format!("env/GONOGO-{}/aws-keys", std::process::id());
    let vault = Vault::for_service("dev.flightdeck.test");
    vault
        .put(
            &name,
            &SecretString::from(key_pair_json("FDGONOGOKEY00000001", "gonogo-secret")),
        )
        .unwrap();
    let env = common::environment(
        "GONOGO",
        CredentialSource::StaticKeys {
            secret: name.clone(),
        },
        Some(moto.url()),
        None,
    );
    let config = sdk_config(&env, &vault).await.unwrap();
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

    // 100 metric criteria: one GetMetricData call (500 queries fit in one).
    let many: Vec<Criterion> = (0..100)
        .map(|i| metric(&format!("c{i}"), "SpikyRate", 5.0, 300))
        .collect();
    let before = counter.0.load(Ordering::SeqCst);
    let e = evaluate(&cw, &many, window, now).await.unwrap();
    assert_eq!(e.results.len(), 100);
    assert_eq!(counter.0.load(Ordering::SeqCst) - before, 1);
    vault.remove(&name).unwrap();
}
