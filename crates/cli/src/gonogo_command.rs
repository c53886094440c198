//! `flightdeck gonogo`: the verdict as an exit code, for pipelines.

use std::process::ExitCode;
use std::time::Duration;

use flightdeck_cloud::{Status, Verdict};
use flightdeck_core::{data_dir, Flightdeck, Scope};

use crate::args::{Cli, Command};
use crate::output;

/// Exit code when the criteria could not be evaluated at all.
const CANNOT_EVALUATE: u8 = 3;

pub async fn run(cli: Cli) -> ExitCode {
    let dir = cli.data_dir.clone().unwrap_or_else(data_dir);
    let Command::Gonogo {
        runbook,
        env,
        phase,
        window,
        json,
    } = cli.command
    else {
        unreachable!("called for gonogo only")
    };
    let evaluation = match Flightdeck::open(&dir) {
        Ok(fd) => {
            let window = Duration::from_secs(u64::from(window.max(1)) * 60);
            let scope = phase.as_deref().map(Scope::Phase).unwrap_or(Scope::All);
            fd.go_no_go(&runbook, &env, scope, window).await
        }
        Err(e) => Err(e),
    };
    let evaluation = match evaluation {
        Ok(e) => e,
        Err(e) => {
            output::error(&e, json);
            return ExitCode::from(CANNOT_EVALUATE);
        }
    };
    if json {
        output::json(&evaluation);
    } else {
        for r in &evaluation.results {
            let mark = match r.status {
                Status::Pass => "PASS",
                Status::Fail => "FAIL",
                Status::Inconclusive => "????",
            };
            println!("{mark}  {}: {}", r.name, r.sentence);
        }
        println!(
            "verdict: {:?} (last {} minutes)",
            evaluation.verdict, evaluation.window_minutes
        );
    }
    ExitCode::from(match evaluation.verdict {
        Verdict::Go => 0,
        Verdict::NoGo => 1,
        Verdict::Inconclusive => 2,
    })
}
