//! `flightdeck evidence` and validation results end to end: files kept under their SHA-256 with
//! the hash in the audit trail, a changed file found, a 100 MB file in bounded memory, and the
//! reasons a live run asks for.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

fn flightdeck(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = flightdeck(data, args);
    assert!(out.status.success(), "{args:?}: {}", said(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(data, args)).unwrap()
}

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "evidence",
            "attach",
            "evidence-drill",
            &items[1],
            "--output",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"HTTP/1.1 200 OK\n{\"status\":\"healthy\"}\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
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
    let bad = flightdeck(
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
        said(&bad).contains("'grafana' is not a link"),
        "{}",
        said(&bad)
    );
    let missing = flightdeck(
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
        said(&missing).contains("/nonexistent/x.log"),
        "{}",
        said(&missing)
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
    let verify = flightdeck(data, &["evidence", "verify", "evidence-drill"]);
    assert!(!verify.status.success());
    assert!(said(&verify).contains("CHANGED"), "{}", said(&verify));

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
    let untested = flightdeck(data, &["item", "not-tested", "evidence-drill", &items[2]]);
    assert!(
        said(&untested).contains("needs a comment"),
        "{}",
        said(&untested)
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
    let skipped = flightdeck(data, &["item", "na", "evidence-drill", &items[0]]);
    assert!(
        said(&skipped).contains("not applicable in a live run needs a reason"),
        "{}",
        said(&skipped)
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
