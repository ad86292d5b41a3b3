// A crash between any two steps of an apply: a fresh desk over the same data directory runs recover()
// and ends with the cluster and the job agreeing, the plan completed or its routes put back.
import { afterEach, describe, expect, it } from "vitest";
import type { RunningReleaseDesk } from "../../src/desk/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

class SimulatedCrash extends Error {}

const DR = { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", namespace: NS, name: "reviews" };
const twenty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 80, v2: 20 } } };

async function crashWorld(): Promise<{ world: World; crashAfter: (index: number | undefined) => void }> {
  let crashAt: number | undefined;
  const world = await startWorld({
    desk: {
      afterStep: (index) => {
        if (index === crashAt) throw new SimulatedCrash(`crash after step ${index}`);
      },
    },
  });
  await createFixture(world.kc, "reviews-virtualservice.yaml");
  return {
    world,
    crashAfter: (index) => {
      crashAt = index;
    },
  };
}

async function agree(desk: RunningReleaseDesk, job: ReleaseJob) {
  const status = await desk.status(job.id);
  expect(status.configured).toEqual(status.job.traffic);
  expect(status.notes).toEqual([]);
}

describe("crash during apply, then recover()", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each([0, 1])("first shift (wait-ready, patch VirtualService), crash after step %i", async (step) => {
    const setup = await crashWorld();
    world = setup.world;
    let job = await world.desk.createJob(reviewsCanary(), "U1");
    job = await world.desk.waitDeployed(job.id);
    const plan = await world.desk.planChange(job.id, twenty, "U1");
    expect(plan.steps).toHaveLength(2);
    setup.crashAfter(step);
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toThrow(/interrupted after step/);
    expect(world.desk.job(job.id)?.state).toBe("ready");

    const desk = await world.restart();
    await desk.recover();
    job = desk.job(job.id) as ReleaseJob;
    expect(job.state).toBe("active");
    expect(job.traffic).toEqual(twenty.traffic);
    expect(job.originals.map((o) => `${o.kind} ${o.spec ? "found" : "created"}`)).toEqual([
      "DestinationRule created",
      "VirtualService found",
    ]);
    await agree(desk, job);
    const records = await world.audit.readAll();
    expect(records.at(-1)).toMatchObject({ kind: "plan.recovered", detail: { outcome: "completed" } });
    // Nothing is left to recover: a second start-up changes nothing.
    await desk.recover();
    expect(desk.job(job.id)).toEqual(job);
  });

  it("take offline interrupted, then the DestinationRule edited by hand: the last good routes are put back", async () => {
    const setup = await crashWorld();
    world = setup.world;
    let job = await world.desk.createJob(reviewsCanary(), "U1");
    job = await world.desk.waitDeployed(job.id);
    for (const change of [twenty, { kind: "takeOver" as const, version: "v2" }]) {
      job = (await world.desk.applyPlan((await world.desk.planChange(job.id, change, "U1")).id, "U2")).job;
    }
    const plan = await world.desk.planChange(job.id, { kind: "takeOffline", keep: "v2" }, "U1");
    expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
      "patch VirtualService",
      "delete DestinationRule",
      "delete Deployment",
    ]);
    setup.crashAfter(0);
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toThrow(/interrupted/);
    await world.cluster.mergePatch(DR, {
      spec: { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } },
    });

    const desk = await world.restart();
    await desk.recover();
    job = desk.job(job.id) as ReleaseJob;
    expect(job.failure).toBeUndefined();
    expect(job.state).toBe("taken-over");
    await agree(desk, job);
    await world.mesh.refresh();
    expect(world.mesh.sendMany(300, { service: "reviews", namespace: NS }).byVersion).toEqual({ v2: 300 });
    const records = await world.audit.readAll();
    expect(records.at(-1)).toMatchObject({ kind: "plan.recovered", detail: { outcome: "reverted" } });
  });

  it("a job still deploying at the crash is watched again and becomes ready", async () => {
    world = await startWorld({ server: { podReadyDelayMs: 150 } });
    const job = await world.desk.createJob(reviewsCanary(), "U1");
    await world.desk.close();
    const desk = await world.restart();
    await desk.recover();
    expect((await desk.waitDeployed(job.id)).state).toBe("ready");
  });
});
