use flightdeck_core::{ApiError, Error, Typed};
use flightdeck_runbook::{ImportWarning, Runbook};
use flightdeck_store::{
    ConnectionCheck, CredentialSource, Environment, ImportOutcome, ItemState, ItemView,
    RunbookSummary, StoreError,
};
use serde::Serialize;

pub fn json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("output types serialise")
    );
}

/// What to do about an error, in this face's words: the flags and commands that help.
fn hint(e: &Error) -> Option<String> {
    Some(match e {
        Error::NoIdentity => {
            "save it with `flightdeck identity set NAME ROLE`, or pass --as NAME --role ROLE".into()
        }
        Error::Unverified(env) => format!("run `flightdeck env test {env}`"),
        Error::NotConfirmed { needs, .. } if needs.is_empty() => {
            "pass --yes after reading the plan".into()
        }
        Error::NotConfirmed { needs, .. } => needs
            .iter()
            .map(|typed| match typed {
                Typed::EnvironmentName(name) => format!("--confirm {name}"),
                Typed::DatabaseName(name) => format!("--over-existing {name}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Error::NoDbLogin => "--secret NAME (Secrets Manager) or --keyring NAME (OS keyring)".into(),
        Error::Held { .. } => "to start it now, pass --early \"REASON\"".into(),
        Error::NoT0(_) => {
            "`flightdeck run start RUNBOOK --rehearsal|--live --t0 \"YYYY-MM-DD HH:MM\"`".into()
        }
        Error::Store(StoreError::UnknownRunbook(_)) => {
            "`flightdeck runbook list` shows the imported ones".into()
        }
        Error::Store(StoreError::UnknownEnvironment(_)) => {
            "`flightdeck env list` shows them".into()
        }
        _ => return None,
    })
}

pub fn error(e: &Error, as_json: bool) {
    let message = match hint(e) {
        Some(hint) => format!("{e}; {hint}"),
        None => e.to_string(),
    };
    if as_json {
        let api = ApiError {
            message,
            ..ApiError::from_ref(e)
        };
        eprintln!("{}", serde_json::to_string(&api).expect("errors serialise"));
    } else {
        eprintln!("error: {message}");
    }
}

/// `runbook inspect --json`: the structure with the counts scripts ask for first.
#[derive(Serialize)]
pub struct Inspection<'a> {
    pub title: &'a str,
    pub checklist_items: usize,
    pub checked_items: usize,
    pub repaired_characters: u32,
    #[serde(flatten)]
    pub runbook: &'a Runbook,
}

pub fn warnings(file: &str, warnings: &[ImportWarning]) {
    for w in warnings {
        eprintln!("warning: {file}:{}: {}", w.line, w.message);
    }
}

pub fn inspection(runbook: &Runbook) {
    println!("{}", runbook.title);
    println!(
        "{} phases, {} checklist items ({} ticked in the file)",
        runbook.phases.len(),
        runbook.checklist_items(),
        runbook.checked_items()
    );
    if runbook.repaired_characters > 0 {
        println!(
            "repaired {} mis-encoded characters",
            runbook.repaired_characters
        );
    }
    for phase in &runbook.phases {
        println!(
            "  {:<28} {:>4} items {:>3} tasks {:>3} steps {:>2} sign-off fields  (line {})",
            phase.id,
            phase.items.len(),
            phase.tasks.len(),
            phase.steps.len() + phase.tasks.iter().map(|t| t.steps.len()).sum::<usize>(),
            phase.signoff.len(),
            phase.line
        );
        println!("      {}", phase.title);
    }
}

pub fn import(outcome: &ImportOutcome) {
    let verb = if outcome.created {
        "imported"
    } else {
        "re-imported"
    };
    println!(
        "{verb} '{}' as {} (revision {})",
        outcome.title, outcome.key, outcome.revision
    );
    let d = &outcome.diff;
    if !outcome.created {
        println!(
            "{} unchanged, {} new, {} changed, {} gone",
            d.unchanged,
            d.added.len(),
            d.changed.len(),
            d.removed.len()
        );
        for a in &d.added {
            println!("  + [{}] {}", a.phase, a.text);
        }
        for c in &d.changed {
            let kept = if c.state_kept {
                "state kept"
            } else {
                "starts open"
            };
            println!(
                "  ~ [{}] {} -> {} ({kept})",
                c.phase, c.old_text, c.new_text
            );
        }
        for r in &d.removed {
            println!("  - [{}] {}", r.phase, r.text);
        }
    }
}

fn percent(done: u32, total: u32) -> u32 {
    (done * 100).checked_div(total).unwrap_or(0)
}

pub fn summary(s: &RunbookSummary) {
    println!(
        "{} ({}): {}/{} items complete, {}%",
        s.title,
        s.key,
        s.complete,
        s.total,
        percent(s.complete, s.total)
    );
    for p in &s.phases {
        let failed = if p.failed > 0 {
            format!(", {} failed", p.failed)
        } else {
            String::new()
        };
        println!(
            "  {:<28} {:>4}/{:<4} {:>3}%  {:?}{failed}",
            p.id,
            p.complete(),
            p.total,
            percent(p.complete(), p.total),
            p.status
        );
    }
}

pub fn item(item: &ItemView) {
    let mark = match item.state {
        Some(ItemState::Done) => "[x]",
        Some(ItemState::Na) => "[-]",
        Some(ItemState::Failed) => "[!]",
        Some(ItemState::NotTested) => "[?]",
        None => "[ ]",
    };
    let indent = "  ".repeat(item.depth as usize);
    let by = match (&item.by, &item.at) {
        (Some(by), Some(at)) => format!("  ({by}, {at})"),
        (Some(by), None) => format!("  ({by})"),
        _ => String::new(),
    };
    println!("{indent}{mark} {}  {}{by}", item.id, item.text);
    if let Some(note) = &item.note {
        println!("{indent}      note: {note}");
    }
}

pub fn environment(env: &Environment) {
    let local = if env.is_local() {
        "  [LOCAL EMULATOR, not a real account]"
    } else {
        ""
    };
    let source = match &env.credentials {
        CredentialSource::Profile { profile } => format!("profile {profile}"),
        CredentialSource::StaticKeys { secret } => format!("keys in the OS keyring ({secret})"),
    };
    println!("{}{local}", env.name);
    println!(
        "  account   {}",
        env.account_id.as_deref().unwrap_or("(not set)")
    );
    println!(
        "  region    {}{}",
        env.region,
        env.dr_region
            .as_ref()
            .map(|d| format!(" (DR {d})"))
            .unwrap_or_default()
    );
    println!("  access    {source}");
    if let Some(url) = &env.endpoint_url {
        println!("  endpoint  {url}");
    }
    println!("  guard     {:?}", env.guard);
    match &env.last_check {
        Some(c) if c.mismatch.is_some() => println!(
            "  checked   MISMATCH: {}",
            c.mismatch.as_deref().unwrap_or_default()
        ),
        Some(c) => println!(
            "  checked   reaches {} as {} ({})",
            c.account, c.arn, c.checked_at
        ),
        None => println!("  checked   never; run `flightdeck env test {}`", env.name),
    }
}

pub fn check(env: &Environment, check: &ConnectionCheck) {
    let local = if env.is_local() {
        " [LOCAL EMULATOR]"
    } else {
        ""
    };
    println!(
        "{}{local}: account {} arn {} region {}",
        env.name, check.account, check.arn, check.region
    );
}
