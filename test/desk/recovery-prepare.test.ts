// A crash while a new job's routes are being set, before its Deployment exists: recover() finishes the
// preparation (or plans it again when the cluster moved on), and the job keeps the objects it created
// recorded as created, so its end deletes them.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";
import { createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

class SimulatedCrash extends Error {}

const ref = (kind: string, name = "reviews") => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "networking.istio.io/v1",
  kind,
  namespace: NS,
  name,
});
const foundVs = parse(
  readFileSync(new URL("../fixtures/release-engine/reviews-virtualservice.yaml", import.meta.url), "utf8"),
);

async function crashWorld(): Promise<{ world: World; crashAfter: (index: number | undefined) => void }> {
  let crashAt: number | undefined;
  const world = await startWorld({
    desk: {
      afterStep: (index) => {
        if (index === crashAt) throw new SimulatedCrash(`crash after step ${index}`);
      },
    },
  });
  return {
    world,
    crashAfter: (index) => {
      crashAt = index;
    },
  };
}

const labels = (job: ReleaseJob) => job.originals.map((o) => `${o.kind} ${o.spec ? "found" : "created"}`);

async function v2Requests(world: World): Promise<number> {
  await world.mesh.refresh();
  return world.mesh.sendMany(1000, { service: "reviews", namespace: NS }).byVersion.v2 ?? 0;
}

describe("crash while creating a job (create DestinationRule, create VirtualService, create Deployment)", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each([0, 1])("crash after step %i: recover() finishes it and v2 gets no traffic", async (step) => {
    const setup = await crashWorld();
    world = setup.world;
    setup.crashAfter(step);
    await expect(world.desk.createJob(reviewsCanary(), "U1")).rejects.toThrow(/interrupted after step/);
    expect(await world.cluster.get(ref("Deployment", "reviews-v2"))).toBeUndefined();

    const desk = await world.restart();
    await desk.recover();
    const [stored] = desk.jobs(NS);
    const job = await desk.waitDeployed(stored?.id ?? "");
    expect(job.state).toBe("ready");
    expect(labels(job)).toEqual(["DestinationRule created", "VirtualService created"]);
    expect(await v2Requests(world)).toBe(0);
    expect(world.changes.filter((c) => c.job === job.id).map((c) => c.what)).toEqual(["created", "deployed"]);
    const records = await world.audit.readAll();
    expect(records.map((r) => r.kind)).toEqual(["job.created", "plan.recovered", "job.deployed"]);
  });

  it("a VirtualService made by hand before recovery: planned again, the DestinationRule the job made stays 'created'", async () => {
    const setup = await crashWorld();
    world = setup.world;
    setup.crashAfter(0);
    await expect(world.desk.createJob(reviewsCanary(), "U1")).rejects.toThrow(/interrupted after step 0/);
    // Someone writes the VirtualService the job was about to create: the plan no longer fits.
    await createFixture(world.kc, "reviews-virtualservice.yaml");

    const desk = await world.restart();
    await desk.recover();
    const [stored] = desk.jobs(NS);
    let job = await desk.waitDeployed(stored?.id ?? "");
    expect(job.state).toBe("ready");
    expect(labels(job)).toEqual(["DestinationRule created", "VirtualService found"]);
    expect(await v2Requests(world)).toBe(0);
    const records = await world.audit.readAll();
    expect(records.find((r) => r.kind === "plan.recovered")).toMatchObject({
      detail: { outcome: "prepared again" },
    });

    // The job's end deletes the DestinationRule it made and gives the VirtualService back as found.
    for (const change of [{ kind: "rollback" as const }, { kind: "takeOffline" as const, keep: "v1" }])
      job = (await desk.applyPlan((await desk.planChange(job.id, change, "U1")).id, "U2")).job;
    expect(job.state).toBe("offline");
    expect(await world.cluster.get(ref("DestinationRule"))).toBeUndefined();
    expect(
      (await world.cluster.get<{ apiVersion: string; spec: unknown }>(ref("VirtualService")))?.spec,
    ).toEqual(foundVs.spec);
  });
});
