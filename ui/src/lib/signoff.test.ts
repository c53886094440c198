import { describe, expect, it } from "vitest";
import type { ItemView } from "../bindings/ItemView";
import type { SignoffField } from "../bindings/SignoffField";
import { buildRequest, openItems } from "./signoff";

const item = (id: string, state: ItemView["state"]): ItemView => ({
  id, phase_id: "p", text: `item ${id}`, section: null, task: null, parent: null, depth: 0, line: 1, state, note: null, by: null, role: null, at: null, desktop: null,
});
const fields: SignoffField[] = [
  { id: "s1", label: "Completed By", kind: { type: "signature", with_date: true }, line: 1 },
  { id: "s2", label: "Ready for Phase 9", kind: { type: "yes_no", answer: null }, line: 2 },
];

describe("sign-off form", () => {
  it("needs every question answered and every open item waived", () => {
    const items = [item("a", "done"), item("b", null), item("c", "na")];
    expect(openItems(items).map((i) => i.id)).toEqual(["b"]);
    expect(buildRequest(fields, items, {}, {})).toBe('Answer "Ready for Phase 9" first.');
    expect(buildRequest(fields, items, { "Ready for Phase 9": "yes" }, { b: " " })).toContain("item b");
    expect(buildRequest(fields, items, { "Ready for Phase 9": "no" }, { b: "later" })).toEqual({
      answers: [{ label: "Ready for Phase 9", yes: false }],
      waivers: [{ item: "b", reason: "later" }],
    });
  });
});
