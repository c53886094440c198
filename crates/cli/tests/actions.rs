//! `flightdeck action` end to end against moto: confirmations (PROD: the name typed), roles,
//! rollback roles, variables from earlier steps, failures recorded with what was done, the audit
//! trail, and a generated password that never reaches the database or any output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{flightdeck, text};

const RUNBOOK: &str = r#"# Action Drill

## Phase 1: Provision

### Task 1.1: Secrets and scale

```flightdeck
rollback_roles = ["Technical Lead", "Client Stakeholder"]

[[action]]
id = "create-secret"
kind = "secret.create"
name = "drill/prod/app"
kms_key_id = "alias/drill-prod"
fields = { username = "drill_app", host = "db.internal" }

[[action]]
id = "scale"
kind = "ecs.scale"
cluster = "harbour-prod"
service = "ledger-api"
desired_count = 3

[[action]]
id = "alarms"
kind = "cloudwatch.alarms"
alarms = [{ name = "drill-cpu", namespace = "AWS/ECS", metric = "CPUUtilization", threshold = 80, comparison = "GreaterThanThreshold", description = "${env.name}: app secret ${steps.create-secret.arn}" }]

[[action]]
id = "smoke"
kind = "http.smoke"
checks = [{ url = "http://127.0.0.1:9/health" }]

[[action]]
id = "register-web"
kind = "ecs.register_task_definition"
family = "drill-web"
cpu = "256"
memory = "512"
containers = [{ name = "web", image = "drill-web:1", secrets = { DB_PASSWORD = "arn:aws:secretsmanager:af-south-1:123456789012:secret:drill/prod/missing-AbCdEf:password::" } }]

[[action]]
id = "create-worker"
kind = "ecs.create_service"
cluster = "harbour-prod"
service = "ledger-worker"
task_definition = "ledger-api:1"
desired_count = 3

[[action]]
id = "deploy-worker"
kind = "ecs.deploy"
cluster = "harbour-prod"
service = "ledger-worker"
task_definition = "ledger-api:2"
wait_seconds = 120
```

- [ ] provisioned

## Phase 2: Later

**Depends On**: Phase 1

```flightdeck
[[action]]
id = "later"
kind = "ecs.scale"
cluster = "harbour-prod"
service = "ledger-api"
desired_count = 4
```

- [ ] done later
"#;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The secret's value as AWS holds it, read with boto3 from the test venv.
fn secret_value(endpoint: &str, name: &str) -> serde_json::Value {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, boto3; print(boto3.client('secretsmanager', endpoint_url=sys.argv[1], region_name='af-south-1', aws_access_key_id='x', aws_secret_access_key='y').get_secret_value(SecretId=sys.argv[2])['SecretString'])",
            endpoint,
            name,
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

#[test]
fn actions_with_confirmations_roles_failures_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let transcript = std::cell::RefCell::new(String::new());
    let run = |args: &[&str], stdin: Option<&str>| -> Output {
        let out = flightdeck(data, args, stdin);
        transcript.borrow_mut().push_str(&text(&out));
        out
    };
    let up = run(&["demo", "up", "--json"], None);
    let _down = common::DemoDown(data);
    assert!(up.status.success(), "{}", text(&up));
    let status: serde_json::Value = serde_json::from_slice(&up.stdout).unwrap();
    let endpoint = status["endpoint_url"].as_str().unwrap().to_string();
    for (name, guard) in [("PROD", "type-name"), ("UNTESTED", "confirm")] {
        let add = run(
            &[
                "env",
                "add",
                name,
                "--region",
                "af-south-1",
                "--account",
                "123456789012",
                "--access-key-id",
                "FDDRILLKEY000000001",
                "--endpoint-url",
                &endpoint,
                "--guard",
                guard,
            ],
            Some("drill-secret-key"),
        );
        assert!(add.status.success(), "{}", text(&add));
    }
    assert!(run(&["env", "test", "PROD"], None).status.success());
    let file = data.join("drill.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    let import = run(&["runbook", "import", file.to_str().unwrap()], None);
    assert!(import.status.success(), "{}", text(&import));
    let rb = "action-drill";
    let lead = ["--as", "Ana Lead", "--role", "Technical Lead"];
    let client = ["--as", "Chris Client", "--role", "Client Stakeholder"];
    let devops = ["--as", "Dev Ops", "--role", "DevOps Engineer"];
    let with = |base: &[&str], who: &[&str]| -> Vec<String> {
        base.iter().chain(who).map(|s| s.to_string()).collect()
    };
    let go = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&refs, None)
    };

    // The plan says exactly what changes.
    let plan = run(
        &["action", "plan", rb, "scale", "--env", "PROD", "--json"],
        None,
    );
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(
        plan["summary"],
        "scale ECS service harbour-prod/ledger-api from 2 to 3 tasks"
    );

    // PROD wants its name typed, exactly; nothing is recorded for a refusal.
    for confirm in [vec!["--yes"], vec!["--confirm", "prod"]] {
        let mut args = vec!["action", "apply", rb, "scale", "--env", "PROD"];
        args.extend(confirm);
        let refused = go(with(&args, &lead));
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("type the environment's name, PROD, to confirm"),
            "{}",
            text(&refused)
        );
    }
    let runs = run(&["action", "runs", rb, "--json"], None);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&runs.stdout).unwrap(),
        serde_json::json!([])
    );
    let read_only = go(with(
        &[
            "action",
            "apply",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &client,
    ));
    assert!(
        text(&read_only).contains("read-only"),
        "{}",
        text(&read_only)
    );
    let untested = go(with(
        &["action", "apply", rb, "scale", "--env", "UNTESTED", "--yes"],
        &lead,
    ));
    assert!(
        text(&untested).contains("has not passed a connection test"),
        "{}",
        text(&untested)
    );
    let closed = go(with(
        &[
            "action",
            "apply",
            rb,
            "later",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &lead,
    ));
    assert!(
        text(&closed).contains("phase 'phase-2' is closed"),
        "{}",
        text(&closed)
    );
    let unknown = go(with(
        &["action", "plan", rb, "nope", "--env", "PROD"],
        &lead,
    ));
    assert!(
        text(&unknown).contains(
            "has no action 'nope'; its actions: create-secret, scale, alarms, smoke, register-web, create-worker, deploy-worker, later"
        ),
        "{}",
        text(&unknown)
    );

    // Applied once, unchanged the second time.
    let applied = go(with(
        &[
            "action",
            "apply",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
            "--json",
        ],
        &lead,
    ));
    assert!(applied.status.success(), "{}", text(&applied));
    let applied: serde_json::Value = serde_json::from_slice(&applied.stdout).unwrap();
    assert_eq!(applied["status"], "succeeded");
    assert!(!applied["request_ids"].as_array().unwrap().is_empty());
    let again = go(with(
        &[
            "action",
            "apply",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
            "--json",
        ],
        &lead,
    ));
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["status"], "unchanged");

    // Rollback in PROD is for the roles the runbook names.
    let denied = go(with(
        &[
            "action",
            "undo",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &devops,
    ));
    assert!(
        text(&denied).contains("Dev Ops (DevOps Engineer) may not roll 'scale' back in PROD; the runbook allows Technical Lead, Client Stakeholder"),
        "{}",
        text(&denied)
    );
    let undone = go(with(
        &[
            "action",
            "undo",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &client,
    ));
    assert!(undone.status.success(), "{}", text(&undone));
    assert!(
        text(&undone).contains("scale ECS service harbour-prod/ledger-api from 3 to 2 tasks"),
        "{}",
        text(&undone)
    );
    let twice = go(with(
        &[
            "action",
            "undo",
            rb,
            "scale",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &client,
    ));
    assert!(
        text(&twice).contains("was already undone in PROD"),
        "{}",
        text(&twice)
    );

    // A secret with a generated password; a later step uses its ARN.
    let created = go(with(
        &[
            "action",
            "apply",
            rb,
            "create-secret",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
            "--json",
        ],
        &lead,
    ));
    assert!(created.status.success(), "{}", text(&created));
    let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let arn = created["outputs"]["arn"].as_str().unwrap().to_string();
    let alarm_plan = run(&["action", "plan", rb, "alarms", "--env", "PROD"], None);
    assert!(
        text(&alarm_plan).contains(&format!("PROD: app secret {arn}")),
        "{}",
        text(&alarm_plan)
    );

    // A failing step: an error naming the run, and the run recorded as failed.
    let smoke = go(with(
        &["action", "apply", rb, "smoke", "--env", "PROD"],
        &lead,
    ));
    assert!(!smoke.status.success());
    assert!(
        text(&smoke).contains("action 'smoke' failed (run ")
            && text(&smoke)
                .contains("1 of 1 smoke checks failed: FAIL http://127.0.0.1:9/health: no answer"),
        "{}",
        text(&smoke)
    );
    let runs = run(&["action", "runs", rb, "smoke", "--json"], None);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs[0]["status"], "failed");

    // A task definition that reads a missing secret: a clear error, and a failed run in the
    // record saying nothing was changed.
    let missing = go(with(
        &[
            "action",
            "apply",
            rb,
            "register-web",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &lead,
    ));
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("container web secret DB_PASSWORD: arn:aws:secretsmanager:af-south-1:123456789012:secret:drill/prod/missing-AbCdEf does not exist; create it first (secret.create); nothing was changed"),
        "{}",
        text(&missing)
    );
    let runs = run(&["action", "runs", rb, "register-web", "--json"], None);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"]
        .as_str()
        .unwrap()
        .ends_with("nothing was changed"));

    // A process killed while it waits for a service leaves its run recorded as running, with the
    // change it had begun in the audit trail.
    let created = go(with(
        &[
            "action",
            "apply",
            rb,
            "create-worker",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ],
        &lead,
    ));
    assert!(created.status.success(), "{}", text(&created));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "action",
            "apply",
            rb,
            "deploy-worker",
            "--env",
            "PROD",
            "--confirm",
            "PROD",
        ])
        .args(lead)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let runs = run(&["action", "runs", rb, "deploy-worker", "--json"], None);
        let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
        if runs.as_array().is_some_and(|r| !r.is_empty()) {
            break;
        }
        assert!(started.elapsed().as_secs() < 30, "the run never began");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    std::thread::sleep(std::time::Duration::from_secs(3));
    child.kill().unwrap();
    child.wait().unwrap();
    let runs = run(&["action", "runs", rb, "deploy-worker", "--json"], None);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs[0]["status"], "running", "{runs}");
    assert!(runs[0]["finished_at"].is_null());

    // Every run is in the audit trail, which still verifies.
    assert!(run(&["audit", "verify"], None).status.success());
    let export = run(&["audit", "export", "--jsonl"], None);
    let kinds: Vec<String> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    for kind in [
        "action_apply_start",
        "action_apply",
        "action_undo_start",
        "action_undo",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }

    // The password AWS generated is nowhere but in AWS.
    let secret = secret_value(&endpoint, "drill/prod/app");
    assert_eq!(secret["username"], "drill_app");
    let password = secret["password"].as_str().unwrap().to_string();
    assert_eq!(password.len(), 32);
    assert!(
        !transcript.borrow().contains(&password),
        "the password reached the output or logs"
    );
    for path in files_under(data) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "the password reached {}",
            path.display()
        );
    }
    assert!(run(&["demo", "down"], None).status.success());
}
