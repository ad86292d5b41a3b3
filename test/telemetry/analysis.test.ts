// The canary analysis as tables: no server, no clock, samples and changes given as data.
import { describe, expect, it } from "vitest";
import {
  type AnalysisSample,
  type AnalysisSettings,
  analyze,
  type TrafficChange,
  type VersionSample,
  worsening,
} from "../../src/telemetry/analysis.ts";

const SETTINGS: AnalysisSettings = {
  settleSeconds: 60,
  minRequests: 100,
  minSuccessRate: 0.95,
  maxP99Ms: 1_000,
  maxDriftPoints: 5,
  maxSuccessDropPoints: 2,
  maxP99VsStable: 1.5,
};
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => T0 + seconds * 1000;
const change = (seconds: number, v2: number): TrafficChange => ({
  at: at(seconds),
  configured: { v1: 100 - v2, v2 },
  by: "U0BOB",
  judgeDrift: true,
});
const healthy = (share: number, over: Partial<VersionSample> = {}): VersionSample => ({
  requests: 1_000,
  successRate: 1,
  p99Ms: 50,
  share,
  ...over,
});
const sample = (seconds: number, v1: VersionSample, v2: VersionSample): AnalysisSample => ({
  at: at(seconds),
  versions: { v1, v2 },
});
const run = (now: number, history: TrafficChange[], samples: AnalysisSample[], over = {}) =>
  analyze({
    now: at(now),
    stable: "v1",
    versions: ["v1", "v2"],
    history,
    samples,
    settings: { ...SETTINGS, ...over },
  });
const summary = (result: ReturnType<typeof run>, version: string) => {
  const v = result.verdicts[version];
  if (!v) return "missing";
  if (v.kind === "fail") return `fail ${v.metric} ×${v.failedChecks}`;
  if (v.kind === "inconclusive") return `inconclusive ${v.reason}`;
  return "pass";
};

describe("analyze: settling after every change", () => {
  it.each([
    ["a check 30 s after the change", [change(0, 20)], 30, "inconclusive settling"],
    ["exactly at the end of settling, no check yet", [change(0, 20)], 60, "inconclusive no-data"],
    // The 20 % change settled, but a newer change at 100 s starts settling again.
    ["a later change starts settling again", [change(0, 20), change(100, 50)], 130, "inconclusive settling"],
  ])("%s", (_name, history, now, expected) => {
    // Every sample shows v2 failing badly: none of them may count while the split settles.
    const bad = [10, 20, 30, 40, 50, 110, 120, 130].map((s) =>
      sample(s, healthy(50), healthy(50, { successRate: 0.5 })),
    );
    expect(summary(run(now, history, bad), "v2")).toBe(expected);
  });

  it("says when settling ends", () => {
    const result = run(30, [change(0, 20)], []);
    expect(result.settlesAt).toBe(at(60));
    expect(result.verdicts.v2?.kind === "inconclusive" && result.verdicts.v2.settlesAt).toBe(at(60));
    expect(result.verdicts.v2?.kind === "inconclusive" && result.verdicts.v2.text).toBe(
      // A Slack date token: each reader sees the time in their own zone.
      `v2: settling after the last change until <!date^${Math.floor(at(60) / 1000)}^{time_secs}|12:01:00 UTC>; nothing is judged before.`,
    );
  });

  it("drift right after a change is not judged; after settling it is", () => {
    // The 1-minute rate window still holds the old 100/0 split 15 s after shifting to 50 %.
    const history = [change(0, 50)];
    const early = run(15, history, [sample(15, healthy(69), healthy(31))]);
    expect(summary(early, "v2")).toBe("inconclusive settling");
    const late = run(90, history, [sample(90, healthy(69), healthy(31))]);
    expect(summary(late, "v2")).toBe("fail drift ×1");
    expect(late.verdicts.v2?.kind === "fail" && late.verdicts.v2.text).toBe(
      "v2: gets 31 % of served traffic, 19 points away from the configured 50 % (at most 5 allowed).",
    );
  });
});

describe("analyze: too few requests", () => {
  it.each([
    [
      "v2 below the minimum",
      healthy(98),
      healthy(2, { requests: 40, successRate: 0.5 }),
      "v2",
      "inconclusive too-few-requests",
    ],
    [
      "v2 exactly at the minimum is judged",
      healthy(90),
      healthy(10, { requests: 100, successRate: 0.5 }),
      "v2",
      "fail success-rate ×1",
    ],
    [
      "v1 with no traffic after a take-over",
      healthy(0, { requests: 0, successRate: undefined }),
      healthy(100),
      "v1",
      "inconclusive too-few-requests",
    ],
    ["v2 with no data at all", healthy(100), { requests: 0 }, "v2", "inconclusive too-few-requests"],
  ])("%s", (_name, v1, v2, version, expected) => {
    const result = run(120, [change(0, 20)], [sample(100, v1, v2)], { maxDriftPoints: 100 });
    expect(summary(result, version)).toBe(expected);
  });

  it("names the count and the minimum", () => {
    const result = run(120, [change(0, 20)], [sample(100, healthy(98), healthy(2, { requests: 40 }))]);
    expect(result.verdicts.v2?.kind === "inconclusive" && result.verdicts.v2.text).toBe(
      "v2: 40 requests in the last check, fewer than the 100 needed to judge.",
    );
  });
});

describe("analyze: consecutive failed checks", () => {
  const bad = (s: number) => sample(s, healthy(80), healthy(20, { successRate: 0.8 }));
  const good = (s: number) => sample(s, healthy(80), healthy(20));
  const thin = (s: number) => sample(s, healthy(80), healthy(20, { requests: 10, successRate: 0.5 }));
  it.each([
    ["one failed check", [bad(70)], "fail success-rate ×1"],
    ["three failed checks in a row", [bad(70), bad(80), bad(90)], "fail success-rate ×3"],
    ["a pass resets the count", [bad(70), bad(80), good(90), bad(100)], "fail success-rate ×1"],
    ["the latest check passes", [bad(70), bad(80), good(90)], "pass"],
    [
      "a check with too few requests neither counts nor resets",
      [bad(70), thin(80), bad(90)],
      "fail success-rate ×2",
    ],
    ["checks from before settling do not count", [bad(10), bad(50), bad(70)], "fail success-rate ×1"],
  ])("%s", (_name, samples, expected) => {
    expect(summary(run(200, [change(0, 20)], samples), "v2")).toBe(expected);
  });

  it("gives the metric, the value and the threshold of a failure", () => {
    const result = run(200, [change(0, 20)], [bad(70)]);
    expect(result.verdicts.v2).toMatchObject({
      kind: "fail",
      metric: "success-rate",
      value: 0.8,
      threshold: 0.95,
      text: "v2: 80.0 % of requests succeeded, below the 95.0 % minimum.",
    });
    expect(summary(result, "v1")).toBe("pass");
  });
});

describe("analyze: relative to the stable version", () => {
  it.each([
    // Within the fixed 95 % minimum, but 3 points below a perfect v1 (2 allowed).
    [
      "success 3 points below stable",
      healthy(80),
      healthy(20, { successRate: 0.97 }),
      "fail success-rate-vs-stable ×1",
    ],
    ["success 1 point below stable", healthy(80), healthy(20, { successRate: 0.99 }), "pass"],
    // Both are poor: v2 is judged on the fixed minimum first.
    [
      "both below the fixed minimum",
      healthy(80, { successRate: 0.9 }),
      healthy(20, { successRate: 0.9 }),
      "fail success-rate ×1",
    ],
    [
      "p99 three times the stable one",
      healthy(80, { p99Ms: 200 }),
      healthy(20, { p99Ms: 600 }),
      "fail p99-vs-stable ×1",
    ],
    // Same latency read either side of the 50 ms bucket bound: histogram_quantile cannot tell these apart.
    [
      "p99 in the bucket next to the stable one",
      healthy(80, { p99Ms: 50 }),
      healthy(20, { p99Ms: 77 }),
      "pass",
    ],
    [
      "p99 two buckets above the stable one",
      healthy(80, { p99Ms: 48 }),
      healthy(20, { p99Ms: 120 }),
      "fail p99-vs-stable ×1",
    ],
    ["p99 1.4 times the stable one", healthy(80, { p99Ms: 200 }), healthy(20, { p99Ms: 280 }), "pass"],
    // 30 ms against 12 ms is 2.5×, but within histogram noise.
    ["small p99s are not compared", healthy(80, { p99Ms: 12 }), healthy(20, { p99Ms: 30 }), "pass"],
    ["p99 above the fixed limit", healthy(80), healthy(20, { p99Ms: 1_200 }), "fail p99 ×1"],
    [
      "stable too thin to compare against",
      healthy(80, { requests: 20 }),
      healthy(20, { successRate: 0.96 }),
      "pass",
    ],
  ])("%s", (_name, v1, v2, expected) => {
    expect(summary(run(200, [change(0, 20)], [sample(100, v1, v2)]), "v2")).toBe(expected);
  });

  it("says how far below the stable version it is", () => {
    const result = run(200, [change(0, 20)], [sample(100, healthy(80), healthy(20, { successRate: 0.97 }))]);
    expect(result.verdicts.v2?.kind === "fail" && result.verdicts.v2.text).toBe(
      "v2: 97.0 % of requests succeeded, 3.0 points below v1's 100.0 % (at most 2 allowed).",
    );
  });

  it("the stable version is judged on fixed limits only", () => {
    const result = run(200, [change(0, 20)], [sample(100, healthy(80, { successRate: 0.96 }), healthy(20))]);
    expect(summary(result, "v1")).toBe("pass");
  });
});

describe("worsening", () => {
  it.each([
    ["success-rate", 0.8, 0.7, 0.95, 10],
    ["success-rate", 0.8, 0.82, 0.95, -2],
    ["p99", 1_200, 1_500, 1_000, 300],
    ["drift", 31, 20, 50, 11],
  ] as const)("%s from %d to %d", (metric, before, now, threshold, expected) => {
    expect(worsening(metric, before, now, threshold)).toBeCloseTo(expected, 6);
  });
});
