import type { ItemState } from "../bindings/ItemState";
import type { ItemView } from "../bindings/ItemView";
import type { Phase } from "../bindings/Phase";
import type { PhaseStatus } from "../bindings/PhaseStatus";
import type { Task } from "../bindings/Task";

export function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.floor((done * 100) / total);
}

export const STATUS_LABEL: Record<PhaseStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  complete: "Complete",
  attention: "Needs attention",
};

export const STATE_LABEL: Record<ItemState, string> = {
  done: "Done",
  na: "Not applicable",
  failed: "Failed",
  not_tested: "Not tested",
};

/** A run of items shown together: the phase-level items of one section, or one task. */
export type Block =
  | { kind: "section"; key: string; title: string | null; line: number; items: ItemView[] }
  | { kind: "task"; key: string; task: Task; line: number; items: ItemView[] };

/**
 * Orders a phase for display as the document does: sections of phase-level items and task cards,
 * by their first line in the runbook.
 */
export function phaseBlocks(phase: Phase, items: ItemView[]): Block[] {
  const blocks: Block[] = [];
  const tasks = new Map(phase.tasks.map((t) => [t.id, { kind: "task" as const, key: t.id, task: t, line: t.line, items: [] as ItemView[] }]));
  let current: Block | null = null;
  for (const item of items) {
    if (item.task && tasks.has(item.task)) {
      tasks.get(item.task)!.items.push(item);
      current = null;
      continue;
    }
    if (!current || current.kind !== "section" || current.title !== item.section) {
      current = { kind: "section", key: `${item.section ?? ""}@${item.line}`, title: item.section, line: item.line, items: [] };
      blocks.push(current);
    }
    current.items.push(item);
  }
  blocks.push(...tasks.values());
  return blocks.sort((a, b) => a.line - b.line);
}

/** Items a phase lays out at a time: WebKitGTK takes about 0.6 ms an item, so a phase of
 * 20,000 items laid out at once took 15 s to show. */
export const ITEM_PAGE = 200;

/**
 * The blocks as far as their first `limit` items go: the block the limit falls in is cut short,
 * later ones are left out (blocks without items before it are kept).
 */
export function firstItems(blocks: Block[], limit: number): Block[] {
  const shown: Block[] = [];
  let left = limit;
  for (const block of blocks) {
    if (left <= 0) break;
    shown.push(block.items.length > left ? { ...block, items: block.items.slice(0, left) } : block);
    left -= block.items.length;
  }
  return shown;
}

/** The number of items to lay out so that item `index` is among them: whole pages. */
export function pagesFor(index: number): number {
  return (Math.floor(index / ITEM_PAGE) + 1) * ITEM_PAGE;
}

/** Index of the next focusable item, clamped to the list. */
export function step(index: number, delta: number, length: number): number {
  if (length === 0) return -1;
  if (index < 0) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/** The state a key press asks for, given the item's current state; undefined for other keys. */
export function stateForKey(key: string, current: ItemState | null): ItemState | null | undefined {
  const toggle = (s: ItemState) => (current === s ? null : s);
  switch (key) {
    case " ":
    case "x":
      return toggle("done");
    case "n":
      return toggle("na");
    case "f":
      return toggle("failed");
    case "t":
      return toggle("not_tested");
    default:
      return undefined;
  }
}

export function formatWhen(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The rows of a list of `count` rows, each `row` px high, that a box `height` px high
 * scrolled to `scrollTop` shows, with `overscan` more on each side: `first` inclusive, `end`
 * exclusive. */
export function visibleRows(
  count: number,
  row: number,
  scrollTop: number,
  height: number,
  overscan: number,
): { first: number; end: number } {
  const first = Math.max(0, Math.floor(scrollTop / row) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + height) / row) + overscan);
  return { first: Math.min(first, end), end };
}

/** Where to scroll a box `height` px high over rows `row` px high so that row `index` is in
 * view: `scrollTop` when it already is, else the row in the box's middle. */
export function scrollToShow(index: number, row: number, scrollTop: number, height: number): number {
  const top = index * row;
  if (top >= scrollTop && top + row <= scrollTop + height) return scrollTop;
  return Math.max(0, top - (height - row) / 2);
}
