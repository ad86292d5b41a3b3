// No request reaches the new version before the first approved change: the routes holding the stable
// version are written before the new Deployment exists, whether there was a VirtualService or not.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { apiCalls, createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const ISTIO = "networking.istio.io/v1";
const ref = (kind: string, name: string) => ({ apiVersion: ISTIO, kind, namespace: NS, name });
const twenty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 80, v2: 20 } } };
const teamVs = parse(
  readFileSync(
    new URL("../fixtures/release-engine/reviews-virtualservice-no-subset.yaml", import.meta.url),
    "utf8",
  ),
);

type Vs = { apiVersion: string; kind: string; spec: { http: { name?: string }[] } };

async function v2Share(world: World, n = 2000): Promise<number> {
  await world.mesh.refresh();
  return share(world.mesh.sendMany(n, { service: "reviews", namespace: NS }).byVersion, "v2");
}

async function readyJob(world: World): Promise<ReleaseJob> {
  world.kube.resetRequests();
  const job = await world.desk.createJob(reviewsCanary(), "U1");
  const writes = apiCalls(world.kube).filter((call) => /^(create|patch)/.test(call));
  // Routes first, the new Deployment last.
  expect(writes.at(-1)).toBe("create deployments");
  return world.desk.waitDeployed(job.id);
}

describe("no traffic to the new version before the first approved change", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("without a VirtualService: 0 % to a ready v2, then ≈ 20 % after the first approved shift", async () => {
    world = await startWorld();
    const job = await readyJob(world);
    expect(job.state).toBe("ready");
    expect(job.originals.map((o) => `${o.kind} ${o.spec ? "found" : "created"}`)).toEqual([
      "DestinationRule created",
      "VirtualService created",
    ]);
    expect(job.history.find((event) => event.kind === "routes-held")?.detail).toBe(
      "routes keep all traffic on v1 until an approved change (set without approval: no traffic moved)",
    );
    expect(await v2Share(world)).toBe(0);

    const plan = await world.desk.planChange(job.id, twenty, "U1");
    expect(plan.notes.some((note) => note.startsWith("This is the job's first traffic change."))).toBe(true);
    const outcome = await world.desk.applyPlan(plan.id, "U2");
    expect(outcome.job.state).toBe("active");
    const v2 = await v2Share(world);
    expect(v2).toBeGreaterThan(0.17);
    expect(v2).toBeLessThan(0.23);
    // A later change is not the first one any more.
    const next = await world.desk.planChange(outcome.job.id, { kind: "rollback" }, "U1");
    expect(next.notes.some((note) => note.startsWith("This is the job's first traffic change."))).toBe(false);
  });

  it("with someone else's VirtualService routing to the host without a subset: their routes survive untouched", async () => {
    world = await startWorld();
    await createFixture(world.kc, "reviews-virtualservice-no-subset.yaml");
    let job = await readyJob(world);
    const vsRef = ref("VirtualService", "reviews-by-team");
    const held = await world.cluster.get<Vs>(vsRef);
    expect(held?.spec.http.map((route) => route.name)).toEqual([
      "team-testers",
      "graydesk-reviews-v2",
      undefined,
    ]);
    expect(held?.spec.http[0]).toEqual(teamVs.spec.http[0]);
    expect(held?.spec.http[2]).toEqual(teamVs.spec.http[1]);
    expect(job.originals.map((o) => `${o.kind} ${o.name} ${o.spec ? "found" : "created"}`)).toEqual([
      "DestinationRule reviews created",
      "VirtualService reviews-by-team found",
    ]);
    expect(await v2Share(world)).toBe(0);

    job = (await world.desk.applyPlan((await world.desk.planChange(job.id, twenty, "U1")).id, "U2")).job;
    const v2 = await v2Share(world);
    expect(v2).toBeGreaterThan(0.17);
    expect(v2).toBeLessThan(0.23);
    const shifted = await world.cluster.get<Vs>(vsRef);
    expect(shifted?.spec.http[0]).toEqual(teamVs.spec.http[0]);

    // The job's end puts their VirtualService back as found and removes the DestinationRule it made.
    job = (
      await world.desk.applyPlan((await world.desk.planChange(job.id, { kind: "rollback" }, "U1")).id, "U2")
    ).job;
    const offline = { kind: "takeOffline" as const, keep: "v1" };
    job = (await world.desk.applyPlan((await world.desk.planChange(job.id, offline, "U1")).id, "U2")).job;
    expect(job.state).toBe("offline");
    expect((await world.cluster.get<Vs>(vsRef))?.spec).toEqual(teamVs.spec);
    expect(await world.cluster.get(ref("DestinationRule", "reviews"))).toBeUndefined();
  });

  it("a routing write refused while creating the job undoes what was written and leaves no live job", async () => {
    world = await startWorld();
    await createFixture(world.kc, "reviews-virtualservice-no-subset.yaml");
    world.kube.faults.add({ kind: "status", status: 403, verb: "patch", resource: "virtualservices" });
    await expect(world.desk.createJob(reviewsCanary(), "U1")).rejects.toThrow(
      /forbidden: patch virtualservices/,
    );
    expect(world.desk.jobs(NS).map((job) => job.state)).toEqual(["abandoned"]);
    expect(await world.cluster.get(ref("DestinationRule", "reviews"))).toBeUndefined();
    expect((await world.cluster.get<Vs>(ref("VirtualService", "reviews-by-team")))?.spec).toEqual(
      teamVs.spec,
    );
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v2",
      }),
    ).toBeUndefined();
    const records = await world.audit.readAll();
    expect(records.map((record) => record.kind)).toEqual(["job.create-failed"]);
  });
});

describe("KubeSphere: the Strategy holding the stable version comes before the new Deployment", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("creates the Strategy serving v1 first, reads it back as v1 serving, then shifts", async () => {
    world = await startWorld({ server: { crds: ["kubesphere"], kubesphereVersion: "3.3" } });
    world.kube.resetRequests();
    let job = await world.desk.createJob(reviewsCanary(), "U1");
    const writes = apiCalls(world.kube).filter((call) => /^(create|patch)/.test(call));
    expect(writes).toEqual(["create strategies", "create deployments"]);
    job = await world.desk.waitDeployed(job.id);
    const status = await world.desk.status(job.id);
    expect(status.configured).toEqual({ kind: "serve", version: "v1" });
    expect(status.notes).toEqual([]);
    job = (await world.desk.applyPlan((await world.desk.planChange(job.id, twenty, "U1")).id, "U2")).job;
    const strategy = await world.cluster.get<{ apiVersion: string; spec: { governor?: string } }>({
      apiVersion: "servicemesh.kubesphere.io/v1alpha2",
      kind: "Strategy",
      namespace: NS,
      name: "reviews-v2",
    });
    // Holding v1 named it governor; the canary's weights must not keep that.
    expect(strategy?.spec.governor).toBeUndefined();
    expect((await world.desk.status(job.id)).configured).toEqual(twenty.traffic);
  });
});
