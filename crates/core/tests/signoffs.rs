//! Gates, sign-offs, staleness, decisions and a tamper-evident audit trail, with signing keys
//! in the real OS keyring.

use flightdeck_core::{phase_gate, verify_audit, Flightdeck, SignoffRequest};
use flightdeck_runbook::parse;
use flightdeck_store::{Actor, Answer, Decision, ItemState, ItemUpdate, Role, Store, Waiver};
use flightdeck_vault::Vault;

const RUNBOOK: &str = "# Gates\n\n## Phase 1: Prepare\n\n- [ ] Backup taken\n- [ ] Alarms green\n\n### Sign-Off\n\n**Completed By**: ______ Date: ____\n**Ready for Phase 2**: [ ] YES [ ] NO\n\n## Phase 2: Cut Over\n\n**Depends On**: Phase 1 (Prepare)\n**Sign-Off Roles**: Technical Lead, Client Stakeholder\n\n- [ ] DNS switched\n";

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name} {}-{nanos}", std::process::id())
}

struct World {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    fd: Flightdeck,
    vault: Vault,
    lead: Actor,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flightdeck.db");
    let vault = Vault::for_service("dev.flightdeck.test");
    let fd = Flightdeck::open_with(dir.path(), vault.clone()).unwrap();
    let file = dir.path().join("g.md");
    parse("g.md", RUNBOOK.as_bytes()).unwrap();
    std::fs::write(&file, RUNBOOK).unwrap();
    fd.import_file(&file).unwrap();
    World {
        _dir: dir,
        path,
        fd,
        vault,
        lead: Actor::new(&unique("Lead"), Role::TechnicalLead).unwrap(),
    }
}

fn item(store: &Store, text: &str) -> String {
    store
        .items("gates")
        .unwrap()
        .into_iter()
        .find(|i| i.text == text)
        .unwrap()
        .id
}

fn tick(w: &mut World, text: &str) -> Result<(), flightdeck_core::Error> {
    let id = item(&w.fd.read().unwrap(), text);
    let done = ItemUpdate {
        state: Some(ItemState::Done),
        note: None,
    };
    w.fd.change_item(&w.lead, "gates", &id, &done).map(|_| ())
}

fn yes() -> SignoffRequest {
    SignoffRequest {
        answers: vec![Answer {
            label: "Ready for Phase 2".into(),
            yes: true,
        }],
        waivers: vec![],
    }
}

fn tamper(path: &std::path::Path, sql: &str) {
    let raw = rusqlite::Connection::open(path).unwrap();
    raw.execute_batch(
        "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;",
    )
    .unwrap();
    raw.execute_batch(sql).unwrap();
}

#[test]
fn gates_refuse_out_of_order_work_until_signed_off() {
    let mut w = world();
    let err = tick(&mut w, "DNS switched").unwrap_err();
    assert_eq!(err.code(), "gate_closed");
    assert!(
        err.to_string()
            .contains("waits for 'Phase 1: Prepare', which is not signed off yet"),
        "{err}"
    );

    tick(&mut w, "Backup taken").unwrap();
    let err =
        w.fd.sign_off(&w.lead, "gates", "phase-1", yes())
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("'Alarms green' is not done; complete it or waive it with a reason"),
        "{err}"
    );

    let alarms = item(&w.fd.read().unwrap(), "Alarms green");
    let blank = SignoffRequest {
        waivers: vec![Waiver {
            item: alarms,
            reason: " ".into(),
        }],
        ..yes()
    };
    assert!(w.fd.sign_off(&w.lead, "gates", "phase-1", blank).is_err());
    tick(&mut w, "Alarms green").unwrap();
    let unanswered = SignoffRequest {
        answers: vec![],
        waivers: vec![],
    };
    let err =
        w.fd.sign_off(&w.lead, "gates", "phase-1", unanswered)
            .unwrap_err();
    assert!(
        err.to_string().contains("answer 'Ready for Phase 2'"),
        "{err}"
    );

    let record = w.fd.sign_off(&w.lead, "gates", "phase-1", yes()).unwrap();
    assert_eq!(record.signed.signer, w.lead.name);
    assert!(
        phase_gate(&w.fd.read().unwrap(), "gates", "phase-1")
            .unwrap()
            .signed_off
    );
    assert!(phase_gate(&w.fd.read().unwrap(), "gates", "phase-2")
        .unwrap()
        .blocked_by
        .is_empty());
    tick(&mut w, "DNS switched").unwrap();
    assert!(verify_audit(&w.fd.read().unwrap())
        .unwrap()
        .first_bad
        .is_none());
}

#[test]
fn a_waiver_signs_an_open_item_off_and_a_no_answer_keeps_the_gate_shut() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    let alarms = item(&w.fd.read().unwrap(), "Alarms green");
    let request = SignoffRequest {
        answers: vec![Answer {
            label: "Ready for Phase 2".into(),
            yes: false,
        }],
        waivers: vec![Waiver {
            item: alarms,
            reason: "CloudWatch alarm migrated later, CR-7".into(),
        }],
    };
    let record = w.fd.sign_off(&w.lead, "gates", "phase-1", request).unwrap();
    assert_eq!(
        record.waivers[0].reason,
        "CloudWatch alarm migrated later, CR-7"
    );
    let gate = phase_gate(&w.fd.read().unwrap(), "gates", "phase-2").unwrap();
    assert_eq!(
        gate.blocked_by[0].reason,
        "answered NO to 'Ready for Phase 2'"
    );
}

#[test]
fn an_edited_signed_phase_turns_stale_and_closes_the_next_gate() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    w.fd.sign_off(&w.lead, "gates", "phase-1", yes()).unwrap();
    let id = item(&w.fd.read().unwrap(), "Alarms green");
    let reopen = ItemUpdate {
        state: None,
        note: Some("alarm flapped".into()),
    };
    w.fd.change_item(&w.lead, "gates", &id, &reopen).unwrap();
    let gate = phase_gate(&w.fd.read().unwrap(), "gates", "phase-1").unwrap();
    assert!(gate.signoffs[0].stale);
    assert!(!gate.signed_off);
    let next = phase_gate(&w.fd.read().unwrap(), "gates", "phase-2").unwrap();
    assert!(
        next.blocked_by[0].reason.contains("stale"),
        "{:?}",
        next.blocked_by
    );
}

#[test]
fn roles_decide_who_signs_and_decides() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    let client = Actor::new(&unique("Client"), Role::ClientStakeholder).unwrap();
    let err =
        w.fd.sign_off(&client, "gates", "phase-1", yes())
            .unwrap_err();
    assert_eq!(err.code(), "not_allowed");
    w.fd.sign_off(&w.lead, "gates", "phase-1", yes()).unwrap();
    let dba = Actor::new(&unique("Dba"), Role::Dba).unwrap();
    let err = w.fd.decide(&dba, "gates", Decision::Go, "ok").unwrap_err();
    assert_eq!(err.code(), "not_allowed");
    let decision =
        w.fd.decide(
            &client,
            "gates",
            Decision::Hold,
            "waiting for the bank's window",
        )
        .unwrap();
    assert_eq!(decision.evidence["phases"][0]["status"], "complete");
    assert_eq!(w.fd.read().unwrap().decisions("gates").unwrap().len(), 1);
    assert!(verify_audit(&w.fd.read().unwrap())
        .unwrap()
        .first_bad
        .is_none());
}

#[test]
fn edits_and_deletions_in_the_sqlite_file_are_found_at_the_right_entry() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    w.fd.sign_off(&w.lead, "gates", "phase-1", yes()).unwrap();
    tick(&mut w, "DNS switched").unwrap();
    let report = verify_audit(&w.fd.read().unwrap()).unwrap();
    assert_eq!(
        (report.entries, report.signatures, report.first_bad.clone()),
        (5, 1, None)
    );

    tamper(&w.path, "UPDATE audit SET actor = 'Mallory' WHERE id = 2;");
    let bad = verify_audit(&Store::open(&w.path).unwrap())
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.entry, 2);
    assert!(bad.reason.contains("changed"), "{}", bad.reason);

    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    tick(&mut w, "Backup taken").unwrap();
    tamper(&w.path, "DELETE FROM audit WHERE id = 2;");
    let bad = verify_audit(&Store::open(&w.path).unwrap())
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.entry, 2, "{}", bad.reason);

    tamper(&w.path, "DELETE FROM audit WHERE id = 3;");
    let bad = verify_audit(&Store::open(&w.path).unwrap())
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(
        bad.entry, 2,
        "removing the newest entries is detected too: {}",
        bad.reason
    );
}

#[test]
fn a_signature_by_another_key_is_rejected() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    w.fd.sign_off(&w.lead, "gates", "phase-1", yes()).unwrap();
    // Mallory signs with her own key and puts that signature on the lead's sign-off.
    let mallory = Actor::new(&unique("Mallory"), Role::TechnicalLead).unwrap();
    let forged =
        w.fd.decide(&mallory, "gates", Decision::Go, "forged")
            .unwrap();
    tamper(
        &w.path,
        &format!(
            "UPDATE signoffs SET signature = '{}', public_key = '{}';",
            forged.signed.signature, forged.signed.public_key
        ),
    );
    let gate = phase_gate(&Store::open(&w.path).unwrap(), "gates", "phase-1").unwrap();
    assert!(gate.signoffs[0].invalid);
    assert!(!gate.signed_off);

    // The signature in the audit entry, swapped for Mallory's: the entry is reported.
    let entries = w.fd.read().unwrap().audit_entries().unwrap();
    let signoff_entry = entries.iter().find(|e| e.kind == "signoff").unwrap().id;
    tamper(
        &w.path,
        &format!(
            "UPDATE audit SET detail = json_set(detail, '$.signed.signature', '{}') WHERE id = {signoff_entry};",
            forged.signed.signature
        ),
    );
    let bad = verify_audit(&Store::open(&w.path).unwrap())
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.entry, signoff_entry);

    // A signer whose private key is missing from this keyring cannot sign as that name.
    w.vault
        .remove(&format!("signing-key/{}", w.lead.name))
        .unwrap();
    let err =
        w.fd.decide(&w.lead, "gates", Decision::Go, "again")
            .unwrap_err();
    assert_eq!(err.code(), "missing_key");
}

#[test]
fn state_edited_without_an_event_is_found_by_replaying_the_trail() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    let report = verify_audit(&w.fd.read().unwrap()).unwrap();
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.signed_entries, report.entries);

    let alarms = item(&w.fd.read().unwrap(), "Alarms green");
    tamper(
        &w.path,
        &format!("UPDATE item_state SET state = 'na' WHERE item_id = '{alarms}';"),
    );
    let report = verify_audit(&Store::open(&w.path).unwrap()).unwrap();
    assert!(report.first_bad.is_none(), "the trail itself is intact");
    assert_eq!(report.state.len(), 1, "{report:?}");
    assert!(
        report.state[0].problem.contains("changed without an event")
            && report.state[0].problem.contains(&alarms),
        "{}",
        report.state[0].problem
    );
}

/// SHA-256 chain hash of a signed entry, as anyone who reads the code can recompute it.
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

#[test]
fn a_rewritten_entry_with_every_hash_recomputed_fails_its_signature() {
    let mut w = world();
    tick(&mut w, "Backup taken").unwrap();
    tick(&mut w, "Alarms green").unwrap();
    tick(&mut w, "Backup taken").unwrap();
    let raw = rusqlite::Connection::open(&w.path).unwrap();
    let rows: Vec<(i64, String)> = raw
        .prepare("SELECT id, signed FROM audit ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The forger rewrites the second tick as failed, then recomputes every hash and the head.
    tamper(&w.path, "SELECT 1;");
    let mut prev = "0".repeat(64);
    for (id, text) in rows {
        let mut signed: serde_json::Value = serde_json::from_str(&text).unwrap();
        if id == 3 {
            let body = signed["body"]
                .as_str()
                .unwrap()
                .replace("\"done\"", "\"failed\"");
            signed["body"] = body.into();
        }
        let hash = chain_hash(&prev, &signed);
        raw.execute(
            "UPDATE audit SET signed = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
            rusqlite::params![signed.to_string(), prev, hash, id],
        )
        .unwrap();
        raw.execute(
            "UPDATE settings SET value = ?1 WHERE key = 'audit_head'",
            [format!("{id}:{hash}")],
        )
        .unwrap();
        prev = hash;
    }
    let bad = verify_audit(&Store::open(&w.path).unwrap())
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.entry, 3, "{}", bad.reason);
    assert!(bad.reason.contains("signature"), "{}", bad.reason);
}
