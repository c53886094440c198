import { describe, expect, it } from "vitest";
import type { EnvironmentView } from "../bindings/EnvironmentView";
import { accessLabel, checkState, orNull } from "./environments";

const base: EnvironmentView = {
  local: false,
  name: "PROD",
  colour: "#c62f2f",
  account_id: "093646564004",
  region: "af-south-1",
  dr_region: "eu-west-1",
  credentials: { kind: "profile", profile: "prod-sso" },
  endpoint_url: null,
  guard: "type_name",
  last_check: null,
};

describe("environments", () => {
  it("reads the last check", () => {
    expect(checkState(base)).toEqual({ kind: "never" });
    const ok = { ...base, last_check: { account: "093646564004", arn: "arn:x", region: "af-south-1", checked_at: "t", mismatch: null } };
    expect(checkState(ok).kind).toBe("ok");
    const bad = { ...base, last_check: { account: "1", arn: "arn:y", region: "af-south-1", checked_at: "t", mismatch: "this profile reaches 1" } };
    expect(checkState(bad)).toEqual({ kind: "mismatch", message: "this profile reaches 1", account: "1", arn: "arn:y" });
  });

  it("labels the credential source without any secret", () => {
    expect(accessLabel(base)).toBe("AWS profile prod-sso");
    expect(accessLabel({ ...base, credentials: { kind: "static_keys", secret: "env/PROD/aws-keys" } })).toContain("OS keyring");
  });

  it("turns blanks into null", () => {
    expect(orNull("  ")).toBeNull();
    expect(orNull(" eu-west-1 ")).toBe("eu-west-1");
  });
});
