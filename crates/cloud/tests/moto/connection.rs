//! Connection tests against moto with keys from the real OS keyring, unreachable endpoints,
//! and the seeded demo world read back through the SDK.

use crate::common;

use std::time::{Duration, Instant};

use flightdeck_cloud::{
    check_connection, key_pair_json, monitoring_panels, sdk_config, seed_demo_world, CloudError,
    DEMO_ACCOUNT,
};
use flightdeck_model::CredentialSource;
use flightdeck_vault::{SecretString, Vault};

fn vault_with_keys(name: &str) -> Vault {
    let vault = Vault::for_service("dev.flightdeck.test");
    vault
        .put(
            name,
            &SecretString::from(key_pair_json(
                "FDTESTKEY0000000001",
                "static-secret-for-moto",
            )),
        )
        .unwrap();
    vault
}

#[tokio::test]
async fn static_keys_from_the_keyring_reach_moto() {
    let moto = common::moto();
    let name = format!("env/TEST-{}/aws-keys", std::process::id());
    let vault = vault_with_keys(&name);
    let keys = CredentialSource::StaticKeys {
        secret: name.clone(),
    };
    let env = common::environment("UAT", keys.clone(), Some(moto.url()), Some(DEMO_ACCOUNT));
    let check = check_connection(&env, &vault, "now".into()).await.unwrap();
    assert_eq!(
        (check.account.as_str(), check.mismatch),
        (DEMO_ACCOUNT, None)
    );

    let wrong = common::environment("PROD", keys, Some(moto.url()), Some("815856636111"));
    let check = check_connection(&wrong, &vault, "now".into())
        .await
        .unwrap();
    assert_eq!(
        check.mismatch.as_deref(),
        Some("this access key reaches 123456789012, the environment expects 815856636111")
    );

    let missing = CredentialSource::StaticKeys {
        secret: "env/NOPE/aws-keys".into(),
    };
    let env = common::environment("NOPE", missing, Some(moto.url()), None);
    let err = check_connection(&env, &vault, "now".into())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "secret_missing", "{err}");
    vault.remove(&name).unwrap();
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_fast_and_clearly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let name = format!("env/DOWN-{}/aws-keys", std::process::id());
    let vault = vault_with_keys(&name);
    let url = format!("http://127.0.0.1:{port}");
    let env = common::environment(
        "DOWN",
        CredentialSource::StaticKeys {
            secret: name.clone(),
        },
        Some(url.clone()),
        None,
    );
    let started = Instant::now();
    let err = check_connection(&env, &vault, "now".into())
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
    vault.remove(&name).unwrap();
}

#[tokio::test]
async fn the_demo_world_is_seeded_and_readable() {
    let moto = common::moto();
    let name = format!("env/SEED-{}/aws-keys", std::process::id());
    let vault = vault_with_keys(&name);
    let env = common::environment(
        "DEMO",
        CredentialSource::StaticKeys {
            secret: name.clone(),
        },
        Some(moto.url()),
        None,
    );
    let config = sdk_config(&env, &vault).await.unwrap();
    let world = seed_demo_world(&config).await.unwrap();
    assert_eq!(world.task_definitions.len(), 2);
    assert_eq!(world.metric_points, 12 * 72);

    // The monitoring grid finds every panel's series, CloudFront's in us-east-1.
    let panels = monitoring_panels(&config, Duration::from_secs(6 * 3600))
        .await
        .unwrap();
    assert_eq!(panels.len(), 11);
    for panel in &panels {
        assert_eq!(panel.series.len(), 1, "{}", panel.title);
        assert!(panel.series[0].points.len() >= 60, "{}", panel.title);
    }
    let ecs_cpu = &panels[0];
    assert_eq!(ecs_cpu.series[0].label, "harbour-prod / ledger-api");
    let storage = panels
        .iter()
        .find(|p| p.title == "RDS free storage")
        .unwrap();
    assert_eq!(storage.unit.as_deref(), Some("GB"));
    assert!(storage.series[0].points[0].v > 50.0 && storage.series[0].points[0].v < 62.0);
    let cloudfront = panels.last().unwrap();
    assert_eq!(cloudfront.series[0].label, "E2HARBOURPROD7 / Global");

    let ecs = aws_sdk_ecs::Client::new(&config);
    let services = ecs
        .describe_services()
        .cluster(&world.cluster)
        .services(&world.service)
        .send()
        .await
        .unwrap();
    let service = &services.services()[0];
    assert_eq!(service.desired_count(), 2);
    assert!(service.task_definition().unwrap().ends_with("ledger-api:2"));
    let revisions = ecs
        .list_task_definitions()
        .family_prefix("ledger-api")
        .send()
        .await
        .unwrap();
    assert_eq!(revisions.task_definition_arns().len(), 2);

    let rds = aws_sdk_rds::Client::new(&config);
    let dbs = rds
        .describe_db_instances()
        .db_instance_identifier(&world.db_instance)
        .send()
        .await
        .unwrap();
    assert_eq!(dbs.db_instances()[0].engine(), Some("mysql"));

    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    let value = secrets
        .get_secret_value()
        .secret_id(&world.db_secret_arn)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(value.secret_string().unwrap()).unwrap();
    for field in ["host", "port", "username", "password", "dbname", "engine"] {
        assert!(!json[field].is_null(), "secret lacks {field}");
    }
    assert_eq!(json["password"].as_str().unwrap().len(), 32);

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let listed = s3
        .list_objects_v2()
        .bucket(&world.bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), 1);

    let cw = aws_sdk_cloudwatch::Client::new(&config);
    let alarms = cw.describe_alarms().send().await.unwrap();
    assert_eq!(alarms.metric_alarms().len(), 5);
    let now = std::time::SystemTime::now();
    let stats = cw
        .get_metric_statistics()
        .namespace("AWS/ECS")
        .metric_name("CPUUtilization")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("ClusterName")
                .value("harbour-prod")
                .build(),
        )
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("ServiceName")
                .value("ledger-api")
                .build(),
        )
        .start_time(aws_smithy_types::DateTime::from(
            now - Duration::from_secs(7 * 3600),
        ))
        .end_time(aws_smithy_types::DateTime::from(now))
        .period(300)
        .statistics(aws_sdk_cloudwatch::types::Statistic::Average)
        .send()
        .await
        .unwrap();
    assert!(
        stats.datapoints().len() >= 60,
        "{} datapoints",
        stats.datapoints().len()
    );
    vault.remove(&name).unwrap();
}
