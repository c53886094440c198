//! `flightdeck signoff`, `gate`, `decide` and `audit verify|export` end to end, with the real
//! keyring holding the signing key.

mod common;

use common::{cli, text};

const RUNBOOK: &str = "# Cli Gates\n\n## Phase 1: Prepare\n\n- [ ] Backup taken\n- [ ] Alarms green\n\n**Ready for Phase 2**: [ ] YES [ ] NO\n\n## Phase 2: Cut Over\n\n**Depends On**: Phase 1\n\n- [ ] DNS switched\n";

#[test]
fn sign_off_open_the_gate_and_detect_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("gates.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    let name = format!("Cli Lead {}", std::process::id());
    assert!(cli(data, &["identity", "set", &name, "technical_lead"])
        .status
        .success());
    assert!(cli(data, &["runbook", "import", file.to_str().unwrap()])
        .status
        .success());
    let items: serde_json::Value = serde_json::from_slice(
        &cli(
            data,
            &["status", "cli-gates", "--phase", "phase-1", "--json"],
        )
        .stdout,
    )
    .unwrap();
    let ids: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();

    let closed = cli(data, &["gate", "cli-gates", "phase-2"]);
    assert!(
        text(&closed).contains("phase-2: waits for 'Phase 1: Prepare': not signed off yet"),
        "{}",
        text(&closed)
    );
    assert!(cli(data, &["item", "check", "cli-gates", &ids[0]])
        .status
        .success());
    let waiver = format!("{}=alarm added after go-live (CR-12)", ids[1]);
    let signed = cli(
        data,
        &[
            "signoff",
            "cli-gates",
            "phase-1",
            "--yes",
            "Ready for Phase 2",
            "--waive",
            &waiver,
        ],
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let open = cli(data, &["gate", "cli-gates", "phase-2"]);
    assert!(text(&open).starts_with("phase-2: open"), "{}", text(&open));
    let gate1 = text(&cli(data, &["gate", "cli-gates", "phase-1"]));
    assert!(
        gate1.contains("waived") && gate1.contains("CR-12"),
        "{gate1}"
    );

    let decided = cli(
        data,
        &[
            "decide",
            "cli-gates",
            "go",
            "--reason",
            "all criteria green",
        ],
    );
    assert!(decided.status.success(), "{}", text(&decided));

    let verify = cli(data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("2 signatures checked"),
        "{}",
        text(&verify)
    );
    let export = String::from_utf8(cli(data, &["audit", "export", "--jsonl"]).stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(export.lines().next().unwrap()).unwrap();
    assert_eq!(first["signers"][0]["signer"], name.as_str());
    assert_eq!(
        export.lines().count(),
        1 + 4,
        "signers line, then: signer key, tick, sign-off, decision"
    );

    let raw = rusqlite::Connection::open(data.join("flightdeck.db")).unwrap();
    raw.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET subject = 'x' WHERE id = 3;")
        .unwrap();
    let broken = cli(data, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken).contains("broken at entry 3"),
        "{}",
        text(&broken)
    );
}
