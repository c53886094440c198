use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runbook/tests/fixtures")
        .join(name)
}

fn flightdeck(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("FLIGHTDECK_DATA_DIR")
        .output()
        .unwrap()
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    let out = flightdeck(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn inspect_json_has_counts_and_phases() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("cutover.md");
    let json = ok_json(
        dir.path(),
        &["runbook", "inspect", path.to_str().unwrap(), "--json"],
    );
    assert_eq!(json["checklist_items"], 13);
    assert_eq!(json["checked_items"], 2);
    assert_eq!(
        json["phases"][0]["title"],
        "Phase 3: Payments Cutover (Mar 4, 2026)"
    );
    assert_eq!(json["phases"][0]["items"].as_array().unwrap().len(), 13);
    assert!(
        !dir.path().join("flightdeck.db").exists(),
        "inspect must not create state"
    );
}

#[test]
fn import_status_check_and_uncheck() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let path = fixture("cutover.md");
    let imported = ok_json(
        data,
        &["runbook", "import", path.to_str().unwrap(), "--json"],
    );
    assert_eq!(imported["key"], "phase-3-payments-cutover-mar-4-2026");
    let key = imported["key"].as_str().unwrap();

    let status = ok_json(data, &["status", key, "--json"]);
    assert_eq!(
        (status["total"].as_u64(), status["complete"].as_u64()),
        (Some(13), Some(2))
    );

    let items = ok_json(data, &["status", key, "--phase", "phase-3", "--json"]);
    let id = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == "Freeze announced to merchants")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let no_identity = flightdeck(data, &["item", "check", key, &id]);
    assert!(!no_identity.status.success());
    assert!(
        stderr(&no_identity).contains("flightdeck identity set"),
        "{}",
        stderr(&no_identity)
    );

    let out = flightdeck(data, &["identity", "set", "Thandi", "DBA"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let checked = ok_json(
        data,
        &[
            "item",
            "check",
            key,
            &id,
            "--note",
            "mail sent 09:12",
            "--json",
        ],
    );
    assert_eq!(checked["state"], "done");
    assert_eq!(checked["by"], "Thandi");
    assert_eq!(checked["role"], "dba");
    assert_eq!(ok_json(data, &["status", key, "--json"])["complete"], 3);

    let unchecked = ok_json(
        data,
        &[
            "item",
            "uncheck",
            key,
            &id,
            "--as",
            "Lee",
            "--role",
            "technical_lead",
            "--json",
        ],
    );
    assert_eq!(unchecked["state"], Value::Null);
    assert_eq!(unchecked["note"], "mail sent 09:12");
    assert_eq!(ok_json(data, &["status", key, "--json"])["complete"], 2);

    let stakeholder = flightdeck(
        data,
        &[
            "item",
            "check",
            key,
            &id,
            "--as",
            "Ama",
            "--role",
            "client_stakeholder",
        ],
    );
    assert_eq!(stakeholder.status.code(), Some(1));
    assert!(
        stderr(&stakeholder).contains("read-only"),
        "{}",
        stderr(&stakeholder)
    );
    assert_eq!(ok_json(data, &["status", key, "--json"])["complete"], 2);

    let list = ok_json(data, &["runbook", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let human = flightdeck(data, &["status", key]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("2/13 items complete"));
}

#[test]
fn bad_input_fails_cleanly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = fixture("cutover.md");
    ok_json(
        &data,
        &["runbook", "import", good.to_str().unwrap(), "--json"],
    );
    let before = ok_json(&data, &["runbook", "list", "--json"]);

    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.path().join("logo.md");
    std::fs::write(&binary, b"# Title\n\n- [ ] x\n\x89PNG\x00\x00").unwrap();
    let latin1 = dir.path().join("latin1.md");
    std::fs::write(&latin1, b"# T\n\n- [ ] caf\xe9 ready\n").unwrap();
    let huge = dir.path().join("huge.md");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    let missing = dir.path().join("missing.md");

    let cases: [(&Path, &str); 6] = [
        (&empty, "empty.md: the file is empty"),
        (&binary, "logo.md:4:"),
        (&latin1, "latin1.md:3:"),
        (&huge, "larger than the"),
        (&missing, "missing.md"),
        (dir.path(), "is a directory"),
    ];
    for (path, expected) in cases {
        for command in ["inspect", "import"] {
            let out = flightdeck(&data, &["runbook", command, path.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{command} {path:?}: {}",
                stderr(&out)
            );
            let err = stderr(&out);
            assert!(err.starts_with("error: "), "{err}");
            assert!(err.contains(expected), "{command} {path:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
    let out = flightdeck(
        &data,
        &["runbook", "import", binary.to_str().unwrap(), "--json"],
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "runbook_binary");
    assert_eq!(ok_json(&data, &["runbook", "list", "--json"]), before);

    let out = flightdeck(&data, &["status", "no-such-runbook"]);
    assert!(stderr(&out).contains("no runbook named 'no-such-runbook'"));
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.md");
    std::fs::write(&file, flightdeck_runbook::synthetic_runbook(512 * 1024)).unwrap();
    let args = ["runbook", "inspect", file.to_str().unwrap(), "--json"];
    // Far more than a pipe holds, so the writer must meet the closed pipe.
    assert!(flightdeck(dir.path(), &args).stdout.len() > 1024 * 1024);

    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{err}");
}
