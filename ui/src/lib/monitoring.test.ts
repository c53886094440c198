import { describe, expect, it } from "vitest";
import { latestText, RANGES } from "./monitoring";

describe("monitoring", () => {
  it("says the latest values with their units", () => {
    expect(latestText({ title: "ECS CPU", unit: "%", latest: [{ label: "prod / api", value: 42.456 }] })).toBe("now 42.46% (prod / api)");
    expect(latestText({ title: "Free storage", unit: "GB", latest: [{ label: "db", value: 61.2 }] })).toBe("now 61.2 GB (db)");
    expect(latestText({ title: "Hosts", unit: null, latest: [{ label: "a", value: 2 }, { label: "b", value: 3 }] })).toBe("now 2 (a), 3 (b)");
  });
  it("explains an empty panel", () => {
    expect(latestText({ title: "CloudFront 5xx rate", unit: "%", latest: [] })).toBe("CloudFront 5xx rate: not published in this account and region");
  });
  it("offers ranges from an hour to a week", () => {
    expect(RANGES[0].minutes).toBe(60);
    expect(RANGES[RANGES.length - 1].minutes).toBe(7 * 24 * 60);
  });
});
