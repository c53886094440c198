import type { Member } from "../bindings/Member";
import type { SyncState } from "../bindings/SyncState";

/** A person counts as online this long after they were last seen (they are seen every 15 s). */
export const ONLINE_MS = 60_000;

function clock(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function changes(n: number): string {
  return n === 1 ? "1 change not yet shared" : `${n} changes not yet shared`;
}

/** The sync badge: its words, its tone, and what to do when something is wrong. */
export function syncBadge(state: SyncState): { text: string; tone: "live" | "pending" | "offline"; detail: string } {
  switch (state.state) {
    case "live":
      return { text: "Live", tone: "live", detail: state.synced_at ? `Every change is shared; last reached ${clock(state.synced_at)}.` : "Every change is shared." };
    case "pending":
      return { text: changes(state.count), tone: "pending", detail: "They are being written to the shared log." };
    case "offline":
      return {
        text: `Offline since ${clock(state.since)}${state.pending ? ` · ${changes(state.pending)}` : ""}`,
        tone: "offline",
        detail: `${state.reason} Changes are kept on this desktop and shared when the log can be reached again.`,
      };
  }
}

/** "online", "seen 4 min ago", "seen 2 h ago", or "not seen yet". */
export function presence(member: Member, now: Date): string {
  if (!member.last_seen) return "not seen yet";
  const ms = now.getTime() - new Date(member.last_seen).getTime();
  if (ms < ONLINE_MS) return "online";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `seen ${minutes} min ago`;
  return `seen ${Math.floor(minutes / 60)} h ago`;
}
