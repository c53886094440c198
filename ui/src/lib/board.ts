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
