use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Flightdeck: run go-live runbooks as live checklists.
#[derive(Debug, Parser)]
#[command(name = "flightdeck", version, about)]
pub struct Cli {
    /// Where Flightdeck keeps its state (default: the app's data directory).
    #[arg(long, global = true, env = flightdeck_core::DATA_DIR_ENV)]
    pub data_dir: Option<PathBuf>,
    /// The run of the runbook to act on, by name (`flightdeck run list` shows them; `default`
    /// is the state kept before runs). Default: the runbook's current run.
    #[arg(long, global = true)]
    pub run: Option<String>,
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
            Command::Env(EnvCommand::List { json })
            | Command::Env(EnvCommand::Show { json, .. })
            | Command::Env(EnvCommand::Test { json, .. })
            | Command::Env(EnvCommand::Profiles { json })
            | Command::Demo(DemoCommand::Up { json })
            | Command::Gate { json, .. }
            | Command::Soak(SoakCommand::Status { json, .. })
            | Command::Monitor { json, .. }
            | Command::Timeline { json, .. }
            | Command::Evidence(
                EvidenceCommand::Attach { json, .. }
                | EvidenceCommand::List { json, .. }
                | EvidenceCommand::Verify { json, .. },
            )
            | Command::Run(
                RunCommand::Start { json, .. }
                | RunCommand::List { json, .. }
                | RunCommand::Notify { json, .. }
                | RunCommand::End { json, .. },
            )
            | Command::Action(ActionCommand::Runs { json, .. }) => *json,
            Command::Action(
                ActionCommand::Plan(t) | ActionCommand::Apply(t) | ActionCommand::Undo(t),
            ) => t.json,
            Command::Rollout(c) => c.target().json,
            Command::Soak(SoakCommand::Run { json, .. })
            | Command::Gonogo { json, .. }
            | Command::Audit(AuditCommand::Verify { json }) => *json,
            Command::Team(
                TeamCommand::Share { json, .. }
                | TeamCommand::Join { json, .. }
                | TeamCommand::Status { json, .. }
                | TeamCommand::Sync { json, .. }
                | TeamCommand::Verify { json, .. },
            ) => *json,
            Command::Team(_) => false,
            Command::Signoff(a) => a.json,
            Command::Db(DbCommand::Backup(a)) => a.json,
            Command::Db(DbCommand::Verify(a)) => a.json,
            Command::Db(DbCommand::Restore(a)) => a.json,
            Command::Db(DbCommand::List { json, .. })
            | Command::Db(DbCommand::Snapshots { json, .. }) => *json,
            Command::Identity(_)
            | Command::Env(_)
            | Command::Secret(_)
            | Command::Demo(_)
            | Command::Decide { .. }
            | Command::Soak(SoakCommand::Start { .. })
            | Command::Confirm { .. }
            | Command::Report { .. }
            | Command::Review { .. }
            | Command::Audit(AuditCommand::Export { .. }) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect, import and list runbooks.
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// Runs of a runbook: start a rehearsal or the live run with its T0, list them, end one.
    #[command(subcommand)]
    Run(RunCommand),
    /// Write the post-implementation review of a run: one self-contained HTML file with its
    /// timeline, planned against actual, what was late, skipped or rolled back, the decisions,
    /// and for a live run the comparison with its last rehearsal.
    Review {
        runbook: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Evidence on checklist items: files, command output, links; verified against the trail.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The run against its plan: planned and actual times, lateness, the critical path and
    /// the projected end.
    Timeline {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
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
    /// AWS environments (DEV, SIT, PROD, DR...) and the account each really reaches.
    #[command(subcommand)]
    Env(EnvCommand),
    /// Secrets in the OS keyring (database passwords, tokens), referenced by name.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// A local AWS world (moto) seeded like the sample runbook, and the DEMO environment.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Sign a phase off with your signing key (created in the OS keyring on first use).
    Signoff(SignoffArgs),
    /// Whether a phase may be worked, and its sign-offs.
    Gate {
        runbook: String,
        phase: String,
        #[arg(long)]
        json: bool,
    },
    /// Record the go/no-go decision, signed.
    Decide {
        runbook: String,
        #[arg(value_parser = ["go", "no-go", "hold"])]
        decision: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// Check or export the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Share a runbook with your team (a signed event log in DynamoDB), join one, add members.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Plan, apply or undo an action a runbook declares in a ```flightdeck block.
    #[command(subcommand)]
    Action(ActionCommand),
    /// Progressive rollouts: plan, run unattended, watch, pause, resume, promote, abort.
    #[command(subcommand)]
    Rollout(RolloutCommand),
    /// Soak checkpoints: start a phase's soak, see its timeline, evaluate due checkpoints.
    #[command(subcommand)]
    Soak(SoakCommand),
    /// Confirm a manual go/no-go criterion (only the role it names may).
    Confirm {
        runbook: String,
        /// The criterion's id or name.
        criterion: String,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// The monitoring grid's latest values (ECS, ALB, RDS, CloudFront) in an environment.
    Monitor {
        #[arg(long)]
        env: String,
        /// How far back to look, in minutes.
        #[arg(long, default_value_t = 60)]
        range: u32,
        #[arg(long)]
        json: bool,
    },
    /// Write the go/no-go report: one self-contained HTML file that opens offline.
    Report {
        runbook: String,
        #[arg(long)]
        env: String,
        #[arg(long)]
        out: PathBuf,
        /// How far back the criteria look, in minutes.
        #[arg(long, default_value_t = 60)]
        window: u32,
    },
    /// Database backups (MySQL/MariaDB): dump, verify, list and restore, locally or in S3.
    #[command(subcommand)]
    Db(DbCommand),
    /// Evaluate the runbook's go/no-go criteria in an environment. Exit code: 0 GO, 1 NO-GO,
    /// 2 inconclusive, 3 could not evaluate.
    Gonogo {
        runbook: String,
        #[arg(long)]
        env: String,
        /// Only the criteria of this phase.
        #[arg(long)]
        phase: Option<String>,
        /// How far back to look, in minutes.
        #[arg(long, default_value_t = 30)]
        window: u32,
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    /// The runbook key of a command that acts on one run of a runbook, for `--run` to resolve.
    pub fn run_scoped_runbook(&mut self) -> Option<&mut String> {
        match self {
            Command::Status { runbook, .. }
            | Command::Timeline { runbook, .. }
            | Command::Review { runbook, .. }
            | Command::Run(RunCommand::End { runbook, .. } | RunCommand::Notify { runbook, .. })
            | Command::Evidence(
                EvidenceCommand::Attach { runbook, .. }
                | EvidenceCommand::List { runbook, .. }
                | EvidenceCommand::Verify { runbook, .. },
            )
            | Command::Gate { runbook, .. }
            | Command::Decide { runbook, .. }
            | Command::Confirm { runbook, .. }
            | Command::Report { runbook, .. }
            | Command::Gonogo { runbook, .. }
            | Command::Action(ActionCommand::Runs { runbook, .. })
            | Command::Soak(
                SoakCommand::Start { runbook, .. }
                | SoakCommand::Status { runbook, .. }
                | SoakCommand::Run { runbook, .. },
            ) => Some(runbook),
            Command::Item(c) => Some(&mut c.target_mut().runbook),
            Command::Signoff(a) => Some(&mut a.runbook),
            Command::Action(
                ActionCommand::Plan(t) | ActionCommand::Apply(t) | ActionCommand::Undo(t),
            ) => Some(&mut t.runbook),
            Command::Rollout(c) => Some(&mut c.target_mut().runbook),
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Start a run: it becomes the runbook's current run, with a clean checklist and its plan
    /// laid out from T0.
    Start {
        runbook: String,
        #[arg(long, required_unless_present = "live", conflicts_with = "live")]
        rehearsal: bool,
        #[arg(long)]
        live: bool,
        /// The environment it runs in (SIT for a rehearsal, PROD for the live run).
        #[arg(long)]
        env: Option<String>,
        /// The planned start: "2027-01-10 09:00" on this machine's clock, or with an offset
        /// ("2027-01-10 09:00 +02:00").
        #[arg(long)]
        t0: String,
        /// Default: rehearsal-N or live-N.
        #[arg(long)]
        name: Option<String>,
        /// Announce sign-offs, decisions, rollbacks and late items on this SNS topic (with
        /// --notify-env's credentials). A rehearsal names its test topic, or none.
        #[arg(long, requires = "notify_env", conflicts_with = "notify_webhook")]
        notify_sns: Option<String>,
        #[arg(long)]
        notify_env: Option<String>,
        /// ...or post them to the webhook whose URL is kept in the keyring under this name
        /// (`flightdeck secret set NAME`); a Slack incoming webhook works.
        #[arg(long, value_name = "SECRET")]
        notify_webhook: Option<String>,
        /// Announce an item once it runs this many minutes behind plan.
        #[arg(long, default_value_t = 15)]
        late_after: u32,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        json: bool,
    },
    /// The runs of a runbook; the current one is marked.
    List {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
    /// Send what the run (--run, default the current one) has due on its channel now: sign-offs,
    /// decisions, rollbacks, late items. Every command does this on its way out; run it from
    /// cron to announce lateness while nobody types.
    Notify {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
    /// End a run (--run, default the current one): its state stays for the review.
    End {
        runbook: String,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct Who {
    /// Act as this person instead of the saved identity (needs --role).
    #[arg(long = "as", requires = "role")]
    pub actor: Option<String>,
    #[arg(long)]
    pub role: Option<String>,
}

#[derive(Debug, Args)]
pub struct SignoffArgs {
    pub runbook: String,
    pub phase: String,
    /// Answer YES to this readiness question (repeat for each).
    #[arg(long = "yes")]
    pub yes: Vec<String>,
    /// Answer NO to this readiness question.
    #[arg(long = "no")]
    pub no: Vec<String>,
    /// Sign an open item off anyway: ITEM_ID=reason.
    #[arg(long = "waive")]
    pub waive: Vec<String>,
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Share a runbook through a DynamoDB table in an environment's account; prints the
    /// release URI your team joins with.
    Share {
        runbook: String,
        #[arg(long)]
        env: String,
        /// The table (created if missing; default flightdeck-releases).
        #[arg(long)]
        table: Option<String>,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        json: bool,
    },
    /// Join a shared release from its URI, reaching its table with an environment's
    /// credentials (your own profile or keys).
    Join {
        uri: String,
        #[arg(long)]
        env: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a member (only the person who shared it may): NAME ROLE --key HEX, or --invite CODE.
    Add {
        #[arg(value_name = "NAME")]
        member: Option<String>,
        #[arg(value_name = "ROLE")]
        member_role: Option<String>,
        /// Their public key, 64 hex digits.
        #[arg(long, conflicts_with = "invite")]
        key: Option<String>,
        /// The invite code their `flightdeck team invite` printed.
        #[arg(long)]
        invite: Option<String>,
        /// The shared runbook (needed when more than one is shared here).
        #[arg(long)]
        runbook: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Your invite code: your name, role and public key, for the person who shares a release.
    Invite {
        #[command(flatten)]
        who: Who,
    },
    /// How each shared runbook stands with its log: live, changes not yet shared, offline.
    Status {
        runbook: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Read the log and write this desktop's waiting changes now; --watch repeats every N
    /// seconds until Ctrl-C.
    Sync {
        runbook: Option<String>,
        #[arg(long)]
        watch: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Compare this replica with the table's log, event by event.
    Verify {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the runbook's state from the table's log.
    Rebuild { runbook: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and check every signature; points at the first bad entry.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Print the trail as JSON lines, with the public keys needed to verify it elsewhere.
    Export {
        #[arg(long, required = true)]
        jsonl: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// Add an environment, or change one (credentials are kept when none are given).
    Add(EnvAdd),
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Call STS GetCallerIdentity and compare the account reached with the expected one.
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove an environment and the keys it kept in the keyring.
    Remove { name: String },
    /// The profiles in your AWS config, for --profile.
    Profiles {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct EnvAdd {
    pub name: String,
    /// Primary region, e.g. af-south-1.
    #[arg(long)]
    pub region: String,
    /// The 12-digit AWS account this environment must reach.
    #[arg(long)]
    pub account: Option<String>,
    #[arg(long)]
    pub dr_region: Option<String>,
    /// Use this AWS profile (SSO profiles included).
    #[arg(long, conflicts_with = "access_key_id")]
    pub profile: Option<String>,
    /// Use this access key id; the secret is read from standard input (or asked for on a terminal)
    /// and stored in the OS keyring, never on the command line.
    #[arg(long)]
    pub access_key_id: Option<String>,
    /// One endpoint for every AWS client, e.g. a local emulator.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Hex colour shown in the UI, e.g. #c62f2f.
    #[arg(long)]
    pub colour: Option<String>,
    /// What mutating actions ask: `confirm`, or `type-name` (default for PROD).
    #[arg(long, value_parser = ["confirm", "type-name"])]
    pub guard: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret read from standard input (or asked for on a terminal).
    Set {
        name: String,
    },
    /// Whether a secret is stored (never prints it).
    Check {
        name: String,
    },
    Remove {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Start moto on a free loopback port, seed it, and point the DEMO environment at it.
    Up {
        #[arg(long)]
        json: bool,
    },
    /// Stop the demo emulator.
    Down,
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
    /// Start an item held until its planned time ("Batch 1 (09:00-10:00)") now, for this
    /// reason (audited).
    #[arg(long, value_name = "REASON")]
    pub early: Option<String>,
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
    /// Record a validation item as not tested (the note says why).
    NotTested(ItemTarget),
}

impl ItemCommand {
    pub fn target(&self) -> &ItemTarget {
        match self {
            ItemCommand::Check(t)
            | ItemCommand::Uncheck(t)
            | ItemCommand::Na(t)
            | ItemCommand::Fail(t)
            | ItemCommand::NotTested(t) => t,
        }
    }

    pub fn target_mut(&mut self) -> &mut ItemTarget {
        match self {
            ItemCommand::Check(t)
            | ItemCommand::Uncheck(t)
            | ItemCommand::Na(t)
            | ItemCommand::Fail(t)
            | ItemCommand::NotTested(t) => t,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Attach a file, a command's output (a file of it, or - for standard input) or a link
    /// to a checklist item; files and output are kept under their SHA-256.
    Attach {
        runbook: String,
        item: String,
        #[arg(long, group = "what")]
        file: Option<PathBuf>,
        #[arg(long, group = "what", value_name = "FILE|-")]
        output: Option<String>,
        #[arg(long, group = "what")]
        link: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        json: bool,
    },
    /// The evidence of a run, or of one item.
    List {
        runbook: String,
        #[arg(long)]
        item: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Hash every kept file and output again and compare it with the audit trail's SHA-256.
    /// Exit code 1 when one changed or is missing.
    Verify {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Show the saved identity.
    Show,
    /// Save your name and role (technical_lead, dba, devops_engineer, product_owner, client_stakeholder).
    Set { name: String, role: String },
}

#[derive(Debug, Subcommand)]
pub enum SoakCommand {
    /// Start the soak a phase declares, in an environment, now.
    Start {
        runbook: String,
        #[arg(long)]
        phase: String,
        #[arg(long)]
        env: String,
        #[command(flatten)]
        who: Who,
    },
    /// The checkpoints of every soak, with their results.
    Status {
        runbook: String,
        #[arg(long)]
        json: bool,
    },
    /// Evaluate and record every checkpoint that fell due (for cron on a bastion host; the app
    /// does this by itself while it runs).
    Run {
        runbook: String,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Read AWS and show exactly what the action would change, and its undo.
    Plan(ActionTarget),
    /// Apply the action after its plan and a confirmation (PROD: its name typed).
    Apply(ActionTarget),
    /// Run the undo recorded by the action's last change.
    Undo(ActionTarget),
    /// The recorded runs of a runbook's actions, newest first.
    Runs {
        runbook: String,
        step: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ActionTarget {
    pub runbook: String,
    /// The action's id in the runbook.
    pub step: String,
    #[arg(long)]
    pub env: String,
    /// Confirm a change in an environment that asks for a plain confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The environment's name, typed, where it asks for that (PROD).
    #[arg(long)]
    pub confirm: Option<String>,
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Read AWS and show every step, the criteria that judge it and the rollback it would take.
    Plan(ActionTarget),
    /// Start the rollout (after a confirmation; PROD: its name typed) and drive it until it
    /// ends. A rollout whose process died is found, held at the live traffic, and driven.
    Run(ActionTarget),
    /// Where the step's newest rollout is in the environment, with its log.
    Status(ActionTarget),
    /// Stop promoting; judging and an automatic rollback go on.
    Pause(RolloutCommandArgs),
    /// Go on from a pause or a hold: the step's pause starts again.
    Resume(RolloutCommandArgs),
    /// Shift to the next step now.
    Promote(RolloutCommandArgs),
    /// Roll back to the traffic before the rollout, and end it.
    Abort(RolloutCommandArgs),
}

impl RolloutCommand {
    pub fn target(&self) -> &ActionTarget {
        match self {
            RolloutCommand::Plan(t) | RolloutCommand::Run(t) | RolloutCommand::Status(t) => t,
            RolloutCommand::Pause(a)
            | RolloutCommand::Resume(a)
            | RolloutCommand::Promote(a)
            | RolloutCommand::Abort(a) => &a.target,
        }
    }

    pub fn target_mut(&mut self) -> &mut ActionTarget {
        match self {
            RolloutCommand::Plan(t) | RolloutCommand::Run(t) | RolloutCommand::Status(t) => t,
            RolloutCommand::Pause(a)
            | RolloutCommand::Resume(a)
            | RolloutCommand::Promote(a)
            | RolloutCommand::Abort(a) => &mut a.target,
        }
    }
}

#[derive(Debug, Args)]
pub struct RolloutCommandArgs {
    #[command(flatten)]
    pub target: ActionTarget,
    /// Why, for the audit trail.
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct DbLogin {
    /// A Secrets Manager secret of the environment holding the database's JSON
    /// (host, port, username, password, dbname), as RDS keeps it.
    #[arg(long, conflicts_with = "keyring")]
    pub secret: Option<String>,
    /// An OS keyring entry (`flightdeck secret set NAME`) holding the same JSON.
    #[arg(long)]
    pub keyring: Option<String>,
}

#[derive(Debug, Args)]
pub struct DbBackup {
    /// The environment the database belongs to (its AWS account holds the secret and bucket).
    #[arg(long)]
    pub env: String,
    #[command(flatten)]
    pub login: DbLogin,
    /// A database to dump (repeat for several; default: the credentials' dbname).
    #[arg(long = "database")]
    pub databases: Vec<String>,
    /// A directory or s3://bucket/prefix; the backup is a new folder in it, named after the
    /// databases and the time.
    #[arg(long)]
    pub to: String,
    /// zstd[:LEVEL] (default, level 1), gzip[:LEVEL] for `gunzip < f | mysql`, or none.
    #[arg(long, default_value = "zstd")]
    pub compression: String,
    /// Connections reading at once (default: the number of cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip CHECKSUM TABLE (faster; a restore is then checked by row counts only).
    #[arg(long)]
    pub no_checksums: bool,
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DbVerify {
    /// A backup: its directory or s3://bucket/prefix/name.
    pub from: String,
    /// The environment whose account holds the bucket (for S3) or the scratch database.
    #[arg(long)]
    pub env: Option<String>,
    /// Also restore this database of the backup into a scratch database, check every table
    /// against the manifest, and drop it.
    #[arg(long, requires = "env")]
    pub test_restore: Option<String>,
    #[command(flatten)]
    pub login: DbLogin,
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DbRestore {
    /// A backup: its directory or s3://bucket/prefix/name.
    pub from: String,
    #[arg(long)]
    pub env: String,
    #[command(flatten)]
    pub login: DbLogin,
    /// The database of the backup to restore (default: its only one).
    #[arg(long)]
    pub source: Option<String>,
    /// The database to restore into; a new one unless --over-existing names it.
    #[arg(long)]
    pub target: String,
    /// Restore over this existing database (type its name: its tables are replaced).
    #[arg(long)]
    pub over_existing: Option<String>,
    /// The environment's name, typed, where the environment asks for it (PROD).
    #[arg(long)]
    pub confirm: Option<String>,
    /// Data files loaded at once.
    #[arg(long, default_value_t = 2)]
    pub parallel: usize,
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Dump databases into a new backup, with progress; Ctrl-C cancels (no manifest is written).
    Backup(DbBackup),
    /// Check every file of a backup against its manifest; optionally test-restore it.
    Verify(DbVerify),
    /// Restore a database from a backup, verified first and checked table by table after.
    Restore(DbRestore),
    /// The environment's RDS snapshots (instances and clusters, manual and automated).
    Snapshots {
        #[arg(long)]
        env: String,
        #[arg(long)]
        json: bool,
    },
    /// The backups in a directory or under an S3 prefix, complete or not, with their last
    /// verification.
    List {
        /// A directory or s3://bucket/prefix.
        place: String,
        #[arg(long)]
        env: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
