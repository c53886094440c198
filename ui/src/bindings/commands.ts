// Generated from src-tauri/src/commands.rs by `cargo test`; do not edit.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ActionProgress } from "./ActionProgress";
import type { ActionRun } from "./ActionRun";
import type { Actor } from "./Actor";
import type { AppInfo } from "./AppInfo";
import type { Attachment } from "./Attachment";
import type { AuditReport } from "./AuditReport";
import type { AwsProfile } from "./AwsProfile";
import type { BackupDone } from "./BackupDone";
import type { BackupListing } from "./BackupListing";
import type { BackupProgress } from "./BackupProgress";
import type { Board } from "./Board";
import type { Confirmation } from "./Confirmation";
import type { DbLogin } from "./DbLogin";
import type { Decision } from "./Decision";
import type { DecisionRecord } from "./DecisionRecord";
import type { Direction } from "./Direction";
import type { EnvironmentInput } from "./EnvironmentInput";
import type { EnvironmentView } from "./EnvironmentView";
import type { EvidenceCheck } from "./EvidenceCheck";
import type { EvidenceRecord } from "./EvidenceRecord";
import type { ImportOutcome } from "./ImportOutcome";
import type { Invite } from "./Invite";
import type { ItemUpdate } from "./ItemUpdate";
import type { ItemView } from "./ItemView";
import type { Member } from "./Member";
import type { MonitoringView } from "./MonitoringView";
import type { PhaseGate } from "./PhaseGate";
import type { Plan } from "./Plan";
import type { RdsSnapshot } from "./RdsSnapshot";
import type { RestoreDone } from "./RestoreDone";
import type { RestorePreview } from "./RestorePreview";
import type { Role } from "./Role";
import type { RolloutCommand } from "./RolloutCommand";
import type { RolloutProgress } from "./RolloutProgress";
import type { RolloutView } from "./RolloutView";
import type { RunRow } from "./RunRow";
import type { RunStart } from "./RunStart";
import type { RunTimeline } from "./RunTimeline";
import type { RunbookSummary } from "./RunbookSummary";
import type { RunbookView } from "./RunbookView";
import type { SearchHit } from "./SearchHit";
import type { SignoffRecord } from "./SignoffRecord";
import type { SignoffRequest } from "./SignoffRequest";
import type { SoakRecord } from "./SoakRecord";
import type { SoakTimeline } from "./SoakTimeline";
import type { SyncRound } from "./SyncRound";
import type { TeamView } from "./TeamView";
import type { UpdateOffer } from "./UpdateOffer";
import type { UpdateProgress } from "./UpdateProgress";
import type { VerifiedUpdate } from "./VerifiedUpdate";
import type { VerifyDone } from "./VerifyDone";

/** Every command of the app, as the window calls it. */
export const commands = {
  appInfo: () => invoke<AppInfo>("app_info"),
  windowReady: () => invoke<null>("window_ready"),
  firstPainted: () => invoke<null>("first_painted"),
  checkForUpdate: () => invoke<UpdateOffer | null>("check_for_update"),
  downloadUpdate: (version: string) => invoke<VerifiedUpdate>("download_update", { version }),
  installUpdate: (version: string) => invoke<null>("install_update", { version }),
  listRunbooks: () => invoke<Array<RunbookSummary>>("list_runbooks"),
  runbookView: (key: string, phase: string | null) => invoke<RunbookView>("runbook_view", { key, phase }),
  setItem: (key: string, item: string, update: ItemUpdate) => invoke<ItemView>("set_item", { key, item, update }),
  startEarly: (key: string, item: string, reason: string) => invoke<string>("start_early", { key, item, reason }),
  attachEvidence: (key: string, item: string, attachment: Attachment, note: string) => invoke<EvidenceRecord>("attach_evidence", { key, item, attachment, note }),
  evidence: (key: string) => invoke<Array<EvidenceRecord>>("evidence", { key }),
  verifyEvidence: (key: string) => invoke<Array<EvidenceCheck>>("verify_evidence", { key }),
  runs: (key: string) => invoke<Array<RunRow>>("runs", { key }),
  startRun: (key: string, start: RunStart) => invoke<RunRow>("start_run", { key, start }),
  endRun: (key: string) => invoke<RunRow>("end_run", { key }),
  saveReview: (key: string, path: string) => invoke<string>("save_review", { key, path }),
  timeline: (key: string) => invoke<RunTimeline>("timeline", { key }),
  importRunbook: (path: string) => invoke<ImportOutcome>("import_runbook", { path }),
  identity: () => invoke<Actor | null>("identity"),
  setIdentity: (name: string, role: Role) => invoke<Actor>("set_identity", { name, role }),
  search: (query: string) => invoke<Array<SearchHit>>("search", { query }),
  listEnvironments: () => invoke<Array<EnvironmentView>>("list_environments"),
  saveEnvironment: (input: EnvironmentInput) => invoke<EnvironmentView>("save_environment", { input }),
  testEnvironment: (name: string) => invoke<EnvironmentView>("test_environment", { name }),
  removeEnvironment: (name: string) => invoke<null>("remove_environment", { name }),
  awsProfiles: () => invoke<Array<AwsProfile>>("aws_profiles"),
  phaseGate: (key: string, phase: string) => invoke<PhaseGate>("phase_gate", { key, phase }),
  signOff: (key: string, phase: string, request: SignoffRequest) => invoke<SignoffRecord>("sign_off", { key, phase, request }),
  decide: (key: string, decision: Decision, reason: string) => invoke<DecisionRecord>("decide", { key, decision, reason }),
  decisions: (key: string) => invoke<Array<DecisionRecord>>("decisions", { key }),
  verifyAudit: () => invoke<AuditReport>("verify_audit"),
  planAction: (key: string, step: string, env: string, direction: Direction) => invoke<Plan>("plan_action", { key, step, env, direction }),
  runAction: (operation: string, key: string, step: string, env: string, direction: Direction, confirmation: string | null) => invoke<ActionRun>("run_action", { operation, key, step, env, direction, confirmation }),
  cancelOperation: (operation: string) => invoke<boolean>("cancel_operation", { operation }),
  actionRuns: (key: string) => invoke<Array<ActionRun>>("action_runs", { key }),
  goNoGo: (key: string, env: string, phase: string | null, windowMinutes: number, dark: boolean) => invoke<Board>("go_no_go", { key, env, phase, windowMinutes, dark }),
  monitoring: (env: string, rangeMinutes: number, dark: boolean) => invoke<MonitoringView>("monitoring", { env, rangeMinutes, dark }),
  soakTimelines: (key: string) => invoke<Array<SoakTimeline>>("soak_timelines", { key }),
  startSoak: (key: string, phase: string, env: string) => invoke<SoakRecord>("start_soak", { key, phase, env }),
  confirmCriterion: (key: string, criterion: string, note: string) => invoke<Confirmation>("confirm_criterion", { key, criterion, note }),
  saveReport: (key: string, env: string, windowMinutes: number, path: string) => invoke<string>("save_report", { key, env, windowMinutes, path }),
  listBackups: (env: string | null, place: string) => invoke<Array<BackupListing>>("list_backups", { env, place }),
  startBackup: (operation: string, env: string, login: DbLogin, databases: Array<string>, to: string, compression: string) => invoke<BackupDone>("start_backup", { operation, env, login, databases, to, compression }),
  verifyBackup: (env: string | null, from: string, testRestore: string | null, login: DbLogin) => invoke<VerifyDone>("verify_backup", { env, from, testRestore, login }),
  previewRestore: (env: string, from: string, source: string | null, target: string, overExisting: string | null, login: DbLogin) => invoke<RestorePreview>("preview_restore", { env, from, source, target, overExisting, login }),
  runRestore: (operation: string, env: string, from: string, source: string | null, target: string, overExisting: string | null, confirm: string | null, login: DbLogin) => invoke<RestoreDone>("run_restore", { operation, env, from, source, target, overExisting, confirm, login }),
  teamView: (key: string) => invoke<TeamView | null>("team_view", { key }),
  shareRunbook: (key: string, env: string, table: string | null) => invoke<TeamView>("share_runbook", { key, env, table }),
  joinRelease: (uri: string, env: string) => invoke<TeamView>("join_release", { uri, env }),
  addMember: (key: string, invite: string) => invoke<Member>("add_member", { key, invite }),
  invite: () => invoke<Invite>("invite"),
  syncNow: () => invoke<SyncRound>("sync_now"),
  rollouts: (key: string) => invoke<Array<RolloutView>>("rollouts", { key }),
  startRollout: (key: string, step: string, env: string, confirmation: string | null) => invoke<RolloutView>("start_rollout", { key, step, env, confirmation }),
  commandRollout: (key: string, rollout: string, command: RolloutCommand, confirmation: string | null, reason: string | null) => invoke<RolloutView>("command_rollout", { key, rollout, command, confirmation, reason }),
  rdsSnapshots: (env: string) => invoke<Array<RdsSnapshot>>("rds_snapshots", { env }),
};

/** Every event the app emits, each with its payload. */
export const events = {
  actionProgress: (handler: (payload: ActionProgress) => void): Promise<UnlistenFn> =>
    listen<ActionProgress>("action-progress", (e) => handler(e.payload)),
  backupProgress: (handler: (payload: BackupProgress) => void): Promise<UnlistenFn> =>
    listen<BackupProgress>("backup-progress", (e) => handler(e.payload)),
  teamSynced: (handler: (payload: SyncRound) => void): Promise<UnlistenFn> =>
    listen<SyncRound>("team-synced", (e) => handler(e.payload)),
  rolloutProgress: (handler: (payload: RolloutProgress) => void): Promise<UnlistenFn> =>
    listen<RolloutProgress>("rollout-progress", (e) => handler(e.payload)),
  updateProgress: (handler: (payload: UpdateProgress) => void): Promise<UnlistenFn> =>
    listen<UpdateProgress>("update-progress", (e) => handler(e.payload)),
};
