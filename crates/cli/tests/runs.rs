//! `flightdeck run`, `--run`, `timeline` and fixed-start holds end to end, with the real
//! keyring holding the signing key.

mod common;

use common::{cli, json, ok, t0_in, t0_in_at_noon, text as said};

const RUNBOOK: &str = "# Night Shift\n\n## Phase 1: Prep (T-30 minutes)\n\n**Duration**: 20 minutes\n\n- [ ] War room open\n\n## Batch 1: Cutover (23:30-23:59)\n\n- [ ] DNS switched\n";

#[test]
fn a_rehearsal_and_a_live_run_side_by_side_with_holds_and_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("night.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    let name = format!("Run Lead {}", std::process::id());
    ok(data, &["identity", "set", &name, "technical_lead"]);
    ok(data, &["runbook", "import", file.to_str().unwrap()]);
    let ids: Vec<String> = ["phase-1", "batch-1"]
        .iter()
        .map(|phase| {
            json(data, &["status", "night-shift", "--phase", phase, "--json"])[0]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    ok(data, &["item", "check", "night-shift", &ids[0]]);

    // A rehearsal whose T0 is an hour ahead, at noon in its own offset: its 23:30 batch is held.
    let t0 = t0_in_at_noon(60);
    let started = json(
        data,
        &[
            "run",
            "start",
            "night-shift",
            "--rehearsal",
            "--t0",
            &t0,
            "--json",
        ],
    );
    assert_eq!(started["key"], "night-shift@rehearsal-1");
    let status = json(data, &["status", "night-shift", "--json"]);
    assert_eq!(status["key"], "night-shift@rehearsal-1");
    assert_eq!(status["complete"], 0, "a new run starts clean");
    assert_eq!(
        json(
            data,
            &["status", "night-shift", "--run", "default", "--json"]
        )["complete"],
        1,
        "the default run keeps what was ticked before"
    );

    ok(data, &["item", "check", "night-shift", &ids[0]]);
    let held = cli(data, &["item", "check", "night-shift", &ids[1]]);
    let text = said(&held);
    assert!(!held.status.success());
    assert!(
        text.contains("'Batch 1: Cutover (23:30-23:59)' is held until 23:30"),
        "{text}"
    );
    assert!(text.contains("--early"), "{text}");
    let early = cli(
        data,
        &[
            "item",
            "check",
            "night-shift",
            &ids[1],
            "--early",
            "change window moved (CHG-881)",
        ],
    );
    assert!(early.status.success(), "{}", said(&early));
    let trail = ok(data, &["audit", "export", "--jsonl"]);
    assert!(trail.contains("hold_overridden") && trail.contains("change window moved (CHG-881)"));

    let live = json(
        data,
        &[
            "run",
            "start",
            "night-shift",
            "--live",
            "--t0",
            &t0_in_at_noon(-120),
            "--name",
            "go-live",
            "--json",
        ],
    );
    assert_eq!(live["key"], "night-shift@go-live");
    assert_eq!(
        json(data, &["status", "night-shift", "--json"])["complete"],
        0
    );
    assert_eq!(
        json(
            data,
            &["status", "night-shift", "--run", "rehearsal-1", "--json"]
        )["complete"],
        2,
        "the rehearsal keeps its ticks beside the live run"
    );

    let runs = json(data, &["run", "list", "night-shift", "--json"]);
    let names: Vec<(&str, bool)> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("default", false),
            ("rehearsal-1", false),
            ("go-live", true)
        ]
    );

    // The live run started two hours ago (at noon, its time) with nothing ticked: phase 1 is
    // late, and the end is safe only because the batch waits for its clock time that evening.
    let timeline = json(data, &["timeline", "night-shift", "--json"]);
    let phase = &timeline["timeline"]["items"][0];
    assert_eq!(phase["planned"]["id"], "phase-1");
    assert!(phase["late_minutes"].as_i64().unwrap() >= 140, "{timeline}");
    let headline = timeline["timeline"]["headline"].as_str().unwrap();
    assert!(
        headline.contains("'Phase 1: Prep (T-30 minutes)' is 2 h"),
        "{headline}"
    );
    let text = ok(data, &["timeline", "night-shift"]);
    assert!(text.contains("Phase 1: Prep (T-30 minutes)"), "{text}");

    let unknown = cli(data, &["status", "night-shift", "--run", "dress"]);
    assert!(said(&unknown)
        .contains("has no run named 'dress'; its runs are default, rehearsal-1, go-live"));
    let no_t0 = cli(data, &["timeline", "night-shift", "--run", "default"]);
    assert!(
        said(&no_t0).contains("has no planned start (T0)"),
        "{}",
        said(&no_t0)
    );

    ok(data, &["run", "end", "night-shift"]);
    assert_eq!(
        json(data, &["status", "night-shift", "--json"])["key"],
        "night-shift@rehearsal-1",
        "after the live run ends, the open rehearsal is current again"
    );
}

#[test]
fn a_live_runs_review_compares_it_with_the_rehearsal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("deploy.md");
    std::fs::write(
        &file,
        "# Deploy Night\n\n## Phase 1: Deploy\n\n### Task 1.1: Push (10 min)\n\n- [ ] Images pushed\n\n### Task 1.2: Migrate (10 min)\n\n- [ ] Migrations applied\n\n## Phase 2: Verify (15 min)\n\n- [ ] Smoke tests green\n",
    )
    .unwrap();
    let name = format!("Review Lead {}", std::process::id());
    ok(data, &["identity", "set", &name, "technical_lead"]);
    ok(data, &["runbook", "import", file.to_str().unwrap()]);
    let items: Vec<String> = ["phase-1", "phase-2"]
        .iter()
        .flat_map(|phase| {
            json(
                data,
                &["status", "deploy-night", "--phase", phase, "--json"],
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
        })
        .collect();

    ok(
        data,
        &[
            "run",
            "start",
            "deploy-night",
            "--rehearsal",
            "--t0",
            &t0_in(-40),
        ],
    );
    for item in &items {
        ok(data, &["item", "check", "deploy-night", item]);
    }
    ok(data, &["run", "end", "deploy-night"]);

    ok(
        data,
        &[
            "run",
            "start",
            "deploy-night",
            "--live",
            "--t0",
            &t0_in(-30),
        ],
    );
    ok(data, &["item", "check", "deploy-night", &items[0]]);
    ok(
        data,
        &[
            "item",
            "na",
            "deploy-night",
            &items[1],
            "--note",
            "no schema change in this release",
        ],
    );
    ok(
        data,
        &[
            "item",
            "fail",
            "deploy-night",
            &items[2],
            "--note",
            "checkout 500s",
        ],
    );

    let out = data.join("review.html");
    let said_ok = ok(
        data,
        &["review", "deploy-night", "--out", out.to_str().unwrap()],
    );
    assert!(
        said_ok.contains("review of deploy-night@live-1 written"),
        "{said_ok}"
    );
    let html = std::fs::read_to_string(&out).unwrap();
    for needle in [
        "Post-implementation review: Deploy Night",
        "live run live-1",
        "data:image/png;base64,",
        "Planned against actual",
        "The critical path as it happened",
        "Against the rehearsal (rehearsal-1)",
        "no schema change in this release",
        "checkout 500s",
        "Go/no-go decisions",
    ] {
        assert!(html.contains(needle), "the review lacks '{needle}'");
    }
    assert!(
        !html.contains("src=\"http"),
        "the review loads nothing from outside"
    );
}
