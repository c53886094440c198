import type { Status } from "../bindings/Status";
import type { Verdict } from "../bindings/Verdict";

export const VERDICT_LABEL: Record<Verdict, string> = { go: "GO", no_go: "NO-GO", inconclusive: "INCONCLUSIVE" };
export const STATUS_LABEL: Record<Status, string> = { pass: "Pass", fail: "Fail", inconclusive: "No data" };

/** How long ago, in words a stakeholder reads at a glance. */
export function ago(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  return `${Math.floor(seconds / 60)} min ago`;
}

/** An SVG drawn in Rust, as an image source: scripts in it never run. */
export function svgSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A checkpoint's state for the soak timeline. */
export function checkpointState(result: { verdict: string } | null, dueAt: number, nowSeconds: number): string {
  if (result) return result.verdict;
  return dueAt <= nowSeconds ? "due" : "pending";
}

/** "every 6 h", "every 30 min", "every 45 s". */
export function every(seconds: number): string {
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
