// Seed 003 without a mesh: the split is the ratio of replicas, 1:1 then 4:1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { apiCalls, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const replicasOf = async (world: World, name: string) =>
  (
    await world.cluster.get<{ apiVersion: string; kind: string; spec: { replicas: number } }>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: NS,
      name,
    })
  )?.spec.replicas;

describe("seed 003: replica-ratio canary in a cluster without a mesh", () => {
  let world: World;
  let job: ReleaseJob;
  beforeAll(async () => {
    world = await startWorld({ server: { crds: [] } });
  });
  afterAll(() => world.close());

  it("refuses mirroring: it needs a mesh", async () => {
    await expect(
      world.desk.createJob({ ...reviewsCanary("v2", "reviews-mirror"), strategy: "mirror" }, "U1"),
    ).rejects.toMatchObject({
      code: "invalid-field",
      fields: [
        {
          field: "strategy",
          message: "Mirroring traffic needs a service mesh; this service is split by replicas.",
        },
      ],
    });
  });

  it("offers only the replica router and starts the new version with no pods", async () => {
    const [reviews] = await world.desk
      .services(NS, "bookinfo")
      .then((s) => s.filter((x) => x.name === "reviews"));
    expect(reviews?.routers).toEqual(["replicas"]);
    const input = reviewsCanary();
    input.newVersion.settings.replicas = 4;
    job = await world.desk.createJob(input, "U1");
    expect(job.router).toBe("replicas");
    job = await world.desk.waitDeployed(job.id);
    expect(job.state).toBe("ready");
    expect(await replicasOf(world, "reviews-v2")).toBe(0);
  });

  it.each([
    { percent: 50, stable: 1, canary: 1, low: 0.45, high: 0.55 },
    { percent: 80, stable: 1, canary: 4, low: 0.76, high: 0.84 },
  ])("$percent % to v2 is $stable:$canary replicas and the Service spreads requests so", async (row) => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 100 - row.percent, v2: row.percent } } },
      "U1",
    );
    expect(plan.notes.join(" ")).toContain(`v1 ${row.stable} : v2 ${row.canary} pods`);
    world.kube.resetRequests();
    job = (await world.desk.applyPlan(plan.id, "U2")).job;
    console.log(`api requests: replicas shift ${row.percent} = ${apiCalls(world.kube).length}`);
    expect(await replicasOf(world, "reviews-v1")).toBe(row.stable);
    expect(await replicasOf(world, "reviews-v2")).toBe(row.canary);
    await world.mesh.refresh();
    const counts = world.mesh.sendMany(4000, { service: "reviews", namespace: NS });
    expect(share(counts.byVersion, "v2")).toBeGreaterThan(row.low);
    expect(share(counts.byVersion, "v2")).toBeLessThan(row.high);
    expect((await world.desk.status(job.id)).configured).toEqual({
      kind: "weights",
      weights: { v1: 100 - row.percent, v2: row.percent },
    });
  });

  it("take over and offline keeping v2 leave v2 with the stable version's replica count", async () => {
    let plan = await world.desk.planChange(job.id, { kind: "takeOver", version: "v2" }, "U1");
    job = (await world.desk.applyPlan(plan.id, "U2")).job;
    expect(await replicasOf(world, "reviews-v1")).toBe(0);
    plan = await world.desk.planChange(job.id, { kind: "takeOffline", keep: "v2" }, "U1");
    job = (await world.desk.applyPlan(plan.id, "U2")).job;
    expect(job.state).toBe("offline");
    expect(await replicasOf(world, "reviews-v1")).toBeUndefined();
    expect(await replicasOf(world, "reviews-v2")).toBe(1);
  });
});

describe("replica split towards a version whose pods never become ready", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ server: { crds: [] } });
  });
  afterAll(() => world.close());

  it("fails the shift before the stable version gives up a pod", async () => {
    const input = reviewsCanary();
    world.kube.markImageBad(input.newVersion.settings.containers.images.reviews);
    let job = await world.desk.createJob(input, "U1");
    job = await world.desk.waitDeployed(job.id);
    // With no pods the new version is trivially ready: the image is only tried when a shift scales it up.
    expect(job.state).toBe("ready");
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    expect(plan.steps.map((s) => `${s.action} ${s.object.name}`)).toEqual([
      "scale reviews-v2",
      "wait-ready reviews-v2",
    ]);
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toThrow(/ImagePullBackOff/);
    expect(world.desk.job(job.id)?.state).toBe("failed");
    expect(await replicasOf(world, "reviews-v1")).toBe(1);
    await world.mesh.refresh();
    expect(world.mesh.sendMany(200, { service: "reviews", namespace: NS }).byVersion).toEqual({ v1: 200 });
    job = await world.desk.abandon(job.id, "U1");
    expect(job.state).toBe("abandoned");
    expect(await replicasOf(world, "reviews-v2")).toBeUndefined();
  });
});
