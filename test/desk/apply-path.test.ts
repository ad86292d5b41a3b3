// The path from an approval to the first change: one store write (plan applying + journal opened with its
// first step started) before the patch; a refused plan leaves no journal for start-up to resume.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/cluster/index.ts";
import type { PlanRecord } from "../../src/desk/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { openFileStore, type Store, type StoreData } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

const VS = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" };
const shift = (v2: number) => ({
  kind: "shift" as const,
  traffic: { kind: "weights" as const, weights: { v1: 100 - v2, v2 } },
});

/** Each store write with how many Kubernetes writes had been sent before it, and the state it left. */
interface Write {
  kubeWritesBefore: number;
  after: StoreData;
}

function recording(store: Store, kubeWrites: () => number, writes: Write[]): Store {
  return {
    data: () => store.data(),
    async update(mutate) {
      const before = kubeWrites();
      const result = await store.update(mutate);
      writes.push({ kubeWritesBefore: before, after: structuredClone(store.data()) as StoreData });
      return result;
    },
    flush: () => store.flush(),
    close: () => store.close(),
  };
}

describe("approval to first change", () => {
  let world: World;
  let store: Store;
  let job: ReleaseJob;
  const writes: Write[] = [];

  beforeAll(async () => {
    store = await openFileStore(tempDir("graydesk-apply-path-"));
    let kube: World["kube"] | undefined;
    const kubeWrites = () =>
      kube?.requests.filter((r) => ["patch", "create", "delete"].includes(r.verb)).length ?? 0;
    world = await startWorld({
      bookinfo: { withDestinationRule: true },
      desk: { store: recording(store, kubeWrites, writes) },
    });
    kube = world.kube;
    job = await world.desk.createJob(reviewsCanary(), "U1");
    await world.desk.waitDeployed(job.id);
    await world.desk.applyPlan((await world.desk.planChange(job.id, shift(10), "U1")).id, "U2");
  });
  afterAll(async () => {
    await world.close();
    await store.close();
  });

  it("writes the store once before the patch: the plan applying and its journal open, first step started", async () => {
    const plan = await world.desk.planChange(job.id, shift(30), "U1");
    world.kube.resetRequests();
    writes.length = 0;
    await world.desk.applyPlan(plan.id, "U2");
    const before = writes.filter((w) => w.kubeWritesBefore === 0);
    expect(before).toHaveLength(1);
    const state = before[0]?.after as StoreData;
    expect((state.plans[plan.id] as unknown as PlanRecord).status).toBe("applying");
    expect(state.journal[plan.id] as unknown as JournalEntry).toMatchObject({
      state: "running",
      steps: ["started"],
      jobId: job.id,
    });
    expect((store.data().plans[plan.id] as unknown as PlanRecord).status).toBe("applied");
  });

  it("closes the journal it opened when the first write finds the plan stale", async () => {
    const plan = await world.desk.planChange(job.id, shift(40), "U1");
    await world.cluster.mergePatch(VS, { metadata: { labels: { touched: "by-hand" } } });
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toMatchObject({ code: "stale-plan" });
    expect((store.data().plans[plan.id] as unknown as PlanRecord).status).toBe("stale");
    expect((store.data().journal[plan.id] as unknown as JournalEntry | undefined)?.state).not.toBe("running");
    expect(world.desk.job(job.id)?.state).toBe("active");
  });

  it("opens no journal for a plan someone already took", async () => {
    const plan = await world.desk.planChange(job.id, shift(50), "U1");
    await world.desk.applyPlan(plan.id, "U2");
    writes.length = 0;
    await expect(world.desk.applyPlan(plan.id, "U3")).rejects.toThrow(/already applied/);
    expect(writes).toHaveLength(0);
  });

  it("drops a finished apply's journal at start-up, keeping the plan's record", async () => {
    const plan = await world.desk.planChange(job.id, shift(60), "U1");
    await world.desk.applyPlan(plan.id, "U2");
    expect((store.data().journal[plan.id] as unknown as JournalEntry).state).toBe("done");
    await world.desk.recover();
    expect(store.data().journal[plan.id]).toBeUndefined();
    expect((store.data().plans[plan.id] as unknown as PlanRecord).plan.summary).toBe(plan.summary);
    // The refused plan's failed journal stays for the retention window; no finished one is left.
    const states = Object.values(store.data().journal).map((e) => (e as unknown as JournalEntry).state);
    expect(states).toEqual(["failed"]);
  });
});
