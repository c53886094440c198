//! `flightdeck evidence` and validation results end to end: files kept under their SHA-256 with
//! the hash in the audit trail, a changed file found, a 100 MB file in bounded memory, and the
//! reasons a live run asks for.

mod common;

use std::io::Write;

use common::{cli, json, ok, ok_with, text};

use sha2::{Digest, Sha256};

const RUNBOOK: &str = "# Evidence Drill\n\n## Phase 1: Verify\n\n### Verification\n\n- [ ] Backup restored to scratch\n- [ ] Health endpoint answers\n- [ ] Legacy export checked\n";

/// The largest resident set of any child this process has waited for, in bytes.
fn children_max_rss() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn evidence_is_kept_by_hash_verified_and_bounded_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("drill.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    let name = format!("Evidence Lead {}", std::process::id());
    ok(data, &["identity", "set", &name, "technical_lead"]);
    ok(data, &["runbook", "import", file.to_str().unwrap()]);
    let items: Vec<String> = json(
        data,
        &["status", "evidence-drill", "--phase", "phase-1", "--json"],
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|i| i["id"].as_str().unwrap().to_string())
    .collect();

    // A file: kept under its SHA-256, which the audit trail holds.
    let log = data.join("restore.log");
    std::fs::write(&log, "restored 1,204 rows into scratch_wp\n").unwrap();
    let sha = hex::encode(Sha256::digest(std::fs::read(&log).unwrap()));
    let attached = json(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[0],
            "--file",
            log.to_str().unwrap(),
            "--note",
            "scratch restore",
            "--json",
        ],
    );
    assert_eq!(attached["evidence"]["sha256"], sha.as_str());
    assert_eq!(attached["evidence"]["name"], "restore.log");
    let kept = data.join("evidence").join(&sha[..2]).join(&sha[2..]);
    assert_eq!(std::fs::read(&kept).unwrap(), std::fs::read(&log).unwrap());
    let trail = ok(data, &["audit", "export", "--jsonl"]);
    assert!(trail.contains(&sha), "the hash is in the audit trail");

    // Pasted output (standard input) and a link.
    ok_with(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[1],
            "--output",
            "-",
        ],
        Some("HTTP/1.1 200 OK\n{\"status\":\"healthy\"}\n"),
    );
    ok(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[1],
            "--link",
            "https://grafana.example/d/health",
        ],
    );
    let bad = cli(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[1],
            "--link",
            "grafana",
        ],
    );
    assert!(
        text(&bad).contains("'grafana' is not a link"),
        "{}",
        text(&bad)
    );
    let missing = cli(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[1],
            "--file",
            "/nonexistent/x.log",
        ],
    );
    assert!(
        text(&missing).contains("/nonexistent/x.log"),
        "{}",
        text(&missing)
    );
    assert_eq!(
        json(data, &["evidence", "list", "evidence-drill", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Intact, then a kept file changed behind Flightdeck's back is found.
    assert!(ok(data, &["evidence", "verify", "evidence-drill"])
        .contains("3 piece(s) of evidence checked"));
    std::fs::write(&kept, "restored 9,999 rows\n").unwrap();
    let verify = cli(data, &["evidence", "verify", "evidence-drill"]);
    assert!(!verify.status.success());
    assert!(text(&verify).contains("CHANGED"), "{}", text(&verify));

    // 100 MB is streamed through a fixed buffer: the process stays far below its size.
    let big = data.join("heap.dump");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let block: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
    }
    let before = children_max_rss();
    let attached = json(
        data,
        &[
            "evidence",
            "attach",
            "evidence-drill",
            &items[2],
            "--file",
            big.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(attached["evidence"]["bytes"], 100 * 1024 * 1024);
    let peak = children_max_rss().max(before);
    assert!(
        peak < 60 * 1024 * 1024,
        "attaching 100 MB peaked at {} MB",
        peak / (1024 * 1024)
    );

    // Validation results, and what a live run asks for.
    let untested = cli(data, &["item", "not-tested", "evidence-drill", &items[2]]);
    assert!(
        text(&untested).contains("needs a comment"),
        "{}",
        text(&untested)
    );
    ok(
        data,
        &[
            "item",
            "not-tested",
            "evidence-drill",
            &items[2],
            "--note",
            "legacy export host unreachable",
        ],
    );
    ok(
        data,
        &[
            "run",
            "start",
            "evidence-drill",
            "--live",
            "--t0",
            "2027-01-10 09:00 +00:00",
        ],
    );
    let skipped = cli(data, &["item", "na", "evidence-drill", &items[0]]);
    assert!(
        text(&skipped).contains("not applicable in a live run needs a reason"),
        "{}",
        text(&skipped)
    );
    ok(
        data,
        &[
            "item",
            "na",
            "evidence-drill",
            &items[0],
            "--note",
            "no backup in this release",
        ],
    );
}
