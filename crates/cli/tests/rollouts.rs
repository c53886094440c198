//! `flightdeck rollout` end to end against moto, with metrics the test publishes while the
//! rollout runs in its own `flightdeck` process: healthy promotions step by step, a breach
//! rolled back at once with its reason and timing, silence held and never promoted, an alarm
//! already firing at the start, a driver killed with SIGKILL and taken up again, PROD
//! confirmation and a stakeholder who sees but may not promote.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{flightdeck, text};
use serde_json::Value;

/// A load balancer, a Lambda function and a Route53 zone, each sending all traffic to the
/// stable version, made with boto3 from the test venv.
const WORLD: &str = r#"
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
lam.create_alias(FunctionName="ledger-fn", Name="live", FunctionVersion="1")
ec2 = boto3.client("ec2", **kw)
vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"af-south-1{z}")["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
elb = boto3.client("elbv2", **kw)
lb = elb.create_load_balancer(Name="ledger-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
blue = elb.create_target_group(Name="ledger-blue", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
green = elb.create_target_group(Name="ledger-green", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": blue, "Weight": 100}, {"TargetGroupArn": green, "Weight": 0}]}}])["Listeners"][0]["ListenerArn"]
r53 = boto3.client("route53", **kw)
zone = r53.create_hosted_zone(Name="drill.example.com", CallerReference="drill")["HostedZone"]["Id"].split("/")[-1]
r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": {"Name": "api.drill.example.com", "Type": "A", "SetIdentifier": sid, "Weight": w, "TTL": 60, "ResourceRecords": [{"Value": ip}]}}
    for sid, w, ip in (("blue", 100, "10.0.0.1"), ("green", 0, "10.0.0.2"))]})
r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.drill.example.com", "Type": "A", "TTL": 3, "ResourceRecords": [{"Value": "10.0.0.3"}]}}]})
print(json.dumps({"listener": listener, "blue": blue, "green": green, "zone": zone}))
"#;

/// Publishes the value in a file as the drill's error rate every 300 ms ("none": nothing; an
/// empty file is one being written).
const PUBLISHER: &str = r#"
import sys, time, datetime, boto3
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
while True:
    text = open(sys.argv[2]).read().strip()
    if text not in ("", "none"):
        cw.put_metric_data(Namespace="Drill/App", MetricData=[{"MetricName": "ErrorRate", "Dimensions": [{"Name": "Service", "Value": "ledger"}], "Timestamp": datetime.datetime.now(datetime.timezone.utc), "Value": float(text)}])
    time.sleep(0.3)
"#;

/// Reads what AWS holds now, with boto3.
const READ: &str = r#"
import json, sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
what = sys.argv[2]
if what == "alb":
    l = boto3.client("elbv2", **kw).describe_listeners(ListenerArns=[sys.argv[3]])["Listeners"][0]
    print(json.dumps({t["TargetGroupArn"].split("/")[-2]: t["Weight"] for t in l["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]}))
elif what == "lambda":
    a = boto3.client("lambda", **kw).get_alias(FunctionName="ledger-fn", Name="live")
    print(json.dumps({"version": a["FunctionVersion"], "weights": a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})}))
elif what == "route53":
    sets = boto3.client("route53", **kw).list_resource_record_sets(HostedZoneId=sys.argv[3])["ResourceRecordSets"]
    print(json.dumps({s["SetIdentifier"]: s["Weight"] for s in sets if "SetIdentifier" in s}))
elif what == "www":
    sets = boto3.client("route53", **kw).list_resource_record_sets(HostedZoneId=sys.argv[3])["ResourceRecordSets"]
    www = [s for s in sets if s["Name"] == "www.drill.example.com."][0]
    print(json.dumps({"ttl": www["TTL"], "values": [r["Value"] for r in www["ResourceRecords"]]}))
elif what == "alarm":
    cw = boto3.client("cloudwatch", **kw)
    cw.put_metric_alarm(AlarmName="drill-latency-high", Namespace="Drill/App", MetricName="Latency", Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=2, ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName="drill-latency-high", StateValue="ALARM", StateReason="drill")
    print("{}")
"#;

fn python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

fn py(script: &str, args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// A child process stopped (SIGKILL) when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// The runbook of the drill, with the world's ARNs in it.
fn runbook(world: &Value) -> String {
    let listener = world["listener"].as_str().unwrap();
    let blue = world["blue"].as_str().unwrap();
    let green = world["green"].as_str().unwrap();
    let zone = world["zone"].as_str().unwrap();
    let error_rate = "[[action.criterion]]\nname = \"Error rate\"\nnamespace = \"Drill/App\"\nmetric = \"ErrorRate\"\ndimensions = { Service = \"ledger\" }\nperiod = 1\npass_when = \"<\"\nthreshold = 5\nunit = \"%\"\n";
    let silent = "[[action.criterion]]\nname = \"Throttles\"\nnamespace = \"Drill/App\"\nmetric = \"Throttles\"\nperiod = 1\npass_when = \"<\"\nthreshold = 1\n";
    format!(
        r#"# Rollout Drill

## Phase 1: Go-live traffic

```flightdeck
rollback_roles = ["Technical Lead"]

[[action]]
id = "alb-canary"
kind = "rollout"
steps = [10, 50, 100]
pause = "2s"
interval = "1s"
alb = {{ listener_arn = "{listener}", stable = "{blue}", canary = "{green}" }}
{error_rate}
[[action]]
id = "lambda-canary"
kind = "rollout"
steps = [10, 50, 100]
pause = "30s"
interval = "1s"
lambda = {{ function = "ledger-fn", alias = "live", version = "2" }}
{error_rate}
[[action]]
id = "dns-canary"
kind = "rollout"
steps = [10, 50, 100]
pause = "4s"
interval = "1s"
route53 = {{ zone_id = "{zone}", name = "api.drill.example.com", type = "A", stable = "blue", canary = "green" }}
{error_rate}
[[action]]
id = "silent-canary"
kind = "rollout"
steps = [10, 100]
pause = "1s"
interval = "1s"
inconclusive_limit = 1
existing_alarms = "ignore"
alb = {{ listener_arn = "{listener}", stable = "{blue}", canary = "{green}" }}
{silent}
[[action]]
id = "blocked-canary"
kind = "rollout"
steps = [10, 100]
pause = "1s"
alb = {{ listener_arn = "{listener}", stable = "{blue}", canary = "{green}" }}
{error_rate}```

- [ ] traffic on the new version

## Phase 2: DNS cutover

```flightdeck
[[action]]
id = "lower-ttl"
kind = "route53.ttl"
zone_id = "{zone}"
name = "www.drill.example.com"
type = "A"
ttl = 1

[[action]]
id = "cut-over"
kind = "route53.records"
zone_id = "{zone}"
name = "www.drill.example.com"
type = "A"
values = ["10.0.0.9"]
```

- [ ] DNS points at the new stack
"#
    )
}

struct Drill {
    dir: tempfile::TempDir,
    data: PathBuf,
    endpoint: String,
    world: Value,
    metric: PathBuf,
    _publisher: Killed,
}

impl Drill {
    /// A drill acted in by `lead`: each test its own person, since the tests share one keyring
    /// and a person's signing key is made once per name.
    fn new(lead: &str) -> Drill {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_path_buf();
        let up = flightdeck(&data, &["demo", "up", "--json"], None);
        let _down = common::DemoDown(&data);
        assert!(up.status.success(), "{}", text(&up));
        let status: Value = serde_json::from_slice(&up.stdout).unwrap();
        let endpoint = status["endpoint_url"].as_str().unwrap().to_string();
        let world = py(WORLD, &[&endpoint]);
        let file = data.join("drill.md");
        std::fs::write(&file, runbook(&world)).unwrap();
        let import = flightdeck(&data, &["runbook", "import", file.to_str().unwrap()], None);
        assert!(import.status.success(), "{}", text(&import));
        let me = flightdeck(&data, &["identity", "set", lead, "technical_lead"], None);
        assert!(me.status.success(), "{}", text(&me));
        let metric = data.join("error-rate");
        std::fs::write(&metric, "0.5").unwrap();
        let publisher = Command::new(python())
            .arg("-c")
            .arg(PUBLISHER)
            .arg(&endpoint)
            .arg(&metric)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::mem::forget(_down);
        Drill {
            dir,
            data,
            endpoint,
            world,
            metric,
            _publisher: Killed(publisher),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        flightdeck(&self.data, args, None)
    }

    /// Where the drivers' error output goes, every driver after the last.
    fn drivers_log(&self) -> PathBuf {
        self.data.join("drivers.log")
    }

    /// `flightdeck rollout run` in its own process, left running; what it says on stderr is kept
    /// for a failing wait to show.
    fn drive(&self, step: &str) -> Killed {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.drivers_log())
            .unwrap();
        Killed(
            Command::new(env!("CARGO_BIN_EXE_flightdeck"))
                .arg("--data-dir")
                .arg(&self.data)
                .args([
                    "rollout",
                    "run",
                    "rollout-drill",
                    step,
                    "--env",
                    "DEMO",
                    "--yes",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        )
    }

    fn status(&self, step: &str) -> Value {
        let out = self.run(&[
            "rollout",
            "status",
            "rollout-drill",
            step,
            "--env",
            "DEMO",
            "--json",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Waits until the step's rollout satisfies `done`, at most `seconds`.
    fn wait(&self, step: &str, seconds: u64, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let out = self.run(&[
                "rollout",
                "status",
                "rollout-drill",
                step,
                "--env",
                "DEMO",
                "--json",
            ]);
            if out.status.success() {
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                if done(&v) {
                    return v;
                }
                assert!(
                    Instant::now() < deadline,
                    "rollout of {step} did not get there: {}\nthe drivers said: {}",
                    serde_json::to_string_pretty(&v).unwrap(),
                    std::fs::read_to_string(self.drivers_log()).unwrap_or_default()
                );
            } else {
                assert!(Instant::now() < deadline, "{}", text(&out));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn read(&self, what: &str) -> Value {
        let arg = match what {
            "alb" => self.world["listener"].as_str().unwrap(),
            "route53" | "www" => self.world["zone"].as_str().unwrap(),
            _ => "",
        };
        py(READ, &[&self.endpoint, what, arg])
    }
}

impl Drop for Drill {
    fn drop(&mut self) {
        drop(common::DemoDown(self.dir.path()));
    }
}

fn changes(view: &Value, change: &str) -> Vec<Value> {
    view["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"]["change"] == change)
        .map(|e| e["change"].clone())
        .collect()
}

#[test]
fn healthy_steps_promote_and_a_breach_rolls_back_at_once() {
    let drill = Drill::new("Ana Lead");

    // The plan shows every step, the criteria and the rollback.
    let plan = drill.run(&[
        "rollout",
        "plan",
        "rollout-drill",
        "alb-canary",
        "--env",
        "DEMO",
        "--json",
    ]);
    assert!(plan.status.success(), "{}", text(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["changes"].as_array().unwrap().len(), 3);
    assert!(
        plan["summary"]
            .as_str()
            .unwrap()
            .contains("0% now, then 10% → 50% → 100%, at least 2 seconds per step"),
        "{plan}"
    );
    let notes = plan["notes"].to_string();
    assert!(
        notes.contains("judged by its own criteria: Error rate"),
        "{notes}"
    );
    assert!(plan["undo"]["kind"] == "alb.weights", "{plan}");

    // Healthy: 10 → 50 → 100, each promotion after its pause.
    let run = drill.run(&[
        "rollout",
        "run",
        "rollout-drill",
        "alb-canary",
        "--env",
        "DEMO",
        "--yes",
        "--json",
    ]);
    assert!(run.status.success(), "{}", text(&run));
    let done: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(done["status"], "completed", "{done}");
    let shifts = changes(&done, "shifted");
    let percents: Vec<u64> = shifts
        .iter()
        .map(|s| s["to_percent"].as_u64().unwrap())
        .collect();
    assert_eq!(percents, [10, 50, 100]);
    assert!(shifts
        .iter()
        .all(|s| !s["request_ids"].as_array().unwrap().is_empty()));
    let at: Vec<i64> = done["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"]["change"] == "shifted")
        .map(|e| e["at_ms"].as_i64().unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[1] - w[0] >= 2000), "{at:?}");
    // Every promotion after the first follows a passing judgment of its step.
    let log = done["log"].as_array().unwrap();
    for (i, e) in log.iter().enumerate() {
        if e["change"]["change"] == "shifted" && e["change"]["to_percent"] != 10 {
            let before = log[..i]
                .iter()
                .rev()
                .find(|p| p["change"]["change"] == "judged")
                .unwrap();
            assert_eq!(before["change"]["verdict"], "pass", "{e}");
        }
    }
    assert!(changes(&done, "judged")
        .iter()
        .all(|j| j["verdict"] != "fail"));
    assert_eq!(
        drill.read("alb"),
        serde_json::json!({ "ledger-blue": 0, "ledger-green": 100 })
    );

    // A breach at the 50% step of the Lambda alias: rolled back to the start at once.
    let driver = drill.drive("lambda-canary");
    drill.wait("lambda-canary", 60, |v| v["percent"] == 50);
    std::fs::write(&drill.metric, "7.2").unwrap();
    let ended = drill.wait("lambda-canary", 60, |v| v["status"] == "rolled_back");
    drop(driver);
    // The criterion, its worst value in the breach (a second's average may mix the healthy and
    // the breaching samples), the threshold, how long, and the traffic it was judged at.
    let reason = ended["rollback_reason"].as_str().unwrap();
    let worst: f64 = reason
        .strip_prefix("Error rate ")
        .and_then(|r| r.split('%').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{reason}"));
    assert!((5.0..=7.2).contains(&worst), "{reason}");
    assert!(
        reason.contains("% >= 5% for ") && reason.ends_with("at 50% traffic"),
        "{reason}"
    );
    let timing = &ended["timing"];
    eprintln!("rollback timing: {timing}");
    assert!(
        timing["to_first_call_ms"].as_i64().unwrap() < 5000,
        "{timing}"
    );
    assert!(
        timing["to_complete_ms"].as_i64().unwrap() >= timing["to_first_call_ms"].as_i64().unwrap()
    );
    let back = changes(&ended, "shifted").last().cloned().unwrap();
    assert_eq!(
        (back["cause"].as_str(), back["to_percent"].as_u64()),
        (Some("rollback"), Some(0))
    );
    assert!(!back["request_ids"].as_array().unwrap().is_empty());
    assert_eq!(
        drill.read("lambda"),
        serde_json::json!({ "version": "1", "weights": {} })
    );

    // The audit trail has each promotion and the rollback with its reason.
    let trail = drill.run(&["audit", "export", "--jsonl"]);
    let trail = text(&trail);
    for kind in [
        "rollout_start",
        "rollout_promote",
        "rollout_rollback_begun",
        "rollout_rollback",
        "rollout_end",
    ] {
        assert!(trail.contains(kind), "{kind} is not in the trail");
    }
}

#[test]
fn silence_holds_an_alarm_already_firing_is_reported_and_roles_hold() {
    let drill = Drill::new("Sam Lead");
    py(READ, &[&drill.endpoint, "alarm"]);

    // The alarm in ALARM before the start: the plan says so, and "block" keeps it from starting.
    let plan = drill.run(&[
        "rollout",
        "plan",
        "rollout-drill",
        "blocked-canary",
        "--env",
        "DEMO",
    ]);
    assert!(
        text(&plan).contains("in ALARM before the rollout: drill-latency-high; the runbook says existing_alarms = \"block\""),
        "{}",
        text(&plan)
    );
    let blocked = drill.run(&[
        "rollout",
        "run",
        "rollout-drill",
        "blocked-canary",
        "--env",
        "DEMO",
        "--yes",
    ]);
    assert!(!blocked.status.success());
    assert!(
        text(&blocked).contains("existing_alarms = \"block\""),
        "{}",
        text(&blocked)
    );

    // "ignore": it starts, and the firing alarm is recorded as ignored. No data holds it.
    let driver = drill.drive("silent-canary");
    let held = drill.wait("silent-canary", 60, |v| v["status"] == "held");
    assert_eq!(
        held["ignored_alarms"],
        serde_json::json!(["drill-latency-high"])
    );
    assert_eq!(held["percent"], 10);
    assert!(
        held["reason"]
            .as_str()
            .unwrap()
            .contains("no data for Throttles"),
        "{held}"
    );
    let judged = changes(&held, "judged");
    assert!(
        judged.iter().all(|j| j["verdict"] == "inconclusive"),
        "{judged:?}"
    );
    std::thread::sleep(Duration::from_secs(3));
    let still = drill.status("silent-canary");
    assert_eq!(
        (still["status"].as_str(), still["percent"].as_u64()),
        (Some("held"), Some(10))
    );
    assert_eq!(
        changes(&still, "shifted").len(),
        1,
        "it never promotes on silence"
    );
    assert_eq!(
        drill.read("alb"),
        serde_json::json!({ "ledger-blue": 90, "ledger-green": 10 })
    );

    // A stakeholder sees it but may not promote; nothing is recorded but the refusal.
    let client = ["--as", "Chris Client", "--role", "Client Stakeholder"];
    let mut promote = vec![
        "rollout",
        "promote",
        "rollout-drill",
        "silent-canary",
        "--env",
        "DEMO",
        "--yes",
    ];
    promote.extend(client);
    let refused = drill.run(&promote);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("read-only"), "{}", text(&refused));
    assert_eq!(drill.status("silent-canary")["promote_asked"], false);

    // Abort asks for a confirmation, then the driving process rolls back.
    let unconfirmed = drill.run(&[
        "rollout",
        "abort",
        "rollout-drill",
        "silent-canary",
        "--env",
        "DEMO",
    ]);
    assert!(!unconfirmed.status.success());
    assert!(
        text(&unconfirmed).contains("confirm"),
        "{}",
        text(&unconfirmed)
    );
    let abort = drill.run(&[
        "rollout",
        "abort",
        "rollout-drill",
        "silent-canary",
        "--env",
        "DEMO",
        "--yes",
        "--reason",
        "no throttle metric yet",
    ]);
    assert!(abort.status.success(), "{}", text(&abort));
    let aborted = drill.wait("silent-canary", 30, |v| v["status"] == "aborted");
    drop(driver);
    assert_eq!(
        aborted["rollback_reason"],
        "aborted by Sam Lead: no throttle metric yet"
    );
    assert_eq!(
        drill.read("alb"),
        serde_json::json!({ "ledger-blue": 100, "ledger-green": 0 })
    );
}

#[test]
fn a_killed_driver_is_found_held_at_the_live_weights_and_resumed() {
    let drill = Drill::new("Kim Lead");

    // PROD-like confirmation: an environment that asks for its name typed.
    let endpoint = drill.endpoint.clone();
    let add = flightdeck(
        &drill.data,
        &[
            "env",
            "add",
            "PROD",
            "--region",
            "af-south-1",
            "--account",
            "123456789012",
            "--access-key-id",
            "FDDRILLKEY000000001",
            "--endpoint-url",
            &endpoint,
            "--guard",
            "type-name",
        ],
        Some("drill-secret-key"),
    );
    assert!(add.status.success(), "{}", text(&add));
    let tested = drill.run(&["env", "test", "PROD"]);
    assert!(tested.status.success(), "{}", text(&tested));
    let refused = drill.run(&[
        "rollout",
        "run",
        "rollout-drill",
        "dns-canary",
        "--env",
        "PROD",
        "--yes",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("type the environment's name, PROD, to confirm"),
        "{}",
        text(&refused)
    );

    // Killed with SIGKILL in the middle of a step.
    let mut first = drill.drive("dns-canary");
    let running = drill.wait("dns-canary", 60, |v| {
        v["percent"] == 10 && v["driven"] == true
    });
    assert_eq!(running["status"], "running");
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let orphan = drill.status("dns-canary");
    assert_eq!(
        (orphan["status"].as_str(), orphan["driven"].as_bool()),
        (Some("running"), Some(false))
    );
    let live = drill.read("route53");
    let live_percent = live["green"].as_u64().unwrap();

    // Started again: found, the live weights re-read, and it holds there, saying so.
    let _second = drill.drive("dns-canary");
    let held = drill.wait("dns-canary", 30, |v| {
        v["status"] == "held" && v["driven"] == true
    });
    let reason = held["reason"].as_str().unwrap();
    assert!(
        reason.contains("the process driving it stopped")
            && reason.contains(&format!("sends {live_percent}% to the canary")),
        "{reason}"
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        drill.status("dns-canary")["status"],
        "held",
        "it never continues blindly"
    );

    // Resume: the running driver takes it on to the end.
    let resume = drill.run(&[
        "rollout",
        "resume",
        "rollout-drill",
        "dns-canary",
        "--env",
        "DEMO",
        "--yes",
    ]);
    assert!(resume.status.success(), "{}", text(&resume));
    let done = drill.wait("dns-canary", 60, |v| v["status"] == "completed");
    assert_eq!(done["percent"], 100);
    assert_eq!(
        drill.read("route53"),
        serde_json::json!({ "blue": 0, "green": 100 })
    );

    // Killed again, and aborted with no process driving it: the abort itself rolls back.
    let mut third = drill.drive("lambda-canary");
    drill.wait("lambda-canary", 60, |v| {
        v["percent"] == 10 && v["driven"] == true
    });
    third.0.kill().unwrap();
    third.0.wait().unwrap();
    let abort = drill.run(&[
        "rollout",
        "abort",
        "rollout-drill",
        "lambda-canary",
        "--env",
        "DEMO",
        "--yes",
        "--json",
    ]);
    assert!(abort.status.success(), "{}", text(&abort));
    let aborted: Value = serde_json::from_slice(&abort.stdout).unwrap();
    assert_eq!(aborted["status"], "aborted", "{aborted}");
    assert_eq!(
        drill.read("lambda"),
        serde_json::json!({ "version": "1", "weights": {} })
    );
}

#[test]
fn a_dns_cutover_lowers_the_ttl_waits_it_out_and_switches_records_with_an_undo() {
    let drill = Drill::new("Lee Lead");
    let apply = |step: &str, direction: &str| {
        let out = drill.run(&[
            "action",
            direction,
            "rollout-drill",
            step,
            "--env",
            "DEMO",
            "--yes",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    let plan = drill.run(&[
        "action",
        "plan",
        "rollout-drill",
        "lower-ttl",
        "--env",
        "DEMO",
    ]);
    assert!(
        text(&plan).contains("set the TTL of Route53 www.drill.example.com A from 3 s to 1 s, then wait the old 3 s out"),
        "{}",
        text(&plan)
    );
    let started = Instant::now();
    let lowered = apply("lower-ttl", "apply");
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "the old TTL is waited out"
    );
    assert!(
        lowered.contains("waiting out the old TTL: 3 s left"),
        "{lowered}"
    );
    assert_eq!(
        drill.read("www"),
        serde_json::json!({ "ttl": 1, "values": ["10.0.0.3"] })
    );

    let plan = drill.run(&[
        "action",
        "plan",
        "rollout-drill",
        "cut-over",
        "--env",
        "DEMO",
    ]);
    assert!(
        text(&plan).contains("point Route53 www.drill.example.com A from 10.0.0.3 to 10.0.0.9"),
        "{}",
        text(&plan)
    );
    apply("cut-over", "apply");
    assert_eq!(
        drill.read("www"),
        serde_json::json!({ "ttl": 1, "values": ["10.0.0.9"] })
    );
    apply("cut-over", "undo");
    apply("lower-ttl", "undo");
    assert_eq!(
        drill.read("www"),
        serde_json::json!({ "ttl": 3, "values": ["10.0.0.3"] })
    );
}
