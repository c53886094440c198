//! `flightdeck`: the command-line face of Flightdeck, over the same core as the desktop app.

mod action_commands;
mod args;
mod commands;
mod db_commands;
mod env_commands;
mod evidence_commands;
mod gonogo_command;
mod monitor_command;
mod output;
mod reporter;
mod rollout_commands;
mod run_commands;
mod signoff_commands;
mod soak_commands;
mod team_commands;

use std::process::ExitCode;

use clap::Parser;

/// Output into a pipe whose reader has gone (`flightdeck status RUNBOOK | head`) ends the process
/// quietly, as it does other Unix tools, instead of in a panic from `println!`: Rust starts its
/// programs with SIGPIPE ignored.
#[cfg(unix)]
fn end_quietly_on_a_closed_pipe() {
    // SAFETY: SIG_DFL is a valid disposition for SIGPIPE, and setting it is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    #[cfg(unix)]
    end_quietly_on_a_closed_pipe();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut cli = args::Cli::parse();
    let json = cli.json();
    if let Err(e) = run_commands::resolve_run(&mut cli) {
        output::error(&e, json);
        return ExitCode::FAILURE;
    }
    if let args::Command::Gonogo { .. } = cli.command {
        return gonogo_command::run(cli).await;
    }
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e, json);
            ExitCode::FAILURE
        }
    }
}
