//! `cargo bench -p flightdeck-cli --bench team`: a shared release against moto (DynamoDB), with
//! the real keyring (run it inside `dbus-run-session -- bash scripts/with-keyring.sh`).
//!
//! 1. Propagation: from a tick written to the log by desktop A until desktop B (a
//!    `flightdeck team sync --watch 2` process, the app's interval) has applied it, over 100
//!    ticks spread over B's cycle: p50 and p95.
//! 2. Join: a release of 10,000 items and 50,000 events, joined by a new desktop: time and
//!    DynamoDB requests.
//! 3. Throughput: three desktops (three `flightdeck team sync` processes) writing 300 waiting
//!    changes each at once: events per second, and writes retried because another desktop took
//!    the sequence number. Beside it, in the same run, the floor moto sets: three boto3
//!    processes appending events of the same size the same way (transactions of 25, each put
//!    conditional on its number, a lost race re-reads the last number and tries again).
//!
//! `FLIGHTDECK_BENCH_EVENTS` sets the join's events (50,000 by default).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use flightdeck_cloud::{dynamodb_calls, MotoServer, TeamLog};
use flightdeck_core::{EnvironmentInput, Flightdeck};
use flightdeck_store::{Actor, Author, Event, EventBody, ItemState, ItemUpdate, Role, SigningKey};
use flightdeck_vault::{ExposeSecret, SecretString, Vault};

const BIN: &str = env!("CARGO_BIN_EXE_flightdeck");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cli(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn runbook(title: &str, items: usize) -> String {
    let mut md = format!("# {title}\n\n");
    for phase in 0..items.div_ceil(1000) {
        md.push_str(&format!("## Phase {}: Part {phase}\n\n", phase + 1));
        for i in phase * 1000..((phase + 1) * 1000).min(items) {
            md.push_str(&format!("- [ ] step {i} of the cutover\n"));
        }
        md.push('\n');
    }
    md
}

/// A desktop: its data directory with the TEAM environment, tested, and its person.
async fn desktop(root: &Path, who: &str, role: Role, endpoint: &str) -> (Flightdeck, Actor) {
    let dir = root.join(who);
    let fd = Flightdeck::open(&dir).unwrap();
    let name = format!("Bench {who} {}", std::process::id());
    let actor = fd.set_identity(&name, role).unwrap();
    fd.save_environment(
        Some(&actor),
        EnvironmentInput {
            name: "TEAM".into(),
            colour: None,
            account_id: Some("123456789012".into()),
            region: "af-south-1".into(),
            dr_region: None,
            endpoint_url: Some(endpoint.into()),
            guard: None,
            profile: None,
            access_key_id: Some("FDBENCHKEY000000001".into()),
            secret_access_key: Some(SecretString::from("bench-secret".to_string())),
        },
    )
    .unwrap();
    fd.test_environment(Some(&actor), "TEAM").await.unwrap();
    (fd, actor)
}

/// Shares `title` (with `items` items) from `owner` in its own `table` (moto copies a whole
/// table in each transaction, so one measurement does not slow the next), and adds the others.
async fn release(
    root: &Path,
    title: &str,
    items: usize,
    table: &str,
    owner: &(Flightdeck, Actor),
    members: &[&(Flightdeck, Actor)],
) -> (String, String) {
    let file = root.join(format!("{}.md", title.replace(' ', "-")));
    std::fs::write(&file, runbook(title, items)).unwrap();
    let key = owner.0.import_file(&file).unwrap().key;
    let shared = owner
        .0
        .share(&owner.1, &key, "TEAM", Some(table))
        .await
        .unwrap();
    for (fd, actor) in members {
        let invite = fd.invite(actor).unwrap();
        owner
            .0
            .add_member(
                &owner.1,
                &key,
                &invite.name,
                invite.role,
                &invite.public_key,
            )
            .await
            .unwrap();
    }
    (key, shared.release.uri)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn propagation(root: &Path, endpoint: &str) {
    let a = desktop(root, "a", Role::TechnicalLead, endpoint).await;
    let b = desktop(root, "b", Role::ClientStakeholder, endpoint).await;
    let (key, uri) = release(
        root,
        "Propagation Drill",
        10,
        "flightdeck-propagation",
        &a,
        &[&b],
    )
    .await;
    let b_dir = b.0.data_dir().to_path_buf();
    drop(b);
    cli(&b_dir, &["team", "join", &uri, "--env", "TEAM"]);
    let _watch = Killed(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&b_dir)
            .args(["team", "sync", "--watch", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let items = a.0.read().unwrap().items(&key).unwrap();
    let replica = rusqlite::Connection::open(b_dir.join("flightdeck.db")).unwrap();
    let mut seen = Vec::new();
    for n in 0..100 {
        // Ticks fall anywhere in B's 2-second cycle, not in step with it.
        tokio::time::sleep(Duration::from_millis((n as u64 * 739) % 2000)).await;
        let update = ItemUpdate {
            state: if n % 2 == 0 {
                Some(ItemState::Done)
            } else {
                None
            },
            note: Some(format!("tick {n}")),
        };
        a.0.change_item(&a.1, &key, &items[n % items.len()].id, &update)
            .unwrap();
        a.0.sync(&key).await.unwrap();
        let shared = Instant::now();
        let want = a.0.read().unwrap().release(&key).unwrap().unwrap().last_seq;
        loop {
            let have: i64 = replica
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM team_log", [], |r| {
                    r.get(0)
                })
                .unwrap_or(0);
            if have >= want {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        seen.push(shared.elapsed());
    }
    seen.sort();
    println!(
        "propagation, 100 ticks, B polling every 2 s: p50 {:.2} s, p95 {:.2} s, max {:.2} s",
        percentile(&seen, 0.5).as_secs_f64(),
        percentile(&seen, 0.95).as_secs_f64(),
        seen.last().unwrap().as_secs_f64()
    );
}

async fn join(root: &Path, endpoint: &str, events: usize) {
    let owner = desktop(root, "owner", Role::TechnicalLead, endpoint).await;
    let joiner = desktop(root, "joiner", Role::ClientStakeholder, endpoint).await;
    let (key, uri) = release(
        root,
        "Join Drill",
        10_000,
        "flightdeck-join",
        &owner,
        &[&joiner],
    )
    .await;
    let items = owner.0.read().unwrap().items(&key).unwrap();
    // The owner's events, signed with their key from the keyring, written straight to the log
    // (the way desktops append them, many at once) to build a long history quickly.
    let secret = Vault::new()
        .get(&format!("signing-key/{}", owner.1.name))
        .unwrap();
    let bytes: [u8; 32] = hex::decode(secret.expose_secret())
        .unwrap()
        .try_into()
        .unwrap();
    let author = Author::new(Some(owner.1.clone()), SigningKey::from_bytes(&bytes));
    let first = owner
        .0
        .read()
        .unwrap()
        .release(&key)
        .unwrap()
        .unwrap()
        .last_seq
        + 1;
    let env = owner.0.read().unwrap().environment("TEAM").unwrap();
    let release = uri.rsplit('/').next().unwrap().split('?').next().unwrap();
    let log = TeamLog::connect(&env, &Vault::new(), "flightdeck-join", release)
        .await
        .unwrap();
    let log = std::sync::Arc::new(log);
    let started = Instant::now();
    let mut writing = tokio::task::JoinSet::new();
    for n in 0..events {
        let body = EventBody {
            id: format!("{:032x}", 0xbe00_0000_0000u64 + n as u64),
            at: "2026-12-02T21:04:00Z".into(),
            author: Some(owner.1.clone()),
            desktop: "bench/0000".into(),
            event: Event::ItemChanged {
                runbook: key.clone(),
                item: items[n % items.len()].id.clone(),
                state: Some(ItemState::Done),
                note: Some(format!("event {n}")),
            },
        };
        let json = serde_json::to_string(&author.sign(&body)).unwrap();
        if writing.len() >= 32 {
            writing.join_next().await.unwrap().unwrap();
        }
        let log = log.clone();
        writing.spawn(async move {
            log.append(first + n as i64, &body.id, &json).await.unwrap();
        });
    }
    while let Some(done) = writing.join_next().await {
        done.unwrap();
    }
    println!(
        "join: wrote {events} signed events in {:.1} s ({:.0} events/s, 32 at a time)",
        started.elapsed().as_secs_f64(),
        events as f64 / started.elapsed().as_secs_f64()
    );
    // The emulator's own share: the whole log read once, as a join reads it.
    let started = Instant::now();
    let served = log.read_after(0).await.unwrap().len();
    let reading = started.elapsed();
    let (fd, _) = joiner;
    let calls = dynamodb_calls();
    let started = Instant::now();
    let view = fd.join(&uri, "TEAM").await.unwrap();
    let took = started.elapsed();
    let state = fd.read().unwrap().items(&key).unwrap();
    assert_eq!(state.len(), 10_000);
    assert_eq!(view.rejected.len(), 0);
    println!(
        "join of 10,000 items and {} events: {:.1} s, {} DynamoDB requests; moto alone takes {:.1} s to serve the {served} events",
        view.release.last_seq,
        took.as_secs_f64(),
        dynamodb_calls() - calls,
        reading.as_secs_f64()
    );
}

async fn throughput(root: &Path, endpoint: &str) {
    let lead = desktop(root, "t-lead", Role::TechnicalLead, endpoint).await;
    let dba = desktop(root, "t-dba", Role::Dba, endpoint).await;
    let ops = desktop(root, "t-ops", Role::DevopsEngineer, endpoint).await;
    let (key, uri) = release(
        root,
        "Throughput Drill",
        50,
        "flightdeck-throughput",
        &lead,
        &[&dba, &ops],
    )
    .await;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (fd, actor) in [&lead, &dba, &ops] {
        if fd.read().unwrap().release(&key).unwrap().is_none() {
            cli(fd.data_dir(), &["team", "join", &uri, "--env", "TEAM"]);
        }
        let items = fd.read().unwrap().items(&key).unwrap();
        for n in 0..300 {
            let update = ItemUpdate {
                state: Some(ItemState::Done),
                note: Some(format!("{} {n}", actor.name)),
            };
            fd.change_item(actor, &key, &items[n % items.len()].id, &update)
                .unwrap();
        }
        dirs.push(fd.data_dir().to_path_buf());
    }
    let env = lead.0.read().unwrap().environment("TEAM").unwrap();
    drop((lead, dba, ops));
    let bytes: i64 = rusqlite::Connection::open(dirs[0].join("flightdeck.db"))
        .unwrap()
        .query_row(
            "SELECT CAST(AVG(LENGTH(signed)) AS INTEGER) FROM outbox",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let started = Instant::now();
    let children: Vec<Child> = dirs
        .iter()
        .map(|dir| {
            Command::new(BIN)
                .arg("--data-dir")
                .arg(dir)
                .args(["team", "sync", &key, "--json"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut retried = 0;
    let mut pushed = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let round: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        retried += round["retried"].as_u64().unwrap();
        pushed += round["pushed"].as_u64().unwrap();
    }
    let took = started.elapsed();
    println!(
        "throughput, 3 desktops writing 300 changes each at once: {pushed} events in {:.1} s = {:.0} events/s; {retried} writes retried after another desktop took the number",
        took.as_secs_f64(),
        pushed as f64 / took.as_secs_f64()
    );
    TeamLog::connect(
        &env,
        &Vault::new(),
        "flightdeck-reference",
        "boto3-reference",
    )
    .await
    .unwrap()
    .ensure_table()
    .await
    .unwrap();
    boto3_reference(endpoint, "flightdeck-reference", 300, bytes as usize);
}

/// One boto3 writer of the reference: `python -c BOTO3_WRITER ENDPOINT TABLE RELEASE WRITER
/// EVENTS BYTES`; prints how many transactions it retried.
const BOTO3_WRITER: &str = r##"
import sys, boto3
endpoint, table, release, writer, events, size = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
c = boto3.client("dynamodb", endpoint_url=endpoint, region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="y")
def last():
    got = c.query(TableName=table, KeyConditionExpression="#r = :r", ExpressionAttributeNames={"#r": "release"},
                  ExpressionAttributeValues={":r": {"S": release}}, ScanIndexForward=False, Limit=1, ConsistentRead=True)["Items"]
    return int(got[0]["seq"]["N"]) if got else 0
done, retried = 0, 0
while done < events:
    batch = min(25, events - done)
    first = last() + 1
    puts = [{"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(seq)",
             "Item": {"release": {"S": release}, "seq": {"N": str(first + i)}, "event_id": {"S": f"{writer}-{done + i}"},
                      "event": {"S": "x" * size}}}} for i in range(batch)]
    try:
        c.transact_write_items(TransactItems=puts)
        done += batch
    except c.exceptions.TransactionCanceledException:
        retried += 1
print(retried)
"##;

/// The reference: three boto3 processes appending `events` events of `bytes` each at once to
/// `table`.
fn boto3_reference(endpoint: &str, table: &str, events: usize, bytes: usize) {
    let python = MotoServer::locate().unwrap().with_file_name("python");
    let started = Instant::now();
    let writers: Vec<Child> = (0..3)
        .map(|w| {
            Command::new(&python)
                .args(["-c", BOTO3_WRITER, endpoint, table, "boto3-reference"])
                .args([w.to_string(), events.to_string(), bytes.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut retried = 0;
    for writer in writers {
        let out = writer.wait_with_output().unwrap();
        assert!(out.status.success());
        retried += String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u64>()
            .unwrap();
    }
    let took = started.elapsed();
    println!(
        "reference, 3 boto3 processes appending {events} events of {bytes} bytes each the same way: {} events in {:.1} s = {:.0} events/s; {retried} transactions retried",
        3 * events,
        took.as_secs_f64(),
        (3 * events) as f64 / took.as_secs_f64()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let events: usize = std::env::var("FLIGHTDECK_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let moto = MotoServer::start(&MotoServer::locate().unwrap()).unwrap();
    let root = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        propagation(root.path(), &moto.url()).await;
        throughput(root.path(), &moto.url()).await;
        join(root.path(), &moto.url(), events).await;
    });
}
