//! `flightdeck env` and `demo` against moto with a real keyring, and a planted secret that must
//! never appear in the database, the logs, the JSON output or an error message.

mod common;

use std::path::{Path, PathBuf};

use common::{flightdeck, text};

const PLANTED: &str = "FdPlantedSecret-7c1e9a44-DO-NOT-LEAK";

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

#[test]
fn environments_demo_and_a_secret_that_never_leaks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mut transcript = String::new();
    let mut run = |args: &[&str], stdin: Option<&str>| {
        let out = flightdeck(data, args, stdin);
        transcript.push_str(&text(&out));
        out
    };

    let up = run(&["demo", "up", "--json"], None);
    let _down = common::DemoDown(data);
    assert!(up.status.success(), "{}", text(&up));
    let status: serde_json::Value = serde_json::from_slice(&up.stdout).unwrap();
    let endpoint = status["endpoint_url"].as_str().unwrap().to_string();
    assert_eq!(status["world"]["alarms"].as_array().unwrap().len(), 5);

    // An environment whose static secret key is the planted value, read from stdin.
    let add = run(
        &[
            "env",
            "add",
            "UAT",
            "--region",
            "af-south-1",
            "--account",
            "123456789012",
            "--access-key-id",
            "FDUATKEY00000000001",
            "--endpoint-url",
            &endpoint,
        ],
        Some(PLANTED),
    );
    assert!(add.status.success(), "{}", text(&add));
    let test = run(&["env", "test", "UAT", "--json"], None);
    assert!(test.status.success(), "{}", text(&test));
    let check: serde_json::Value = serde_json::from_slice(&test.stdout).unwrap();
    assert_eq!(check["account"], "123456789012");

    // The same keys, expected to reach another account: a loud refusal.
    let prod = run(
        &[
            "env",
            "add",
            "PROD",
            "--region",
            "af-south-1",
            "--account",
            "093646564004",
            "--access-key-id",
            "FDPRODKEY0000000001",
            "--endpoint-url",
            &endpoint,
        ],
        Some(PLANTED),
    );
    assert!(prod.status.success(), "{}", text(&prod));
    let mismatch = run(&["env", "test", "PROD"], None);
    assert_eq!(mismatch.status.code(), Some(1));
    let said = text(&mismatch);
    assert!(
        said.contains("this access key reaches 123456789012, the environment expects 093646564004"),
        "{said}"
    );
    let shown = run(&["env", "show", "PROD", "--json"], None);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["guard"], "type_name");
    assert!(shown["last_check"]["mismatch"].is_string());

    // Bad input: unknown profile, unreachable endpoint, bad account id.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    run(
        &[
            "env",
            "add",
            "DEV",
            "--region",
            "af-south-1",
            "--profile",
            "no-such-profile",
        ],
        None,
    );
    let unknown = run(&["env", "test", "DEV"], None);
    assert!(
        text(&unknown).contains("AWS profile 'no-such-profile' is not in your AWS config"),
        "{}",
        text(&unknown)
    );
    let down_url = format!("http://127.0.0.1:{port}");
    run(
        &[
            "env",
            "add",
            "DOWN",
            "--region",
            "af-south-1",
            "--access-key-id",
            "FDDOWNKEY0000000001",
            "--endpoint-url",
            &down_url,
        ],
        Some(PLANTED),
    );
    let unreachable = run(&["env", "test", "DOWN"], None);
    assert!(
        text(&unreachable).contains(&format!("cannot reach {down_url}")),
        "{}",
        text(&unreachable)
    );
    let bad = run(
        &[
            "env",
            "add",
            "QA",
            "--region",
            "af-south-1",
            "--account",
            "12345",
            "--profile",
            "x",
        ],
        None,
    );
    assert!(
        text(&bad).contains("account: an AWS account id is 12 digits"),
        "{}",
        text(&bad)
    );

    let list = run(&["env", "list", "--json"], None);
    let envs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = envs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["DEMO", "UAT", "PROD", "DEV", "DOWN"]);

    let removed = run(&["env", "remove", "DOWN"], None);
    assert!(removed.status.success());
    let gone = run(&["secret", "check", "env/DOWN/aws-keys"], None);
    assert!(
        !gone.status.success(),
        "removing an environment removes its keys"
    );

    // The demo runbook's go/no-go criteria against the demo world.
    let demo_runbook =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/demo/harbour-go-live.md");
    assert!(
        run(&["runbook", "import", demo_runbook.to_str().unwrap()], None)
            .status
            .success()
    );
    let key = "harbour-ledger-go-live-release-4-2";
    let verdict = run(
        &[
            "gonogo", key, "--env", "DEMO", "--phase", "phase-9", "--window", "120", "--json",
        ],
        None,
    );
    let evaluation: serde_json::Value = serde_json::from_slice(&verdict.stdout).unwrap();
    assert_eq!(evaluation["verdict"], "go", "{evaluation}");
    assert_eq!(verdict.status.code(), Some(0));
    let names: Vec<&str> = evaluation["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ECS CPU",
            "Target 5xx responses",
            "Average response time",
            "p95 response time",
            "Error rate",
            "All alarms green"
        ]
    );
    // The whole runbook also waits for hypercare's soak and the client's confirmation.
    let all = run(&["gonogo", key, "--env", "DEMO", "--window", "120"], None);
    assert_eq!(all.status.code(), Some(2), "{}", text(&all));
    assert!(text(&all).contains("the soak of phase-10 has not started"));
    assert!(text(&all).contains("waiting for a Client Stakeholder to confirm"));
    let none = run(
        &["gonogo", key, "--env", "DEMO", "--phase", "phase-7"],
        None,
    );
    assert_eq!(none.status.code(), Some(3), "{}", text(&none));
    assert!(
        text(&none).contains("declares no go/no-go criteria in phase-7"),
        "{}",
        text(&none)
    );

    let down = run(&["demo", "down"], None);
    assert!(text(&down).contains("stopped the demo emulator"));
    for name in ["UAT", "PROD"] {
        run(&["env", "remove", name], None);
    }

    // The planted value is in the keyring and nowhere else.
    assert!(
        !transcript.contains(PLANTED),
        "the secret reached the CLI output or logs"
    );
    for file in files_under(data) {
        let bytes = std::fs::read(&file).unwrap();
        let found = bytes
            .windows(PLANTED.len())
            .any(|w| w == PLANTED.as_bytes());
        assert!(!found, "the secret reached {}", file.display());
    }
    assert!(
        transcript.contains("TRACE") || transcript.contains("DEBUG"),
        "the logs were captured"
    );
}
