//! Evaluating 100 go/no-go criteria against moto, beside the same 100 queries sent with boto3
//! (the reference client) in the same run, and the judging alone without the emulator.

use std::process::Command;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_smithy_types::DateTime;
use criterion::{criterion_group, criterion_main, Criterion as Bench};
use flightdeck_cloud::{evaluate, judge_series, MotoServer, Point, Rule, Status};
use flightdeck_runbook::{Comparison, Criterion, CriterionKind, MetricRef, NoData, Series};

const CRITERIA: usize = 100;
const MINUTES: usize = 30;

fn criteria() -> Vec<Criterion> {
    (0..CRITERIA)
        .map(|i| Criterion {
            id: format!("c{i}"),
            name: format!("Service {i} CPU"),
            phase: "phase-9".into(),
            line: 1,
            kind: CriterionKind::Metric {
                series: Series::Stat {
                    metric: MetricRef {
                        namespace: "Bench".into(),
                        metric: "CPU".into(),
                        dimensions: [("Service".to_string(), format!("svc-{i}"))].into(),
                        stat: "Average".into(),
                    },
                },
                period: 60,
                pass_when: Comparison::Below,
                threshold: 80.0,
                for_seconds: 300,
                unit: Some("%".into()),
                min_samples: 1,
                no_data: NoData::Hold,
            },
        })
        .collect()
}

fn value(minute: usize) -> f64 {
    40.0 + (minute as f64 / 4.0).sin() * 10.0
}

/// boto3's GetMetricData with the same 100 queries: the median of 10 calls, in ms.
fn boto3_reference(url: &str, python: &std::path::Path) -> Option<f64> {
    let script = r#"
import sys, time, statistics, datetime, boto3
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="af-south-1",
                  aws_access_key_id="FDBENCH", aws_secret_access_key="bench")
end = datetime.datetime.now(datetime.timezone.utc)
q = [{"Id": f"m{i}", "MetricStat": {"Metric": {"Namespace": "Bench", "MetricName": "CPU",
      "Dimensions": [{"Name": "Service", "Value": f"svc-{i}"}]}, "Period": 60, "Stat": "Average"}}
     for i in range(100)]
times = []
for _ in range(10):
    t = time.perf_counter()
    cw.get_metric_data(MetricDataQueries=q, StartTime=end - datetime.timedelta(minutes=30), EndTime=end)
    times.append((time.perf_counter() - t) * 1000)
print(statistics.median(times))
"#;
    let out = Command::new(python)
        .args(["-c", script, url])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

async fn seed(cw: &aws_sdk_cloudwatch::Client, now: SystemTime) {
    for i in 0..CRITERIA {
        let data: Vec<MetricDatum> = (0..MINUTES)
            .map(|m| {
                let at = now - Duration::from_secs((MINUTES - m) as u64 * 60);
                MetricDatum::builder()
                    .metric_name("CPU")
                    .dimensions(
                        Dimension::builder()
                            .name("Service")
                            .value(format!("svc-{i}"))
                            .build(),
                    )
                    .timestamp(DateTime::from(at))
                    .value(value(m))
                    .build()
            })
            .collect();
        cw.put_metric_data()
            .namespace("Bench")
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("moto accepts the metric data");
    }
}

fn hundred_criteria(c: &mut Bench) {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin");
    let moto = MotoServer::start(&venv.join("moto_server")).expect("bash scripts/setup.sh");
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let config = aws_sdk_cloudwatch::Config::builder()
        .behavior_version_latest()
        .endpoint_url(moto.url())
        .region(aws_sdk_cloudwatch::config::Region::new("af-south-1"))
        .credentials_provider(Credentials::new("FDBENCH", "bench", None, None, "bench"))
        .build();
    let cw = aws_sdk_cloudwatch::Client::from_conf(config);
    let now = SystemTime::now();
    rt.block_on(seed(&cw, now));
    let criteria = criteria();
    let window = Duration::from_secs(MINUTES as u64 * 60);
    let mut group = c.benchmark_group("gonogo");
    group.sample_size(10);
    group.bench_function("evaluate 100 criteria against moto", |b| {
        b.iter(|| {
            rt.block_on(evaluate(&cw, &criteria, window, now))
                .expect("evaluates")
        })
    });
    let series: Vec<Vec<Point>> = (0..CRITERIA)
        .map(|_| {
            (0..MINUTES)
                .map(|m| Point {
                    t: m as i64 * 60,
                    v: value(m),
                })
                .collect()
        })
        .collect();
    let rule = Rule {
        period: 60,
        pass_when: Comparison::Below,
        threshold: 80.0,
        for_seconds: 300,
        unit: Some("%"),
        min_samples: 1,
        no_data: NoData::Hold,
    };
    group.bench_function("judge 100 series of 30 points (no emulator)", |b| {
        b.iter(|| {
            series
                .iter()
                .filter(|s| judge_series("CPU", s, &rule, 1800).0 == Status::Pass)
                .count()
        })
    });
    group.finish();
    match boto3_reference(&moto.url(), &venv.join("python")) {
        Some(ms) => println!(
            "reference: boto3 get_metric_data with the same 100 queries: {ms:.1} ms (median of 10)"
        ),
        None => println!("reference: boto3 could not be run from .venv"),
    }
}

criterion_group!(benches, hundred_criteria);
criterion_main!(benches);
