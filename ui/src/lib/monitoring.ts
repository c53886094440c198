import type { PanelView } from "../bindings/PanelView";

/** The time ranges the monitoring view offers. */
export const RANGES = [
  { minutes: 60, label: "1 h" },
  { minutes: 180, label: "3 h" },
  { minutes: 720, label: "12 h" },
  { minutes: 1440, label: "24 h" },
  { minutes: 4320, label: "3 d" },
  { minutes: 10080, label: "7 d" },
];

function value(v: number, unit: string | null): string {
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toFixed(2)));
  if (!unit) return n;
  return unit === "%" ? `${n}%` : `${n} ${unit}`;
}

/** "now 42.5% (harbour-prod / ledger-api)", or why a panel is empty. */
export function latestText(p: Pick<PanelView, "latest" | "unit" | "title">): string {
  if (!p.latest.length) return `${p.title}: not published in this account and region`;
  return "now " + p.latest.map((l) => `${value(l.value, p.unit)} (${l.label})`).join(", ");
}
