// Blue-green take-over of either version, and traffic mirroring at 100 % and 30 %.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

async function apply(world: World, job: ReleaseJob, change: Parameters<World["desk"]["planChange"]>[1]) {
  const plan = await world.desk.planChange(job.id, change, "U1");
  const { job: next } = await world.desk.applyPlan(plan.id, "U2");
  await world.mesh.refresh();
  return { plan, job: next };
}

describe("blue-green", () => {
  let world: World;
  let job: ReleaseJob;
  beforeAll(async () => {
    world = await startWorld();
    job = await world.desk.createJob({ ...reviewsCanary("v2", "reviews-bg"), strategy: "blue-green" }, "U1");
    job = await world.desk.waitDeployed(job.id);
  });
  afterAll(() => world.close());
  const send = () => world.mesh.sendMany(500, { service: "reviews", namespace: NS }).byVersion;

  it("the new version takes over, then the old one takes back all traffic", async () => {
    let result = await apply(world, job, { kind: "takeOver", version: "v2" });
    expect(result.plan.summary).toBe("reviews: v1 100 → 0, v2 0 → 100");
    expect(result.job.state).toBe("taken-over");
    expect(send()).toEqual({ v2: 500 });
    result = await apply(world, result.job, { kind: "takeOver", version: "v1" });
    expect(result.job.takenOverBy).toBe("v1");
    expect(send()).toEqual({ v1: 500 });
    expect((await world.desk.status(job.id)).configured).toEqual({ kind: "serve", version: "v1" });
    job = result.job;
  });

  it("refuses a weight split for a blue-green job", async () => {
    await expect(
      world.desk.planChange(
        job.id,
        { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
        "U1",
      ),
    ).rejects.toThrow(/Blue-green job reviews-bg moves traffic with Take Over/);
  });

  it("offline keeping v1 removes v2 and every routing object the job created", async () => {
    const result = await apply(world, job, { kind: "takeOffline", keep: "v1" });
    expect(result.job.state).toBe("offline");
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v2",
      }),
    ).toBeUndefined();
    expect(
      await world.cluster.get({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        namespace: NS,
        name: "reviews",
      }),
    ).toBeUndefined();
    expect(send()).toEqual({ v1: 500 });
  });
});

describe("traffic mirroring", () => {
  let world: World;
  let job: ReleaseJob;
  beforeAll(async () => {
    world = await startWorld();
    job = await world.desk.createJob({ ...reviewsCanary("v2", "reviews-mirror"), strategy: "mirror" }, "U1");
    job = await world.desk.waitDeployed(job.id);
  });
  afterAll(() => world.close());

  it.each([
    { percent: 100, expected: 1000, tolerance: 0 },
    { percent: 30, expected: 300, tolerance: 40 },
  ])(
    "mirrors $percent % of v1's traffic to v2, which answers no caller",
    async ({ percent, expected, tolerance }) => {
      const result = await apply(world, job, {
        kind: "shift",
        traffic: { kind: "mirror", percent, to: "v2" },
      });
      job = result.job;
      const counts = world.mesh.sendMany(1000, { service: "reviews", namespace: NS });
      expect(counts.byVersion).toEqual({ v1: 1000 });
      expect(Math.abs((counts.mirrored.v2 ?? 0) - expected)).toBeLessThanOrEqual(tolerance);
      expect((await world.desk.status(job.id)).configured).toEqual({ kind: "mirror", percent, to: "v2" });
    },
  );
});
