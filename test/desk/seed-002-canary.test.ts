// Seed 002: a canary on Bookinfo's reviews with v2 at 50 %; the VirtualService is the walk-through's.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { apiCalls, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const expected = parse(
  readFileSync(new URL("../fixtures/release/seed-002-virtualservice-spec.yaml", import.meta.url), "utf8"),
);

describe("seed 002: canary reviews v2 at 50 %", () => {
  let world: World;
  let job: ReleaseJob;

  beforeAll(async () => {
    world = await startWorld({ bookinfo: { withDestinationRule: true } });
  });
  afterAll(() => world.close());

  it("creates the job deploying v2 with no traffic, then ready", async () => {
    world.kube.resetRequests();
    job = await world.desk.createJob(reviewsCanary(), "U1");
    console.log(
      `api requests: create job = ${apiCalls(world.kube).length} (${apiCalls(world.kube).join(", ")})`,
    );
    expect(job.state).toBe("deploying");
    expect(job.stableVersion).toBe("v1");
    expect(job.router).toBe("istio");
    const ready = await world.desk.waitDeployed(job.id);
    expect(ready.state).toBe("ready");
    const status = await world.desk.status(job.id);
    expect(status.versions.map((v) => [v.version, v.readyReplicas])).toEqual([
      ["v1", 1],
      ["v2", 1],
    ]);
    // The routes exist from the start and hold all traffic on v1 (a canary reads them back as 100/0).
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 100, v2: 0 } });
    expect(status.notes).toEqual([]);
    expect(ready.history.map((event) => event.kind)).toEqual(["created", "routes-held", "deployed"]);
  });

  it("plans 50/50 with a readable summary and diff, and applies it to the seed's VirtualService", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    expect(plan.summary).toBe("reviews: v1 100 → 50, v2 0 → 50");
    // The routes were created with the job, holding v1: the first shift only changes their weights.
    expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
      "wait-ready Deployment",
      "patch VirtualService",
    ]);
    expect(plan.notes).toContain(
      "This is the job's first traffic change. Until now its routes kept all traffic on v1: they were set when the job was created, before v2 existed, which needed no approval because it moved no traffic.",
    );
    world.kube.resetRequests();
    const outcome = await world.desk.applyPlan(plan.id, "U2");
    console.log(
      `api requests: first shift = ${apiCalls(world.kube).length} (${apiCalls(world.kube).join(", ")})`,
    );
    expect(outcome.job.state).toBe("active");
    expect(outcome.job.traffic).toEqual({ kind: "weights", weights: { v1: 50, v2: 50 } });

    const vs = await world.cluster.get<{
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: unknown;
    }>({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      namespace: NS,
      name: "reviews",
    });
    expect(vs?.spec).toEqual(expected);
  });

  it("the mesh sends about half of the requests to v2", async () => {
    await world.mesh.refresh();
    const counts = world.mesh.sendMany(4000, { service: "reviews", namespace: NS });
    expect(share(counts.byVersion, "v2")).toBeGreaterThan(0.46);
    expect(share(counts.byVersion, "v2")).toBeLessThan(0.54);
  });

  it("status reads the split back from the cluster and shows the routing objects as YAML", async () => {
    const status = await world.desk.status(job.id, { objects: true });
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 50, v2: 50 } });
    expect(status.objects.map((o) => o.kind).sort()).toEqual(["DestinationRule", "VirtualService"]);
    expect(status.objects.find((o) => o.kind === "VirtualService")?.yaml).toContain("weight: 50");
    expect(status.notes).toEqual([]);
  });

  it("writes audit events with the actor and tells listeners about each change", async () => {
    const records = await world.audit.readAll();
    expect(records.map((r) => r.kind)).toEqual([
      "job.created",
      "job.deployed",
      "plan.created",
      "plan.applied",
    ]);
    expect(records.find((r) => r.kind === "plan.applied")?.actor).toBe("U2");
    expect(world.changes.map((c) => c.what)).toEqual(["created", "deployed", "shift"]);
  });
});
