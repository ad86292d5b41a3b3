// The KubeSphere router: Strategy objects the API server validates against either release's schema,
// read back through getRoutes; and jobs made in the console, taken in and operated from Graydesk.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const strategyRef = (name: string) => ({
  apiVersion: "servicemesh.kubesphere.io/v1alpha2",
  kind: "Strategy",
  namespace: NS,
  name,
});
type Strategy = {
  apiVersion: string;
  kind: string;
  spec: { governor?: string; template: { spec: { http: Record<string, unknown>[] } } };
};

async function applied(world: World, job: ReleaseJob, change: Parameters<World["desk"]["planChange"]>[1]) {
  const plan = await world.desk.planChange(job.id, change, "U1");
  return (await world.desk.applyPlan(plan.id, "U2")).job;
}

describe("KubeSphere 3.4 (snake_case schema), no Istio CRDs", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ server: { crds: ["kubesphere"], kubesphereVersion: "3.4" } });
  });
  afterAll(() => world.close());

  it("creates a Strategy per job that round-trips through getRoutes", async () => {
    const services = await world.desk.services(NS, "bookinfo");
    expect(services.find((s) => s.name === "reviews")?.routers).toEqual(["kubesphere", "replicas"]);
    let job = await world.desk.createJob(reviewsCanary(), "U1");
    expect(job.router).toBe("kubesphere");
    job = await world.desk.waitDeployed(job.id);
    job = await applied(world, job, {
      kind: "shift",
      traffic: { kind: "weights", weights: { v1: 70, v2: 30 } },
    });
    expect((await world.desk.status(job.id)).configured).toEqual({
      kind: "weights",
      weights: { v1: 70, v2: 30 },
    });
    job = await applied(world, job, { kind: "takeOver", version: "v2" });
    const strategy = await world.cluster.get<Strategy>(strategyRef("reviews-v2"));
    expect(strategy?.spec.governor).toBe("v2");
    expect((await world.desk.status(job.id)).configured).toEqual({ kind: "serve", version: "v2" });
    job = await applied(world, job, { kind: "takeOffline", keep: "v2" });
    expect(await world.cluster.get(strategyRef("reviews-v2"))).toBeUndefined();
  });

  it("writes mirror_percentage, the name this release's schema keeps", async () => {
    let job = await world.desk.createJob(
      { ...reviewsCanary("v3", "reviews-mirror"), strategy: "mirror" },
      "U1",
    );
    job = await world.desk.waitDeployed(job.id);
    job = await applied(world, job, { kind: "shift", traffic: { kind: "mirror", percent: 30, to: "v3" } });
    const strategy = await world.cluster.get<Strategy>(strategyRef("reviews-mirror"));
    expect(strategy?.spec.template.spec.http[0]?.mirror_percentage).toEqual({ value: 30 });
    expect((await world.desk.status(job.id)).configured).toEqual({ kind: "mirror", percent: 30, to: "v3" });
  });
});

describe("KubeSphere 3.3 (camelCase schema) beside Istio", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ server: { crds: ["istio", "kubesphere"], kubesphereVersion: "3.3" } });
  });
  afterAll(() => world.close());

  it("keeps request-parameter conditions, which 3.3's schema declares", async () => {
    let job = await world.desk.createJob({ ...reviewsCanary(), router: "kubesphere" }, "U1");
    job = await world.desk.waitDeployed(job.id);
    const traffic = {
      kind: "match" as const,
      to: "v2",
      rules: [{ kind: "header" as const, name: "end-user", match: "exact" as const, value: "jason" }],
    };
    job = await applied(world, job, { kind: "shift", traffic });
    expect((await world.desk.status(job.id)).configured).toEqual(traffic);
  });
});

describe("a canary made in the KubeSphere console", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      server: { crds: ["kubesphere"] },
      bookinfo: { reviewsVersions: ["v1", "v2"] },
    });
    await createFixture(world.kc, "console-strategy.yaml");
  });
  afterAll(() => world.close());

  it("is listed as a job and can be taken over from Graydesk", async () => {
    const services = await world.desk.services(NS);
    const job = world.desk.findJob({ namespace: NS, name: "reviews-console" });
    expect(job).toMatchObject({
      router: "kubesphere",
      createdBy: "console",
      state: "active",
      stableVersion: "v1",
      newVersion: { version: "v2" },
      traffic: { kind: "weights", weights: { v1: 60, v2: 40 } },
    });
    expect(services.find((s) => s.name === "reviews")?.activeJob).toBe(job?.name);
    expect(world.desk.jobs(NS)).toHaveLength(1);
    await world.desk.services(NS);
    expect(world.desk.jobs(NS)).toHaveLength(1);
    const taken = await applied(world, job as ReleaseJob, { kind: "takeOver", version: "v2" });
    expect(taken.state).toBe("taken-over");
    expect((await world.cluster.get<Strategy>(strategyRef("reviews-console")))?.spec.governor).toBe("v2");
  });
});

describe("a paused canary made in the KubeSphere console, first changed from Graydesk (G6)", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      server: { crds: ["kubesphere"] },
      bookinfo: { reviewsVersions: ["v1", "v2"] },
    });
    await createFixture(world.kc, "console-strategy-paused.yaml");
  });
  afterAll(() => world.close());

  it("moves only the routes: the selector and the Paused policy stay, and the plan says it is paused", async () => {
    await world.desk.services(NS);
    const job = world.desk.findJob({ namespace: NS, name: "reviews-paused" }) as ReleaseJob;
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    const patch = plan.steps.find((step) => step.object.kind === "Strategy")?.patch?.body as {
      spec: Record<string, unknown>;
    };
    expect(Object.keys(patch.spec)).toEqual(["template"]);
    expect(Object.keys(patch.spec.template as object)).toEqual(["spec"]);
    expect(plan.notes.join(" ")).toContain("paused in the KubeSphere console");
    await world.desk.applyPlan(plan.id, "U2");
    const strategy = (await world.cluster.get<Strategy & { spec: Record<string, unknown> }>(
      strategyRef("reviews-paused"),
    )) as { spec: Record<string, unknown> };
    expect(strategy.spec.strategyPolicy).toBe("Paused");
    expect(strategy.spec.selector).toEqual({ matchLabels: { app: "reviews" } });
  });
});
