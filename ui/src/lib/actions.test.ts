import { describe, expect, it } from "vitest";
import type { ActionRun } from "../bindings/ActionRun";
import { canUndo, changeText, confirmationReady, lastRun, parameters } from "./actions";

const run = (id: number, direction: string, status: ActionRun["status"], undo: Record<string, unknown> | null): ActionRun => ({
  id, step: "scale", environment: "PROD", direction, action: {}, actor: "Ana", role: "technical_lead",
  started_at: "", finished_at: null, status, outputs: {}, request_ids: [], undo, log: [], error: null,
});

describe("action cards", () => {
  it("lists parameters without the kind", () => {
    expect(parameters({ kind: "ecs.scale", cluster: "c", desired_count: 4 })).toEqual([
      { label: "cluster", value: "c" },
      { label: "desired count", value: "4" },
    ]);
  });
  it("describes changes", () => {
    expect(changeText({ resource: "r", field: "f", before: "2", after: "4" })).toBe("2 → 4");
    expect(changeText({ resource: "r", field: "f", before: null, after: "x" })).toBe("new: x");
    expect(changeText({ resource: "r", field: "f", before: "x", after: null })).toBe("removed (was x)");
  });
  it("asks PROD for its name typed exactly", () => {
    expect(confirmationReady("type_name", "PROD", "prod")).toBe(false);
    expect(confirmationReady("type_name", "PROD", "PROD")).toBe(true);
    expect(confirmationReady("confirm", "DEMO", "")).toBe(true);
  });
  it("offers a rollback only after a change that recorded its undo", () => {
    expect(canUndo([run(1, "apply", "succeeded", { kind: "ecs.scale" })], "scale", "PROD")).toBe(true);
    expect(canUndo([run(1, "apply", "succeeded", { kind: "ecs.scale" }), run(2, "undo", "succeeded", null)], "scale", "PROD")).toBe(false);
    expect(canUndo([run(1, "apply", "unchanged", null)], "scale", "PROD")).toBe(false);
    expect(lastRun([], "scale", "PROD")).toBeUndefined();
  });
});
