// What an automatic step makes of the analysis: only a passing new version lets it go.
import { describe, expect, it } from "vitest";
import { stepHealth } from "../../../src/slack/live/step-health.ts";
import { analyze, rollbackDue, type VersionSample } from "../../../src/telemetry/index.ts";

const good: VersionSample = { requests: 1_000, successRate: 1, p99Ms: 40, share: 50 };
function analysisOf(now: number, v2: VersionSample | undefined, failedChecks = 1) {
  const samples = Array.from({ length: failedChecks }, (_, i) => ({
    at: 100_000 + i,
    versions: { v1: good, ...(v2 ? { v2 } : {}) },
  }));
  const result = analyze({
    now,
    stable: "v1",
    versions: ["v1", "v2"],
    history: [{ at: 0, configured: { v1: 50, v2: 50 }, judgeDrift: true }],
    samples: v2 ? samples : [],
    settings: {
      settleSeconds: 60,
      minRequests: 100,
      minSuccessRate: 0.95,
      maxP99Ms: 1_000,
      maxDriftPoints: 5,
      maxSuccessDropPoints: 2,
      maxP99VsStable: 1.5,
    },
  });
  return { ...result, stable: "v1", newVersion: "v2", checks: samples.length };
}

describe("stepHealth", () => {
  it.each([
    ["settling", analysisOf(30_000, good), { status: "unknown", wait: true }],
    ["no checks yet", analysisOf(200_000, undefined), { status: "unknown", wait: true }],
    ["too few requests", analysisOf(200_000, { ...good, requests: 3 }), { status: "unknown", wait: true }],
    ["passing", analysisOf(200_000, good), { status: "ok" }],
    ["failing", analysisOf(200_000, { ...good, successRate: 0.7 }), { status: "breach" }],
  ])("%s", (_name, analysis, expected) => {
    expect(stepHealth(true, analysis)).toMatchObject(expected);
  });

  it("without Prometheus nothing can pass, and nothing will come to wait for", () => {
    expect(stepHealth(false, analysisOf(200_000, good))).toEqual({
      status: "unknown",
      reason: "Live health is off: PROMETHEUS_URL is not set.",
    });
  });
});

describe("rollbackDue", () => {
  const job = {
    state: "active" as const,
    traffic: { kind: "weights" as const, weights: { v1: 50, v2: 50 } },
    stableVersion: "v1",
    newVersion: { version: "v2", settings: {} as never },
  };
  const failing = { ...good, successRate: 0.7 };
  it.each([
    ["no autoRollback in the policy", analysisOf(200_000, failing, 5), undefined, false],
    ["fewer failed checks than the policy's", analysisOf(200_000, failing, 2), 3, false],
    ["as many failed checks as the policy's", analysisOf(200_000, failing, 3), 3, true],
    ["a passing new version", analysisOf(200_000, good, 3), 1, false],
  ])("%s", (_name, analysis, afterFailedChecks, due) => {
    const policy = afterFailedChecks === undefined ? {} : { autoRollback: { afterFailedChecks } };
    expect(rollbackDue(job, analysis, policy) !== undefined).toBe(due);
  });

  it("not when the job already serves nothing from the new version, or is not live", () => {
    const analysis = analysisOf(200_000, failing, 3);
    const policy = { autoRollback: { afterFailedChecks: 1 } };
    expect(rollbackDue({ ...job, state: "rolled-back" }, analysis, policy)).toBeUndefined();
    const back = { ...analysis, since: { at: 0, configured: { v1: 100, v2: 0 }, judgeDrift: true } };
    expect(rollbackDue(job, back, policy)).toBeUndefined();
  });
});
