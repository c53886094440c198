import { describe, expect, it } from "vitest";
import { checkNote, downloadLine, downloadPercent, publishedDay } from "./updates";

const offer = { current: "0.1.0", version: "0.2.0", notes: "Faster import", published: null, server: "releases.example.com" };

describe("update checks", () => {
  it("stays quiet at start unless there is something to fix", () => {
    expect(checkNote(null, "0.1.0", false)).toBeNull();
    expect(checkNote(offer, "0.1.0", false)).toBeNull();
    expect(checkNote({ code: "update_not_configured", message: "not set up" }, "0.1.0", false)).toBeNull();
    expect(checkNote({ code: "update_unreachable", message: "could not be reached" }, "0.1.0", false)).toBe("could not be reached");
  });
  it("answers a check asked for", () => {
    expect(checkNote(null, "0.1.0", true)).toBe("Flightdeck 0.1.0 is the newest version.");
    expect(checkNote({ code: "update_not_configured", message: "not set up" }, "0.1.0", true)).toBe("not set up");
    expect(checkNote(offer, "0.1.0", true)).toBeNull();
  });
});

describe("update download", () => {
  it("says how much arrived", () => {
    expect(downloadLine({ received: 3_200_000, total: 40_800_000 })).toBe("3.2 MB of 40.8 MB");
    expect(downloadLine({ received: 512, total: null })).toBe("512 B received");
    expect(downloadPercent({ received: 20, total: 80 })).toBe(25);
    expect(downloadPercent({ received: 20, total: null })).toBe(0);
  });
  it("shows the publish day", () => {
    expect(publishedDay("2026-12-03T17:00:00Z")).toBe("2026-12-03");
    expect(publishedDay("soon")).toBe("soon");
    expect(publishedDay(null)).toBeNull();
  });
});
