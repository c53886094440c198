import { describe, expect, it } from "vitest";
import type { EvidenceRecord } from "../bindings/EvidenceRecord";
import { byItem, evidenceLine, size } from "./evidence";

const file: EvidenceRecord = {
  id: 1,
  item: "i1",
  evidence: { kind: "file", name: "restore.log", sha256: "3f2a00000000000000000000000000000000000000000000000000000000009c01", bytes: 4300, note: "" },
  by: "Ana",
  role: "dba",
  at: "2027-01-10T09:00:00Z",
};
const link: EvidenceRecord = { ...file, id: 2, item: "i2", evidence: { kind: "link", url: "https://grafana.example/d/1", sha256: null, bytes: null, note: "" } };

describe("evidence", () => {
  it("says what is attached, how big and which hash", () => {
    expect(size(812)).toBe("812 B");
    expect(size(4300)).toBe("4.2 KB");
    expect(size(100 * 1024 * 1024)).toBe("100 MB");
    expect(evidenceLine(file)).toBe("restore.log · 4.2 KB · sha256 3f2a…9c01");
    expect(evidenceLine(link)).toBe("https://grafana.example/d/1");
    expect(Object.keys(byItem([file, link, { ...file, id: 3 }]))).toEqual(["i1", "i2"]);
    expect(byItem([file, { ...file, id: 3 }]).i1).toHaveLength(2);
  });
});
