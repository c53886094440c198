use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Flightdeck: run go-live runbooks as live checklists.
#[derive(Debug, Parser)]
#[command(name = "flightdeck", version, about)]
pub struct Cli {
    /// Where Flightdeck keeps its state (default: the app's data directory).
    #[arg(long, global = true, env = flightdeck_core::DATA_DIR_ENV)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether errors should be printed as JSON.
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Runbook(RunbookCommand::Inspect { json, .. })
            | Command::Runbook(RunbookCommand::Import { json, .. })
            | Command::Runbook(RunbookCommand::List { json })
            | Command::Status { json, .. } => *json,
            Command::Item(c) => c.target().json,
            Command::Identity(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect, import and list runbooks.
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// Progress of a runbook, per phase; with --phase, its items and their ids.
    Status {
        /// Runbook key, as `flightdeck runbook list` shows it.
        runbook: String,
        /// List the items of this phase id.
        #[arg(long)]
        phase: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record the state of a checklist item.
    #[command(subcommand)]
    Item(ItemCommand),
    /// Who you are: recorded with every change.
    #[command(subcommand)]
    Identity(IdentityCommand),
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Parse a markdown runbook and print its structure, without importing it.
    Inspect {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Import a runbook, or re-import an edited one keeping the state of unchanged items.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The imported runbooks and their progress.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ItemTarget {
    /// Runbook key.
    pub runbook: String,
    /// Item id, as `flightdeck status RUNBOOK --phase PHASE` shows it.
    pub item: String,
    /// A note to record with the change.
    #[arg(long)]
    pub note: Option<String>,
    /// Act as this person instead of the saved identity (needs --role).
    #[arg(long = "as", requires = "role")]
    pub actor: Option<String>,
    /// Role when acting with --as.
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ItemCommand {
    /// Mark an item done.
    Check(ItemTarget),
    /// Reopen an item.
    Uncheck(ItemTarget),
    /// Mark an item not applicable.
    Na(ItemTarget),
    /// Mark an item failed.
    Fail(ItemTarget),
}

impl ItemCommand {
    pub fn target(&self) -> &ItemTarget {
        match self {
            ItemCommand::Check(t)
            | ItemCommand::Uncheck(t)
            | ItemCommand::Na(t)
            | ItemCommand::Fail(t) => t,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Show the saved identity.
    Show,
    /// Save your name and role (technical_lead, dba, devops_engineer, product_owner, client_stakeholder).
    Set { name: String, role: String },
}
