// What goes wrong: stale plans, API faults, a version that never becomes ready. Each leaves the job in a
// visible failed (or unchanged) state with no traffic moved to a version that is not ready.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import type { Fault } from "../harness/kube/index.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

const VS = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" };
const fifty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 50, v2: 50 } } };
const eighty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 20, v2: 80 } } };

describe("plans and API faults", () => {
  let world: World;
  let job: ReleaseJob;
  beforeAll(async () => {
    world = await startWorld({ bookinfo: { withDestinationRule: true } });
    job = await world.desk.createJob(reviewsCanary(), "U1");
    job = await world.desk.waitDeployed(job.id);
    job = (await world.desk.applyPlan((await world.desk.planChange(job.id, fifty, "U1")).id, "U2")).job;
  });
  afterEach(() => world.kube.faults.clear());
  afterAll(() => world.close());

  const v2Share = async () => {
    await world.mesh.refresh();
    return world.mesh.sendMany(1000, { service: "reviews", namespace: NS }).byVersion.v2 ?? 0;
  };

  it("refuses a plan made before someone else changed the VirtualService, and leaves the job as it was", async () => {
    const plan = await world.desk.planChange(job.id, eighty, "U1");
    await world.cluster.mergePatch(VS, { metadata: { labels: { touched: "by-hand" } } });
    const error = await world.desk.applyPlan(plan.id, "U2").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "stale-plan" });
    expect((error as Error).message).toMatch(
      /^The cluster changed since this plan was made: VirtualService bookinfo\/reviews was changed by someone else; request the change again\.$/,
    );
    expect(world.desk.job(job.id)?.state).toBe("active");
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toThrow(
      /is out of date; request the change again/,
    );
  });

  it("applies a shift with one request, the patch conditioned on the version planned", async () => {
    const plan = await world.desk.planChange(job.id, eighty, "U1");
    world.kube.resetRequests();
    job = (await world.desk.applyPlan(plan.id, "U2")).job;
    expect(world.kube.requests.filter((r) => r.verb !== "").map((r) => `${r.verb} ${r.resource}`)).toEqual([
      "patch virtualservices",
    ]);
    job = (await world.desk.applyPlan((await world.desk.planChange(job.id, fifty, "U1")).id, "U2")).job;
  });

  it("applies a plan once: the second approval finds it applied", async () => {
    const plan = await world.desk.planChange(job.id, fifty, "U1");
    const [first, second] = await Promise.allSettled([
      world.desk.applyPlan(plan.id, "U2"),
      world.desk.applyPlan(plan.id, "U3"),
    ]);
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
  });

  it("supersedes an older proposal when a newer one is made", async () => {
    const older = await world.desk.planChange(job.id, eighty, "U1");
    await world.desk.planChange(job.id, fifty, "U1");
    await expect(world.desk.applyPlan(older.id, "U2")).rejects.toThrow(/was replaced by a newer plan/);
  });

  it.each<{ name: string; fault: Fault; code: string; retryable: boolean }>([
    {
      name: "500",
      fault: { kind: "status", status: 500, verb: "patch", resource: "virtualservices" },
      code: "cluster-unavailable",
      retryable: true,
    },
    {
      name: "503",
      fault: { kind: "status", status: 503, verb: "patch", resource: "virtualservices" },
      code: "cluster-unavailable",
      retryable: true,
    },
    {
      name: "429",
      fault: {
        kind: "status",
        status: 429,
        verb: "patch",
        resource: "virtualservices",
        retryAfterSeconds: 1,
      },
      code: "throttled",
      retryable: true,
    },
    {
      name: "409",
      fault: { kind: "status", status: 409, verb: "patch", resource: "virtualservices" },
      code: "conflict",
      retryable: true,
    },
    {
      name: "a hung request",
      fault: { kind: "hang", verb: "patch", resource: "virtualservices" },
      code: "cluster-unavailable",
      retryable: true,
    },
  ])(
    "$name fails the job retryably with the traffic unchanged; retry completes the change",
    async ({ fault, code, retryable }) => {
      const plan = await world.desk.planChange(job.id, eighty, "U1");
      world.kube.faults.add(fault);
      await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toMatchObject({ code });
      const failed = world.desk.job(job.id);
      expect(failed?.state).toBe("failed");
      expect(failed?.failure).toMatchObject({ retryable, from: "active" });
      expect(failed?.failure?.reason).toContain("VirtualService bookinfo/reviews");
      expect(await v2Share()).toBeLessThan(560);
      // The approved plan resumes exactly as approved: the fault wrote nothing, so the cluster is as planned.
      job = await world.desk.retry(job.id, "U3", { resumePlan: plan.id });
      expect(job.state).toBe("active");
      expect(job.traffic).toEqual(eighty.traffic);
      expect(await v2Share()).toBeGreaterThan(760);
      job = (await world.desk.applyPlan((await world.desk.planChange(job.id, fifty, "U1")).id, "U2")).job;
    },
  );

  it("403 fails the job for good, naming the verb and resource; abandon puts everything back", async () => {
    const plan = await world.desk.planChange(job.id, eighty, "U1");
    world.kube.faults.add({ kind: "status", status: 403, verb: "patch", resource: "virtualservices" });
    const error = await world.desk.applyPlan(plan.id, "U2").catch((e: unknown) => e);
    expect((error as Error).message).toContain("forbidden: patch virtualservices.networking.istio.io");
    expect(world.desk.job(job.id)?.failure?.retryable).toBe(false);
    await expect(world.desk.retry(job.id, "U3")).rejects.toThrow(/retrying will not fix/);
    const abandoned = await world.desk.abandon(job.id, "U3");
    expect(abandoned.state).toBe("abandoned");
    expect(await world.cluster.get(VS)).toBeUndefined();
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v2",
      }),
    ).toBeUndefined();
    expect(await v2Share()).toBe(0);
    const records = await world.audit.readAll();
    expect(records.filter((r) => r.kind === "job.failed").length).toBeGreaterThanOrEqual(6);
    expect(records.at(-1)).toMatchObject({ kind: "job.abandoned", actor: "U3" });
  });
});

describe("a new version that never becomes ready", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  it("fails the job with the image pull reason, moves no traffic, and abandon removes it", async () => {
    const input = reviewsCanary();
    world.kube.markImageBad(input.newVersion.settings.containers.images.reviews);
    let job = await world.desk.createJob(input, "U1");
    job = await world.desk.waitDeployed(job.id);
    expect(job.state).toBe("failed");
    expect(job.failure?.reason).toMatch(/ImagePullBackOff/);
    expect(job.failure?.retryable).toBe(false);
    await expect(world.desk.planChange(job.id, fifty, "U1")).rejects.toThrow(
      /failed .*retry or abandon it first/,
    );
    // The routes made at creation still hold every request on v1.
    expect(await world.cluster.get(VS)).toBeDefined();
    await world.mesh.refresh();
    expect(world.mesh.sendMany(300, { service: "reviews", namespace: NS }).byVersion).toEqual({ v1: 300 });
    job = await world.desk.abandon(job.id, "U1");
    expect(job.state).toBe("abandoned");
    expect(await world.cluster.get(VS)).toBeUndefined();
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v2",
      }),
    ).toBeUndefined();
  });

  it("a Deployment create refused with 500 fails the job retryably; retry deploys it", async () => {
    world.kube.faults.add({ kind: "status", status: 500, verb: "create", resource: "deployments" });
    await expect(world.desk.createJob(reviewsCanary("v3"), "U1")).rejects.toMatchObject({
      code: "cluster-unavailable",
    });
    expect(world.desk.jobs(NS).filter((j) => j.state !== "abandoned")).toEqual([]);
    const job = await world.desk.createJob(reviewsCanary("v3"), "U1");
    expect((await world.desk.waitDeployed(job.id)).state).toBe("ready");
  });
});
