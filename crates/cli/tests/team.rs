//! One release, three desktops: a lead, a DBA and a client stakeholder, each a data directory
//! of its own driven by `flightdeck` processes, against one moto (DynamoDB) and the real
//! keyring. Sharing and joining, concurrent ticks from two desktops, a desktop offline, a push
//! killed with SIGKILL, events forged straight into the table, and a replica's file rewritten.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use common::{flightdeck, moto_server, text};
use flightdeck_cloud::MotoServer;
use flightdeck_store::{Actor, Author, Event, EventBody, Role, SigningKey};
use flightdeck_vault::{ExposeSecret, Vault};

const PLANTED: &str = "FdTeamPlantedSecret-51d0-DO-NOT-LEAK";
const KEY: &str = "ledger-cutover-team-drill";
const TICKS: usize = 200;

fn runbook() -> String {
    let mut md = String::from("# Ledger Cutover Team Drill\n\n## Phase 1: Cutover\n\n");
    for i in 0..10 {
        md.push_str(&format!("- [ ] step {i}\n"));
    }
    md.push_str("\n## Phase 2: Hypercare\n\n- [ ] watch the dashboards\n");
    md
}

struct Desktop {
    dir: PathBuf,
    name: String,
}

impl Desktop {
    fn run(&self, args: &[&str]) -> Output {
        flightdeck(&self.dir, args, None)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            self.name,
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// The environment TEAM at `endpoint`, with the planted secret as its secret key.
    fn environment(&self, endpoint: &str) {
        let add = flightdeck(
            &self.dir,
            &[
                "env",
                "add",
                "TEAM",
                "--region",
                "af-south-1",
                "--account",
                "123456789012",
                "--access-key-id",
                "FDTEAMKEY0000000001",
                "--endpoint-url",
                endpoint,
            ],
            Some(PLANTED),
        );
        assert!(add.status.success(), "{}", text(&add));
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.join("flightdeck.db")).unwrap()
    }

    /// The log as this replica read it: (seq, event id, refused?).
    fn log(&self) -> Vec<(i64, String, bool)> {
        self.db()
            .prepare("SELECT seq, event_id, rejected IS NOT NULL FROM team_log ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn state(&self) -> Vec<(String, Option<String>, Option<String>, String)> {
        self.db()
            .prepare("SELECT item_id, state, note, actor FROM item_state ORDER BY item_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

fn unique(name: &str) -> String {
    format!("{name} {}", std::process::id())
}

fn python(script: &str, args: &[&str]) -> String {
    let venv = moto_server().parent().unwrap().join("python");
    let out = Command::new(venv)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const TABLE_CLIENT: &str = "import sys, boto3; t = boto3.resource('dynamodb', endpoint_url=sys.argv[1], region_name='af-south-1', aws_access_key_id='x', aws_secret_access_key='y').Table('flightdeck-releases')";

fn put_raw(endpoint: &str, release: &str, seq: i64, event: &str) {
    python(
        &format!("{TABLE_CLIENT}; t.put_item(Item={{'release': sys.argv[2], 'seq': int(sys.argv[3]), 'event_id': 'forged', 'event': sys.argv[4]}})"),
        &[endpoint, release, &seq.to_string(), event],
    );
}

fn items(desktop: &Desktop) -> Vec<String> {
    let list = desktop.json(&["status", KEY, "--phase", "phase-1", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// `count` ticks by one desktop, one process each, cycling through the items' states.
fn tick_many(desktop: &Desktop, items: &[String], count: usize, tag: &str) {
    let verbs = ["check", "na", "fail", "uncheck"];
    for n in 0..count {
        let item = &items[n % items.len()];
        let verb = verbs[(n / items.len()) % verbs.len()];
        desktop.ok(&["item", verb, KEY, item, "--note", &format!("{tag} {n}")]);
    }
}

/// The chain hash of a signed entry, as anyone who reads the code can recompute it.
fn chain_hash(prev: &str, signed: &serde_json::Value) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for part in [
        prev,
        signed["body"].as_str().unwrap(),
        signed["public_key"].as_str().unwrap(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.update(signed["signature"].as_str().unwrap().as_bytes());
    hex::encode(h.finalize())
}

fn release_of(uri: &str) -> String {
    uri.rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn three_desktops_share_one_release_and_see_one_truth() {
    let moto = MotoServer::start(&moto_server()).unwrap();
    let endpoint = moto.url();
    let root = tempfile::tempdir().unwrap();
    let desktop = |who: &str, role: &str| {
        let d = Desktop {
            dir: root.path().join(who),
            name: unique(who),
        };
        d.environment(&endpoint);
        d.ok(&["env", "test", "TEAM"]);
        d.ok(&["identity", "set", &d.name, role]);
        d
    };
    let lead = desktop("lead", "technical_lead");
    let dba = desktop("dba", "dba");
    let client = desktop("client", "client_stakeholder");

    // The lead shares; the others join with the URI and their invite codes.
    let file = root.path().join("drill.md");
    std::fs::write(&file, runbook()).unwrap();
    lead.ok(&["runbook", "import", file.to_str().unwrap()]);
    let shared = lead.json(&["team", "share", KEY, "--env", "TEAM", "--json"]);
    let uri = shared["release"]["uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with("flightdeck://123456789012/af-south-1/flightdeck-releases/"));
    for member in [&dba, &client] {
        let code = member.ok(&["team", "invite"]);
        lead.ok(&["team", "add", "--invite", code.trim()]);
        member.ok(&["team", "join", &uri, "--env", "TEAM"]);
    }
    let list = items(&lead);
    assert_eq!(items(&client), list, "the same runbook, the same item ids");

    // A stakeholder cannot tick, here or anywhere.
    let refused = client.run(&["item", "check", KEY, &list[0]]);
    assert!(!refused.status.success());

    // Lead and DBA tick at once, each from their own processes.
    std::thread::scope(|s| {
        s.spawn(|| tick_many(&lead, &list, TICKS, "lead"));
        s.spawn(|| tick_many(&dba, &list, TICKS, "dba"));
    });
    for d in [&lead, &dba, &client] {
        d.ok(&["team", "sync"]);
    }
    let log = lead.log();
    assert_eq!(dba.log(), log);
    assert_eq!(client.log(), log);
    let ids: std::collections::HashSet<&String> = log.iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids.len(), log.len(), "no event twice");
    assert!(log.iter().all(|(_, _, refused)| !refused));
    // Sharing, two members, and every tick: the stakeholder's refusal stays on their desktop.
    assert_eq!(log.len(), 1 + 2 + 2 * TICKS);
    assert_eq!(
        log.iter().map(|e| e.0).collect::<Vec<_>>(),
        (1..=log.len() as i64).collect::<Vec<_>>()
    );
    assert_eq!(dba.state(), lead.state());
    assert_eq!(client.state(), lead.state());
    for d in [&lead, &dba, &client] {
        d.ok(&["audit", "verify"]);
    }
    // The item's history keeps both desktops' changes.
    let history: i64 = client
        .db()
        .query_row(
            "SELECT COUNT(DISTINCT actor) FROM item_history WHERE item_id = ?1",
            [&list[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(history, 2);

    // The DBA goes offline: ten changes wait in the outbox, in order, then go out.
    dba.environment("http://127.0.0.1:9");
    for n in 0..10 {
        let out = dba.run(&[
            "item",
            "check",
            KEY,
            &list[n % list.len()],
            "--note",
            &format!("offline {n}"),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("not yet shared"), "{}", text(&out));
    }
    let status = dba.json(&["team", "status", "--json"]);
    assert_eq!(status[0]["sync"]["state"], "offline", "{status}");
    assert_eq!(status[0]["sync"]["pending"], 10, "{status}");
    dba.environment(&endpoint);
    dba.ok(&["team", "sync"]);
    lead.ok(&["team", "sync"]);
    let notes: Vec<String> = lead
        .db()
        .prepare("SELECT json_extract(signed, '$.body') FROM team_log ORDER BY seq DESC LIMIT 10")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| {
            let body: serde_json::Value = serde_json::from_str(&b.unwrap()).unwrap();
            body["event"]["note"].as_str().unwrap().to_string()
        })
        .collect();
    let expected: Vec<String> = (0..10).rev().map(|n| format!("offline {n}")).collect();
    assert_eq!(notes, expected, "pushed in the order they were made");
    assert_eq!(lead.state(), dba.state());

    // A push killed with SIGKILL, then run again: nothing lost, nothing twice.
    dba.environment("http://127.0.0.1:9");
    for n in 0..20 {
        dba.ok(&[
            "item",
            "na",
            KEY,
            &list[n % list.len()],
            "--note",
            &format!("kill {n}"),
        ]);
    }
    dba.environment(&endpoint);
    let mut push = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["--data-dir", dba.dir.to_str().unwrap(), "team", "sync"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let _ = push.kill();
    let _ = push.wait();
    dba.ok(&["team", "sync"]);
    lead.ok(&["team", "sync"]);
    let log = lead.log();
    let ids: std::collections::HashSet<&String> = log.iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids.len(), log.len(), "no event twice after the kill");
    assert_eq!(log.len(), 3 + 2 * TICKS + 10 + 20, "none lost");
    assert_eq!(dba.log(), log);
    assert_eq!(lead.state(), dba.state());

    // Forgeries written straight into the table.
    let release = release_of(&uri);
    let vault = Vault::new();
    let client_key = vault.get(&format!("signing-key/{}", client.name)).unwrap();
    let client_key: [u8; 32] = hex::decode(client_key.expose_secret())
        .unwrap()
        .try_into()
        .unwrap();
    let lead_actor = Actor::new(&lead.name, Role::TechnicalLead).unwrap();
    let tick_as = |author: Option<Actor>| EventBody {
        id: format!(
            "{:032x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ),
        at: "2026-12-02T21:04:00Z".into(),
        author,
        desktop: "forger/0000".into(),
        event: Event::ItemChanged {
            runbook: KEY.into(),
            item: list[1].clone(),
            state: None,
            note: Some("forged".into()),
        },
    };
    let mut next = log.len() as i64 + 1;
    // Signed by the stakeholder's key, claiming to be the lead.
    let as_lead = Author::new(
        Some(lead_actor.clone()),
        SigningKey::from_bytes(&client_key),
    )
    .sign(&tick_as(Some(lead_actor.clone())));
    put_raw(
        &endpoint,
        &release,
        next,
        &serde_json::to_string(&as_lead).unwrap(),
    );
    next += 1;
    // Signed by the stakeholder as themselves: a tick their role may not make.
    let client_actor = Actor::new(&client.name, Role::ClientStakeholder).unwrap();
    let own = Author::new(
        Some(client_actor.clone()),
        SigningKey::from_bytes(&client_key),
    )
    .sign(&tick_as(Some(client_actor)));
    put_raw(
        &endpoint,
        &release,
        next,
        &serde_json::to_string(&own).unwrap(),
    );
    next += 1;
    // A signature that does not match its event.
    let mut bad = as_lead.clone();
    bad.body = bad.body.replace("forged", "altered");
    put_raw(
        &endpoint,
        &release,
        next,
        &serde_json::to_string(&bad).unwrap(),
    );
    let before = lead.state();
    for d in [&lead, &dba, &client] {
        d.ok(&["team", "sync"]);
        let status = d.json(&["team", "status", "--json"]);
        let refused = status[0]["rejected"].as_array().unwrap();
        assert_eq!(refused.len(), 3, "{}: {status}", d.name);
        let reasons: Vec<&str> = refused
            .iter()
            .map(|r| r["reason"].as_str().unwrap())
            .collect();
        assert!(
            reasons[0].contains("not") && reasons[0].contains("key"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("read-only"), "{reasons:?}");
        assert!(reasons[2].contains("signature"), "{reasons:?}");
        let verify = d.run(&["audit", "verify"]);
        assert!(!verify.status.success());
        assert!(text(&verify).contains("refused"), "{}", text(&verify));
        assert_eq!(d.state(), before, "nothing forged was applied");
    }

    // An event edited in the table after every replica applied it: `team verify` names it,
    // and a replica that joins now refuses it.
    let edited_seq = 5;
    python(
        &format!("{TABLE_CLIENT}; i = t.get_item(Key={{'release': sys.argv[2], 'seq': int(sys.argv[3])}})['Item']; i['event'] = i['event'].replace('2026-', '2027-', 1); t.put_item(Item=i)"),
        &[&endpoint, &release, &edited_seq.to_string()],
    );
    let verify = lead.run(&["team", "verify", KEY]);
    assert!(!verify.status.success());
    assert!(
        text(&verify).contains(&format!("#{edited_seq}")),
        "{}",
        text(&verify)
    );

    // The DBA's file rewritten: a trail entry's event altered and every hash after it
    // recomputed. The chain holds; its signature and the log do not.
    let raw = dba.db();
    raw.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    let (target, signed): (i64, String) = raw
        .query_row(
            "SELECT id, signed FROM audit WHERE kind = 'item' AND signed LIKE '%dba 7%' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    raw.execute(
        "UPDATE audit SET signed = ?1 WHERE id = ?2",
        rusqlite::params![signed.replace("dba 7", "dba 8"), target],
    )
    .unwrap();
    let rows: Vec<(i64, String)> = raw
        .prepare("SELECT id, signed FROM audit WHERE id >= ?1 ORDER BY id")
        .unwrap()
        .query_map([target], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev: String = raw
        .query_row("SELECT prev_hash FROM audit WHERE id = ?1", [target], |r| {
            r.get(0)
        })
        .unwrap();
    for (id, text) in rows {
        let signed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let hash = chain_hash(&prev, &signed);
        raw.execute(
            "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev, hash, id],
        )
        .unwrap();
        raw.execute(
            "UPDATE settings SET value = ?1 WHERE key = 'audit_head'",
            [format!("{id}:{hash}")],
        )
        .unwrap();
        prev = hash;
    }
    let verify = dba.run(&["team", "verify", KEY]);
    assert!(!verify.status.success());
    assert!(
        text(&verify).contains(&format!("audit entry {target} differs")),
        "{}",
        text(&verify)
    );
    let audit = dba.run(&["audit", "verify"]);
    assert!(
        text(&audit).contains(&format!("broken at entry {target}")),
        "{}",
        text(&audit)
    );

    // The lead's file rewritten: an item's state changed with no event.
    let raw = lead.db();
    raw.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    raw.execute(
        "UPDATE item_state SET state = 'done', note = 'rewritten' WHERE item_id = ?1",
        [&list[2]],
    )
    .unwrap();
    let report = lead.run(&["audit", "verify", "--json"]);
    assert!(
        text(&report).contains("changed without an event"),
        "{}",
        text(&report)
    );
    lead.ok(&["team", "rebuild", KEY]);
    let note: Option<String> = lead
        .db()
        .query_row(
            "SELECT note FROM item_state WHERE item_id = ?1",
            [&list[2]],
            |r| r.get(0),
        )
        .unwrap();
    assert_ne!(note.as_deref(), Some("rewritten"), "rebuilt from the log");
    assert_eq!(lead.state(), dba.state());

    // No credential in the table.
    let dump = python(
        &format!("{TABLE_CLIENT}; print(t.scan()['Items'])"),
        &[&endpoint],
    );
    assert!(dump.contains(&release));
    assert!(!dump.contains(PLANTED));
    assert!(!dump.contains("FDTEAMKEY"), "no access key id either");
    drop(moto);
}
