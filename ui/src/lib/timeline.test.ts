import { describe, expect, it } from "vitest";
import type { Timeline } from "../bindings/Timeline";
import type { TimelineItem } from "../bindings/TimelineItem";
import { isLate, layout, minutesText, wallClock } from "./timeline";

const M = 60_000;
// 2027-01-10 07:00 UTC: 09:00 at UTC+02:00.
const T0 = 1_799_564_400_000;

function item(id: string, start: number, end: number, extra: Partial<TimelineItem> = {}): TimelineItem {
  return {
    planned: { id, kind: "task", phase: "p", title: id, line: 1, start_ms: T0 + start * M, end_ms: T0 + end * M, fixed_start: false, critical: true, slack_minutes: 0 },
    progress: "not_started",
    actual_start_ms: null,
    actual_end_ms: null,
    projected_start_ms: T0 + start * M,
    projected_end_ms: T0 + end * M,
    late_minutes: 0,
    critical_now: true,
    ...extra,
  };
}

function timeline(items: TimelineItem[], now: number): Timeline {
  return {
    t0_ms: T0,
    utc_offset_minutes: 120,
    now_ms: T0 + now * M,
    planned_start_ms: T0,
    planned_end_ms: T0 + 60 * M,
    projected_end_ms: Math.max(...items.map((i) => i.projected_end_ms)),
    late_minutes: 0,
    headline: "on time",
    items,
    critical_path: [],
  };
}

describe("timeline", () => {
  it("reads times on the run's wall clock, with the day when it is not T0's", () => {
    expect(wallClock(T0, T0, 120)).toBe("09:00");
    expect(wallClock(T0 + 90 * M, T0, 120)).toBe("10:30");
    expect(wallClock(T0 - 72 * 60 * M, T0, 120)).toBe("-3d 09:00");
    expect(wallClock(T0 + 15 * 60 * M, T0, 120)).toBe("+1d 00:00");
    expect(minutesText(25)).toBe("25 min");
    expect(minutesText(65)).toBe("1 h 5 min");
    expect(minutesText(120)).toBe("2 h");
  });

  it("draws planned, actual and projected bars, the now-line and late items", () => {
    const done = item("a", 0, 30, { progress: "done", actual_start_ms: T0, actual_end_ms: T0 + 50 * M, late_minutes: 20 });
    const next = item("b", 30, 60, { projected_start_ms: T0 + 50 * M, projected_end_ms: T0 + 80 * M, late_minutes: 20 });
    const l = layout(timeline([done, next], 50), 1000, 200);
    expect(l.rows[0].planned.x).toBe(200);
    expect(l.rows[0].actual!.w).toBeGreaterThan(l.rows[0].planned.w);
    expect(l.rows[0].projected).toBeNull();
    expect(l.rows[1].actual).toBeNull();
    expect(l.rows[1].projected!.x).toBeCloseTo(l.rows[0].actual!.x + l.rows[0].actual!.w, 5);
    expect(l.rows.every((r) => r.late)).toBe(true);
    expect(l.nowX).toBeCloseTo(l.rows[1].projected!.x, 5);
    expect(l.projectedEndX).toBeGreaterThan(l.plannedEndX);
    expect(l.ticks[0].label).toBe("09:00");
    expect(isLate(item("c", 0, 1))).toBe(false);
  });

  it("clips what lies days before T0 to the chart's edge", () => {
    const early = item("freeze", -72 * 60, -72 * 60 + 10);
    const l = layout(timeline([early, item("b", 0, 60)], 0), 1000, 200);
    expect(l.rows[0].planned.clipped).toBe(true);
    expect(l.rows[0].planned.x).toBe(200);
  });
});
