import { describe, expect, it } from "vitest";
import {
  DEFAULT_THRESHOLDS,
  evidence,
  findBreaches,
  thresholdsFor,
  type VersionStats,
} from "../../src/telemetry/index.ts";

function stats(over: Partial<VersionStats> = {}): VersionStats {
  return { rps: 10, share: 50, mirroredRps: 0, successRate: 1, p50: 10, p90: 20, p99: 40, ...over };
}

const limits = { minSuccessRate: 0.99, maxP99Ms: 500, maxDriftPoints: 3 };

describe("findBreaches", () => {
  it.each([
    ["healthy", { v1: stats({ share: 80 }), v2: stats({ share: 20 }) }, []],
    [
      "success rate below the minimum",
      { v1: stats({ share: 80 }), v2: stats({ share: 20, successRate: 0.8 }) },
      ["v2: 80.0 % of requests succeeded, below the 99.0 % minimum."],
    ],
    [
      "success rate exactly at the minimum",
      { v1: stats({ share: 80 }), v2: stats({ share: 20, successRate: 0.99 }) },
      [],
    ],
    [
      "p99 above the limit",
      { v1: stats({ share: 80, p99: 1240 }), v2: stats({ share: 20 }) },
      ["v1: p99 latency is 1,240 ms, above the 500 ms limit."],
    ],
    [
      "drift beyond the allowed points",
      { v1: stats({ share: 70 }), v2: stats({ share: 30 }) },
      [
        "v1: gets 70 % of served traffic, 10 points away from the configured 80 % (at most 3 allowed).",
        "v2: gets 30 % of served traffic, 10 points away from the configured 20 % (at most 3 allowed).",
      ],
    ],
    ["drift within the allowed points", { v1: stats({ share: 77.5 }), v2: stats({ share: 22.5 }) }, []],
    [
      "a version too quiet to judge",
      { v1: stats({ share: 100 }), v2: stats({ rps: 0.1, share: 0, successRate: 0, p99: 9000 }) },
      [
        "v1: gets 100 % of served traffic, 20 points away from the configured 80 % (at most 3 allowed).",
        "v2: gets 0 % of served traffic, 20 points away from the configured 20 % (at most 3 allowed).",
      ],
    ],
    [
      "no traffic at all: nothing to judge",
      { v1: stats({ rps: 0, share: undefined }), v2: stats({ rps: 0, share: undefined }) },
      [],
    ],
  ])("%s", (_name, versions, texts) => {
    const breaches = findBreaches({ versions, configured: { v1: 80, v2: 20 } }, limits, "weights");
    expect(breaches.map((b) => b.text)).toEqual(texts);
  });

  it("a request-parameter canary is not judged on drift", () => {
    const versions = { v1: stats({ share: 95 }), v2: stats({ share: 5, successRate: 0.5 }) };
    const breaches = findBreaches({ versions, configured: { v1: 100, v2: 0 } }, limits, "match");
    expect(breaches.map((b) => [b.version, b.kind])).toEqual([["v2", "success-rate"]]);
  });

  it("a mirror is judged on its shadow's success, while served drift counts only served traffic", () => {
    const versions = {
      v1: stats({ rps: 10, share: 100 }),
      v2: stats({ rps: 10, mirroredRps: 10, share: 0, successRate: 0.7 }),
    };
    const breaches = findBreaches({ versions, configured: { v1: 100, v2: 0 } }, limits, "mirror");
    expect(breaches).toEqual([
      {
        version: "v2",
        kind: "success-rate",
        observed: 0.7,
        limit: 0.99,
        text: "v2: 70.0 % of requests succeeded, below the 99.0 % minimum.",
      },
    ]);
  });
});

describe("thresholdsFor", () => {
  it.each([
    [undefined, DEFAULT_THRESHOLDS],
    [{}, DEFAULT_THRESHOLDS],
    [{ thresholds: { maxP99Ms: 250 } }, { ...DEFAULT_THRESHOLDS, maxP99Ms: 250 }],
    [{ thresholds: limits }, { ...DEFAULT_THRESHOLDS, ...limits }],
  ])("policy %j", (policy, expected) => {
    expect(thresholdsFor(policy)).toEqual(expected);
  });
});

describe("evidence", () => {
  it("shows both versions and the new one's difference from the stable one", () => {
    const e = evidence(
      { version: "v1", stats: stats({ rps: 16, successRate: 0.999, p99: 48 }) },
      { version: "v2", stats: stats({ rps: 4, successRate: 0.801, p99: 52 }) },
    );
    expect(e.successRatePoints).toBeCloseTo(-19.8, 6);
    expect(e.p99Ms).toBe(4);
    expect(e.lines).toEqual([
      "v1 (stable): 16.0 req/s, success 99.9 %, p99 48 ms",
      "v2 (new): 4.00 req/s, success 80.1 %, p99 52 ms",
      "v2 against v1: success −19.8 points, p99 +4 ms",
    ]);
  });

  it("says when there is not enough data to compare, instead of inventing numbers", () => {
    const e = evidence(
      { version: "v1", stats: stats({ rps: 3 }) },
      { version: "v2", stats: stats({ rps: 0, successRate: undefined, p99: undefined }) },
    );
    expect(e.successRatePoints).toBeUndefined();
    expect(e.p99Ms).toBeUndefined();
    expect(e.lines).toEqual([
      "v1 (stable): 3.00 req/s, success 100.0 %, p99 40 ms",
      "v2 (new): 0.00 req/s, success no data, p99 no data",
      "v2 against v1: not enough data to compare",
    ]);
  });
});
