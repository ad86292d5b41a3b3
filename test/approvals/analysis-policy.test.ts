import { describe, expect, it } from "vitest";
import { parsePolicy, policyFor } from "../../src/approvals/index.ts";

describe("analysis settings in the policy file", () => {
  it("reads analysis, relative thresholds and autoRollback; a namespace may turn rollback off", () => {
    const result = parsePolicy(`
defaults:
  autoRollback: { afterFailedChecks: 3 }
namespaces:
  bookinfo:
    thresholds: { minSuccessRate: 0.95, maxSuccessDropPoints: 2, maxP99VsStable: 1.5 }
    analysis: { settleSeconds: 20, minRequests: 50, repostWorseBy: { successPoints: 5, p99Ms: 200 } }
  manual:
    autoRollback: false
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const bookinfo = policyFor(result.policy, "bookinfo");
    expect(bookinfo.thresholds).toEqual({
      minSuccessRate: 0.95,
      maxSuccessDropPoints: 2,
      maxP99VsStable: 1.5,
    });
    expect(bookinfo.analysis).toEqual({
      settleSeconds: 20,
      minRequests: 50,
      repostWorseBy: { successPoints: 5, p99Ms: 200 },
    });
    expect(bookinfo.autoRollback).toEqual({ afterFailedChecks: 3 });
    expect(policyFor(result.policy, "manual").autoRollback).toBeUndefined();
  });

  it.each([
    [
      "autoRollback: { afterFailedChecks: 0 }",
      /defaults\.autoRollback\.afterFailedChecks: must be a whole number of checks from 1 to 100/,
    ],
    ["autoRollback: true", /defaults\.autoRollback\.afterFailedChecks: must be a whole number/],
    ["analysis: { settleSeconds: -1 }", /defaults\.analysis\.settleSeconds: must be a number from 0 to 3600/],
    ["analysis: { minRequest: 5 }", /defaults\.analysis\.minRequest: unknown setting/],
    [
      "analysis: { repostWorseBy: { success: 5 } }",
      /defaults\.analysis\.repostWorseBy\.success: unknown setting/,
    ],
    [
      "thresholds: { maxP99VsStable: 0.5 }",
      /defaults\.thresholds\.maxP99VsStable: must be a number from 1 to 100/,
    ],
  ])("refuses %s naming the field", (yaml, problem) => {
    const result = parsePolicy(`defaults:\n  ${yaml}\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join("\n")).toMatch(problem);
  });
});
