import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openPolicy, type Policy } from "../../src/approvals/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  nextAction,
  parseSteps,
  type StepHealth,
  StepRunner,
  type StepSchedule,
} from "../../src/schedule/index.ts";
import { openFileStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const baseJob = parse(
  readFileSync(new URL("../fixtures/release/reviews-job.yaml", import.meta.url), "utf8"),
) as ReleaseJob;
const T0 = new Date("2025-07-01T09:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const withShare = (percent: number, state: ReleaseJob["state"] = "active"): ReleaseJob => ({
  ...structuredClone(baseJob),
  state,
  traffic: { kind: "weights", weights: { v1: 100 - percent, v2: percent } },
});
const OK: StepHealth = { status: "ok" };
const BREACH: StepHealth = {
  status: "breach",
  reasons: ["v2: 50.0 % of requests succeeded, below the 99.0 % minimum."],
};
const UNKNOWN: StepHealth = { status: "unknown", reason: "PROMETHEUS_URL is not set" };

describe("parseSteps", () => {
  it.each([
    ["reviews-canary 10,25,50,100 every 30m", [10, 25, 50, 100], 30],
    ["reviews-canary 10, 25, 50 every 1h", [10, 25, 50], 60],
    ["reviews-canary 5%,50%,100% every 90 min", [5, 50, 100], 90],
    ["reviews-canary 20,100 every 1h 30m", [20, 100], 90],
  ])("reads %j", (args, percents, everyMinutes) => {
    expect(parseSteps(args)).toEqual({ job: "reviews-canary", percents, everyMinutes });
  });

  it.each([
    ["reviews-canary", /not a step schedule/],
    ["reviews-canary 10,25,50 every", /not a step schedule/],
    ["reviews-canary 10,x,50 every 30m", /not a step schedule|not a list of whole percentages/],
    ["reviews-canary 10,,50 every 30m", /not a list of whole percentages/],
    ["reviews-canary 0,50 every 30m", /0 % is not between 1 and 100/],
    ["reviews-canary 10,150 every 30m", /150 % is not between 1 and 100/],
    ["reviews-canary 50,25 every 30m", /Steps must increase, but 25 % follows 50 %/],
    ["reviews-canary 10,20 every fortnight", /"fortnight" is not an interval/],
    ["reviews-canary 10,20 every 0m", /between 1 minute and 7 days/],
  ])("refuses %j with an example", (args, why) => {
    expect(() => parseSteps(args)).toThrow(why);
    expect(() => parseSteps(args)).toThrow(
      /for example `\/release steps reviews-canary 10,25,50,100 every 30m`/,
    );
  });
});

const schedule = (over: Partial<StepSchedule> = {}): StepSchedule => ({
  id: "job-1",
  jobId: "job-1",
  percents: [10, 25, 50, 100],
  everyMinutes: 30,
  next: 0,
  dueAt: T0.toISOString(),
  setBy: "U1",
  approval: { state: "approved", hash: "approved-as-a-whole" },
  ...over,
});

/** The schedule as its approval request asked for it, approved (see test/schedule/step-approval.test.ts). */
async function approveAll(runner: StepRunner): Promise<void> {
  const stored = runner.get("job-1");
  if (!stored?.approval) throw new Error("no schedule to approve");
  const result = await runner.approve("job-1", stored.approval.hash, "U0APPROVER");
  if (!result.ok) throw new Error(result.reason);
}

describe("nextAction", () => {
  it.each<[string, StepSchedule, ReleaseJob | undefined, StepHealth, boolean, Date, unknown]>([
    ["due, approvals needed", schedule(), withShare(0), OK, false, T0, { kind: "request", percent: 10 }],
    ["due, auto steps and healthy", schedule(), withShare(0), OK, true, T0, { kind: "apply", percent: 10 }],
    [
      "due, auto steps but health unknown",
      schedule(),
      withShare(0),
      UNKNOWN,
      true,
      T0,
      { kind: "request", percent: 10 },
    ],
    [
      "due, auto steps, analysis inconclusive: waits for it",
      schedule(),
      withShare(0),
      { status: "unknown", reason: "v2: settling", wait: true },
      true,
      T0,
      { kind: "wait", until: new Date(T0.getTime() + 30_000) },
    ],
    [
      "due, approvals needed, analysis inconclusive: asks a person",
      schedule(),
      withShare(0),
      { status: "unknown", reason: "v2: settling", wait: true },
      false,
      T0,
      { kind: "request", percent: 10 },
    ],
    [
      "due, health breach",
      schedule(),
      withShare(0),
      BREACH,
      true,
      T0,
      { kind: "pause", reason: BREACH.status === "breach" ? BREACH.reasons[0] : "" },
    ],
    [
      "not due yet",
      schedule({ dueAt: at(30).toISOString() }),
      withShare(0),
      OK,
      false,
      at(10),
      { kind: "wait", until: at(30) },
    ],
    [
      "awaiting approval, not applied yet",
      schedule({ awaiting: 10, dueAt: at(30).toISOString() }),
      withShare(0),
      OK,
      false,
      at(5),
      { kind: "wait", until: at(30) },
    ],
    [
      "approval applied",
      schedule({ awaiting: 10, dueAt: at(30).toISOString() }),
      withShare(10),
      OK,
      false,
      at(5),
      { kind: "advanced", percent: 10 },
    ],
    [
      "unanswered request repeats when due",
      schedule({ awaiting: 10, dueAt: at(30).toISOString() }),
      withShare(0),
      OK,
      false,
      at(30),
      { kind: "request", percent: 10 },
    ],
    [
      "shifted by hand past the step",
      schedule({ next: 1 }),
      withShare(50),
      OK,
      false,
      T0,
      { kind: "advanced", percent: 25 },
    ],
    [
      "paused",
      schedule({ paused: "p99 too high" }),
      withShare(0),
      OK,
      true,
      T0,
      { kind: "idle", reason: "paused: p99 too high" },
    ],
    ["job gone", schedule(), undefined, OK, false, T0, { kind: "done" }],
    ["job offline", schedule(), withShare(0, "offline"), OK, false, T0, { kind: "done" }],
    [
      "job failed",
      schedule(),
      withShare(0, "failed"),
      OK,
      false,
      T0,
      { kind: "idle", reason: "the job is failed; steps go on once it is active again" },
    ],
    ["all steps reached", schedule({ next: 4 }), withShare(100), OK, false, T0, { kind: "done" }],
  ])("%s", (_name, s, job, health, autoSteps, now, expected) => {
    expect(nextAction(s, job, health, { autoSteps }, now)).toEqual(expected);
  });
});

interface World {
  job: ReleaseJob;
  health: StepHealth;
  calls: string[];
  store: Store;
  now: Date;
  failApply?: boolean;
}

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function world(autoSteps: boolean): Promise<{ w: World; runner: (name?: string) => StepRunner }> {
  const store = await openFileStore(tempDir("graydesk-steps-"));
  stores.push(store);
  const w: World = { job: withShare(0), health: OK, calls: [], store, now: T0 };
  const policy: Policy = { ...openPolicy(), defaults: { ...openPolicy().defaults, autoSteps } };
  const runner = (name = "leader") =>
    new StepRunner({
      store,
      policy,
      now: () => w.now,
      job: (id) => (id === w.job.id ? w.job : undefined),
      health: async () => w.health,
      requestShift: async (_job, percent) => void w.calls.push(`${name} request ${percent}`),
      applyShift: async (_job, percent) => {
        if (w.failApply)
          throw new Error("VirtualService bookinfo/reviews update failed: the API server answered 503");
        w.calls.push(`${name} apply ${percent}`);
        w.job = withShare(percent);
      },
      notify: async (_job, text) => void w.calls.push(`${name} notify ${text}`),
    });
  return { w, runner };
}

describe("StepRunner", () => {
  it("advances through approvals: each step is requested, waits for its approval, then the interval", async () => {
    const { w, runner } = await world(false);
    const r = runner();
    await r.set("job-1", [10, 25, 50, 100], 30, "U1");
    await approveAll(r);
    await r.tick();
    await r.tick();
    expect(w.calls).toEqual(["leader request 10"]);
    w.job = withShare(10); // approved and applied through the gate
    w.now = at(2);
    await r.tick();
    expect(r.get("job-1")).toMatchObject({ next: 1, dueAt: at(32).toISOString() });
    w.now = at(31);
    await r.tick();
    expect(w.calls).toEqual(["leader request 10"]);
    for (const [minute, percent] of [
      [32, 25],
      [64, 50],
      [96, 100],
    ] as const) {
      w.now = at(minute);
      await r.tick();
      w.job = withShare(percent);
      w.now = at(minute + 2);
      await r.tick();
    }
    expect(w.calls).toEqual([
      "leader request 10",
      "leader request 25",
      "leader request 50",
      "leader request 100",
      "leader notify Step schedule (10 % → 25 % → 50 % → 100 %) complete: v2 serves 100 %.",
    ]);
    expect(r.get("job-1")).toBeUndefined();
  });

  it("applies steps by itself when the policy allows and health is within thresholds", async () => {
    const { w, runner } = await world(true);
    const r = runner();
    await r.set("job-1", [10, 50], 30, "U1");
    await approveAll(r);
    await r.tick();
    expect(w.calls).toEqual([
      "leader apply 10",
      expect.stringMatching(/^leader notify Step schedule \(10 % → 50 %\): shifted v2 to 10 % by itself/),
    ]);
    w.now = at(30);
    await r.tick();
    expect(w.calls[2]).toBe("leader apply 50");
    expect(r.get("job-1")).toBeUndefined();
  });

  it("asks for approval instead when health cannot be measured", async () => {
    const { w, runner } = await world(true);
    w.health = UNKNOWN;
    const r = runner();
    await r.set("job-1", [10, 50], 30, "U1");
    await approveAll(r);
    await r.tick();
    expect(w.calls).toEqual(["leader request 10"]);
  });

  it("pauses on a health breach, says so, does nothing more until resumed", async () => {
    const { w, runner } = await world(true);
    const r = runner();
    await r.set("job-1", [10, 50], 30, "U1");
    await approveAll(r);
    await r.tick();
    w.health = BREACH;
    w.now = at(30);
    await r.tick();
    expect(w.calls[2]).toMatch(
      /^leader notify Step schedule \(10 % → 50 %\) paused before 50 %: v2: 50.0 % of requests succeeded/,
    );
    expect(w.calls[2]).toContain("/release steps reviews-canary resume");
    expect(r.get("job-1")?.paused).toMatch(/below the 99.0 % minimum/);
    w.now = at(60);
    await r.tick();
    expect(w.calls).toHaveLength(3);
    w.health = OK;
    expect(await r.resume("job-1")).toBe(true);
    await r.tick();
    expect(w.calls[3]).toBe("leader apply 50");
  });

  it("a failed automatic step pauses the schedule at that step and reports the failure", async () => {
    const { w, runner } = await world(true);
    w.failApply = true;
    const failing = runner();
    await failing.set("job-1", [10, 50], 30, "U1");
    await approveAll(failing);
    await failing.tick();
    expect(failing.get("job-1")).toMatchObject({
      next: 0,
      paused: expect.stringMatching(/applying 10 % failed: VirtualService bookinfo\/reviews update failed/),
    });
    expect(w.calls).toEqual([expect.stringMatching(/paused: applying 10 % failed/)]);
  });

  it("two runners ticking at once (a leader handover) request a step once", async () => {
    const { w, runner } = await world(false);
    const old = runner("old");
    const fresh = runner("new");
    await old.set("job-1", [10, 50], 30, "U1");
    await approveAll(old);
    await Promise.all([old.tick(), fresh.tick(), old.tick(), fresh.tick()]);
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]).toMatch(/request 10$/);
  });

  it("refuses schedules it cannot run, with the reason", async () => {
    const { w, runner } = await world(false);
    const r = runner();
    await expect(r.set("nope", [10], 30, "U1")).rejects.toMatchObject({ code: "unknown-job" });
    w.job = { ...withShare(0), strategy: "blue-green", traffic: { kind: "serve", version: "v1" } };
    await expect(r.set("job-1", [10], 30, "U1")).rejects.toThrow(/is not a canary by percentage/);
    w.job = withShare(60);
    await expect(r.set("job-1", [10, 50], 30, "U1")).rejects.toThrow(
      /already serves 60 % on the new version/,
    );
    w.job = withShare(30);
    expect((await r.set("job-1", [10, 50, 100], 30, "U1")).next).toBe(1);
  });

  it("pause, resume and cancel report whether there was a schedule", async () => {
    const { runner } = await world(false);
    const r = runner();
    expect(await r.pause("job-1", "holiday")).toBe(false);
    await r.set("job-1", [10, 50], 30, "U1");
    await approveAll(r);
    expect(await r.pause("job-1", "holiday")).toBe(true);
    expect(r.get("job-1")?.paused).toBe("holiday");
    expect(await r.cancel("job-1")).toBe(true);
    expect(await r.cancel("job-1")).toBe(false);
    expect(r.list()).toEqual([]);
  });
});
