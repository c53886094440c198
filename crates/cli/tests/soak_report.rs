//! Soak checkpoints on a schedule, manual confirmation by role, and the HTML report, end to end
//! through the `flightdeck` binary against the demo world in moto.

mod common;

use std::path::Path;

use common::{flightdeck, text};

const RUNBOOK: &str = "# Soak Drill\n\n## Phase 1: Deploy\n\n**Sign-Off Roles**: Technical Lead\n\n- [x] deployed\n\n## Phase 2: Soak\n\n**Depends On**: Phase 1\n\n- [ ] watch the service\n\n```flightdeck-criteria\n[soak]\ncheckpoints = 2\nevery = \"2s\"\n\n[[criterion]]\nname = \"ECS CPU\"\nnamespace = \"AWS/ECS\"\nmetric = \"CPUUtilization\"\ndimensions = { ClusterName = \"harbour-prod\", ServiceName = \"ledger-api\" }\nstat = \"Average\"\nperiod = 60\npass_when = \"<\"\nthreshold = 80\n\n[[criterion]]\nname = \"Both checkpoints passed\"\ncheckpoints_passed = 2\n\n[[criterion]]\nname = \"Client is happy\"\nconfirmed_by = \"Client Stakeholder\"\n```\n";

#[test]
fn soak_confirmation_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let run = |args: &[&str]| flightdeck(data, args, None);
    let up = run(&["demo", "up"]);
    let _down = common::DemoDown(data);
    assert!(up.status.success(), "{}", text(&up));
    let file = data.join("soak-drill.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    assert!(run(&["runbook", "import", file.to_str().unwrap()])
        .status
        .success());
    let key = "soak-drill";
    let lead = ["--as", "Ana Lead", "--role", "Technical Lead"];
    let client = ["--as", "Chris Client", "--role", "Client Stakeholder"];

    // The soak waits for Phase 1's sign-off like any work in Phase 2.
    let early = run(&[
        &["soak", "start", key, "--phase", "phase-2", "--env", "DEMO"][..],
        &lead,
    ]
    .concat());
    assert!(!early.status.success());
    assert!(
        text(&early).contains("phase 'phase-2' is closed"),
        "{}",
        text(&early)
    );
    let signed = run(&[&["signoff", key, "phase-1"][..], &lead].concat());
    assert!(signed.status.success(), "{}", text(&signed));
    let started = run(&[
        &["soak", "start", key, "--phase", "phase-2", "--env", "DEMO"][..],
        &lead,
    ]
    .concat());
    assert!(started.status.success(), "{}", text(&started));
    assert!(
        text(&started).contains("2 checkpoints"),
        "{}",
        text(&started)
    );
    let again = run(&[
        &["soak", "start", key, "--phase", "phase-2", "--env", "DEMO"][..],
        &lead,
    ]
    .concat());
    assert!(
        text(&again).contains("a soak of phase-2 in DEMO started at"),
        "{}",
        text(&again)
    );

    // Not yet due; then both fall due and each is recorded once.
    let waiting = run(&["gonogo", key, "--env", "DEMO", "--json"]);
    assert_eq!(waiting.status.code(), Some(2), "{}", text(&waiting));
    assert!(text(&waiting).contains("0 of 2 soak checkpoints passed so far"));
    std::thread::sleep(std::time::Duration::from_millis(4200));
    let ran = run(&[&["soak", "run", key, "--json"][..], &lead].concat());
    assert!(ran.status.success(), "{}", text(&ran));
    let recorded: serde_json::Value = serde_json::from_slice(&ran.stdout).unwrap();
    let verdicts: Vec<&str> = recorded
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["go", "go"], "{recorded}");
    assert!(
        text(&run(&[&["soak", "run", key][..], &lead].concat())).contains("no checkpoint is due")
    );
    let status = run(&["soak", "status", key]);
    assert!(text(&status).contains("#1"), "{}", text(&status));
    assert!(!text(&status).contains("pending"), "{}", text(&status));

    // Only the role the criterion names may confirm it.
    let wrong = run(&[&["confirm", key, "Client is happy"][..], &lead].concat());
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains(
            "only a Client Stakeholder may confirm 'Client is happy'; Ana Lead is a Technical Lead"
        ),
        "{}",
        text(&wrong)
    );
    let confirmed = run(&[
        &[
            "confirm",
            key,
            "Client is happy",
            "--note",
            "month-end ran clean",
        ][..],
        &client,
    ]
    .concat());
    assert!(confirmed.status.success(), "{}", text(&confirmed));
    let go = run(&["gonogo", key, "--env", "DEMO", "--window", "120"]);
    assert_eq!(go.status.code(), Some(0), "{}", text(&go));
    assert!(text(&go).contains("2 of 2 soak checkpoints passed"));
    assert!(text(&go).contains("confirmed by Chris Client (Client Stakeholder)"));

    // The report: one file, charts inline, nothing fetched from anywhere.
    let out = data.join("report.html");
    let report = run(&[
        "report",
        key,
        "--env",
        "DEMO",
        "--out",
        out.to_str().unwrap(),
        "--window",
        "120",
    ]);
    assert!(report.status.success(), "{}", text(&report));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("data-verdict=\"go\""), "the verdict");
    assert!(
        html.contains("data:image/png;base64,iVBORw0KGgo"),
        "a PNG chart inline"
    );
    assert!(html.contains("Soak: Phase 2: Soak"));
    assert!(html.contains("month-end ran clean"));
    assert!(html.contains("Ana Lead (technical_lead)"), "the sign-off");
    assert!(html.contains("watch the service"), "the open item");
    for external in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "the report references {external}");
    }
    assert!(!Path::new(&format!("{}.partial", out.display())).exists());

    // The monitoring grid's latest values, CloudFront's read in us-east-1.
    let monitor = run(&["monitor", "--env", "DEMO", "--range", "360"]);
    assert!(monitor.status.success(), "{}", text(&monitor));
    for panel in [
        "ECS CPU",
        "ALB healthy hosts",
        "RDS free storage",
        "CloudFront 5xx rate",
    ] {
        assert!(text(&monitor).contains(panel), "{}", text(&monitor));
    }
    assert!(!text(&monitor).contains("no data"), "{}", text(&monitor));
    assert!(run(&["demo", "down"]).status.success());
}
