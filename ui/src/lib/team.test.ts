import { describe, expect, it } from "vitest";
import type { Member } from "../bindings/Member";
import { presence, syncBadge } from "./team";

const member = (last_seen: string | null): Member => ({
  name: "Dee Bee",
  role: "dba",
  public_key: "ab".repeat(32),
  added_by: "Lee Lead",
  added_at: "2026-12-02T20:00:00Z",
  last_seen,
  desktop: last_seen ? "dba-laptop/1a2b" : null,
});

describe("sync badge", () => {
  it("says live, pending, or offline since when with what waits", () => {
    expect(syncBadge({ state: "live", synced_at: null }).text).toBe("Live");
    expect(syncBadge({ state: "pending", count: 1 }).text).toBe("1 change not yet shared");
    expect(syncBadge({ state: "pending", count: 10 }).text).toBe("10 changes not yet shared");
    const since = new Date(2026, 11, 2, 21, 4).toISOString();
    const offline = syncBadge({ state: "offline", since, pending: 10, reason: "cannot reach http://127.0.0.1:9." });
    expect(offline.text).toBe("Offline since 21:04 · 10 changes not yet shared");
    expect(offline.tone).toBe("offline");
    expect(offline.detail).toContain("cannot reach");
  });
});

describe("presence", () => {
  const now = new Date("2026-12-02T21:10:00Z");
  it("is online within a minute, else how long ago", () => {
    expect(presence(member("2026-12-02T21:09:30Z"), now)).toBe("online");
    expect(presence(member("2026-12-02T21:06:00Z"), now)).toBe("seen 4 min ago");
    expect(presence(member("2026-12-02T18:00:00Z"), now)).toBe("seen 3 h ago");
    expect(presence(member(null), now)).toBe("not seen yet");
  });
});
