use flightdeck_core::{export_audit, phase_gate, verify_audit, Error, Flightdeck, SignoffRequest};
use flightdeck_store::{Answer, Decision, Waiver};

use crate::args::{AuditCommand, SignoffArgs, Who};
use crate::commands::acting;
use crate::output;

pub fn signoff(fd: &Flightdeck, args: SignoffArgs) -> Result<(), Error> {
    let actor = acting(fd, args.who.actor.as_deref(), args.who.role.as_deref())?;
    let answers = args
        .yes
        .iter()
        .map(|label| Answer {
            label: label.clone(),
            yes: true,
        })
        .chain(args.no.iter().map(|label| Answer {
            label: label.clone(),
            yes: false,
        }))
        .collect();
    let waivers = args
        .waive
        .iter()
        .map(|w| {
            let (item, reason) = w.split_once('=').ok_or_else(|| {
                Error::Invalid(format!("--waive takes ITEM_ID=reason, not '{w}'"))
            })?;
            Ok(Waiver {
                item: item.trim().to_string(),
                reason: reason.trim().to_string(),
            })
        })
        .collect::<Result<_, Error>>()?;
    let record = fd.sign_off(
        &actor,
        &args.runbook,
        &args.phase,
        SignoffRequest { answers, waivers },
    )?;
    if args.json {
        output::json(&record);
    } else {
        println!(
            "{} signed '{}' off as {} at {} (digest {})",
            record.signed.signer,
            args.phase,
            record.signed.role,
            record.signed.at,
            record.signed.digest
        );
    }
    Ok(())
}

pub fn gate(fd: &Flightdeck, runbook: &str, phase: &str, json: bool) -> Result<(), Error> {
    let gate = phase_gate(&*fd.read()?, runbook, phase)?;
    if json {
        output::json(&gate);
        return Ok(());
    }
    match gate.blocked_by.as_slice() {
        [] => println!("{phase}: open"),
        blocks => blocks
            .iter()
            .for_each(|b| println!("{phase}: waits for '{}': {}", b.title, b.reason)),
    }
    for s in &gate.signoffs {
        let flag = if s.invalid {
            " INVALID SIGNATURE"
        } else if s.stale {
            " STALE"
        } else {
            ""
        };
        println!(
            "  signed by {} ({}) at {}{flag}",
            s.record.signed.signer, s.record.signed.role, s.record.signed.at
        );
        for w in &s.record.waivers {
            println!("    waived {}: {}", w.item, w.reason);
        }
    }
    println!(
        "  signed off: {}",
        if gate.signed_off { "yes" } else { "no" }
    );
    Ok(())
}

pub fn decide(
    fd: &Flightdeck,
    runbook: &str,
    decision: &str,
    reason: &str,
    who: &Who,
) -> Result<(), Error> {
    let actor = acting(fd, who.actor.as_deref(), who.role.as_deref())?;
    let decision = match decision {
        "go" => Decision::Go,
        "no-go" => Decision::NoGo,
        _ => Decision::Hold,
    };
    let record = fd.decide(&actor, runbook, decision, reason)?;
    println!(
        "{:?} recorded by {} ({}) at {}",
        record.decision, record.signed.signer, record.signed.role, record.signed.at
    );
    Ok(())
}

pub fn audit(fd: &Flightdeck, command: AuditCommand) -> Result<(), Error> {
    let store = fd.read()?;
    let store = &*store;
    match command {
        AuditCommand::Verify { json } => {
            let report = verify_audit(store)?;
            if json {
                output::json(&report);
            } else {
                println!(
                    "{} entries, {} signatures checked",
                    report.entries, report.signatures
                );
            }
            if let Some(bad) = report.first_bad {
                return Err(Error::Tampered {
                    entry: bad.entry,
                    reason: bad.reason,
                });
            }
            if let Some(bad) = report.state.into_iter().next() {
                return Err(Error::StateTampered {
                    runbook: bad.runbook,
                    problem: bad.problem,
                });
            }
            if let Some(first) = report.rejected.first() {
                return Err(Error::Rejected {
                    runbook: first.runbook.clone(),
                    count: report.rejected.len(),
                    seq: first.event.seq,
                    claims: first.event.claims.clone(),
                    reason: first.event.reason.clone(),
                });
            }
            if !json {
                println!("the audit trail is intact");
            }
        }
        AuditCommand::Export { .. } => print!("{}", export_audit(store)?),
    }
    Ok(())
}
