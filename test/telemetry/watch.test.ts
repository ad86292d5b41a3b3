// The watch: checks recorded by the refresher only, timed by the app's clock, forgotten once a job goes quiet.
import { describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { HealthWatch, type VersionHealthReport } from "../../src/telemetry/index.ts";
import { reviewsJob } from "../release/fixtures.ts";

const T0 = Date.UTC(2026, 0, 5, 12, 0);
const stats = (share: number, successRate: number) => ({
  rps: 20,
  share,
  mirroredRps: 0,
  successRate,
  p50: 10,
  p90: 20,
  p99: 40,
});
const report = (successRate: number): VersionHealthReport => ({
  status: "ok",
  jobId: "job-1",
  service: { namespace: "bookinfo", service: "reviews" },
  at: new Date(T0).toISOString(),
  window: { rate: "1m", rangeSeconds: 1800, stepSeconds: 30 },
  versions: { v1: stats(80, 1), v2: stats(20, successRate) },
  configured: { v1: 80, v2: 20 },
  observedSplit: [],
});

function world() {
  let now = T0;
  const job: ReleaseJob = reviewsJob({
    id: "job-1",
    history: [
      {
        at: new Date(T0).toISOString(),
        actor: "U0BOB",
        kind: "shift",
        traffic: { kind: "weights", weights: { v1: 80, v2: 20 } },
      },
    ],
  });
  const watch = new HealthWatch({
    policy: () => ({ analysis: { settleSeconds: 60, minRequests: 100 } }),
    timing: { rateWindowSeconds: 60, scrapeIntervalSeconds: 15 },
    now: () => new Date(now),
  });
  return { job, watch, advance: (ms: number) => (now += ms) };
}

describe("HealthWatch", () => {
  it("counts checks only when asked to record one; a preview or a read adds none", () => {
    const { job, watch, advance } = world();
    advance(90_000);
    expect(watch.check(job, report(0.8)).verdicts.v2).toMatchObject({ kind: "fail", failedChecks: 1 });
    expect(watch.preview(job, report(0.8)).verdicts.v2).toMatchObject({ kind: "fail", failedChecks: 2 });
    expect(watch.analysis(job).verdicts.v2).toMatchObject({ kind: "fail", failedChecks: 1 });
    advance(60_000);
    expect(watch.check(job, report(0.8)).verdicts.v2).toMatchObject({ kind: "fail", failedChecks: 2 });
  });

  it("counts requests over the rate window and judges nothing while settling", () => {
    const { job, watch, advance } = world();
    advance(30_000);
    expect(watch.check(job, report(0.5)).verdicts.v2).toMatchObject({
      kind: "inconclusive",
      reason: "settling",
    });
    advance(60_000);
    // 20 req/s over a 1-minute window: 1,200 requests, enough to judge.
    const judged = watch.check(job, report(1)).verdicts.v2;
    expect(judged).toMatchObject({ kind: "pass", sample: { requests: 1_200 } });
  });

  it("forgets a job that was not checked for an hour", () => {
    const { job, watch, advance } = world();
    advance(90_000);
    watch.check(job, report(1));
    expect(watch.size).toBe(1);
    advance(2 * 3_600_000);
    watch.check({ ...job, id: "job-2" }, report(1));
    expect(watch.size).toBe(1);
  });
});
