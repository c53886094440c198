import { describe, expect, it } from "vitest";
import { ago, svgSource, VERDICT_LABEL } from "./board";

describe("board", () => {
  it("labels verdicts and ages", () => {
    expect(VERDICT_LABEL.no_go).toBe("NO-GO");
    const now = new Date("2026-11-23T10:00:00Z");
    expect(ago(new Date("2026-11-23T09:59:30Z"), now)).toBe("30 s ago");
    expect(ago(new Date("2026-11-23T09:55:00Z"), now)).toBe("5 min ago");
    expect(svgSource("<svg>µ</svg>")).toBe("data:image/svg+xml;charset=utf-8,%3Csvg%3E%C2%B5%3C%2Fsvg%3E");
  });
});
