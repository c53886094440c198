//! Every action's plan, apply, idempotent re-apply and undo against moto, read back through the
//! SDK rather than through Flightdeck's own state.

use crate::common;
use crate::keyed::Keyed;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use aws_config::SdkConfig;
use flightdeck_cloud::{apply, plan, sdk_config, seed_demo_world, CloudError, Run};
use flightdeck_runbook::{Action, AlarmSpec, SmokeCheck};

struct World {
    keyed: Keyed,
    config: SdkConfig,
    _moto: flightdeck_cloud::MotoServer,
}

async fn world() -> World {
    world_in(common::moto()).await
}

async fn world_in(moto: flightdeck_cloud::MotoServer) -> World {
    let keyed = Keyed::new("ACT", "FDACTIONKEY00000001", "action-secret", &moto);
    let config = sdk_config(&keyed.env, &keyed.vault).await.unwrap();
    seed_demo_world(&config).await.unwrap();
    World {
        keyed,
        config,
        _moto: moto,
    }
}

fn quiet(_: &str) {}

fn run<'a>(w: &'a World, cancel: &'a AtomicBool) -> Run<'a> {
    Run {
        config: w.config.clone(),
        env: &w.keyed.env,
        progress: &quiet,
        cancel,
    }
}

async fn service(w: &World) -> aws_sdk_ecs::types::Service {
    aws_sdk_ecs::Client::new(&w.config)
        .describe_services()
        .cluster("harbour-prod")
        .services("ledger-api")
        .send()
        .await
        .unwrap()
        .services()[0]
        .clone()
}

#[tokio::test]
async fn ecs_scale_and_deploy_plan_apply_reapply_undo() {
    let w = world().await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);

    let scale = Action::EcsScale {
        cluster: "harbour-prod".into(),
        service: "ledger-api".into(),
        desired_count: 3,
        wait_seconds: 0,
    };
    let p = plan(&r, &scale).await.unwrap();
    assert_eq!(
        p.summary,
        "scale ECS service harbour-prod/ledger-api from 2 to 3 tasks"
    );
    assert_eq!(p.changes[0].before.as_deref(), Some("2"));
    let outcome = apply(&r, &scale).await.unwrap();
    assert!(outcome.changed);
    assert!(!outcome.request_ids.is_empty(), "AWS request ids recorded");
    assert_eq!(service(&w).await.desired_count(), 3);
    let again = apply(&r, &scale).await.unwrap();
    assert!(!again.changed, "a second apply changes nothing");
    let undo = outcome.undo.expect("scaling has an undo");
    apply(&r, &undo).await.unwrap();
    assert_eq!(service(&w).await.desired_count(), 2);

    // Back to the previous revision, and forward again with the undo.
    let previous = Action::EcsDeploy {
        cluster: "harbour-prod".into(),
        service: "ledger-api".into(),
        task_definition: "previous".into(),
        wait_seconds: 10,
    };
    let p = plan(&r, &previous).await.unwrap();
    assert_eq!(
        p.summary,
        "move ECS service harbour-prod/ledger-api from ledger-api:2 to ledger-api:1"
    );
    let outcome = apply(&r, &previous).await.unwrap();
    assert!(service(&w)
        .await
        .task_definition()
        .unwrap()
        .ends_with("ledger-api:1"));
    let pinned = Action::EcsDeploy {
        cluster: "harbour-prod".into(),
        service: "ledger-api".into(),
        task_definition: "ledger-api:1".into(),
        wait_seconds: 0,
    };
    assert!(plan(&r, &pinned).await.unwrap().noop);
    let err = plan(&r, &previous).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("ledger-api:1 is the first revision of ledger-api"),
        "{err}"
    );
    apply(&r, &outcome.undo.unwrap()).await.unwrap();
    assert!(service(&w)
        .await
        .task_definition()
        .unwrap()
        .ends_with("ledger-api:2"));

    // A service that never reaches its count (moto starts new services with two running):
    // waiting ends with a clear timeout that says what was done.
    aws_sdk_ecs::Client::new(&w.config)
        .create_service()
        .cluster("harbour-prod")
        .service_name("ledger-worker")
        .task_definition("ledger-api:1")
        .desired_count(3)
        .send()
        .await
        .unwrap();
    let stuck = Action::EcsDeploy {
        cluster: "harbour-prod".into(),
        service: "ledger-worker".into(),
        task_definition: "ledger-api:2".into(),
        wait_seconds: 3,
    };
    let lines = Mutex::new(Vec::new());
    let progress = |line: &str| lines.lock().unwrap().push(line.to_string());
    let watching = Run {
        config: w.config.clone(),
        env: &w.keyed.env,
        progress: &progress,
        cancel: &never,
    };
    let failure = apply(&watching, &stuck).await.unwrap_err();
    assert!(matches!(failure.error, CloudError::NotStable { .. }));
    assert_eq!(
        failure.to_string(),
        "ECS service harbour-prod/ledger-worker was not stable after 3 s: 2 of 3 tasks running; done before it stopped: move ECS service harbour-prod/ledger-worker from ledger-api:1 to ledger-api:2"
    );
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("running 2 of 3, pending 1")),
        "live counts: {:?}",
        lines.lock().unwrap()
    );

    // Wrong names are refused at plan time with the thing to fix.
    let unknown = Action::EcsScale {
        cluster: "harbour-prod".into(),
        service: "no-such-service".into(),
        desired_count: 1,
        wait_seconds: 0,
    };
    let err = plan(&r, &unknown).await.unwrap_err();
    assert!(
        err.to_string().contains("no-such-service") && err.to_string().contains("harbour-prod"),
        "{err}"
    );
}

#[tokio::test]
async fn a_secret_with_a_generated_password_that_never_shows() {
    let w = world().await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let create = Action::SecretCreate {
        name: "harbour/prod/ledger/app".into(),
        description: Some("ledger app user".into()),
        kms_key_id: Some("alias/harbour-prod".into()),
        fields: BTreeMap::from([
            ("username".to_string(), "ledger_app".to_string()),
            ("host".to_string(), "db.internal".to_string()),
        ]),
        password_field: "password".into(),
    };
    let p = plan(&r, &create).await.unwrap();
    assert!(!p.noop);
    assert!(p
        .changes
        .iter()
        .any(|c| c.field == "password" && c.after.as_deref().unwrap().contains("32 characters")));
    let outcome = apply(&r, &create).await.unwrap();
    let arn = outcome.outputs["arn"].clone();

    let value = aws_sdk_secretsmanager::Client::new(&w.config)
        .get_secret_value()
        .secret_id(&arn)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(value.secret_string().unwrap()).unwrap();
    assert_eq!(json["username"], "ledger_app");
    let password = json["password"].as_str().unwrap().to_string();
    assert_eq!(password.chars().count(), 32);
    for shown in [
        serde_json::to_string(&p).unwrap(),
        serde_json::to_string(&outcome).unwrap(),
    ] {
        assert!(!shown.contains(&password), "the password leaked: {shown}");
    }
    let described = aws_sdk_secretsmanager::Client::new(&w.config)
        .describe_secret()
        .secret_id(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.kms_key_id(), Some("alias/harbour-prod"));

    assert!(plan(&r, &create).await.unwrap().noop, "it exists now");

    // Another secret built from this one's fields: read at apply time, never shown.
    let copy = Action::SecretCreate {
        name: "harbour/prod/ledger/report".into(),
        description: None,
        kms_key_id: None,
        fields: BTreeMap::from([
            (
                "host".to_string(),
                "${secret:harbour/prod/ledger/app#host}".to_string(),
            ),
            (
                "app_password".to_string(),
                "${secret:harbour/prod/ledger/app#password}".to_string(),
            ),
        ]),
        password_field: "password".into(),
    };
    let lines = Mutex::new(Vec::new());
    let progress = |line: &str| lines.lock().unwrap().push(line.to_string());
    let watching = Run {
        config: w.config.clone(),
        env: &w.keyed.env,
        progress: &progress,
        cancel: &never,
    };
    let copy_plan = plan(&watching, &copy).await.unwrap();
    assert!(copy_plan
        .changes
        .iter()
        .any(|c| c.after.as_deref() == Some("${secret:harbour/prod/ledger/app#password}")));
    let copied = apply(&watching, &copy).await.unwrap();
    let report = aws_sdk_secretsmanager::Client::new(&w.config)
        .get_secret_value()
        .secret_id("harbour/prod/ledger/report")
        .send()
        .await
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(report.secret_string().unwrap()).unwrap();
    assert_eq!(report["host"], "db.internal");
    assert_eq!(report["app_password"].as_str(), Some(password.as_str()));
    for shown in [
        serde_json::to_string(&copy_plan).unwrap(),
        serde_json::to_string(&copied).unwrap(),
        lines.lock().unwrap().join("\n"),
    ] {
        assert!(!shown.contains(&password), "the password leaked: {shown}");
    }
    let wrong = Action::SecretCreate {
        name: "harbour/prod/ledger/other".into(),
        description: None,
        kms_key_id: None,
        fields: BTreeMap::from([(
            "host".to_string(),
            "${secret:harbour/prod/ledger/app#hostname}".to_string(),
        )]),
        password_field: "password".into(),
    };
    assert_eq!(
        plan(&r, &wrong).await.unwrap_err().to_string(),
        "secret harbour/prod/ledger/app has no field 'hostname'"
    );
    assert!(!apply(&r, &create).await.unwrap().changed);
    let undo = outcome.undo.unwrap();
    assert_eq!(
        undo,
        Action::SecretDelete {
            name: "harbour/prod/ledger/app".into()
        }
    );
    apply(&r, &undo).await.unwrap();
    let gone = aws_sdk_secretsmanager::Client::new(&w.config)
        .describe_secret()
        .secret_id(&arn)
        .send()
        .await
        .unwrap();
    assert!(gone.deleted_date().is_some(), "scheduled for deletion");
    assert!(plan(&r, &undo).await.unwrap().noop);
    let again = plan(&r, &create).await.unwrap_err();
    assert!(
        again
            .to_string()
            .starts_with("secret harbour/prod/ledger/app is scheduled for deletion"),
        "{again}"
    );
}

fn alarm(name: &str, threshold: f64) -> AlarmSpec {
    AlarmSpec {
        name: name.into(),
        namespace: "AWS/ECS".into(),
        metric: "CPUUtilization".into(),
        dimensions: BTreeMap::from([
            ("ClusterName".to_string(), "harbour-prod".to_string()),
            ("ServiceName".to_string(), "ledger-api".to_string()),
        ]),
        stat: "Average".into(),
        period: 300,
        evaluation_periods: 2,
        threshold,
        comparison: "GreaterThanThreshold".into(),
        description: None,
        alarm_actions: Vec::new(),
    }
}

async fn threshold(w: &World, name: &str) -> Option<f64> {
    aws_sdk_cloudwatch::Client::new(&w.config)
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .unwrap()
        .metric_alarms()
        .first()
        .and_then(|a| a.threshold())
}

#[tokio::test]
async fn alarms_are_put_compared_and_restored() {
    let w = world().await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let put = Action::Alarms {
        alarms: vec![
            alarm("ledger-cpu-high", 80.0),
            alarm("ledger-cpu-critical", 95.0),
        ],
        delete: Vec::new(),
    };
    let p = plan(&r, &put).await.unwrap();
    assert_eq!(p.changes.len(), 2);
    assert!(p.changes.iter().all(|c| c.before.is_none()));
    let first = apply(&r, &put).await.unwrap();
    assert_eq!(threshold(&w, "ledger-cpu-high").await, Some(80.0));
    assert!(plan(&r, &put).await.unwrap().noop, "as declared now");

    let tighter = Action::Alarms {
        alarms: vec![
            alarm("ledger-cpu-high", 70.0),
            alarm("ledger-cpu-critical", 95.0),
        ],
        delete: Vec::new(),
    };
    let p = plan(&r, &tighter).await.unwrap();
    assert_eq!(p.changes.len(), 1);
    assert_eq!(
        (
            p.changes[0].field.as_str(),
            p.changes[0].before.as_deref(),
            p.changes[0].after.as_deref()
        ),
        ("threshold", Some("80"), Some("70"))
    );
    let second = apply(&r, &tighter).await.unwrap();
    assert_eq!(threshold(&w, "ledger-cpu-high").await, Some(70.0));
    apply(&r, &second.undo.unwrap()).await.unwrap();
    assert_eq!(
        threshold(&w, "ledger-cpu-high").await,
        Some(80.0),
        "restored"
    );
    apply(&r, &first.undo.unwrap()).await.unwrap();
    assert_eq!(
        threshold(&w, "ledger-cpu-high").await,
        None,
        "new alarms removed"
    );

    // Cancelled midway: the first alarm is put, the second is not, and the failure says so.
    let cancel = AtomicBool::new(false);
    let progress = |line: &str| {
        if line.starts_with("putting alarm ledger-cpu-high") {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let midway = Run {
        config: w.config.clone(),
        env: &w.keyed.env,
        progress: &progress,
        cancel: &cancel,
    };
    let failure = apply(&midway, &put).await.unwrap_err();
    assert!(matches!(failure.error, CloudError::Cancelled));
    assert_eq!(failure.done, vec!["alarm ledger-cpu-high put".to_string()]);
    assert_eq!(threshold(&w, "ledger-cpu-high").await, Some(80.0));
    assert_eq!(threshold(&w, "ledger-cpu-critical").await, None);

    // A statistic CloudWatch does not have is refused before anything changes.
    let mut wrong = alarm("ledger-bad", 1.0);
    wrong.stat = "Mean".into();
    let err = plan(
        &r,
        &Action::Alarms {
            alarms: vec![wrong],
            delete: Vec::new(),
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("statistic 'Mean'"), "{err}");
}

/// A real HTTP server on a free port: Python's http.server from the test venv.
struct HttpServer {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_server() -> HttpServer {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("health"), "ok").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let child = std::process::Command::new(python)
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    HttpServer {
        child,
        port,
        _dir: dir,
    }
}

#[tokio::test]
async fn smoke_checks_report_each_url() {
    let w = world().await;
    let server = http_server();
    let base = format!("http://127.0.0.1:{}", server.port);
    let never = AtomicBool::new(false);
    let lines = Mutex::new(Vec::new());
    let progress = |line: &str| lines.lock().unwrap().push(line.to_string());
    let r = Run {
        config: w.config.clone(),
        env: &w.keyed.env,
        progress: &progress,
        cancel: &never,
    };
    let check = |path: &str, expect: Vec<u16>| SmokeCheck {
        url: format!("{base}{path}"),
        expect,
        max_ms: 2000,
    };
    let good = Action::HttpSmoke {
        checks: vec![
            check("/health", vec![200]),
            check("/admin", vec![401, 403, 404]),
        ],
    };
    let p = plan(&r, &good).await.unwrap();
    assert!(!good.mutates() && p.undo.is_none());
    let outcome = apply(&r, &good).await.unwrap();
    assert_eq!(outcome.outputs["passed"], "2");
    let bad = Action::HttpSmoke {
        checks: vec![check("/health", vec![200]), check("/missing", vec![200])],
    };
    let failure = apply(&r, &bad).await.unwrap_err();
    assert!(
        failure.to_string().starts_with(&format!(
            "1 of 2 smoke checks failed: FAIL {base}/missing: 404 in"
        )),
        "{failure}"
    );
    assert!(lines
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.starts_with(&format!("PASS {base}/health: 200"))));
    drop(server);
    let down = apply(&r, &good).await.unwrap_err();
    assert!(down.to_string().contains("no answer"), "{down}");
}

fn web(image: &str, secret: &str) -> flightdeck_runbook::ContainerSpec {
    flightdeck_runbook::ContainerSpec {
        name: "web".into(),
        image: image.into(),
        port: Some(8080),
        environment: BTreeMap::from([("APP_ENV".to_string(), "prod".to_string())]),
        secrets: BTreeMap::from([("DB_PASSWORD".to_string(), format!("{secret}:password::"))]),
        log_group: Some("/ecs/ledger-web".into()),
        health_check: Some("curl -f http://localhost:8080/health || exit 1".into()),
        mounts: BTreeMap::from([("uploads".to_string(), "/var/www/uploads".to_string())]),
    }
}

fn register(image: &str, secret: &str) -> Action {
    Action::EcsRegister {
        family: "ledger-web".into(),
        cpu: "512".into(),
        memory: "1024".into(),
        execution_role_arn: Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into()),
        task_role_arn: None,
        containers: vec![web(image, secret)],
        efs_volumes: vec![flightdeck_runbook::EfsVolume {
            name: "uploads".into(),
            file_system_id: "fs-12345678".into(),
            root_directory: Some("/uploads".into()),
        }],
    }
}

#[tokio::test]
async fn task_definitions_services_and_autoscaling() {
    let w = world().await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let ecs = aws_sdk_ecs::Client::new(&w.config);

    // A task definition that reads a secret nobody created is refused before anything changes.
    let missing = "arn:aws:secretsmanager:af-south-1:123456789012:secret:harbour/prod/web-AbCdEf";
    let err = plan(&r, &register("ledger-web:4.2.0", missing))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container web secret DB_PASSWORD: {missing} does not exist; create it first (secret.create)")
    );
    assert!(ecs
        .describe_task_definition()
        .task_definition("ledger-web")
        .send()
        .await
        .is_err());

    let secret = apply(
        &r,
        &Action::SecretCreate {
            name: "harbour/prod/web".into(),
            description: None,
            kms_key_id: None,
            fields: BTreeMap::new(),
            password_field: "password".into(),
        },
    )
    .await
    .unwrap()
    .outputs["arn"]
        .clone();
    let first = register("ledger-web:4.2.0", &secret);
    let p = plan(&r, &first).await.unwrap();
    assert_eq!(
        p.summary,
        "register ledger-web:1 (Fargate, 512 CPU units, 1024 MiB)"
    );
    let registered = apply(&r, &first).await.unwrap();
    assert_eq!(registered.outputs["revision"], "1");
    let td = ecs
        .describe_task_definition()
        .task_definition("ledger-web")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .clone();
    assert_eq!((td.cpu(), td.memory()), (Some("512"), Some("1024")));
    let container = &td.container_definitions()[0];
    assert_eq!(
        container.secrets()[0].value_from(),
        format!("{secret}:password::")
    );
    assert_eq!(
        container.health_check().unwrap().command(),
        [
            "CMD-SHELL",
            "curl -f http://localhost:8080/health || exit 1"
        ]
    );
    assert_eq!(
        td.volumes()[0]
            .efs_volume_configuration()
            .unwrap()
            .file_system_id(),
        "fs-12345678"
    );
    assert!(
        plan(&r, &first).await.unwrap().noop,
        "the same definition is not registered twice"
    );

    let second = register("ledger-web:4.2.1", &secret);
    let p = plan(&r, &second).await.unwrap();
    assert_eq!(p.changes.len(), 1);
    assert_eq!(
        (
            p.changes[0].field.as_str(),
            p.changes[0].before.as_deref(),
            p.changes[0].after.as_deref()
        ),
        (
            "web image",
            Some("ledger-web:4.2.0"),
            Some("ledger-web:4.2.1")
        )
    );
    let newer = apply(&r, &second).await.unwrap();
    assert_eq!(newer.outputs["revision"], "2");
    apply(&r, &newer.undo.unwrap()).await.unwrap();
    let status = ecs
        .describe_task_definition()
        .task_definition("ledger-web:2")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .status()
        .cloned();
    assert_eq!(
        status.map(|s| s.as_str().to_string()).as_deref(),
        Some("INACTIVE")
    );

    // A service on it, and its auto scaling.
    let create = Action::EcsCreateService {
        cluster: "harbour-prod".into(),
        service: "ledger-web".into(),
        task_definition: "ledger-web:1".into(),
        desired_count: 2,
        subnets: vec!["subnet-0a1b2c3d".into()],
        security_groups: vec!["sg-0a1b2c3d".into()],
        assign_public_ip: false,
        target_group_arn: None,
        container_name: None,
        container_port: None,
    };
    // A subnet that does not exist: AWS's reason, and nothing created.
    let failure = apply(&r, &create).await.unwrap_err();
    assert!(
        failure.to_string().contains("ecs:CreateService")
            && failure.to_string().contains("subnet-0a1b2c3d")
            && failure.to_string().ends_with("; nothing was changed"),
        "{failure}"
    );
    let create = match create {
        Action::EcsCreateService {
            cluster,
            service,
            task_definition,
            desired_count,
            ..
        } => Action::EcsCreateService {
            cluster,
            service,
            task_definition,
            desired_count,
            subnets: Vec::new(),
            security_groups: Vec::new(),
            assign_public_ip: false,
            target_group_arn: None,
            container_name: None,
            container_port: None,
        },
        other => other,
    };
    let created = apply(&r, &create).await.unwrap();
    let described = ecs
        .describe_services()
        .cluster("harbour-prod")
        .services("ledger-web")
        .send()
        .await
        .unwrap();
    assert_eq!(described.services()[0].desired_count(), 2);
    assert!(plan(&r, &create).await.unwrap().noop);

    let scaling = Action::AutoScaling {
        cluster: "harbour-prod".into(),
        service: "ledger-web".into(),
        min: 2,
        max: 4,
        cpu_target: 70.0,
        policy_name: "cpu-target-tracking".into(),
    };
    let p = plan(&r, &scaling).await.unwrap();
    assert_eq!(p.changes.len(), 3);
    let scaled = apply(&r, &scaling).await.unwrap();
    let aas = aws_sdk_applicationautoscaling::Client::new(&w.config);
    let targets = aas
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_ids("service/harbour-prod/ledger-web")
        .send()
        .await
        .unwrap();
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (2, 4));
    assert!(plan(&r, &scaling).await.unwrap().noop);
    apply(&r, &scaled.undo.unwrap()).await.unwrap();
    let targets = aas
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_ids("service/harbour-prod/ledger-web")
        .send()
        .await
        .unwrap();
    assert!(
        targets.scalable_targets().is_empty(),
        "auto scaling removed"
    );

    apply(&r, &created.undo.unwrap()).await.unwrap();
    let gone = ecs
        .describe_services()
        .cluster("harbour-prod")
        .services("ledger-web")
        .send()
        .await
        .unwrap();
    assert!(gone.services().iter().all(|s| s.status() != Some("ACTIVE")));
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_then_reported() {
    let program =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server");
    let moto = flightdeck_cloud::MotoServer::start_with_env(
        &program,
        &[("FLIGHTDECK_MOTO_THROTTLE", "UpdateService=6")],
    )
    .unwrap();
    let w = world_in(moto).await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let scale = Action::EcsScale {
        cluster: "harbour-prod".into(),
        service: "ledger-api".into(),
        desired_count: 3,
        wait_seconds: 0,
    };
    // Four throttled attempts: reported as throttling, nothing changed.
    let failure = apply(&r, &scale).await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "AWS kept throttling ecs:UpdateService after 4 attempts with backoff; wait a minute and run it again; nothing was changed"
    );
    // Two more throttled answers, then AWS takes it: the retries hide them.
    let outcome = apply(&r, &scale).await.unwrap();
    assert!(outcome.changed);
}

/// A Lambda function with two versions behind an alias, an ALB listener sending everything to
/// blue, and a log group, created with boto3 from the test venv (their set-up needs IAM and
/// EC2, which Flightdeck itself never calls).
const TRAFFIC_WORLD: &str = r#"
import io, json, sys, zipfile, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
iam = boto3.client("iam", **kw)
role = iam.create_role(RoleName="ledger-fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
def code(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", text)
    return buf.getvalue()
lam = boto3.client("lambda", **kw)
lam.create_function(FunctionName="ledger-fn", Runtime="python3.11", Role=role, Handler="handler.main", Code={"ZipFile": code("v1")})
lam.publish_version(FunctionName="ledger-fn")
lam.update_function_code(FunctionName="ledger-fn", ZipFile=code("v2"))
lam.publish_version(FunctionName="ledger-fn")
lam.create_alias(FunctionName="ledger-fn", Name="live", FunctionVersion="2")
ec2 = boto3.client("ec2", **kw)
vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"af-south-1{z}")["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
elb = boto3.client("elbv2", **kw)
lb = elb.create_load_balancer(Name="ledger-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
blue = elb.create_target_group(Name="ledger-blue", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
green = elb.create_target_group(Name="ledger-green", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": blue, "Weight": 100}, {"TargetGroupArn": green, "Weight": 0}]}}])["Listeners"][0]["ListenerArn"]
boto3.client("logs", **kw).create_log_group(logGroupName="/ecs/ledger-api")
print(json.dumps({"listener": listener, "blue": blue, "green": green}))
"#;

#[tokio::test]
async fn traffic_dashboards_and_log_retention() {
    let w = world().await;
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let endpoint = w.keyed.env.endpoint_url.clone().unwrap();
    let setup = std::process::Command::new(python)
        .args(["-c", TRAFFIC_WORLD, &endpoint])
        .output()
        .unwrap();
    let made: serde_json::Value = serde_json::from_slice(&setup.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&setup.stderr)));
    let (listener, blue, green) = (
        made["listener"].as_str().unwrap().to_string(),
        made["blue"].as_str().unwrap().to_string(),
        made["green"].as_str().unwrap().to_string(),
    );
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let lambda = aws_sdk_lambda::Client::new(&w.config);
    let live = || async {
        let a = lambda
            .get_alias()
            .function_name("ledger-fn")
            .name("live")
            .send()
            .await
            .unwrap();
        let weights: BTreeMap<String, f64> = a
            .routing_config()
            .and_then(|r| r.additional_version_weights())
            .map(|w| w.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        (a.function_version().unwrap().to_string(), weights)
    };

    // The alias back to the previous version, and forward again with the undo.
    let back = Action::LambdaAlias {
        function: "ledger-fn".into(),
        alias: "live".into(),
        version: "previous".into(),
        weights: BTreeMap::new(),
    };
    let p = plan(&r, &back).await.unwrap();
    assert_eq!(
        p.summary,
        "shift alias ledger-fn:live from version 2 100% to version 1 100%"
    );
    let rolled = apply(&r, &back).await.unwrap();
    assert_eq!(live().await.0, "1");
    apply(&r, &rolled.undo.unwrap()).await.unwrap();
    assert_eq!(live().await.0, "2");

    // A canary: 10% to version 2 while the alias stays on 1.
    let canary = Action::LambdaAlias {
        function: "ledger-fn".into(),
        alias: "live".into(),
        version: "1".into(),
        weights: BTreeMap::from([("2".to_string(), 0.1)]),
    };
    let shifted = apply(&r, &canary).await.unwrap();
    assert_eq!(
        live().await,
        ("1".to_string(), BTreeMap::from([("2".to_string(), 0.1)]))
    );
    assert!(plan(&r, &canary).await.unwrap().noop);
    apply(&r, &shifted.undo.unwrap()).await.unwrap();
    assert_eq!(live().await, ("2".to_string(), BTreeMap::new()));

    // ALB weights: 10% to green, then back to blue.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let weights = || async {
        let l = elb
            .describe_listeners()
            .listener_arns(&listener)
            .send()
            .await
            .unwrap();
        l.listeners()[0].default_actions()[0]
            .forward_config()
            .unwrap()
            .target_groups()
            .iter()
            .map(|t| {
                (
                    t.target_group_arn().unwrap().to_string(),
                    t.weight().unwrap(),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let ten = Action::AlbWeights {
        listener_arn: listener.clone(),
        weights: BTreeMap::from([(blue.clone(), 90), (green.clone(), 10)]),
    };
    let p = plan(&r, &ten).await.unwrap();
    let short = |arn: &str| arn.rsplit(':').next().unwrap().to_string();
    assert_eq!(
        p.changes[0].before,
        Some(format!("{} 100%, {} 0%", short(&blue), short(&green)))
    );
    assert_eq!(
        p.changes[0].after,
        Some(format!("{} 90%, {} 10%", short(&blue), short(&green)))
    );
    let moved = apply(&r, &ten).await.unwrap();
    assert_eq!(weights().await[&green], 10);
    assert!(plan(&r, &ten).await.unwrap().noop);
    apply(&r, &moved.undo.unwrap()).await.unwrap();
    assert_eq!(
        weights().await,
        BTreeMap::from([(blue.clone(), 100), (green.clone(), 0)])
    );

    // A dashboard, put once and removed by its undo.
    let cw = aws_sdk_cloudwatch::Client::new(&w.config);
    let board = Action::Dashboard {
        name: "ledger-go-live".into(),
        body: r#"{"widgets":[{"type":"metric","properties":{"metrics":[["AWS/ECS","CPUUtilization"]]}}]}"#.into(),
        delete: false,
    };
    assert_eq!(
        plan(&r, &board).await.unwrap().summary,
        "put dashboard ledger-go-live with 1 widgets"
    );
    let put = apply(&r, &board).await.unwrap();
    assert!(cw
        .get_dashboard()
        .dashboard_name("ledger-go-live")
        .send()
        .await
        .is_ok());
    assert!(plan(&r, &board).await.unwrap().noop);
    apply(&r, &put.undo.unwrap()).await.unwrap();
    assert!(cw
        .get_dashboard()
        .dashboard_name("ledger-go-live")
        .send()
        .await
        .is_err());

    // Log retention to 90 days, and back to forever.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&w.config);
    let kept = || async {
        logs.describe_log_groups()
            .log_group_name_prefix("/ecs/ledger-api")
            .send()
            .await
            .unwrap()
            .log_groups()[0]
            .retention_in_days()
    };
    let ninety = Action::LogRetention {
        log_group: "/ecs/ledger-api".into(),
        days: Some(90),
    };
    let set = apply(&r, &ninety).await.unwrap();
    assert_eq!(kept().await, Some(90));
    apply(&r, &set.undo.unwrap()).await.unwrap();
    assert_eq!(kept().await, None);
    let missing = Action::LogRetention {
        log_group: "/ecs/nope".into(),
        days: Some(90),
    };
    assert_eq!(
        plan(&r, &missing).await.unwrap_err().to_string(),
        "log group /ecs/nope does not exist"
    );
}

#[tokio::test]
async fn rds_snapshots_restores_and_their_undo() {
    let w = world().await;
    let never = AtomicBool::new(false);
    let r = run(&w, &never);
    let rds = aws_sdk_rds::Client::new(&w.config);
    let instances = || async {
        let mut names: Vec<String> = rds
            .describe_db_instances()
            .send()
            .await
            .unwrap()
            .db_instances()
            .iter()
            .filter_map(|d| d.db_instance_identifier().map(str::to_string))
            .collect();
        names.sort();
        names
    };

    // A snapshot of the PROD database, waited for; again is nothing to do; the undo deletes it.
    let snapshot = Action::RdsSnapshot {
        instance: "harbour-prod-mysql".into(),
        snapshot: "before-go-live".into(),
        wait_seconds: 30,
    };
    let p = plan(&r, &snapshot).await.unwrap();
    assert_eq!(
        p.summary,
        "take snapshot before-go-live of instance harbour-prod-mysql"
    );
    let taken = apply(&r, &snapshot).await.unwrap();
    assert!(taken.outputs["snapshot_arn"].contains("before-go-live"));
    assert!(taken.log.iter().any(|l| l.contains("started")));
    assert!(plan(&r, &snapshot).await.unwrap().noop);

    // Restored into a new instance from the snapshot; the undo deletes it with a final snapshot.
    let restore = Action::RdsRestore {
        instance: "harbour-restore-check".into(),
        from_snapshot: Some("before-go-live".into()),
        from: None,
        restore_time: None,
        latest: false,
        instance_class: Some("db.t3.medium".into()),
        wait_seconds: 30,
    };
    let p = plan(&r, &restore).await.unwrap();
    assert_eq!(
        p.changes[0].after.as_deref(),
        Some("snapshot before-go-live")
    );
    let restored = apply(&r, &restore).await.unwrap();
    assert!(instances()
        .await
        .contains(&"harbour-restore-check".to_string()));
    assert!(
        plan(&r, &restore).await.unwrap().noop,
        "an existing instance is left alone"
    );
    apply(&r, &restored.undo.unwrap()).await.unwrap();
    assert!(!instances()
        .await
        .contains(&"harbour-restore-check".to_string()));
    let finals = rds
        .describe_db_snapshots()
        .db_snapshot_identifier("harbour-restore-check-final")
        .send()
        .await
        .unwrap();
    assert_eq!(
        finals.db_snapshots().len(),
        1,
        "the undo keeps a final snapshot"
    );

    // A point in time: the latest, or a time before the latest restorable one; a later time
    // and a missing snapshot are refused before anything is done.
    let pitr = Action::RdsRestore {
        instance: "harbour-pitr".into(),
        from_snapshot: None,
        from: Some("harbour-prod-mysql".into()),
        restore_time: None,
        latest: true,
        instance_class: None,
        wait_seconds: 0,
    };
    apply(&r, &pitr).await.unwrap();
    assert!(instances().await.contains(&"harbour-pitr".to_string()));
    let future = Action::RdsRestore {
        instance: "harbour-future".into(),
        from_snapshot: None,
        from: Some("harbour-prod-mysql".into()),
        restore_time: Some("2099-01-01T00:00:00Z".into()),
        latest: false,
        instance_class: None,
        wait_seconds: 0,
    };
    let err = plan(&r, &future).await.unwrap_err().to_string();
    assert!(
        err.contains("can be restored up to") && err.contains("not 2099-01-01T00:00:00Z"),
        "{err}"
    );
    let missing = Action::RdsRestore {
        instance: "harbour-missing".into(),
        from_snapshot: Some("no-such-snapshot".into()),
        from: None,
        restore_time: None,
        latest: false,
        instance_class: None,
        wait_seconds: 0,
    };
    let err = apply(&r, &missing).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "snapshot no-such-snapshot does not exist; nothing was changed"
    );
    let both = Action::RdsRestore {
        instance: "x".into(),
        from_snapshot: Some("before-go-live".into()),
        from: Some("harbour-prod-mysql".into()),
        restore_time: None,
        latest: true,
        instance_class: None,
        wait_seconds: 0,
    };
    assert!(plan(&r, &both)
        .await
        .unwrap_err()
        .to_string()
        .contains("give either from_snapshot"));

    // Aurora: a cluster snapshot and a restore from it.
    rds.create_db_cluster()
        .db_cluster_identifier("harbour-aurora")
        .engine("aurora-mysql")
        .master_username("admin")
        .master_user_password("not-a-real-password-1")
        .send()
        .await
        .unwrap();
    let cluster_snapshot = Action::RdsClusterSnapshot {
        cluster: "harbour-aurora".into(),
        snapshot: "aurora-before".into(),
        wait_seconds: 30,
    };
    let taken = apply(&r, &cluster_snapshot).await.unwrap();
    assert_eq!(
        taken.undo,
        Some(Action::RdsDeleteSnapshot {
            snapshot: "aurora-before".into(),
            cluster: true
        })
    );
    let needs_engine = Action::RdsRestoreCluster {
        cluster: "harbour-aurora-check".into(),
        from_snapshot: Some("aurora-before".into()),
        from: None,
        restore_time: None,
        latest: false,
        engine: None,
        wait_seconds: 0,
    };
    assert!(plan(&r, &needs_engine)
        .await
        .unwrap_err()
        .to_string()
        .contains("needs its engine"));
    let cluster_restore = Action::RdsRestoreCluster {
        cluster: "harbour-aurora-check".into(),
        from_snapshot: Some("aurora-before".into()),
        from: None,
        restore_time: None,
        latest: false,
        engine: Some("aurora-mysql".into()),
        wait_seconds: 0,
    };
    apply(&r, &cluster_restore).await.unwrap();
    let clusters = rds
        .describe_db_clusters()
        .db_cluster_identifier("harbour-aurora-check")
        .send()
        .await
        .unwrap();
    assert_eq!(clusters.db_clusters().len(), 1);
    // The Backups view lists them: the instance's manual snapshot and the cluster's.
    let listed = flightdeck_cloud::rds_snapshots(&w.keyed.env, &w.keyed.vault)
        .await
        .unwrap();
    let ids: Vec<(String, String, bool)> = listed
        .iter()
        .map(|s| (s.id.clone(), s.of.clone(), s.cluster))
        .collect();
    assert!(
        ids.contains(&("before-go-live".into(), "harbour-prod-mysql".into(), false)),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("aurora-before".into(), "harbour-aurora".into(), true)),
        "{ids:?}"
    );
    apply(&r, &taken.undo.unwrap()).await.unwrap();
    assert!(
        plan(&r, &cluster_snapshot).await.unwrap().changes.len() == 1,
        "deleted, so it would be taken again"
    );
}
