// Kubernetes reads per user operation: a plan and the status drawn under it read each object once, Services
// come from the read cache, and anything after a write (a status after an apply) reads the cluster again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { apiCalls, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const reads = (calls: string[]) => calls.filter((c) => c.startsWith("get ") || c.startsWith("list "));
const counted = (calls: string[]) => {
  const all = new Map<string, number>();
  for (const c of calls) all.set(c, (all.get(c) ?? 0) + 1);
  return Object.fromEntries(all);
};

describe("reads per operation", () => {
  let world: World;
  let job: ReleaseJob;

  beforeAll(async () => {
    world = await startWorld({ bookinfo: { withDestinationRule: true } });
    job = await world.desk.createJob(reviewsCanary(), "U1");
    await world.desk.waitDeployed(job.id);
    // The first shift waits for v2 to be ready before routing to it; the ones measured here move weights only.
    const first = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 90, v2: 10 } } },
      "U1",
    );
    await world.desk.applyPlan(first.id, "U2");
    await world.desk.status(job.id);
  });
  afterAll(() => world.close());

  it("plans a shift and draws its status with one read of each kind and no Service read", async () => {
    world.kube.resetRequests();
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 70, v2: 30 } } },
      "U1",
    );
    const status = await world.desk.status(job.id);
    const calls = apiCalls(world.kube);
    expect(plan.steps.map((s) => s.action)).toContain("patch");
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 90, v2: 10 } });
    expect(status.versions.map((v) => v.version)).toEqual(["v1", "v2"]);
    expect(Object.values(counted(reads(calls))).every((n) => n === 1)).toBe(true);
    expect(reads(calls).filter((c) => c.includes("services/") || c === "list services")).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(5);
  });

  it("reads the routes again for a status after the apply, and shows what the apply set", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 60, v2: 40 } } },
      "U1",
    );
    world.kube.resetRequests();
    await world.desk.applyPlan(plan.id, "U2");
    const applied = apiCalls(world.kube);
    const status = await world.desk.status(job.id);
    expect(applied).toEqual(["patch virtualservices/reviews"]);
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 60, v2: 40 } });
    expect(reads(apiCalls(world.kube))).toContain("list virtualservices");
  });

  it("refuses a plan made stale by a change outside Graydesk, though Services are read from the cache", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    await world.cluster.mergePatch(
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" },
      { metadata: { labels: { edited: "by-hand" } } },
    );
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toMatchObject({ code: "stale-plan" });
    const status = await world.desk.status(job.id);
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 60, v2: 40 } });
  });

  it("draws a status a while after the plan from new reads, not the plan's", async () => {
    await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    await world.cluster.mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" },
      { spec: { replicas: 2 } },
    );
    // A write by Graydesk in the namespace drops the plan's reads at once.
    await world.desk.abandon(job.id, "U1").catch(() => undefined);
    world.kube.resetRequests();
    const status = await world.desk.status(job.id);
    expect(reads(apiCalls(world.kube))).toContain("list deployments");
    expect(status.job.id).toBe(job.id);
  });
});
