import { describe, expect, it } from "vitest";
import type { ItemView } from "../bindings/ItemView";
import type { Phase } from "../bindings/Phase";
import type { Timing } from "../bindings/Timing";
import { firstItems, ITEM_PAGE, pagesFor, percent, phaseBlocks, scrollToShow, stateForKey, step, visibleRows } from "./phase";

function item(id: string, line: number, section: string | null, task: string | null = null): ItemView {
  return { id, phase_id: "p", text: id, section, task, parent: null, depth: 0, line, state: null, note: null, by: null, role: null, at: null, desktop: null };
}

const noTime: Timing = { duration: null, window: null, offset: null, order: { type: "sequential" }, after: [], noted: null };

const phase: Phase = {
  id: "phase-8",
  number: "8",
  title: "Phase 8",
  line: 1,
  meta: { duration: null, responsible: null, depends_on: null, status: null, environment: null, target: null, other: [] },
  depends_on: [],
  signoff_roles: [],
  objectives: [],
  items: [],
  tasks: [{ id: "phase-8/task-8-1", number: "8.1", title: "Task 8.1", line: 20, meta: { duration: null, responsible: null, depends_on: null, status: null, environment: null, target: null, other: [] }, steps: [], timing: noTime }],
  steps: [],
  signoff: [],
  criteria: [],
  soak: null,
  actions: [],
  timing: noTime,
  sections: [],
};

describe("phaseBlocks", () => {
  it("keeps document order of sections and tasks", () => {
    const items = [
      item("a", 10, "Prerequisites"),
      item("b", 11, "Prerequisites"),
      item("c", 25, "Verification", "phase-8/task-8-1"),
      item("d", 40, "Success Criteria"),
    ];
    const blocks = phaseBlocks(phase, items);
    expect(blocks.map((b) => b.kind)).toEqual(["section", "task", "section"]);
    expect(blocks[0].items.map((i) => i.id)).toEqual(["a", "b"]);
    expect(blocks[1].items.map((i) => i.id)).toEqual(["c"]);
    expect(blocks[2].kind === "section" && blocks[2].title).toBe("Success Criteria");
  });

  it("shows a task even when it has no checklist items", () => {
    const blocks = phaseBlocks(phase, []);
    expect(blocks).toHaveLength(1);
    expect(blocks[0].kind).toBe("task");
  });
});

describe("firstItems", () => {
  const blocks = () =>
    phaseBlocks(phase, [
      item("a", 10, "Prerequisites"),
      item("b", 11, "Prerequisites"),
      item("c", 25, "Verification", "phase-8/task-8-1"),
      item("d", 40, "Success Criteria"),
    ]);

  it("cuts the block the limit falls in and leaves out the ones after it", () => {
    const shown = firstItems(blocks(), 1);
    expect(shown).toHaveLength(1);
    expect(shown[0].items.map((i) => i.id)).toEqual(["a"]);
    expect(blocks()[0].items).toHaveLength(2);
  });

  it("keeps whole blocks up to the limit", () => {
    const shown = firstItems(blocks(), 3);
    expect(shown.map((b) => b.items.map((i) => i.id))).toEqual([["a", "b"], ["c"]]);
    expect(firstItems(blocks(), 4)).toEqual(blocks());
  });

  it("keeps a task without items that comes before the limit", () => {
    expect(firstItems(phaseBlocks(phase, []), ITEM_PAGE)).toHaveLength(1);
  });

  it("lays out whole pages up to an item", () => {
    expect(pagesFor(0)).toBe(ITEM_PAGE);
    expect(pagesFor(ITEM_PAGE - 1)).toBe(ITEM_PAGE);
    expect(pagesFor(ITEM_PAGE)).toBe(2 * ITEM_PAGE);
  });
});

describe("keyboard helpers", () => {
  it("moves within bounds", () => {
    expect(step(-1, 1, 3)).toBe(0);
    expect(step(-1, -1, 3)).toBe(2);
    expect(step(2, 1, 3)).toBe(2);
    expect(step(0, -1, 3)).toBe(0);
    expect(step(0, 1, 0)).toBe(-1);
  });

  it("toggles states", () => {
    expect(stateForKey(" ", null)).toBe("done");
    expect(stateForKey("x", "done")).toBeNull();
    expect(stateForKey("n", "done")).toBe("na");
    expect(stateForKey("t", null)).toBe("not_tested");
    expect(stateForKey("t", "not_tested")).toBeNull();
    expect(stateForKey("f", "failed")).toBeNull();
    expect(stateForKey("q", null)).toBeUndefined();
  });

  it("computes percentages", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
  });
});

describe("visibleRows", () => {
  it("keeps the rows in view and the overscan around them", () => {
    expect(visibleRows(701, 30, 0, 300, 5)).toEqual({ first: 0, end: 15 });
    expect(visibleRows(701, 30, 3000, 300, 5)).toEqual({ first: 95, end: 115 });
    expect(visibleRows(701, 30, 3015, 300, 5)).toEqual({ first: 95, end: 116 });
  });

  it("never leaves the list", () => {
    expect(visibleRows(701, 30, 21000, 300, 5)).toEqual({ first: 695, end: 701 });
    expect(visibleRows(3, 30, 0, 300, 5)).toEqual({ first: 0, end: 3 });
    expect(visibleRows(0, 30, 0, 300, 5)).toEqual({ first: 0, end: 0 });
    expect(visibleRows(10, 30, 9000, 300, 2)).toEqual({ first: 10, end: 10 });
  });
});

describe("scrollToShow", () => {
  it("leaves a row in view where it is", () => {
    expect(scrollToShow(12, 30, 300, 300)).toBe(300);
    expect(scrollToShow(19, 30, 300, 300)).toBe(300);
  });

  it("brings a row out of view to the middle of the box", () => {
    expect(scrollToShow(20, 30, 300, 300)).toBe(465);
    expect(scrollToShow(100, 30, 0, 300)).toBe(2865);
    expect(scrollToShow(1, 30, 600, 300)).toBe(0);
  });
});
