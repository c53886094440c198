import { invoke } from "@tauri-apps/api/core";
import type { Actor } from "../bindings/Actor";
import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { AuditReport } from "../bindings/AuditReport";
import type { AwsProfile } from "../bindings/AwsProfile";
import type { Decision } from "../bindings/Decision";
import type { DecisionRecord } from "../bindings/DecisionRecord";
import type { PhaseGate } from "../bindings/PhaseGate";
import type { SignoffRecord } from "../bindings/SignoffRecord";
import type { SignoffRequest } from "../bindings/SignoffRequest";
import type { EnvironmentInput } from "../bindings/EnvironmentInput";
import type { Board } from "../bindings/Board";
import type { EnvironmentView } from "../bindings/EnvironmentView";
import type { ImportOutcome } from "../bindings/ImportOutcome";
import type { ItemUpdate } from "../bindings/ItemUpdate";
import type { ItemView } from "../bindings/ItemView";
import type { Role } from "../bindings/Role";
import type { RunbookSummary } from "../bindings/RunbookSummary";
import type { RunbookView } from "../bindings/RunbookView";
import type { SearchHit } from "../bindings/SearchHit";
import type { Confirmation } from "../bindings/Confirmation";
import type { SoakRecord } from "../bindings/SoakRecord";
import type { SoakTimeline } from "../bindings/SoakTimeline";
import type { MonitoringView } from "../bindings/MonitoringView";
import type { ActionRun } from "../bindings/ActionRun";
import type { Direction } from "../bindings/Direction";
import type { Plan } from "../bindings/Plan";
import type { BackupDone } from "../bindings/BackupDone";
import type { BackupListing } from "../bindings/BackupListing";
import type { DbLogin } from "../bindings/DbLogin";
import type { RestoreDone } from "../bindings/RestoreDone";
import type { RestorePreview } from "../bindings/RestorePreview";
import type { VerifyDone } from "../bindings/VerifyDone";
import type { RdsSnapshot } from "../bindings/RdsSnapshot";

/** Whatever a command throws, as the `{ code, message }` every Rust error crosses IPC as. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    return { code: String(code), message: String(message) };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listRunbooks: () => call<RunbookSummary[]>("list_runbooks"),
  runbookView: (key: string) => call<RunbookView>("runbook_view", { key }),
  setItem: (key: string, item: string, update: ItemUpdate) =>
    call<ItemView>("set_item", { key, item, update }),
  importRunbook: (path: string) => call<ImportOutcome>("import_runbook", { path }),
  identity: () => call<Actor | null>("identity"),
  setIdentity: (name: string, role: Role) => call<Actor>("set_identity", { name, role }),
  search: (query: string) => call<SearchHit[]>("search", { query }),
  listEnvironments: () => call<EnvironmentView[]>("list_environments"),
  saveEnvironment: (input: EnvironmentInput) => call<EnvironmentView>("save_environment", { input }),
  testEnvironment: (name: string) => call<EnvironmentView>("test_environment", { name }),
  removeEnvironment: (name: string) => call<void>("remove_environment", { name }),
  awsProfiles: () => call<AwsProfile[]>("aws_profiles"),
  phaseGate: (key: string, phase: string) => call<PhaseGate>("phase_gate", { key, phase }),
  signOff: (key: string, phase: string, request: SignoffRequest) => call<SignoffRecord>("sign_off", { key, phase, request }),
  decide: (key: string, decision: Decision, reason: string) => call<DecisionRecord>("decide", { key, decision, reason }),
  decisions: (key: string) => call<DecisionRecord[]>("decisions", { key }),
  verifyAudit: () => call<AuditReport>("verify_audit"),
  goNoGo: (key: string, env: string, phase: string | null, windowMinutes: number, dark: boolean) =>
    call<Board>("go_no_go", { key, env, phase, windowMinutes, dark }),
  planAction: (key: string, step: string, env: string, direction: Direction) =>
    call<Plan>("plan_action", { key, step, env, direction }),
  runAction: (key: string, step: string, env: string, direction: Direction, confirmation: string | null) =>
    call<ActionRun>("run_action", { key, step, env, direction, confirmation }),
  cancelAction: (run: number) => call<boolean>("cancel_action", { run }),
  actionRuns: (key: string) => call<ActionRun[]>("action_runs", { key }),
  monitoring: (env: string, rangeMinutes: number, dark: boolean) =>
    call<MonitoringView>("monitoring", { env, rangeMinutes, dark }),
  soakTimelines: (key: string) => call<SoakTimeline[]>("soak_timelines", { key }),
  startSoak: (key: string, phase: string, env: string) => call<SoakRecord>("start_soak", { key, phase, env }),
  confirmCriterion: (key: string, criterion: string, note: string) =>
    call<Confirmation>("confirm_criterion", { key, criterion, note }),
  saveReport: (key: string, env: string, windowMinutes: number, path: string) =>
    call<string>("save_report", { key, env, windowMinutes, path }),
  listBackups: (env: string | null, place: string) => call<BackupListing[]>("list_backups", { env, place }),
  startBackup: (operation: string, env: string, login: DbLogin, databases: string[], to: string, compression: string) =>
    call<BackupDone>("start_backup", { operation, env, login, databases, to, compression }),
  cancelBackup: (operation: string) => call<boolean>("cancel_backup", { operation }),
  rdsSnapshots: (env: string) => call<RdsSnapshot[]>("rds_snapshots", { env }),
  verifyBackup: (env: string | null, from: string, testRestore: string | null, login: DbLogin) =>
    call<VerifyDone>("verify_backup", { env, from, testRestore, login }),
  previewRestore: (env: string, from: string, source: string, target: string, overExisting: string | null, login: DbLogin) =>
    call<RestorePreview>("preview_restore", { env, from, source, target, overExisting, login }),
  runRestore: (
    operation: string,
    env: string,
    from: string,
    source: string,
    target: string,
    overExisting: string | null,
    confirm: string | null,
    login: DbLogin,
  ) => call<RestoreDone>("run_restore", { operation, env, from, source, target, overExisting, confirm, login }),
};
