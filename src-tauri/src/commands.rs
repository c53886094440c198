//! Every command of the app, declared once: each parses what the window sent, calls one method
//! of the core façade and returns its result. Who acts is the saved identity; the checks, the
//! audit entries and the loops are the core's.

use std::path::Path;
use std::time::Duration;

use flightdeck_cloud::{list_profiles, AwsProfile, Plan, RdsSnapshot};
use flightdeck_core::{
    Attachment, AuditReport, BackupDone, BackupListing, BackupPlace, BackupRequest, Board,
    Compression, DbLogin, Direction, EnvironmentInput, EnvironmentView, Error, EvidenceCheck,
    Invite, MonitoringView, PhaseGate, RestoreDone, RestorePreview, RestoreRequest, RolloutCommand,
    RolloutView, RunStart, RunTimeline, RunbookView, Scope, SignoffRequest, SoakTimeline,
    SyncRound, TeamView, VerifyDone,
};
use flightdeck_store::{
    ActionRun, Actor, Confirmation, Decision, DecisionRecord, EvidenceRecord, ImportOutcome,
    ItemUpdate, ItemView, Member, Role, RunRow, RunbookSummary, SearchHit, SignoffRecord,
    SoakRecord,
};
use serde::Serialize;
use ts_rs::TS;

use crate::ipc::commands;
use crate::reporter::Window;
use crate::updates::{self, UpdateOffer, VerifiedUpdate};

#[derive(Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    version: String,
    data_dir: String,
}

/// A board's or report's window, in minutes, kept between 5 minutes and a day.
fn window(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes.clamp(5, 24 * 60)) * 60)
}

fn blank_is_none(text: Option<String>) -> Option<String> {
    text.filter(|s| !s.is_empty())
}

fn restore_request(
    from: &str,
    source: Option<String>,
    target: String,
    over_existing: Option<String>,
    confirm: Option<String>,
) -> Result<RestoreRequest, Error> {
    Ok(RestoreRequest {
        from: BackupPlace::parse(from)?,
        source: blank_is_none(source),
        target,
        over_existing: blank_is_none(over_existing),
        confirm: blank_is_none(confirm),
        parallel: 2,
    })
}

commands! {
    fn app_info(face) -> AppInfo {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: face.fd.data_dir().display().to_string(),
        })
    }

    /// The window's first view is laid out: the window is shown, if it was hidden until now.
    fn window_ready(face) -> () {
        crate::rendering::show_main_window(face.app).map_err(|e| Error::Face {
            code: "window_not_shown",
            message: format!("the window could not be shown: {e}"),
        })
    }

    /// The window painted its first runbook: the app logs how long that took.
    fn first_painted(_face) -> () {
        crate::startup::painted();
        Ok(())
    }

    /// Asks the update server whether a newer Flightdeck is out; `null` when this is the newest.
    fn check_for_update(face) -> Option<UpdateOffer> {
        Ok(updates::check(face.app).await?)
    }

    /// Downloads the offered update and checks its signature against the update key; nothing
    /// is installed yet.
    fn download_update(face, version: String) -> VerifiedUpdate {
        Ok(updates::download(face.app, &version).await?)
    }

    /// Installs the verified update and restarts Flightdeck.
    fn install_update(face, version: String) -> () {
        Ok(updates::install(face.app, &version)?)
    }

    fn list_runbooks(face) -> Vec<RunbookSummary> {
        Ok(face.fd.read()?.list()?)
    }

    /// The runbook `key` with `phase` open (its first phase when `null`).
    fn runbook_view(face, key: String, phase: Option<String>) -> RunbookView {
        flightdeck_core::runbook_view(&*face.fd.read()?, &key, phase.as_deref())
    }

    fn set_item(face, key: String, item: String, update: ItemUpdate) -> ItemView {
        face.fd.change_item(&face.fd.acting()?, &key, &item, &update)
    }

    /// Lets a held item (and what holds it) start before its planned time, for a reason that
    /// is audited; returns the id of what held it.
    fn start_early(face, key: String, item: String, reason: String) -> String {
        face.fd.override_hold(&face.fd.acting()?, &key, &item, &reason)
    }

    /// Attaches a file (by path), pasted output or a link to a checklist item.
    fn attach_evidence(face, key: String, item: String, attachment: Attachment, note: String) -> EvidenceRecord {
        face.fd.attach_evidence(&face.fd.acting()?, &key, &item, &attachment, &note)
    }

    /// The evidence of the run `key`, oldest first.
    fn evidence(face, key: String) -> Vec<EvidenceRecord> {
        Ok(face.fd.read()?.evidence(&key, None)?)
    }

    /// Every kept file and output hashed again against the audit trail's SHA-256.
    fn verify_evidence(face, key: String) -> Vec<EvidenceCheck> {
        face.fd.verify_evidence(&key)
    }

    /// The runs of the runbook `key` belongs to, the default run first; one is current.
    fn runs(face, key: String) -> Vec<RunRow> {
        Ok(face.fd.read()?.runs(&key)?)
    }

    /// Starts a rehearsal or the live run; it becomes the runbook's current run.
    fn start_run(face, key: String, start: RunStart) -> RunRow {
        face.fd.start_run(&face.fd.acting()?, &key, &start)
    }

    fn end_run(face, key: String) -> RunRow {
        face.fd.end_run(&face.fd.acting()?, &key)
    }

    /// Writes the run's post-implementation review to the file the person chose.
    fn save_review(face, key: String, path: String) -> String {
        let input = flightdeck_core::review_input(&*face.fd.read()?, &key, flightdeck_core::now_ms())?;
        flightdeck_core::write_report(Path::new(&path), &flightdeck_core::review_html(&input)?)?;
        Ok(path)
    }

    /// The run against its plan, now: lateness, the critical path and the projected end.
    fn timeline(face, key: String) -> RunTimeline {
        flightdeck_core::run_timeline(&*face.fd.read()?, &key, flightdeck_core::now_ms())
    }

    fn import_runbook(face, path: String) -> ImportOutcome {
        if path.trim().is_empty() {
            return Err(Error::Invalid("choose a runbook file to import".into()));
        }
        face.fd.import_file(Path::new(&path))
    }

    fn identity(face) -> Option<Actor> {
        face.fd.identity()
    }

    fn set_identity(face, name: String, role: Role) -> Actor {
        face.fd.set_identity(&name, role)
    }

    fn search(face, query: String) -> Vec<SearchHit> {
        Ok(face.fd.read()?.search(&query, 50)?)
    }

    fn list_environments(face) -> Vec<EnvironmentView> {
        let environments = face.fd.read()?.environments()?;
        Ok(environments.into_iter().map(EnvironmentView::from).collect())
    }

    fn save_environment(face, input: EnvironmentInput) -> EnvironmentView {
        let actor = face.fd.identity()?;
        Ok(face.fd.save_environment(actor.as_ref(), input)?.into())
    }

    /// Calls STS GetCallerIdentity with the environment's credentials and records what it
    /// reached.
    fn test_environment(face, name: String) -> EnvironmentView {
        let actor = face.fd.identity()?;
        Ok(face.fd.test_environment(actor.as_ref(), &name).await?.1.into())
    }

    fn remove_environment(face, name: String) -> () {
        let actor = face.fd.identity()?;
        face.fd.remove_environment(actor.as_ref(), &name).map(drop)
    }

    fn aws_profiles(face) -> Vec<AwsProfile> {
        let _ = face;
        Ok(list_profiles().await)
    }

    fn phase_gate(face, key: String, phase: String) -> PhaseGate {
        flightdeck_core::phase_gate(&*face.fd.read()?, &key, &phase)
    }

    fn sign_off(face, key: String, phase: String, request: SignoffRequest) -> SignoffRecord {
        face.fd.sign_off(&face.fd.acting()?, &key, &phase, request)
    }

    fn decide(face, key: String, decision: Decision, reason: String) -> DecisionRecord {
        face.fd.decide(&face.fd.acting()?, &key, decision, &reason)
    }

    fn decisions(face, key: String) -> Vec<DecisionRecord> {
        Ok(face.fd.read()?.decisions(&key)?)
    }

    fn verify_audit(face) -> AuditReport {
        flightdeck_core::verify_audit(&*face.fd.read()?)
    }

    fn plan_action(face, key: String, step: String, env: String, direction: Direction) -> Plan {
        face.fd.plan_action(&key, &step, &env, direction).await
    }

    /// Runs a step with its lines sent to the window as `ActionProgress`; `operation` is the
    /// id the window cancels it by.
    fn run_action(
        face,
        operation: String,
        key: String,
        step: String,
        env: String,
        direction: Direction,
        confirmation: Option<String>,
    ) -> ActionRun {
        let actor = face.fd.acting()?;
        let reporter = Window::lines(face.app, face.operations, &operation, &step);
        face.fd
            .run_action(&actor, &key, &step, &env, direction, confirmation.as_deref(), &reporter)
            .await
    }

    /// Asks an action, backup or restore in progress to stop; false when none has that id.
    fn cancel_operation(face, operation: String) -> bool {
        Ok(face.operations.cancel(&operation))
    }

    fn action_runs(face, key: String) -> Vec<ActionRun> {
        Ok(face.fd.read()?.action_runs(&key, None)?)
    }

    /// Evaluates the runbook's criteria (all, or one phase's) and draws their charts in the
    /// UI's theme.
    fn go_no_go(
        face,
        key: String,
        env: String,
        phase: Option<String>,
        window_minutes: u32,
        dark: bool,
    ) -> Board {
        let scope = phase.as_deref().map(Scope::Phase).unwrap_or(Scope::All);
        face.fd.board(&key, &env, scope, window(window_minutes), dark).await
    }

    /// The monitoring grid of an environment over the last `range_minutes`.
    fn monitoring(face, env: String, range_minutes: u32, dark: bool) -> MonitoringView {
        let range = Duration::from_secs(u64::from(range_minutes.clamp(15, 7 * 24 * 60)) * 60);
        face.fd.monitoring(&env, range, dark).await
    }

    fn soak_timelines(face, key: String) -> Vec<SoakTimeline> {
        flightdeck_core::soak_timelines(&*face.fd.read()?, &key)
    }

    fn start_soak(face, key: String, phase: String, env: String) -> SoakRecord {
        face.fd.start_soak(&face.fd.acting()?, &key, &phase, &env)
    }

    fn confirm_criterion(face, key: String, criterion: String, note: String) -> Confirmation {
        face.fd.confirm_criterion(&face.fd.acting()?, &key, &criterion, &note)
    }

    /// Writes the self-contained HTML report to the file the person chose.
    fn save_report(face, key: String, env: String, window_minutes: u32, path: String) -> String {
        face.fd
            .save_report(&key, &env, window(window_minutes), Path::new(&path))
            .await?;
        Ok(path)
    }

    fn list_backups(face, env: Option<String>, place: String) -> Vec<BackupListing> {
        face.fd.list_backups(env.as_deref(), &BackupPlace::parse(&place)?).await
    }

    /// Backs up with the counters sent to the window as `BackupProgress` under `operation`.
    fn start_backup(
        face,
        operation: String,
        env: String,
        login: DbLogin,
        databases: Vec<String>,
        to: String,
        compression: String,
    ) -> BackupDone {
        let actor = face.fd.acting()?;
        let request = BackupRequest {
            databases,
            compression: Compression::parse(&compression).map_err(Error::Invalid)?,
            threads: None,
            checksums: true,
            to: BackupPlace::parse(&to)?,
        };
        let reporter = Window::counters(face.app, face.operations, &operation);
        face.fd.backup(&actor, &env, &login, &request, &reporter).await
    }

    fn verify_backup(
        face,
        env: Option<String>,
        from: String,
        test_restore: Option<String>,
        login: DbLogin,
    ) -> VerifyDone {
        let actor = face.fd.acting()?;
        let from = BackupPlace::parse(&from)?;
        let reporter = Window::counters(face.app, face.operations, "verify");
        face.fd
            .verify_backup(
                Some(&actor),
                env.as_deref(),
                &from,
                test_restore.as_deref(),
                &login,
                &reporter,
            )
            .await
    }

    /// What a restore will change, and the confirmations it needs, before anything is done.
    fn preview_restore(
        face,
        env: String,
        from: String,
        source: Option<String>,
        target: String,
        over_existing: Option<String>,
        login: DbLogin,
    ) -> RestorePreview {
        let request = restore_request(&from, source, target, over_existing, None)?;
        face.fd.restore_preview(&env, &login, &request).await
    }

    fn run_restore(
        face,
        operation: String,
        env: String,
        from: String,
        source: Option<String>,
        target: String,
        over_existing: Option<String>,
        confirm: Option<String>,
        login: DbLogin,
    ) -> RestoreDone {
        let actor = face.fd.acting()?;
        let request = restore_request(&from, source, target, over_existing, confirm)?;
        let reporter = Window::counters(face.app, face.operations, &operation);
        face.fd.restore(&actor, &env, &login, &request, &reporter).await
    }

    /// The runbook's release, how it stands with its log, its members and what of the log was
    /// refused; null when the runbook is not shared.
    fn team_view(face, key: String) -> Option<TeamView> {
        flightdeck_core::team_view(&*face.fd.read()?, &key)
    }

    /// Shares the runbook through a DynamoDB table in the environment's account.
    fn share_runbook(face, key: String, env: String, table: Option<String>) -> TeamView {
        let table = blank_is_none(table);
        face.fd.share(&face.fd.acting()?, &key, &env, table.as_deref()).await
    }

    /// Joins a shared release from its URI with the environment's credentials.
    fn join_release(face, uri: String, env: String) -> TeamView {
        face.fd.join(&uri, &env).await
    }

    /// Adds the person whose invite code this is to the shared runbook.
    fn add_member(face, key: String, invite: String) -> Member {
        let invite = Invite::parse(&invite)?;
        face.fd
            .add_member(&face.fd.acting()?, &key, &invite.name, invite.role, &invite.public_key)
            .await
    }

    /// This person's invite code, for the owner of a release.
    fn invite(face) -> Invite {
        face.fd.invite(&face.fd.acting()?)
    }

    /// Reads and writes every shared runbook's log now.
    fn sync_now(face) -> SyncRound {
        face.fd.sync_all().await
    }

    /// The runbook's rollouts, newest first, with their logs.
    fn rollouts(face, key: String) -> Vec<RolloutView> {
        face.fd.rollouts(&key)
    }

    /// Starts a rollout and drives it in the background until it ends.
    fn start_rollout(
        face,
        key: String,
        step: String,
        env: String,
        confirmation: Option<String>,
    ) -> RolloutView {
        let actor = face.fd.acting()?;
        let view = face
            .fd
            .start_rollout(&actor, &key, &step, &env, confirmation.as_deref())
            .await?;
        crate::rollouts::drive_in_background(face.app, key, view.row.rollout.clone());
        Ok(view)
    }

    /// A person's pause, resume, promote or abort; a rollout nobody drives is driven here.
    fn command_rollout(
        face,
        key: String,
        rollout: String,
        command: RolloutCommand,
        confirmation: Option<String>,
        reason: Option<String>,
    ) -> RolloutView {
        let actor = face.fd.acting()?;
        let view = face
            .fd
            .command_rollout(
                &actor,
                &key,
                &rollout,
                command,
                blank_is_none(confirmation).as_deref(),
                blank_is_none(reason).as_deref(),
            )
            .await?;
        if command != RolloutCommand::Pause && !view.driven && view.here {
            crate::rollouts::drive_in_background(face.app, key, rollout);
        }
        Ok(view)
    }

    /// The environment's RDS snapshots (instances and clusters), newest first.
    fn rds_snapshots(face, env: String) -> Vec<RdsSnapshot> {
        face.fd.rds_snapshots(&env).await
    }
}
