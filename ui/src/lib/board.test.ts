import { describe, expect, it } from "vitest";
import { ago, checkpointState, every, svgSource, VERDICT_LABEL } from "./board";

describe("board", () => {
  it("labels verdicts and ages", () => {
    expect(VERDICT_LABEL.no_go).toBe("NO-GO");
    const now = new Date("2026-11-23T10:00:00Z");
    expect(ago(new Date("2026-11-23T09:59:30Z"), now)).toBe("30 s ago");
    expect(ago(new Date("2026-11-23T09:55:00Z"), now)).toBe("5 min ago");
    expect(svgSource("<svg>µ</svg>")).toBe("data:image/svg+xml;charset=utf-8,%3Csvg%3E%C2%B5%3C%2Fsvg%3E");
  });
});

describe("soak timeline", () => {
  it("names a checkpoint's state", () => {
    expect(checkpointState({ verdict: "go" }, 100, 50)).toBe("go");
    expect(checkpointState(null, 100, 150)).toBe("due");
    expect(checkpointState(null, 100, 50)).toBe("pending");
  });
  it("says the interval in words", () => {
    expect(every(6 * 3600)).toBe("every 6 h");
    expect(every(1800)).toBe("every 30 min");
    expect(every(45)).toBe("every 45 s");
  });
});
