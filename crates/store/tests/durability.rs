//! A writer process killed with SIGKILL at arbitrary moments loses no committed change and
//! never leaves the database unreadable.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use flightdeck_runbook::parse;
use flightdeck_store::{Actor, Author, ItemState, ItemUpdate, Role, SigningKey, Store};

const DB_ENV: &str = "FLIGHTDECK_DURABILITY_DB";

fn runbook_md() -> String {
    let mut md = String::from("# Durability\n\n## Phase 1: Writes\n\n");
    for i in 0..400 {
        md.push_str(&format!("- [ ] item {i}\n"));
    }
    md
}

/// Run as a child process by the test below: ticks items one by one, printing each committed
/// item id, until it is killed.
#[test]
#[ignore = "helper process for killed_writer_loses_no_committed_change"]
fn writer_child() {
    let Ok(path) = std::env::var(DB_ENV) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let actor = Author::new(
        Some(Actor::new("Writer", Role::Dba).unwrap()),
        SigningKey::from_bytes(&[5; 32]),
    );
    let items = store.items("durability").unwrap();
    for (n, item) in items.iter().cycle().enumerate() {
        let state = if (n / items.len()).is_multiple_of(2) {
            Some(ItemState::Done)
        } else {
            None
        };
        let update = ItemUpdate {
            state,
            note: Some(format!("write {n}")),
        };
        store
            .set_item("durability", &item.id, &update, &actor)
            .unwrap();
        println!("committed {} {n}", item.id);
    }
}

#[test]
fn killed_writer_loses_no_committed_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .import(
                "d.md",
                "sha",
                &parse("d.md", runbook_md().as_bytes()).unwrap(),
            )
            .unwrap();
    }
    for (round, kill_after) in [25usize, 140, 333, 517].into_iter().enumerate() {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "writer_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DB_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut last: Option<(String, String)> = None;
        let mut seen = 0;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("committed ") {
                let (id, n) = rest.split_once(' ').unwrap();
                last = Some((id.to_string(), n.to_string()));
                seen += 1;
                if seen == kill_after {
                    child.kill().unwrap();
                    break;
                }
            }
        }
        child.wait().unwrap();
        let (id, n) = last.unwrap_or_else(|| panic!("round {round}: the writer committed nothing"));
        let store = Store::open(&path).unwrap();
        store.check_integrity().unwrap();
        let item = store.item("durability", &id).unwrap();
        let note = item.note.unwrap();
        let written: usize = note.trim_start_matches("write ").parse().unwrap();
        let reported: usize = n.parse().unwrap();
        assert!(
            written >= reported,
            "round {round}: item {id} holds write {written}, but write {reported} was reported committed"
        );
    }
}
