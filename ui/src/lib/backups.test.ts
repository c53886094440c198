import { describe, expect, it } from "vitest";
import type { RestorePreview } from "../bindings/RestorePreview";
import { bytes, checkText, databaseList, eta, fraction, login, progressLine, restoreReady } from "./backups";

const snapshot = {
  tables_total: 4,
  tables_done: 1,
  rows: 250000,
  rows_estimate: 1000000,
  bytes: 300e6,
  elapsed_ms: 3000,
  mb_per_s: 100,
  eta_s: 125,
};

describe("backup progress", () => {
  it("says tables, rows, speed and time left", () => {
    expect(progressLine(snapshot)).toBe("1 of 4 tables · 250,000 of ~1,000,000 rows · 100.0 MB/s · about 2 min 5 s left");
    expect(progressLine({ ...snapshot, eta_s: null })).not.toContain("left");
  });
  it("fills the bar by rows, never full before the end", () => {
    expect(fraction(snapshot)).toBe(0.25);
    expect(fraction({ ...snapshot, rows: 2_000_000 })).toBe(0.99);
    expect(fraction({ ...snapshot, rows_estimate: 0 })).toBe(0.25);
  });
  it("formats sizes and times", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(131_000_000)).toBe("131.0 MB");
    expect(bytes(1_500_000_000)).toBe("1.5 GB");
    expect(eta(42)).toBe("about 42 s left");
  });
});

describe("backup forms", () => {
  it("sends one credential source", () => {
    expect(login("secret", " sit/db ")).toEqual({ secret: "sit/db", keyring: null });
    expect(login("keyring", "prod-db")).toEqual({ secret: null, keyring: "prod-db" });
  });
  it("reads database lists", () => {
    expect(databaseList("shop, wp  crm")).toEqual(["shop", "wp", "crm"]);
    expect(databaseList("  ")).toEqual([]);
  });
});

describe("restore confirmation", () => {
  const preview: RestorePreview = {
    location: "s3://b/final/shop-1",
    source: "shop",
    target: "shop",
    server: "dba@db:3306",
    environment: "PROD",
    taken_at: "2026-11-23T18:00:00Z",
    tables: 2,
    rows: 20002,
    needs: [{ kind: "database_name", name: "shop" }, { kind: "environment_name", name: "PROD" }],
  };
  it("needs the database name over an existing one and PROD typed exactly", () => {
    expect(restoreReady(preview, true, "shop", "PROD")).toBe(true);
    expect(restoreReady(preview, true, "sho", "PROD")).toBe(false);
    expect(restoreReady(preview, true, "shop", "prod")).toBe(false);
    expect(restoreReady({ ...preview, needs: [], environment: "SIT" }, false, "", "")).toBe(true);
  });
});

describe("verification status", () => {
  const check = { location: "s3://b/x", checked_at: "2026-11-23T20:10:15.123Z", actor: "Dee Bee", result: "test_restored", detail: "" };
  it("says when, by whom and how a backup was last proven", () => {
    expect(checkText(null)).toEqual({ text: "never verified", good: null });
    expect(checkText(check)).toEqual({ text: "test-restored 2026-11-23 20:10:15 UTC by Dee Bee", good: true });
    expect(checkText({ ...check, result: "verified" }).text).toBe("checksums verified 2026-11-23 20:10:15 UTC by Dee Bee");
    expect(checkText({ ...check, result: "failed", detail: "x.sql.zst: SHA-256 differs" })).toEqual({
      text: "FAILED 2026-11-23 20:10:15 UTC: x.sql.zst: SHA-256 differs",
      good: false,
    });
  });
});
