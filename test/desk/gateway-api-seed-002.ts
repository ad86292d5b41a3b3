// Seed 002 through Gateway API: a canary on Bookinfo's reviews with v2 at 50 %, the HTTPRoute shaped as
// Gateway API's traffic-splitting example; then a mirror job copying 30 % of the requests, as its
// request-mirroring example.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { loadFixture } from "../release/fixtures.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

const ROUTE = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  namespace: NS,
  name: "reviews",
};
const service = (name: string) => ({ apiVersion: "v1", kind: "Service", namespace: NS, name });
type Route = {
  apiVersion: string;
  kind: string;
  metadata: { labels?: Record<string, string> };
  spec: unknown;
};
type Svc = { apiVersion: string; kind: string; spec: { selector: Record<string, string>; ports: unknown[] } };

async function gatewayWorld(): Promise<World> {
  // Istio's CRDs too: the router is chosen, not the only one on offer.
  return startWorld({ server: { crds: ["istio", "gateway-api"] } });
}

/** The story as a suite; the unit suite runs it on the test server, the real suite on a real API server. */
export function seed002Canary(): void {
  describe("seed 002 with router=gateway-api: canary reviews v2 at 50 %", () => {
    let world: World;
    let job: ReleaseJob;

    beforeAll(async () => {
      world = await gatewayWorld();
    });
    afterAll(() => world.close());

    it("offers the router where HTTPRoute is served, and the job holds v1 through a mesh route", async () => {
      const reviews = (await world.desk.services(NS, "bookinfo")).find((s) => s.name === "reviews");
      expect(reviews?.routers).toEqual(["istio", "gateway-api", "replicas"]);
      job = await world.desk.createJob({ ...reviewsCanary(), router: "gateway-api" }, "U1");
      expect(job.router).toBe("gateway-api");
      job = await world.desk.waitDeployed(job.id);
      expect(job.state).toBe("ready");
      const route = await world.cluster.get<Route>(ROUTE);
      expect(route?.metadata.labels).toEqual({
        "app.kubernetes.io/managed-by": "graydesk",
        "graydesk.io/job": "reviews-v2",
      });
      for (const version of ["v1", "v2"]) {
        const made = await world.cluster.get<Svc>(service(`reviews-${version}`));
        expect(made?.spec.selector).toEqual({ app: "reviews", version });
      }
      const status = await world.desk.status(job.id);
      expect(status.configured).toEqual({ kind: "weights", weights: { v1: 100, v2: 0 } });
      await world.mesh.refresh();
      expect(world.mesh.sendMany(500, { service: "reviews", namespace: NS }).byVersion).toEqual({ v1: 500 });
      // The versions' Services belong to reviews: discovery does not list them as services of their own.
      const names = (await world.desk.services(NS)).map((s) => s.name);
      expect(names).not.toContain("reviews-v1");
    });

    it("50/50 patches only the HTTPRoute, which then equals Gateway API's traffic-splitting example", async () => {
      const plan = await world.desk.planChange(
        job.id,
        { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
        "U1",
      );
      expect(plan.summary).toBe("reviews: v1 100 → 50, v2 0 → 50");
      expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
        "wait-ready Deployment",
        "patch HTTPRoute",
      ]);
      job = (await world.desk.applyPlan(plan.id, "U2")).job;
      expect(job.state).toBe("active");
      expect((await world.cluster.get<Route>(ROUTE))?.spec).toEqual(loadFixture("gateway-api/split-50.yaml"));
      await world.mesh.refresh();
      const v2 = share(world.mesh.sendMany(10_000, { service: "reviews", namespace: NS }).byVersion, "v2");
      expect(v2).toBeGreaterThanOrEqual(0.48);
      expect(v2).toBeLessThanOrEqual(0.52);
      const status = await world.desk.status(job.id, { objects: true });
      expect(status.configured).toEqual({ kind: "weights", weights: { v1: 50, v2: 50 } });
      expect(status.objects.map((o) => `${o.kind} ${o.name}`).sort()).toEqual([
        "HTTPRoute reviews",
        "Service reviews-v1",
        "Service reviews-v2",
      ]);
    });

    it("offline keeping v2 (after v2 takes over) removes the route and both version Services the job made", async () => {
      const over = await world.desk.planChange(job.id, { kind: "takeOver", version: "v2" }, "U1");
      job = (await world.desk.applyPlan(over.id, "U2")).job;
      expect((await world.desk.status(job.id)).configured).toEqual({ kind: "serve", version: "v2" });
      const plan = await world.desk.planChange(job.id, { kind: "takeOffline", keep: "v2" }, "U1");
      expect(plan.steps.map((s) => `${s.action} ${s.object.kind} ${s.object.name}`)).toEqual([
        "delete HTTPRoute reviews",
        "delete Service reviews-v1",
        "delete Service reviews-v2",
        "delete Deployment reviews-v1",
      ]);
      job = (await world.desk.applyPlan(plan.id, "U2")).job;
      expect(job.state).toBe("offline");
      expect(await world.cluster.get(ROUTE)).toBeUndefined();
      expect(await world.cluster.get(service("reviews-v1"))).toBeUndefined();
      // A real API server removes the deleted Deployment's pods through its garbage collector, a while after the
      // delete (seconds on a loaded machine): traffic is checked once v1's pods are gone.
      await expect
        .poll(
          async () =>
            (await world.mesh.refresh()).pods.filter(
              (p) => p.labels.app === "reviews" && p.labels.version === "v1",
            ).length,
          {
            timeout: 60_000,
          },
        )
        .toBe(0);
      expect(world.mesh.sendMany(300, { service: "reviews", namespace: NS }).byVersion).toEqual({ v2: 300 });
    });
  });
}

/** The story as a suite; the unit suite runs it on the test server, the real suite on a real API server. */
export function mirrorThirtyPercent(): void {
  describe("mirroring with router=gateway-api", () => {
    let world: World;
    let job: ReleaseJob;

    beforeAll(async () => {
      world = await gatewayWorld();
      const input = {
        ...reviewsCanary("v2", "reviews-mirror"),
        strategy: "mirror" as const,
        router: "gateway-api" as const,
      };
      job = await world.desk.waitDeployed((await world.desk.createJob(input, "U1")).id);
    });
    afterAll(() => world.close());

    it("mirrors 30 % with RequestMirror's percent, as Gateway API's request-mirroring example", async () => {
      const plan = await world.desk.planChange(
        job.id,
        { kind: "shift", traffic: { kind: "mirror", percent: 30, to: "v2" } },
        "U1",
      );
      job = (await world.desk.applyPlan(plan.id, "U2")).job;
      expect((await world.cluster.get<Route>(ROUTE))?.spec).toEqual(
        loadFixture("gateway-api/mirror-30.yaml"),
      );
      await world.mesh.refresh();
      const counts = world.mesh.sendMany(10_000, { service: "reviews", namespace: NS });
      expect(counts.byVersion).toEqual({ v1: 10_000 });
      expect((counts.mirrored.v2 ?? 0) / 10_000).toBeGreaterThanOrEqual(0.28);
      expect((counts.mirrored.v2 ?? 0) / 10_000).toBeLessThanOrEqual(0.32);
      expect((await world.desk.status(job.id)).configured).toEqual({ kind: "mirror", percent: 30, to: "v2" });
    });
  });
}
