import type { Timeline } from "../bindings/Timeline";
import type { TimelineItem } from "../bindings/TimelineItem";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A bar's left edge and width in pixels, clipped to the chart. */
export interface Bar {
  x: number;
  w: number;
  /** Starts before the chart's left edge. */
  clipped: boolean;
}

export interface Row {
  item: TimelineItem;
  y: number;
  planned: Bar;
  /** What happened: from the first tick to the last (or to now while it runs). */
  actual: Bar | null;
  /** Where what is left is expected to fall. */
  projected: Bar | null;
  late: boolean;
  child: boolean;
}

export interface Layout {
  rows: Row[];
  width: number;
  height: number;
  nowX: number | null;
  plannedEndX: number;
  projectedEndX: number;
  ticks: { x: number; label: string }[];
}

/** "09:00", or "-3d 09:00" on another day than T0, on the run's wall clock. */
export function wallClock(ms: number, t0: number, offsetMinutes: number): string {
  const local = (t: number) => Math.floor(t / MINUTE) + offsetMinutes;
  const day = (t: number) => Math.floor(local(t) / 1440);
  const minute = ((local(ms) % 1440) + 1440) % 1440;
  const hhmm = `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
  const d = day(ms) - day(t0);
  return d === 0 ? hhmm : `${d > 0 ? "+" : ""}${d}d ${hhmm}`;
}

/** "25 min", "1 h 5 min". */
export function minutesText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** An item is late when it ended, or is now expected to end, after its planned end. */
export function isLate(item: TimelineItem): boolean {
  return item.late_minutes > 0;
}

const STEPS = [15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];

/**
 * Lays a timeline out as a Gantt chart `width` pixels wide with a label column of `labelWidth`:
 * planned bars against actual and projected ones, the now-line and the planned and projected
 * ends. The time axis spans what is near T0 (from 6 h before it to 2 days after); items
 * further out are clipped at its edge.
 */
export function layout(t: Timeline, width: number, labelWidth: number, rowHeight = 26): Layout {
  const starts = t.items.flatMap((i) => [i.planned.start_ms, i.actual_start_ms ?? i.planned.start_ms]);
  const ends = t.items.flatMap((i) => [i.planned.end_ms, i.projected_end_ms]);
  const from = Math.max(Math.min(t.t0_ms, ...starts), t.t0_ms - 6 * HOUR);
  const to = Math.min(Math.max(t.t0_ms + HOUR, t.now_ms, ...ends), t.t0_ms + 48 * HOUR);
  const span = Math.max(to - from, MINUTE);
  const chart = Math.max(width - labelWidth - 12, 50);
  const x = (ms: number) => labelWidth + ((Math.min(Math.max(ms, from), to) - from) / span) * chart;
  const bar = (start: number, end: number): Bar => {
    const left = x(start);
    return { x: left, w: Math.max(x(end) - left, 2), clipped: start < from };
  };
  const rows = t.items.map((item, i) => {
    const started = item.actual_start_ms;
    const ended = item.actual_end_ms;
    return {
      item,
      y: 28 + i * rowHeight,
      planned: bar(item.planned.start_ms, item.planned.end_ms),
      actual: started === null ? null : bar(started, ended ?? Math.max(t.now_ms, started)),
      projected: ended === null ? bar(item.projected_start_ms, item.projected_end_ms) : null,
      late: isLate(item),
      child: item.planned.kind !== "phase",
    };
  });
  const step = STEPS.find((s) => span / s <= 10) ?? 24 * HOUR;
  const offsetMs = t.utc_offset_minutes * MINUTE;
  const ticks = [];
  for (let tick = Math.ceil((from + offsetMs) / step) * step - offsetMs; tick <= to; tick += step) {
    ticks.push({ x: x(tick), label: wallClock(tick, t.t0_ms, t.utc_offset_minutes) });
  }
  return {
    rows,
    width,
    height: 28 + t.items.length * rowHeight + 8,
    nowX: t.now_ms >= from && t.now_ms <= to ? x(t.now_ms) : null,
    plannedEndX: x(t.planned_end_ms),
    projectedEndX: x(t.projected_end_ms),
    ticks,
  };
}
