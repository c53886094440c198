import type { EvidenceRecord } from "../bindings/EvidenceRecord";

/** Bytes in the unit people read: "812 B", "4.2 KB", "100 MB". */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** "restore.log · 4.2 KB · sha256 3f2a…9c01" for a kept file or output; the URL for a link. */
export function evidenceLine(r: EvidenceRecord): string {
  const e = r.evidence;
  const what = e.kind === "file" ? e.name : e.kind === "output" ? "pasted output" : e.url;
  const sha = e.sha256 ? ` · sha256 ${e.sha256.slice(0, 4)}…${e.sha256.slice(-4)}` : "";
  const bytes = e.bytes !== null ? ` · ${size(e.bytes)}` : "";
  return `${what}${bytes}${sha}`;
}

/** Evidence grouped by item id. */
export function byItem(records: EvidenceRecord[]): Record<string, EvidenceRecord[]> {
  const grouped: Record<string, EvidenceRecord[]> = {};
  for (const r of records) (grouped[r.item] ??= []).push(r);
  return grouped;
}
