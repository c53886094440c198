//! The local AWS world behind the DEMO environment: what the sample runbook talks about, in moto.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StandardUnit, Statistic,
};
use aws_sdk_ecs::types::{ContainerDefinition, PortMapping};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_smithy_types::DateTime;
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::CloudError;

/// moto's default account id.
pub const DEMO_ACCOUNT: &str = "123456789012";

pub const CLUSTER: &str = "harbour-prod";
pub const SERVICE: &str = "ledger-api";
pub const DB_INSTANCE: &str = "harbour-prod-mysql";
pub const DB_SECRET: &str = "harbour/prod/ledger/db";
pub const BACKUP_BUCKET: &str = "harbour-prod-backups";
pub const DASHBOARD: &str = "harbour-prod-ledger";
const LOAD_BALANCER: &str = "app/harbour-prod-alb/50dc6c495c0c9188";
const TARGET_GROUP: &str = "targetgroup/harbour-prod-ledger/6d0ecf831eec9f09";
const DISTRIBUTION: &str = "E2HARBOURPROD7";
/// Metric history: this many hours at five-minute points.
const HISTORY_HOURS: u64 = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DemoWorld {
    pub cluster: String,
    pub service: String,
    pub task_definitions: Vec<String>,
    pub db_instance: String,
    pub db_secret_arn: String,
    pub bucket: String,
    pub alarms: Vec<String>,
    pub dashboard: String,
    pub metric_points: u32,
}

fn aws<E: std::error::Error + 'static>(call: &'static str) -> impl FnOnce(E) -> CloudError {
    move |e| CloudError::Aws {
        call,
        detail: aws_sdk_sts::error::DisplayErrorContext(&e).to_string(),
    }
}

/// Creates the demo world in the (empty) emulator `config` points at.
pub async fn seed_demo_world(config: &SdkConfig) -> Result<DemoWorld, CloudError> {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let task_definitions = seed_ecs(config).await?;
    let (db_instance, endpoint) = seed_rds(config).await?;
    let db_secret_arn = seed_secret(config, &endpoint).await?;
    seed_bucket(config, &region).await?;
    let metric_points = seed_metrics(config).await?;
    let alarms = seed_alarms(config).await?;
    Ok(DemoWorld {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
        task_definitions,
        db_instance,
        db_secret_arn,
        bucket: BACKUP_BUCKET.into(),
        alarms,
        dashboard: DASHBOARD.into(),
        metric_points,
    })
}

async fn seed_ecs(config: &SdkConfig) -> Result<Vec<String>, CloudError> {
    let ecs = aws_sdk_ecs::Client::new(config);
    ecs.create_cluster()
        .cluster_name(CLUSTER)
        .send()
        .await
        .map_err(aws("ecs:CreateCluster"))?;
    let mut arns = Vec::new();
    for tag in ["4.1.3", "4.2.0"] {
        let container = ContainerDefinition::builder()
            .name(SERVICE)
            .image(format!("registry.local/harbour/ledger-api:{tag}"))
            .cpu(1024)
            .memory(2048)
            .essential(true)
            .port_mappings(PortMapping::builder().container_port(8080).build())
            .build();
        let out = ecs
            .register_task_definition()
            .family(SERVICE)
            .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
            .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
            .cpu("1024")
            .memory("2048")
            .container_definitions(container)
            .send()
            .await
            .map_err(aws("ecs:RegisterTaskDefinition"))?;
        let arn = out
            .task_definition()
            .and_then(|t| t.task_definition_arn())
            .unwrap_or_default();
        arns.push(arn.to_string());
    }
    ecs.create_service()
        .cluster(CLUSTER)
        .service_name(SERVICE)
        .task_definition(format!("{SERVICE}:2"))
        .desired_count(2)
        .send()
        .await
        .map_err(aws("ecs:CreateService"))?;
    Ok(arns)
}

async fn seed_rds(config: &SdkConfig) -> Result<(String, String), CloudError> {
    let rds = aws_sdk_rds::Client::new(config);
    let password = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let out = rds
        .create_db_instance()
        .db_instance_identifier(DB_INSTANCE)
        .engine("mysql")
        .engine_version("8.0.35")
        .db_instance_class("db.t3.medium")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password(password)
        .db_name("ledger")
        .multi_az(true)
        .send()
        .await
        .map_err(aws("rds:CreateDBInstance"))?;
    let endpoint = out
        .db_instance()
        .and_then(|db| db.endpoint())
        .and_then(|e| e.address())
        .unwrap_or("harbour-prod-mysql.local")
        .to_string();
    Ok((DB_INSTANCE.to_string(), endpoint))
}

async fn seed_secret(config: &SdkConfig, host: &str) -> Result<String, CloudError> {
    let secrets = aws_sdk_secretsmanager::Client::new(config);
    let value = serde_json::json!({
        "host": host,
        "port": 3306,
        "username": "ledger_app",
        "password": Alphanumeric.sample_string(&mut rand::rng(), 32),
        "dbname": "ledger",
        "engine": "mysql",
    });
    let out = secrets
        .create_secret()
        .name(DB_SECRET)
        .description("Harbour Ledger application database (local demo)")
        .secret_string(value.to_string())
        .send()
        .await
        .map_err(aws("secretsmanager:CreateSecret"))?;
    Ok(out.arn().unwrap_or_default().to_string())
}

async fn seed_bucket(config: &SdkConfig, region: &str) -> Result<(), CloudError> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    let mut create = s3.create_bucket().bucket(BACKUP_BUCKET);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create.send().await.map_err(aws("s3:CreateBucket"))?;
    s3.put_object()
        .bucket(BACKUP_BUCKET)
        .key("final/README.txt")
        .body(
            b"Final backups before the Harbour Ledger go-live land here.\n"
                .to_vec()
                .into(),
        )
        .send()
        .await
        .map_err(aws("s3:PutObject"))?;
    Ok(())
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

/// A smooth, slightly noisy curve so the charts look like a real evening.
fn wave(base: f64, amplitude: f64, i: u64) -> f64 {
    let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
    (base + amplitude * ((i as f64) / 9.0).sin() + amplitude * 0.3 * noise).max(0.0)
}

async fn seed_metrics(config: &SdkConfig) -> Result<u32, CloudError> {
    let cw = aws_sdk_cloudwatch::Client::new(config);
    let ecs = vec![dim("ClusterName", CLUSTER), dim("ServiceName", SERVICE)];
    let alb = vec![dim("LoadBalancer", LOAD_BALANCER)];
    let rds = vec![dim("DBInstanceIdentifier", DB_INSTANCE)];
    let targets = vec![
        dim("TargetGroup", TARGET_GROUP),
        dim("LoadBalancer", LOAD_BALANCER),
    ];
    type Series<'a> = (
        &'a str,
        &'a str,
        &'a Vec<Dimension>,
        StandardUnit,
        fn(u64) -> f64,
    );
    let series: [Series; 10] = [
        (
            "AWS/ECS",
            "CPUUtilization",
            &ecs,
            StandardUnit::Percent,
            |i| wave(38.0, 12.0, i),
        ),
        (
            "AWS/ECS",
            "MemoryUtilization",
            &ecs,
            StandardUnit::Percent,
            |i| wave(55.0, 5.0, i),
        ),
        (
            "AWS/ApplicationELB",
            "RequestCount",
            &alb,
            StandardUnit::Count,
            |i| wave(1800.0, 600.0, i).round(),
        ),
        (
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            &alb,
            StandardUnit::Count,
            |i| (wave(1.0, 1.5, i)).round(),
        ),
        (
            "AWS/ApplicationELB",
            "TargetResponseTime",
            &alb,
            StandardUnit::Seconds,
            |i| wave(0.42, 0.15, i),
        ),
        (
            "AWS/RDS",
            "CPUUtilization",
            &rds,
            StandardUnit::Percent,
            |i| wave(24.0, 9.0, i),
        ),
        (
            "AWS/RDS",
            "DatabaseConnections",
            &rds,
            StandardUnit::Count,
            |i| wave(18.0, 6.0, i).round(),
        ),
        (
            "AWS/RDS",
            "FreeStorageSpace",
            &rds,
            StandardUnit::Bytes,
            |i| 61.5e9 - i as f64 * 2.0e7,
        ),
        (
            "AWS/ApplicationELB",
            "HealthyHostCount",
            &targets,
            StandardUnit::Count,
            |_| 2.0,
        ),
        (
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            &targets,
            StandardUnit::Count,
            |_| 0.0,
        ),
    ];
    let now = SystemTime::now();
    let points = HISTORY_HOURS * 12;
    let mut written = 0;
    for (namespace, name, dims, unit, value) in series {
        let data: Vec<MetricDatum> = (0..points)
            .map(|i| {
                let at = now - Duration::from_secs((points - i) * 300);
                MetricDatum::builder()
                    .metric_name(name)
                    .set_dimensions(Some(dims.clone()))
                    .timestamp(DateTime::from(at))
                    .value(value(i))
                    .unit(unit.clone())
                    .build()
            })
            .collect();
        written += data.len() as u32;
        cw.put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .map_err(aws("cloudwatch:PutMetricData"))?;
    }
    Ok(written + seed_cloudfront(config, now, points).await?)
}

/// CloudFront's error rates, which CloudWatch keeps in us-east-1 whatever the region.
async fn seed_cloudfront(
    config: &SdkConfig,
    now: SystemTime,
    points: u64,
) -> Result<u32, CloudError> {
    let cw = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(config)
            .region(aws_sdk_cloudwatch::config::Region::new("us-east-1"))
            .build(),
    );
    let dims = vec![dim("DistributionId", DISTRIBUTION), dim("Region", "Global")];
    let mut written = 0;
    for (name, base) in [("4xxErrorRate", 1.2), ("5xxErrorRate", 0.05)] {
        let data: Vec<MetricDatum> = (0..points)
            .map(|i| {
                MetricDatum::builder()
                    .metric_name(name)
                    .set_dimensions(Some(dims.clone()))
                    .timestamp(DateTime::from(
                        now - Duration::from_secs((points - i) * 300),
                    ))
                    .value(wave(base, base * 0.4, i))
                    .unit(StandardUnit::Percent)
                    .build()
            })
            .collect();
        written += data.len() as u32;
        cw.put_metric_data()
            .namespace("AWS/CloudFront")
            .set_metric_data(Some(data))
            .send()
            .await
            .map_err(aws("cloudwatch:PutMetricData"))?;
    }
    Ok(written)
}

async fn seed_alarms(config: &SdkConfig) -> Result<Vec<String>, CloudError> {
    let cw = aws_sdk_cloudwatch::Client::new(config);
    let alarms = [
        (
            "harbour-prod-ecs-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            vec![dim("ClusterName", CLUSTER), dim("ServiceName", SERVICE)],
            80.0,
        ),
        (
            "harbour-prod-unhealthy-targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            vec![dim("LoadBalancer", LOAD_BALANCER)],
            0.0,
        ),
        (
            "harbour-prod-rds-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            vec![dim("DBInstanceIdentifier", DB_INSTANCE)],
            70.0,
        ),
        (
            "harbour-prod-5xx-rate",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            vec![dim("LoadBalancer", LOAD_BALANCER)],
            25.0,
        ),
        (
            "harbour-prod-db-connections",
            "AWS/RDS",
            "DatabaseConnections",
            vec![dim("DBInstanceIdentifier", DB_INSTANCE)],
            50.0,
        ),
    ];
    let mut names = Vec::new();
    for (name, namespace, metric, dims, threshold) in alarms {
        cw.put_metric_alarm()
            .alarm_name(name)
            .namespace(namespace)
            .metric_name(metric)
            .set_dimensions(Some(dims))
            .statistic(Statistic::Average)
            .period(300)
            .evaluation_periods(2)
            .threshold(threshold)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .map_err(aws("cloudwatch:PutMetricAlarm"))?;
        names.push(name.to_string());
    }
    let body = serde_json::json!({
        "widgets": [
            { "type": "metric", "properties": { "title": "ECS CPU", "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", CLUSTER, "ServiceName", SERVICE]] } },
            { "type": "metric", "properties": { "title": "ALB 5xx", "metrics": [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", LOAD_BALANCER]] } },
            { "type": "metric", "properties": { "title": "RDS connections", "metrics": [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", DB_INSTANCE]] } }
        ]
    });
    cw.put_dashboard()
        .dashboard_name(DASHBOARD)
        .dashboard_body(body.to_string())
        .send()
        .await
        .map_err(aws("cloudwatch:PutDashboard"))?;
    Ok(names)
}
