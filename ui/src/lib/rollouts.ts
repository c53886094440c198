import type { RolloutChange } from "../bindings/RolloutChange";
import type { RolloutCommand } from "../bindings/RolloutCommand";
import type { RolloutLogEntry } from "../bindings/RolloutLogEntry";
import type { RolloutStatus } from "../bindings/RolloutStatus";
import type { RolloutView } from "../bindings/RolloutView";

export const ROLLOUT_STATUS: Record<RolloutStatus, string> = {
  running: "Running",
  paused: "Paused",
  held: "Held: a person decides",
  rolling_back: "Rolling back",
  completed: "Completed",
  rolled_back: "Rolled back",
  aborted: "Aborted",
};

/** "step 2 of 3", or that it stands before its first step. */
export function stepText(v: Pick<RolloutView, "step_index" | "steps">): string {
  if (v.step_index === null) return "before its first step";
  return `step ${v.step_index + 1} of ${v.steps.length}`;
}

/** A target group's or a listener's load balancer's name, from its ARN. */
function named(arn: string): string {
  const parts = arn.split("/");
  if (arn.includes(":targetgroup/")) return parts[1] ?? arn;
  if (arn.includes(":listener/")) return parts[2] ?? arn;
  return arn;
}

/** What a rollout shifts, in a line: "ALB ledger-alb: ledger-blue → ledger-green". */
export function trafficText(traffic: Record<string, unknown>): string {
  const t = traffic as Record<string, string>;
  switch (t.via) {
    case "alb":
      return `ALB ${named(t.listener_arn)}: ${named(t.stable)} → ${named(t.canary)}`;
    case "lambda":
      return `Lambda alias ${t.function}:${t.alias} → version ${t.version}`;
    case "route53":
      return `Route53 ${t.name} ${t.type}: ${t.stable} → ${t.canary}`;
    default:
      return JSON.stringify(traffic);
  }
}

/** How long until the next step may come: "1 min 20 s", or "now" once the pause is over. */
export function countdown(nextAtMs: number | null, nowMs: number): string | null {
  if (nextAtMs === null) return null;
  const left = Math.ceil((nextAtMs - nowMs) / 1000);
  if (left <= 0) return "now, with a passing judgment";
  const minutes = Math.floor(left / 60);
  return minutes ? `in ${minutes} min ${left % 60} s` : `in ${left} s`;
}

/** One change of the rollout's log as a line a person reads. */
export function changeLine(change: RolloutChange): string {
  switch (change.change) {
    case "started":
      return `started at ${change.start_percent}%${change.ignored_alarms.length ? `; alarms already in ALARM ignored: ${change.ignored_alarms.join(", ")}` : ""}`;
    case "judged": {
      const verdict = { pass: "pass", fail: "FAIL", inconclusive: "no data" }[change.verdict];
      return `judged at ${change.percent}%: ${verdict} — ${change.results.map((r) => r.sentence).join("; ")}`;
    }
    case "shifted": {
      const what = { promotion: "promoted", promoted_by_person: "promoted by a person", rollback: "rolled back" }[change.cause];
      const timing = change.timing
        ? `; ${change.timing.to_first_call_ms} ms to the first rollback call, ${change.timing.to_complete_ms} ms to done`
        : "";
      return `${what}: ${change.from_percent}% → ${change.to_percent}% (AWS request ids: ${change.request_ids.join(", ") || "none"})${timing}`;
    }
    case "shift_failed":
      return `could not shift to ${change.to_percent}%: ${change.error}`;
    case "held":
      return `held: ${change.reason}`;
    case "paused":
      return change.reason;
    case "resumed":
      return change.percent === null ? "resumed" : `resumed at ${change.percent}%`;
    case "promote_asked":
      return "promotion asked";
    case "rollback_begun":
      return `${change.aborted ? "abort" : "rollback"}: ${change.reason}`;
    case "ended":
      return `${ROLLOUT_STATUS[change.status].toLowerCase()}: ${change.reason}`;
  }
}

/** Which of a person's commands the rollout takes now. */
export function allowed(v: Pick<RolloutView, "status">, command: RolloutCommand): boolean {
  switch (command) {
    case "pause":
      return v.status === "running";
    case "resume":
      return v.status === "paused" || v.status === "held";
    case "promote":
      return v.status === "running" || v.status === "paused" || v.status === "held";
    case "abort":
      return v.status === "running" || v.status === "paused" || v.status === "held";
  }
}

/** A point of the traffic chart: the canary's share from `t` on. */
export type TrafficPoint = { t: number; percent: number };
/** A judgment on the chart. */
export type Mark = { t: number; percent: number; verdict: "pass" | "fail" | "inconclusive"; text: string };

/** The canary's share over time (steps), each judgment, and where the rollback began. */
export function trafficChart(log: RolloutLogEntry[]): { steps: TrafficPoint[]; marks: Mark[]; rollbackAt: number | null } {
  const steps: TrafficPoint[] = [];
  const marks: Mark[] = [];
  let rollbackAt: number | null = null;
  for (const e of log) {
    const c = e.change;
    if (c.change === "started") steps.push({ t: e.at_ms, percent: c.start_percent });
    if (c.change === "shifted" || (c.change === "held" && c.percent !== null) || (c.change === "resumed" && c.percent !== null)) {
      const percent = c.change === "shifted" ? c.to_percent : (c.percent as number);
      if (steps.length === 0 || steps[steps.length - 1].percent !== percent) steps.push({ t: e.at_ms, percent });
    }
    if (c.change === "judged") marks.push({ t: e.at_ms, percent: c.percent, verdict: c.verdict, text: changeLine(c) });
    if (c.change === "rollback_begun" && rollbackAt === null) rollbackAt = e.at_ms;
  }
  return { steps, marks, rollbackAt };
}
