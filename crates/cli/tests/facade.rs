//! Every mutating operation of the core façade, one table: a client stakeholder is refused
//! except where the runbook names the role, the refusal and each success are in the audit
//! trail, and the `flightdeck` binary gives the same result and the same audit entries as the
//! façade called in-process (the app's commands are the same one-line calls into it).

mod common;

use std::path::Path;

use common::{flightdeck, text};
use flightdeck_core::{
    BackupPlace, BackupRequest, Compression, DbLogin, Direction, EnvironmentInput, Error,
    Flightdeck, Progress, Reporter, RestoreRequest, SignoffRequest,
};
use flightdeck_store::{Actor, AuditEntry, Decision, ItemState, ItemUpdate, Role};

const RUNBOOK: &str = "# Facade Drill\n\n## Phase 1: Prepare\n\n**Sign-Off Roles**: Technical Lead\n\n- [ ] backup taken\n\n```flightdeck\n[[action]]\nid = \"scale\"\ntitle = \"Scale ledger-api\"\nkind = \"ecs.scale\"\ncluster = \"harbour\"\nservice = \"ledger-api\"\ndesired_count = 3\n```\n\n```flightdeck-criteria\n[[criterion]]\nname = \"Client is happy\"\nconfirmed_by = \"Client Stakeholder\"\n```\n\n## Phase 2: Accept\n\n**Depends On**: Phase 1\n**Sign-Off Roles**: Client Stakeholder\n\n- [x] accepted in the demo\n\n## Phase 3: Soak\n\n- [ ] watch\n\n```flightdeck-criteria\n[soak]\ncheckpoints = 2\nevery = \"1h\"\n\n[[criterion]]\nname = \"Both passed\"\ncheckpoints_passed = 2\n```\n";

/// Reports nothing: these operations are refused before any long work starts.
struct Silent(std::sync::Arc<Progress>);

impl Reporter for Silent {
    fn progress(&self) -> std::sync::Arc<Progress> {
        self.0.clone()
    }
    fn line(&self, _: &str) {}
    fn began(&self, _: i64) {}
}

type Call = Box<dyn Fn(&Flightdeck, &Actor) -> Result<(), Error>>;

struct Step {
    what: &'static str,
    who: Role,
    cli: Vec<String>,
    call: Call,
    allowed: bool,
}

fn block<F: std::future::Future<Output = Result<T, Error>>, T>(f: F) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
        .map(drop)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn steps(item: &str) -> Vec<Step> {
    let item = item.to_string();
    let tick = move |fd: &Flightdeck, a: &Actor| {
        let done = ItemUpdate {
            state: Some(ItemState::Done),
            note: Some("checked".into()),
        };
        fd.change_item(a, "facade-drill", &item, &done).map(drop)
    };
    let signoff = |phase: &'static str| {
        move |fd: &Flightdeck, a: &Actor| {
            let request = SignoffRequest {
                answers: vec![],
                waivers: vec![],
            };
            fd.sign_off(a, "facade-drill", phase, request).map(drop)
        }
    };
    let backup = |fd: &Flightdeck, a: &Actor| {
        let request = BackupRequest {
            databases: vec!["shop".into()],
            compression: Compression::parse("zstd").unwrap(),
            threads: None,
            checksums: true,
            to: BackupPlace::parse("/tmp/flightdeck-facade-never").unwrap(),
        };
        let login = DbLogin {
            secret: None,
            keyring: Some("facade-db".into()),
        };
        let silent = Silent(Default::default());
        block(fd.backup(a, "SIT", &login, &request, &silent))
    };
    let restore = |fd: &Flightdeck, a: &Actor| {
        let request = RestoreRequest {
            from: BackupPlace::parse("/tmp/flightdeck-facade-never").unwrap(),
            source: None,
            target: "shop".into(),
            over_existing: None,
            confirm: None,
            parallel: 2,
        };
        let login = DbLogin {
            secret: None,
            keyring: Some("facade-db".into()),
        };
        let silent = Silent(Default::default());
        block(fd.restore(a, "SIT", &login, &request, &silent))
    };
    let apply = |fd: &Flightdeck, a: &Actor| {
        let silent = Silent(Default::default());
        block(fd.run_action(
            a,
            "facade-drill",
            "scale",
            "SIT",
            Direction::Apply,
            Some("yes"),
            &silent,
        ))
    };
    let db = ["--keyring", "facade-db"];
    let mut out = vec![
        Step {
            what: "tick",
            who: Role::ClientStakeholder,
            cli: vec![],
            call: Box::new(tick.clone()),
            allowed: false,
        },
        Step {
            what: "tick",
            who: Role::TechnicalLead,
            cli: vec![],
            call: Box::new(tick),
            allowed: true,
        },
        Step {
            what: "sign off phase 1",
            who: Role::ClientStakeholder,
            cli: args(&["signoff", "facade-drill", "phase-1"]),
            call: Box::new(signoff("phase-1")),
            allowed: false,
        },
        Step {
            what: "sign off phase 1",
            who: Role::TechnicalLead,
            cli: args(&["signoff", "facade-drill", "phase-1"]),
            call: Box::new(signoff("phase-1")),
            allowed: true,
        },
        Step {
            what: "sign off phase 2, which names the client",
            who: Role::ClientStakeholder,
            cli: args(&["signoff", "facade-drill", "phase-2"]),
            call: Box::new(signoff("phase-2")),
            allowed: true,
        },
        Step {
            what: "decide",
            who: Role::Dba,
            cli: args(&["decide", "facade-drill", "go", "--reason", "ready"]),
            call: Box::new(|fd, a| {
                fd.decide(a, "facade-drill", Decision::Go, "ready")
                    .map(drop)
            }),
            allowed: false,
        },
        Step {
            what: "decide",
            who: Role::ClientStakeholder,
            cli: args(&["decide", "facade-drill", "go", "--reason", "ready"]),
            call: Box::new(|fd, a| {
                fd.decide(a, "facade-drill", Decision::Go, "ready")
                    .map(drop)
            }),
            allowed: true,
        },
        Step {
            what: "confirm, which names the client",
            who: Role::TechnicalLead,
            cli: args(&[
                "confirm",
                "facade-drill",
                "Client is happy",
                "--note",
                "fine",
            ]),
            call: Box::new(|fd, a| {
                fd.confirm_criterion(a, "facade-drill", "Client is happy", "fine")
                    .map(drop)
            }),
            allowed: false,
        },
        Step {
            what: "confirm, which names the client",
            who: Role::ClientStakeholder,
            cli: args(&[
                "confirm",
                "facade-drill",
                "Client is happy",
                "--note",
                "fine",
            ]),
            call: Box::new(|fd, a| {
                fd.confirm_criterion(a, "facade-drill", "Client is happy", "fine")
                    .map(drop)
            }),
            allowed: true,
        },
        Step {
            what: "start a soak",
            who: Role::ClientStakeholder,
            cli: args(&[
                "soak",
                "start",
                "facade-drill",
                "--phase",
                "phase-3",
                "--env",
                "SIT",
            ]),
            call: Box::new(|fd, a| fd.start_soak(a, "facade-drill", "phase-3", "SIT").map(drop)),
            allowed: false,
        },
        Step {
            what: "start a soak",
            who: Role::TechnicalLead,
            cli: args(&[
                "soak",
                "start",
                "facade-drill",
                "--phase",
                "phase-3",
                "--env",
                "SIT",
            ]),
            call: Box::new(|fd, a| fd.start_soak(a, "facade-drill", "phase-3", "SIT").map(drop)),
            allowed: true,
        },
        Step {
            what: "apply an action",
            who: Role::ClientStakeholder,
            cli: args(&[
                "action",
                "apply",
                "facade-drill",
                "scale",
                "--env",
                "SIT",
                "--yes",
            ]),
            call: Box::new(apply),
            allowed: false,
        },
    ];
    let mut db_step = |what, cli: &[&str], call: Call| {
        out.push(Step {
            what,
            who: Role::ClientStakeholder,
            cli: [args(cli), args(&db)].concat(),
            call,
            allowed: false,
        })
    };
    db_step(
        "back up",
        &[
            "db",
            "backup",
            "--env",
            "SIT",
            "--database",
            "shop",
            "--to",
            "/tmp/flightdeck-facade-never",
        ],
        Box::new(backup),
    );
    db_step(
        "restore",
        &[
            "db",
            "restore",
            "/tmp/flightdeck-facade-never",
            "--env",
            "SIT",
            "--target",
            "shop",
        ],
        Box::new(restore),
    );
    out
}

fn person(role: Role) -> Actor {
    let name = format!("Facade {} {}", role.label(), std::process::id());
    Actor::new(&name, role).unwrap()
}

/// An entry without what differs between two runs of the same step: times, signatures, and the
/// item states' evidence snapshot inside a decision.
fn comparable(e: &AuditEntry) -> serde_json::Value {
    let mut detail = e.detail.clone();
    if let Some(map) = detail.as_object_mut() {
        for volatile in ["signed", "evidence", "started_at", "public_key"] {
            map.remove(volatile);
        }
    }
    serde_json::json!({
        "kind": e.kind, "actor": e.actor, "role": e.role, "runbook": e.runbook,
        "subject": e.subject, "detail": detail,
    })
}

fn prepare(data: &Path) -> String {
    let fd = Flightdeck::open(data).unwrap();
    let file = data.join("facade-drill.md");
    std::fs::write(&file, RUNBOOK).unwrap();
    fd.import_file(&file).unwrap();
    fd.save_environment(
        None,
        EnvironmentInput {
            name: "SIT".into(),
            colour: None,
            account_id: None,
            region: "af-south-1".into(),
            dr_region: None,
            endpoint_url: None,
            guard: None,
            profile: Some("facade-sit".into()),
            access_key_id: None,
            secret_access_key: None,
        },
    )
    .unwrap();
    let items = fd.read().unwrap().items("facade-drill").unwrap();
    items
        .into_iter()
        .find(|i| i.text == "backup taken")
        .unwrap()
        .id
}

#[test]
fn every_change_is_checked_and_recorded_the_same_way_from_the_cli_and_in_process() {
    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let item = prepare(here.path());
    assert_eq!(prepare(there.path()), item);
    let fd = Flightdeck::open(here.path()).unwrap();
    for step in steps(&item) {
        let actor = person(step.who);
        let before = fd.read().unwrap().audit_entries().unwrap().len();
        let outcome = (step.call)(&fd, &actor);
        assert_eq!(
            outcome.is_ok(),
            step.allowed,
            "{} as {}: {outcome:?}",
            step.what,
            step.who.label()
        );
        let after = fd.read().unwrap().audit_entries().unwrap();
        let new: Vec<&AuditEntry> = after[before..].iter().collect();
        let last = new
            .last()
            .unwrap_or_else(|| panic!("{} as {} left no audit entry", step.what, step.who.label()));
        assert_eq!(last.actor, actor.name);
        match &outcome {
            Err(e) => {
                assert!(matches!(e.code(), "read_only" | "not_allowed"), "{e}");
                assert_eq!(last.kind, "refused", "{}", step.what);
                assert_eq!(last.detail["code"], e.code());
            }
            Ok(()) => assert_ne!(last.kind, "refused", "{}", step.what),
        }

        let cli = if step.cli.is_empty() {
            args(&["item", "check", "facade-drill", &item, "--note", "checked"])
        } else {
            step.cli.clone()
        };
        let who = args(&["--as", &actor.name, "--role", actor.role.as_str()]);
        let list: Vec<&str> = cli.iter().chain(&who).map(String::as_str).collect();
        let out = flightdeck(there.path(), &list, None);
        assert_eq!(
            out.status.success(),
            step.allowed,
            "{} as {} from the CLI: {}",
            step.what,
            step.who.label(),
            text(&out)
        );
    }
    let ours: Vec<_> = fd
        .read()
        .unwrap()
        .audit_entries()
        .unwrap()
        .iter()
        .map(comparable)
        .collect();
    let theirs: Vec<_> = Flightdeck::open(there.path())
        .unwrap()
        .read()
        .unwrap()
        .audit_entries()
        .unwrap()
        .iter()
        .map(comparable)
        .collect();
    assert_eq!(ours.len(), theirs.len(), "{ours:#?}\n{theirs:#?}");
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a, b);
    }
}
