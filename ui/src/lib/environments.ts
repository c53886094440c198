import type { EnvironmentView } from "../bindings/EnvironmentView";

export type CheckState =
  | { kind: "never" }
  | { kind: "ok"; account: string; arn: string; region: string; at: string }
  | { kind: "mismatch"; message: string; account: string; arn: string };

/** What the last connection test says about an environment. */
export function checkState(env: EnvironmentView): CheckState {
  const c = env.last_check;
  if (!c) return { kind: "never" };
  if (c.mismatch) return { kind: "mismatch", message: c.mismatch, account: c.account, arn: c.arn };
  return { kind: "ok", account: c.account, arn: c.arn, region: c.region, at: c.checked_at };
}

export function accessLabel(env: EnvironmentView): string {
  return env.credentials.kind === "profile"
    ? `AWS profile ${env.credentials.profile}`
    : `Access key in the OS keyring (${env.credentials.secret})`;
}

/** Blank form fields become null, as the Rust side expects for "not given". */
export function orNull(value: string): string | null {
  const v = value.trim();
  return v === "" ? null : v;
}
