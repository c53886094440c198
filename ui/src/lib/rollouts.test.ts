import { describe, expect, it } from "vitest";
import type { RolloutLogEntry } from "../bindings/RolloutLogEntry";
import { allowed, changeLine, countdown, stepText, trafficChart, trafficText } from "./rollouts";

const log: RolloutLogEntry[] = [
  { at_ms: 1000, actor: "Ana", change: { change: "started", step: "canary", environment: "PROD", definition: {}, rollback: {}, stable_version: "", start_percent: 0, ignored_alarms: [] } },
  { at_ms: 1100, actor: "Ana", change: { change: "shifted", cause: "promotion", from_percent: 0, to_percent: 10, step_index: 0, request_ids: ["r-1"], timing: null } },
  { at_ms: 2100, actor: "Ana", change: { change: "judged", step_index: 0, percent: 10, verdict: "fail", results: [{ name: "Error rate", status: "fail", value: 7.2, sentence: "Error rate 7.2% >= 5% for 6 minutes" }], failures: 1, inconclusive: 0 } },
  { at_ms: 2101, actor: "Ana", change: { change: "rollback_begun", reason: "Error rate 7.2% >= 5% for 6 minutes at 10% traffic", judged_at_ms: 2100, aborted: false } },
  { at_ms: 2400, actor: "Ana", change: { change: "shifted", cause: "rollback", from_percent: 10, to_percent: 0, step_index: null, request_ids: ["r-2"], timing: { to_first_call_ms: 3, to_complete_ms: 290 } } },
];

describe("rollouts", () => {
  it("says where a rollout is and when its next step may come", () => {
    expect(stepText({ step_index: 1, steps: [10, 50, 100] })).toBe("step 2 of 3");
    expect(stepText({ step_index: null, steps: [10, 100] })).toBe("before its first step");
    expect(countdown(null, 0)).toBeNull();
    expect(countdown(10_000, 9_000)).toBe("in 1 s");
    expect(countdown(100_000, 20_000)).toBe("in 1 min 20 s");
    expect(countdown(5_000, 9_000)).toBe("now, with a passing judgment");
  });

  it("explains every change with its values, request ids and rollback timing", () => {
    expect(changeLine(log[2].change)).toBe("judged at 10%: FAIL — Error rate 7.2% >= 5% for 6 minutes");
    expect(changeLine(log[4].change)).toBe(
      "rolled back: 10% → 0% (AWS request ids: r-2); 3 ms to the first rollback call, 290 ms to done",
    );
  });

  it("names what is shifted", () => {
    const alb = {
      via: "alb",
      listener_arn: "arn:aws:elasticloadbalancing:af-south-1:1:listener/app/ledger-alb/2caf/b902",
      stable: "arn:aws:elasticloadbalancing:af-south-1:1:targetgroup/ledger-blue/06cd",
      canary: "arn:aws:elasticloadbalancing:af-south-1:1:targetgroup/ledger-green/344f",
    };
    expect(trafficText(alb)).toBe("ALB ledger-alb: ledger-blue → ledger-green");
    expect(trafficText({ via: "lambda", function: "ledger", alias: "live", version: "7" })).toBe("Lambda alias ledger:live → version 7");
  });

  it("offers only the commands the rollout takes", () => {
    expect(allowed({ status: "running" }, "pause")).toBe(true);
    expect(allowed({ status: "held" }, "resume")).toBe(true);
    expect(allowed({ status: "running" }, "resume")).toBe(false);
    expect(allowed({ status: "rolling_back" }, "abort")).toBe(false);
    expect(allowed({ status: "completed" }, "promote")).toBe(false);
  });

  it("draws the steps, the judgments and where the rollback began", () => {
    const chart = trafficChart(log);
    expect(chart.steps).toEqual([
      { t: 1000, percent: 0 },
      { t: 1100, percent: 10 },
      { t: 2400, percent: 0 },
    ]);
    expect(chart.marks.map((m) => m.verdict)).toEqual(["fail"]);
    expect(chart.rollbackAt).toBe(2101);
  });
});
