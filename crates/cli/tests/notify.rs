//! A run's notifications end to end: a webhook on a local HTTP receiver the test starts, an
//! SNS topic in moto read back through an SQS subscription, and a rehearsal that never reaches
//! the live run's channel.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{cli, ok, ok_with, t0_in, text};

const RUNBOOK: &str = "# Notify Drill\n\n## Phase 1: Prepare (T+0 to T+10 min)\n\n- [ ] War room open\n\n## Phase 2: Cut Over (20 min)\n\n- [ ] DNS switched\n";

/// An HTTP receiver on a free port that answers 200 and keeps every body; stops with the test.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0u8; length];
                reader.read_exact(&mut body).unwrap();
                kept.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
            }
        });
        Receiver { url, bodies }
    }

    fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

fn import(data: &Path) -> Vec<String> {
    let file = data.join("notify.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    ok(data, &["runbook", "import", file.to_str().unwrap()]);
    ["phase-1", "phase-2"]
        .iter()
        .map(|phase| {
            let items: serde_json::Value = serde_json::from_str(&ok(
                data,
                &[
                    "status",
                    "notify-drill",
                    "--phase",
                    phase,
                    "--json",
                    "--run",
                    "default",
                ],
            ))
            .unwrap();
            items[0]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_webhook_hears_its_run_and_a_rehearsal_never_reaches_the_live_channel() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let lead = format!("Notify Lead {}", std::process::id());
    ok(data, &["identity", "set", &lead, "technical_lead"]);
    let items = import(data);
    let (live, test) = (Receiver::start(), Receiver::start());
    let live_secret = format!("notify-live-{}", std::process::id());
    let test_secret = format!("notify-test-{}", std::process::id());
    ok_with(data, &["secret", "set", &live_secret], Some(&live.url));
    ok_with(data, &["secret", "set", &test_secret], Some(&test.url));

    let start = |kind: &str, secret: &str| {
        cli(
            data,
            &[
                "run",
                "start",
                "notify-drill",
                kind,
                "--t0",
                &t0_in(0),
                "--notify-webhook",
                secret,
            ],
        )
    };
    let missing = start("--live", "no-such-secret");
    assert!(
        text(&missing).contains("no secret 'no-such-secret'"),
        "{}",
        text(&missing)
    );
    for (kind, secret) in [("--live", &live_secret), ("--rehearsal", &test_secret)] {
        let started = start(kind, secret);
        assert!(started.status.success(), "{}", text(&started));
    }
    // The rehearsal is the current run: its sign-off goes to the test channel only.
    ok(data, &["item", "check", "notify-drill", &items[0]]);
    ok(data, &["signoff", "notify-drill", "phase-1"]);
    let heard = test.bodies();
    assert!(
        heard.iter().any(
            |b| b.contains("[rehearsal rehearsal-1] Notify Drill: phase phase-1 signed off by")
        ),
        "{heard:?}"
    );
    assert!(
        live.bodies().is_empty(),
        "the live channel heard the rehearsal: {:?}",
        live.bodies()
    );

    // The live run's decision reaches the live channel, once.
    ok(
        data,
        &[
            "decide",
            "notify-drill",
            "go",
            "--reason",
            "all green",
            "--run",
            "live-1",
        ],
    );
    ok(data, &["run", "notify", "notify-drill", "--run", "live-1"]);
    let decisions: Vec<String> = live
        .bodies()
        .into_iter()
        .filter(|b| b.contains("go/no-go decision GO") && b.contains("all green"))
        .collect();
    assert_eq!(decisions.len(), 1, "{:?}", live.bodies());
    let body: serde_json::Value = serde_json::from_str(&decisions[0]).unwrap();
    assert!(body["text"]
        .as_str()
        .unwrap()
        .starts_with("[live live-1] Notify Drill"));

    // The trail says what was sent where, and never the webhook's URL.
    let trail = ok(data, &["audit", "export", "--jsonl"]);
    assert!(trail.contains("\"notification\""));
    assert!(trail.contains(&format!("webhook (keyring secret {live_secret})")));
    assert!(
        !trail.contains(&live.url) && !trail.contains(&test.url),
        "a webhook URL reached the trail"
    );
    assert!(!std::fs::read_to_string(data.join("flightdeck.db"))
        .unwrap_or_default()
        .contains(&live.url));
    for secret in [&live_secret, &test_secret] {
        ok(data, &["secret", "remove", secret]);
    }
}

fn python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

const SNS_WORLD: &str = r#"
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id="testing", aws_secret_access_key="testing")
sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
topic = sns.create_topic(Name="go-live-night")["TopicArn"]
queue = sqs.create_queue(QueueName="go-live-night-inbox")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
print(json.dumps({"topic": topic, "queue": queue}))
"#;

const SQS_READ: &str = r#"
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id="testing", aws_secret_access_key="testing")
sqs = boto3.client("sqs", **kw)
got = sqs.receive_message(QueueUrl=sys.argv[3], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
print(json.dumps([json.loads(m["Body"])["Message"] for m in got]))
"#;

#[test]
fn an_sns_topic_is_read_back_through_an_sqs_subscription() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let up: serde_json::Value = serde_json::from_str(&ok(data, &["demo", "up", "--json"])).unwrap();
    let _down = common::DemoDown(data);
    let endpoint = up["endpoint_url"].as_str().unwrap().to_string();
    let region = up["region"].as_str().unwrap_or("af-south-1").to_string();
    let made = Command::new(python())
        .args(["-c", SNS_WORLD, &endpoint, &region])
        .output()
        .unwrap();
    let world: serde_json::Value = serde_json::from_slice(&made.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&made.stderr)));
    let lead = ["--as", "Sam Lead", "--role", "Technical Lead"];
    let items = import(data);
    ok(
        data,
        &[
            &[
                "run",
                "start",
                "notify-drill",
                "--live",
                "--t0",
                &t0_in(-45),
                "--notify-sns",
                world["topic"].as_str().unwrap(),
                "--notify-env",
                "DEMO",
                "--late-after",
                "10",
            ][..],
            &lead,
        ]
        .concat(),
    );
    ok(
        data,
        &[&["item", "check", "notify-drill", &items[0]][..], &lead].concat(),
    );
    ok(
        data,
        &[&["signoff", "notify-drill", "phase-1"][..], &lead].concat(),
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut messages: Vec<String> = Vec::new();
    while Instant::now() < deadline
        && !(messages.iter().any(|m| m.contains("signed off"))
            && messages.iter().any(|m| m.contains("min late")))
    {
        let read = Command::new(python())
            .args([
                "-c",
                SQS_READ,
                &endpoint,
                &region,
                world["queue"].as_str().unwrap(),
            ])
            .output()
            .unwrap();
        let got: Vec<String> = serde_json::from_slice(&read.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&read.stderr)));
        messages.extend(got);
    }
    assert!(
        messages.iter().any(|m| m.contains("[live live-1] Notify Drill: phase phase-1 signed off by Sam Lead")),
        "{messages:?}"
    );
    // T0 was 45 minutes ago and phase 2 (planned to end at T+30) has not finished.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Phase 2: Cut Over (20 min) is") && m.contains("min late")),
        "{messages:?}"
    );
}
