import type { BackupCheck } from "../bindings/BackupCheck";
import type { DbLogin } from "../bindings/DbLogin";
import type { ProgressSnapshot } from "../bindings/ProgressSnapshot";
import type { RestorePreview } from "../bindings/RestorePreview";

/** "12.4 MB", "1.2 GB", "512 B". */
export function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** "about 2 min 5 s left", or nothing until there is a pace. */
export function eta(seconds: number | null): string {
  if (seconds === null) return "";
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.floor(seconds / 60)} min ${seconds % 60} s left`;
}

/** The progress bar's fraction: rows against the server's estimate, capped below 1 until done. */
export function fraction(p: ProgressSnapshot): number {
  if (p.rows_estimate > 0) return Math.min(0.99, p.rows / p.rows_estimate);
  if (p.tables_total > 0) return p.tables_done / p.tables_total;
  return 0;
}

/** One line under the bar: tables, rows, speed and time left. */
export function progressLine(p: ProgressSnapshot): string {
  const parts = [
    `${p.tables_done} of ${p.tables_total} tables`,
    `${p.rows.toLocaleString("en")} of ~${p.rows_estimate.toLocaleString("en")} rows`,
    `${p.mb_per_s.toFixed(1)} MB/s`,
  ];
  const left = eta(p.eta_s);
  if (left) parts.push(left);
  return parts.join(" · ");
}

/** The credentials as the command takes them: a secret name or a keyring entry, not both. */
export function login(kind: "secret" | "keyring", name: string): DbLogin {
  return kind === "secret" ? { secret: name.trim(), keyring: null } : { secret: null, keyring: name.trim() };
}

/** "shop, wp" → ["shop", "wp"]. */
export function databaseList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((d) => d.trim())
    .filter(Boolean);
}

/**
 * Whether a restore may go: over an existing database its name typed exactly, and in an
 * environment that asks for it (PROD) the environment's name typed exactly.
 */
export function restoreReady(preview: RestorePreview, overExisting: boolean, typedDatabase: string, typedEnvironment: string): boolean {
  if (overExisting && typedDatabase !== preview.target) return false;
  return !needsEnvironment(preview) || typedEnvironment === preview.environment;
}

/** Whether the restore asks for the environment's name typed (PROD). */
export function needsEnvironment(preview: RestorePreview): boolean {
  return preview.needs.some((n) => n.kind === "environment_name");
}

/** The last verification of a backup, in a few words, and whether it proved the backup good. */
export function checkText(check: BackupCheck | null): { text: string; good: boolean | null } {
  if (!check) return { text: "never verified", good: null };
  const when = check.checked_at.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC");
  switch (check.result) {
    case "test_restored":
      return { text: `test-restored ${when} by ${check.actor}`, good: true };
    case "verified":
      return { text: `checksums verified ${when} by ${check.actor}`, good: true };
    default:
      return { text: `FAILED ${when}: ${check.detail}`, good: false };
  }
}
