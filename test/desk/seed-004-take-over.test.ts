// Seed 004: reviews v2 at 20 % then 80 %, v2 takes over, the job goes offline keeping v2; then a second
// job for v3 routes only requests matching header, cookie, URI and client OS to v3.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { apiCalls, createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

interface Vs {
  metadata: { name: string; resourceVersion: string };
  spec: {
    http: {
      name?: string;
      match?: unknown[];
      route: { destination: { subset: string }; weight?: number }[];
    }[];
  };
}
const VS = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" };
const DR = { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", namespace: NS, name: "reviews" };

describe("seed 004: canary 20 → 80, take over, take offline; then a v3 canary by request parameters", () => {
  let world: World;
  let job: ReleaseJob;
  const requests: Record<string, number> = {};

  beforeAll(async () => {
    world = await startWorld();
    await createFixture(world.kc, "reviews-virtualservice.yaml");
    await createFixture(world.kc, "reviews-destination-rule-v1.yaml");
  });
  afterAll(() => {
    console.log(`api requests per operation: ${JSON.stringify(requests)}`);
    return world.close();
  });

  async function measured<T>(name: string, work: () => Promise<T>): Promise<T> {
    world.kube.resetRequests();
    const result = await work();
    requests[name] = apiCalls(world.kube).length;
    return result;
  }

  async function change(kind: string, body: Parameters<World["desk"]["planChange"]>[1]) {
    const plan = await world.desk.planChange(job.id, body, "U1");
    const outcome = await measured(kind, () => world.desk.applyPlan(plan.id, "U2"));
    job = outcome.job;
    await world.mesh.refresh();
    return { plan, outcome };
  }

  const v2Share = () =>
    share(world.mesh.sendMany(4000, { service: "reviews", namespace: NS }).byVersion, "v2");

  it("creates the job; v2 becomes ready without traffic", async () => {
    job = await measured("create job", () => world.desk.createJob(reviewsCanary(), "U1"));
    job = await world.desk.waitDeployed(job.id);
    expect(job.state).toBe("ready");
    await world.mesh.refresh();
    const counts = world.mesh.sendMany(500, { service: "reviews", namespace: NS });
    expect(counts.byVersion).toEqual({ v1: 500 });
  });

  it("20 % to v2: the subsets added at creation stay, and Graydesk's named route before KubeSphere's gets 20 %", async () => {
    const { plan } = await change("shift 20", {
      kind: "shift",
      traffic: { kind: "weights", weights: { v1: 80, v2: 20 } },
    });
    expect(plan.summary).toBe("reviews: v1 100 → 80, v2 0 → 20");
    expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
      "wait-ready Deployment",
      "patch VirtualService",
    ]);
    const vs = await world.cluster.get<Vs & { apiVersion: string; kind: string }>(VS);
    expect(vs?.spec.http.map((route) => route.name)).toEqual(["graydesk-reviews-v2", undefined]);
    expect(v2Share()).toBeGreaterThan(0.17);
    expect(v2Share()).toBeLessThan(0.23);
  });

  it("80 % to v2 patches only the VirtualService", async () => {
    const { plan } = await change("shift 80", {
      kind: "shift",
      traffic: { kind: "weights", weights: { v1: 20, v2: 80 } },
    });
    expect(plan.summary).toBe("reviews: v1 80 → 20, v2 20 → 80");
    expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual(["patch VirtualService"]);
    expect(v2Share()).toBeGreaterThan(0.77);
    expect(v2Share()).toBeLessThan(0.83);
  });

  it("v2 takes over all traffic", async () => {
    await change("take over", { kind: "takeOver", version: "v2" });
    expect(job.state).toBe("taken-over");
    expect(v2Share()).toBe(1);
    expect((await world.desk.status(job.id)).configured).toEqual({ kind: "serve", version: "v2" });
  });

  it("offline keeping v2: v1's Deployment and subset go, the VirtualService routes everything to v2", async () => {
    const { plan } = await change("take offline", { kind: "takeOffline", keep: "v2" });
    expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
      "patch VirtualService",
      "patch DestinationRule",
      "delete Deployment",
    ]);
    expect(job.state).toBe("offline");
    const vs = await world.cluster.get<Vs & { apiVersion: string; kind: string }>(VS);
    expect(vs?.spec.http).toEqual([
      { route: [{ destination: { host: "reviews", port: { number: 9080 }, subset: "v2" } }] },
    ]);
    const rule = await world.cluster.get<{ apiVersion: string; kind: string; spec: { subsets: unknown[] } }>(
      DR,
    );
    expect(rule?.spec.subsets).toEqual([{ name: "v2", labels: { version: "v2" } }]);
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v1",
      }),
    ).toBeUndefined();
    expect(
      await world.cluster.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "reviews-v2",
      }),
    ).toBeDefined();
    await world.mesh.refresh();
    expect(v2Share()).toBe(1);
    const services = await world.desk.services(NS, "bookinfo");
    expect(services.find((s) => s.name === "reviews")?.versions.map((v) => v.version)).toEqual(["v2"]);
    expect(services.find((s) => s.name === "reviews")?.activeJob).toBeUndefined();
  });

  it("a second job for v3 sends only requests matching header, cookie, URI and OS to v3", async () => {
    job = await world.desk.createJob(reviewsCanary("v3"), "U1");
    expect(job.stableVersion).toBe("v2");
    job = await world.desk.waitDeployed(job.id);
    await change("match", {
      kind: "shift",
      traffic: {
        kind: "match",
        to: "v3",
        rules: [
          { kind: "header", name: "end-user", match: "exact", value: "jason" },
          { kind: "cookie", name: "group", match: "exact", value: "beta" },
          { kind: "uri", match: "prefix", value: "/reviews" },
          { kind: "os", systems: ["android"] },
        ],
      },
    });
    const matching = {
      "end-user": "jason",
      cookie: "session=1; group=beta",
      "user-agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8)",
    };
    const send = (headers: Record<string, string>, uri = "/reviews/0") =>
      world.mesh.sendMany(300, { service: "reviews", namespace: NS, headers, uri }).byVersion;
    expect(send(matching)).toEqual({ v3: 300 });
    expect(send({ ...matching, "end-user": "mary" })).toEqual({ v2: 300 });
    expect(send({ ...matching, cookie: "group=alpha" })).toEqual({ v2: 300 });
    expect(send(matching, "/health")).toEqual({ v2: 300 });
    expect(send({ ...matching, "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" })).toEqual({
      v2: 300,
    });
    expect((await world.desk.status(job.id)).configured).toMatchObject({ kind: "match", to: "v3" });
  });
});
