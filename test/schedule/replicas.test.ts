import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openPolicy } from "../../src/approvals/index.ts";
import {
  createScheduler,
  DigestSchedules,
  leadershipFor,
  type Scheduler,
  StepRunner,
} from "../../src/schedule/index.ts";
import { openKubeStore, type Store, type StoredRecord } from "../../src/store/index.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";

/** vi.waitFor with room for a loaded machine (its default gives up after 1 s). */
const waitFor = <T>(check: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(check, { timeout: 15_000, interval: 20, ...options });

let server: KubeTestServer;
const stores: Store[] = [];
const schedulers: Scheduler[] = [];

beforeAll(async () => {
  server = await startKubeServer({ crds: [] });
});
afterAll(async () => {
  for (const s of schedulers) await s.stop();
  for (const s of stores) await s.close();
  await server.close();
});

interface Post {
  by: string;
  channel: string;
  slot: string;
}

/** One Graydesk replica: its own KubeConfig, store, schedules and lease candidate. */
async function replica(name: string, posts: Post[]) {
  const kc = server.kubeConfig();
  const store = await openKubeStore(kc, { namespace: "default", name: "replicas-state", rewatchDelayMs: 50 });
  stores.push(store);
  const digests = new DigestSchedules({
    store,
    syncMs: 100,
    post: async (channel, slot) => void posts.push({ by: name, channel, slot: slot.toISOString() }),
  });
  const steps = new StepRunner({
    store,
    policy: openPolicy(),
    job: () => undefined,
    health: async () => ({ status: "ok" }),
    requestShift: async () => undefined,
    applyShift: async () => undefined,
    notify: async () => undefined,
  });
  const scheduler = createScheduler(
    { digests, steps },
    // A long lease: a graceful stop must hand over far sooner than the lease could expire, even on a busy machine.
    leadershipFor({ store: "kubernetes" }, kc, { leaseDurationSeconds: 30, retryPeriodMs: 50 }),
  );
  schedulers.push(scheduler);
  return { name, store, scheduler };
}

// Written straight to the store with a seconds field, which /release digest refuses, so that the test sees the
// leader's node-cron task fire within a second instead of waiting for a minute boundary.
async function everySecond(store: Store, channel: string) {
  await store.update((d) => {
    d.schedules[channel] = {
      id: channel,
      channel,
      cron: "* * * * * *",
      timezone: "UTC",
      since: new Date(0).toISOString(),
      setBy: "U1",
    } as StoredRecord;
  });
}

describe("two replicas over the Kubernetes test server", () => {
  it("only the leader runs digests, and a graceful stop hands leadership over within the lease duration", async () => {
    const posts: Post[] = [];
    const a = await replica("a", posts);
    const b = await replica("b", posts);
    a.scheduler.start();
    b.scheduler.start();
    await waitFor(() => expect([a, b].filter((r) => r.scheduler.isLeader())).toHaveLength(1));
    const [leader, follower] = a.scheduler.isLeader() ? [a, b] : [b, a];

    await everySecond(a.store, "C1");
    await waitFor(() => expect(posts.filter((p) => p.channel === "C1")).toHaveLength(1), {
      timeout: 5000,
    });
    expect(posts.every((p) => p.by === leader.name)).toBe(true);

    const stoppedAt = performance.now();
    await leader.scheduler.stop();
    await waitFor(() => expect(follower.scheduler.isLeader()).toBe(true), {
      timeout: 20_000,
      interval: 10,
    });
    const handoverMs = performance.now() - stoppedAt;
    // Half the 30 s lease: only a released lease (not an expired one) hands over this soon.
    expect(handoverMs).toBeLessThan(15_000);

    const before = posts.length;
    await everySecond(follower.store, "C2");
    await waitFor(() => expect(posts.filter((p) => p.channel === "C2")).toHaveLength(1), {
      timeout: 5000,
    });
    expect(posts.slice(before).every((p) => p.by === follower.name)).toBe(true);
    // The slot C1 was claimed for is not posted again by the new leader.
    const c1Slots = posts.filter((p) => p.channel === "C1").map((p) => p.slot);
    expect(new Set(c1Slots).size).toBe(c1Slots.length);
  });
});

describe("scheduler for one replica (STORE=lowdb)", () => {
  it("leads alone from start and runs its schedules at once", async () => {
    const posts: Post[] = [];
    const store = await openKubeStore(server.kubeConfig(), { namespace: "default", name: "sole-state" });
    stores.push(store);
    const digests = new DigestSchedules({
      store,
      syncMs: 100,
      post: async (channel, slot) => void posts.push({ by: "sole", channel, slot: slot.toISOString() }),
    });
    const steps = new StepRunner({
      store,
      policy: openPolicy(),
      job: () => undefined,
      health: async () => ({ status: "ok" }),
      requestShift: async () => undefined,
      applyShift: async () => undefined,
      notify: async () => undefined,
    });
    const scheduler = createScheduler(
      { digests, steps },
      leadershipFor({ store: "lowdb" }, server.kubeConfig()),
    );
    scheduler.start();
    expect(scheduler.isLeader()).toBe(true);
    await everySecond(store, "C9");
    await waitFor(() => expect(posts).toHaveLength(1), { timeout: 5000 });
    await scheduler.stop();
    expect(scheduler.isLeader()).toBe(false);
  });
});
