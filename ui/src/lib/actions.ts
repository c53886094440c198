import type { ActionRun } from "../bindings/ActionRun";
import type { Change } from "../bindings/Change";

/** The action's parameters as label/value rows, `kind` first. */
export function parameters(action: Record<string, unknown>): { label: string; value: string }[] {
  return Object.entries(action)
    .filter(([k]) => k !== "kind")
    .map(([k, v]) => ({ label: k.replaceAll("_", " "), value: typeof v === "string" ? v : JSON.stringify(v) }));
}

/** "before → after", with the words for a resource that is new or goes away. */
export function changeText(c: Change): string {
  if (c.before === null) return `new: ${c.after ?? ""}`;
  if (c.after === null) return `removed (was ${c.before})`;
  return `${c.before} → ${c.after}`;
}

/** What a confirmation needs: the environment's name typed, or a plain yes. */
export function confirmationReady(guard: "confirm" | "type_name", envName: string, typed: string): boolean {
  return guard === "type_name" ? typed === envName : true;
}

/** The latest run of a step in an environment, if any. */
export function lastRun(runs: ActionRun[], step: string, env: string): ActionRun | undefined {
  return runs.filter((r) => r.step === step && r.environment === env).sort((a, b) => b.id - a.id)[0];
}

/** Whether the step can be rolled back: its last run in this environment changed something. */
export function canUndo(runs: ActionRun[], step: string, env: string): boolean {
  const last = lastRun(runs, step, env);
  return !!last && last.direction === "apply" && last.status === "succeeded" && last.undo !== null;
}
