import { readFileSync, rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { OPEN_DEFAULTS, type Policy } from "../../src/approvals/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { StepRunner, type StepSchedule } from "../../src/schedule/index.ts";
import { stepHealth } from "../../src/slack/live/step-health.ts";
import { openFileStore, type Store, type StoredRecord } from "../../src/store/index.ts";
import { analysisSettings, analyze } from "../../src/telemetry/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const baseJob = parse(
  readFileSync(new URL("../fixtures/release/reviews-job.yaml", import.meta.url), "utf8"),
) as ReleaseJob;
const T0 = new Date("2025-07-01T09:00:00Z");
const policy: Policy = {
  fromFile: true,
  defaults: { ...OPEN_DEFAULTS, autoSteps: true, analysis: { minRequests: 50, settleSeconds: 0 } },
  namespaces: Object.create(null),
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0)) await done();
});

/** A runner whose health is the real analysis of what the new version served in the last check. */
async function setup(requestsToNew: () => number) {
  const dir = tempDir("graydesk-step-approval-");
  const store: Store = await openFileStore(dir);
  cleanup.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = { now: T0.getTime() };
  let job: ReleaseJob = {
    ...structuredClone(baseJob),
    state: "active",
    traffic: { kind: "weights", weights: { v1: 100, v2: 0 } },
  };
  const applied: number[] = [];
  const requested: number[] = [];
  const runner = new StepRunner({
    store,
    policy,
    now: () => new Date(clock.now),
    job: (id) => (id === job.id ? job : undefined),
    async health(current) {
      const now = clock.now;
      const analysis = analyze({
        now,
        stable: current.stableVersion,
        versions: [current.stableVersion, current.newVersion.version],
        history: [{ at: now - 120_000, configured: {}, judgeDrift: false }],
        samples: [
          {
            at: now - 1_000,
            versions: {
              v1: { requests: 900, successRate: 1, p99Ms: 100 },
              v2: { requests: requestsToNew(), successRate: 1, p99Ms: 100 },
            },
          },
        ],
        settings: analysisSettings(policy.defaults),
      });
      return stepHealth(true, { ...analysis, stable: "v1", newVersion: "v2", checks: 1 });
    },
    requestShift: async (_job, percent) => void requested.push(percent),
    async applyShift(current, percent) {
      applied.push(percent);
      job = { ...current, traffic: { kind: "weights", weights: { v1: 100 - percent, v2: percent } } };
    },
    notify: async () => undefined,
  });
  const minutes = async (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.now += 60_000;
      await runner.tick();
    }
  };
  return { store, runner, job: () => job, applied, requested, minutes };
}

describe("a step schedule is approved as a whole", () => {
  it("reaches 100 % only through its one approved request: nothing moves before, no step asks again after", async () => {
    const t = await setup(() => 500);
    const schedule = await t.runner.set(baseJob.id, [10, 50, 100], 1, "U0ALICE", "T0HOME");
    expect(schedule.approval).toEqual({ state: "pending", hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await t.minutes(5);
    expect(t.applied).toEqual([]);
    expect(t.requested).toEqual([]);
    expect(t.job().traffic).toEqual({ kind: "weights", weights: { v1: 100, v2: 0 } });

    // Approving a different schedule (another hash) approves nothing.
    expect(await t.runner.approve(baseJob.id, "0".repeat(64), "U0BOB")).toMatchObject({ ok: false });
    const approved = await t.runner.approve(baseJob.id, schedule.approval?.hash ?? "", "U0BOB");
    expect(approved).toMatchObject({ ok: true, schedule: { approval: { state: "approved", by: "U0BOB" } } });

    await t.minutes(4);
    expect(t.applied).toEqual([10, 50, 100]);
    expect(t.requested).toEqual([]);
    expect(t.job().traffic).toEqual({ kind: "weights", weights: { v1: 0, v2: 100 } });
    expect(t.runner.get(baseJob.id)).toBeUndefined();
  });

  it("a schedule rewritten in the store after it was asked for cannot be approved", async () => {
    const t = await setup(() => 500);
    const schedule = await t.runner.set(baseJob.id, [10, 50], 30, "U0ALICE");
    await t.store.update((d) => {
      const stored = d.steps[baseJob.id] as unknown as StepSchedule;
      d.steps[baseJob.id] = { ...stored, percents: [100] } as unknown as StoredRecord;
    });
    const result = await t.runner.approve(baseJob.id, schedule.approval?.hash ?? "", "U0BOB");
    expect(result).toEqual({ ok: false, reason: "the step schedule was changed since it was asked for." });
    await t.minutes(2);
    expect(t.applied).toEqual([]);
  });

  it("an automatic step waits while the new version has too few requests to judge, then goes on", async () => {
    let requests = 12;
    const t = await setup(() => requests);
    const schedule = await t.runner.set(baseJob.id, [10, 50], 1, "U0ALICE");
    await t.runner.approve(baseJob.id, schedule.approval?.hash ?? "", "U0BOB");
    await t.minutes(10);
    expect(t.applied).toEqual([]);
    expect(t.requested).toEqual([]);
    expect(t.runner.get(baseJob.id)).toMatchObject({ next: 0, approval: { state: "approved" } });
    // No data at all waits the same way.
    requests = 0;
    await t.minutes(3);
    expect(t.applied).toEqual([]);
    requests = 80;
    await t.minutes(3);
    expect(t.applied).toEqual([10, 50]);
  });
});
