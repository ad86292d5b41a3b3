// Store retention as a pure function over a store document: what is compacted, deleted and kept.
import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, type PlanRecord, pruneStore } from "../../src/desk/index.ts";
import { emptyData, type StoreData } from "../../src/store/index.ts";

const NOW = new Date("2025-06-30T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const DAYS = 24 * 60;
const vs = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  namespace: "bookinfo",
  name: "reviews",
};

function plan(id: string, jobId: string, status: string, createdAt: string) {
  return {
    id,
    plan: {
      id,
      jobId,
      operation: "shift",
      steps: [
        {
          action: "patch",
          object: vs,
          before: { spec: { http: [] } },
          after: { spec: { http: [{}] } },
          patch: { type: "merge", body: { spec: { http: [{}] } } },
        },
      ],
      preconditions: [{ ref: vs, resourceVersion: "7" }],
      summary: "reviews: v2 10 % -> 20 %",
      notes: [],
      hash: "h",
    },
    change: { kind: "shift" },
    status,
    requestedBy: "U1",
    createdAt,
    originals: [{ apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "reviews" }],
  };
}

function world(): StoreData {
  const data = emptyData();
  data.jobs.live = { id: "live", state: "failed", history: [], originals: [] };
  data.jobs.done = { id: "done", state: "offline", history: [], originals: [] };
  return data;
}

describe("store retention", () => {
  it("drops a finished plan's bodies after the grace period, keeping its summary, hash and preconditions", () => {
    const data = world();
    data.plans.p = plan("p", "done", "applied", ago(11)) as never;
    data.plans.fresh = plan("fresh", "done", "applied", ago(9)) as never;
    const pruned = pruneStore(data, NOW);
    const record = data.plans.p as unknown as PlanRecord;
    expect(record.plan.steps).toEqual([{ action: "patch", object: vs }]);
    expect(record.plan).toMatchObject({ summary: "reviews: v2 10 % -> 20 %", hash: "h" });
    expect(record.plan.preconditions).toHaveLength(1);
    expect(record.originals).toBeUndefined();
    expect((data.plans.fresh as unknown as PlanRecord).plan.steps[0]?.before).toBeDefined();
    expect(pruned.plansCompacted).toBe(1);
    expect(pruneStore(data, NOW).plansCompacted).toBe(0);
  });

  it.each(["applied", "stale", "superseded", "failed"])(
    "deletes a %s plan after the retention window",
    (status) => {
      const data = world();
      data.plans.p = plan("p", "done", status, ago(7 * DAYS)) as never;
      expect(pruneStore(data, NOW).plansDeleted).toBe(1);
      expect(data.plans.p).toBeUndefined();
    },
  );

  it("keeps proposed and applying plans, a plan with a running journal, and a live job's failed plan", () => {
    const data = world();
    data.plans.proposed = plan("proposed", "done", "proposed", ago(30 * DAYS)) as never;
    data.plans.applying = plan("applying", "done", "applying", ago(30 * DAYS)) as never;
    data.plans.retry = plan("retry", "live", "failed", ago(30 * DAYS)) as never;
    data.plans.resuming = plan("resuming", "done", "applied", ago(30 * DAYS)) as never;
    data.journal.resuming = {
      id: "resuming",
      planId: "resuming",
      jobId: "done",
      state: "running",
      steps: [],
      startedAt: ago(30 * DAYS),
    };
    const before = structuredClone(data.plans);
    expect(pruneStore(data, NOW)).toMatchObject({ plansDeleted: 0, plansCompacted: 0 });
    expect(data.plans).toEqual(before);
  });

  it("deletes done journals at once and failed ones after the window; keeps running ones", () => {
    const data = world();
    const entry = (id: string, state: string, startedAt: string) => ({
      id,
      planId: id,
      jobId: "done",
      state,
      steps: [],
      startedAt,
    });
    data.journal.done = entry("done", "done", ago(1));
    data.journal.failedNew = entry("failedNew", "failed", ago(1));
    data.journal.failedOld = entry("failedOld", "failed", ago(8 * DAYS));
    data.journal.running = entry("running", "running", ago(30 * DAYS));
    expect(pruneStore(data, NOW).journalsDeleted).toBe(2);
    expect(Object.keys(data.journal).sort()).toEqual(["failedNew", "running"]);
  });

  it("deletes decided requests after the window, never pending or approved ones", () => {
    const data = world();
    const request = (id: string, state: string, at: string) => ({
      id,
      state,
      requestedAt: at,
      decidedAt: at,
    });
    data.approvals.old = request("old", "applied", ago(8 * DAYS));
    data.approvals.expired = request("expired", "expired", ago(8 * DAYS));
    data.approvals.recent = request("recent", "rejected", ago(DAYS));
    data.approvals.pending = request("pending", "pending", ago(30 * DAYS));
    data.approvals.approved = request("approved", "approved", ago(30 * DAYS));
    expect(pruneStore(data, NOW).approvalsDeleted).toBe(2);
    expect(Object.keys(data.approvals).sort()).toEqual(["approved", "pending", "recent"]);
  });

  it("caps a job's history, keeping its creation and the latest events", () => {
    const data = world();
    const events = Array.from({ length: 130 }, (_, i) => ({
      at: ago(130 - i),
      actor: "U1",
      kind: i === 0 ? "created" : "shifted",
      detail: `${i}`,
    }));
    data.jobs.live = { id: "live", state: "active", history: events, originals: [] };
    const pruned = pruneStore(data, NOW, { ...DEFAULT_RETENTION, historyCap: 100 });
    const history = data.jobs.live?.history as { kind: string; detail: string }[];
    expect(history).toHaveLength(100);
    expect(history[0]?.kind).toBe("created");
    expect(history[1]?.detail).toBe("31");
    expect(history.at(-1)?.detail).toBe("129");
    expect(pruned.historyTrimmed).toBe(30);
  });
});

describe("store retention through the file store", () => {
  it("scans the stored state and writes only the records it prunes, with the same outcome", async () => {
    const { openFileStore, recordPath } = await import("../../src/store/index.ts");
    const { statSync } = await import("node:fs");
    const { tempDir } = await import("../harness/temp-dir.ts");
    const dir = tempDir("graydesk-retention-");
    const store = await openFileStore(dir);
    const data = world();
    data.plans.old = plan("old", "done", "applied", ago(11)) as never;
    data.plans.fresh = plan("fresh", "done", "applied", ago(9)) as never;
    data.journal.j = { id: "j", planId: "old", state: "done" };
    await store.update((d) => {
      for (const [c, records] of Object.entries(data))
        if (typeof records === "object") Object.assign(d[c as "jobs"], records);
    });
    await store.flush();
    const expected = structuredClone(data);
    const outcome = pruneStore(expected, NOW);
    const inode = (id: string) => statSync(recordPath(dir, "plans", id)).ino;
    const fresh = inode("fresh");
    const pruned = await store.update((d) => pruneStore(d, NOW, DEFAULT_RETENTION, store.data()));
    expect(pruned).toEqual(outcome);
    expect(store.data().plans).toEqual(expected.plans);
    expect(store.data().journal).toEqual({});
    expect(inode("fresh")).toBe(fresh);
    await store.close();
  });
});

describe("store retention over archived finished jobs", () => {
  it("leaves an archived finished job unread (its history was capped while it ran) and caps live ones", async () => {
    const { isUnread, openFileStore } = await import("../../src/store/index.ts");
    const { tempDir } = await import("../harness/temp-dir.ts");
    const dir = tempDir("graydesk-retention-archive-");
    const long = Array.from({ length: 130 }, (_, i) => ({
      at: ago(130 - i),
      kind: "shifted",
      detail: `${i}`,
    }));
    let store = await openFileStore(dir, { compactAbove: 0 });
    await store.update((d) => {
      d.jobs.done = { id: "done", state: "offline", history: long };
      d.jobs.live = { id: "live", state: "active", history: long };
    });
    await store.close();
    // Folded into the pack and the archive, then read from them.
    await (await openFileStore(dir, { compactAbove: 0 })).close();
    store = await openFileStore(dir);
    expect(isUnread(store.data().jobs.done)).toBe(true);
    const pruned = await store.update((d) => pruneStore(d, NOW, DEFAULT_RETENTION, store.data()));
    expect(pruned.historyTrimmed).toBe(30);
    expect(isUnread(store.data().jobs.done)).toBe(true);
    expect(store.data().jobs.live?.history).toHaveLength(100);
    await store.close();
  });
});
