// Seed 004 through Gateway API, over an HTTPRoute someone wrote by hand: reviews v2 at 20 % then 80 %, v2
// takes over, offline keeping v2 gives the hand-written route back as it was; then a v3 job routes only
// requests matching a header, a cookie, a query parameter, a path and the client OS to v3.
import { KubernetesObjectApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { loadFixture } from "../release/fixtures.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

const ROUTE = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  namespace: NS,
  name: "reviews-route",
};
type Route = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: unknown;
  status?: unknown;
};

/** The route as the user would compare it: without status and the fields the API server moves on each write. */
function asWritten(route: Route | undefined): string {
  const { status: _status, ...rest } = route as Route;
  const { managedFields: _m, resourceVersion: _rv, generation: _g, ...metadata } = rest.metadata;
  return stringify({ ...rest, metadata });
}

/** The story as a suite; the unit suite runs it on the test server, the real suite on a real API server. */
export function seed004OverHandWrittenRoute(): void {
  describe("seed 004 with router=gateway-api over a hand-written HTTPRoute", () => {
    let world: World;
    let job: ReleaseJob;
    let before: string;

    beforeAll(async () => {
      world = await startWorld({ server: { crds: ["gateway-api"] } });
      const route = loadFixture<Route & { metadata: { namespace?: string } }>(
        "gateway-api/hand-written.yaml",
      );
      route.metadata.namespace = NS;
      await KubernetesObjectApi.makeApiClient(world.kc).create(route as never);
      before = asWritten(await world.cluster.get<Route>(ROUTE));
    });
    afterAll(() => world.close());

    async function change(body: Parameters<World["desk"]["planChange"]>[1]) {
      const plan = await world.desk.planChange(job.id, body, "U1");
      job = (await world.desk.applyPlan(plan.id, "U2")).job;
      await world.mesh.refresh();
      return plan;
    }
    const sendMany = (n: number, extra: { headers?: Record<string, string>; uri?: string } = {}) =>
      world.mesh.sendMany(n, { service: "reviews", namespace: NS, ...extra }).byVersion;

    it("creates the job; the hand-written route keeps all traffic on v1 through v1's Service", async () => {
      job = await world.desk.createJob({ ...reviewsCanary(), router: "gateway-api" }, "U1");
      job = await world.desk.waitDeployed(job.id);
      expect(job.state).toBe("ready");
      await world.mesh.refresh();
      expect(sendMany(500)).toEqual({ v1: 500 });
      expect((await world.desk.status(job.id)).configured).toEqual({
        kind: "weights",
        weights: { v1: 100, v2: 0 },
      });
    });

    it("20 % to v2: every rule that sent requests to reviews splits them; the mesh sees 20 ± 2 % of 10,000", async () => {
      const plan = await change({ kind: "shift", traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } });
      expect(plan.summary).toBe("reviews: v1 100 → 80, v2 0 → 20");
      expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual([
        "wait-ready Deployment",
        "patch HTTPRoute",
      ]);
      const route = await world.cluster.get<Route>(ROUTE);
      expect(route?.spec).toEqual(loadFixture("gateway-api/hand-written-20.yaml"));
      const v2 = share(sendMany(10_000), "v2");
      expect(v2).toBeGreaterThanOrEqual(0.18);
      expect(v2).toBeLessThanOrEqual(0.22);
      const health = share(sendMany(2_000, { uri: "/health" }), "v2");
      expect(health).toBeGreaterThan(0.15);
      expect(health).toBeLessThan(0.25);
    });

    it("80 % to v2, then v2 takes over all traffic", async () => {
      const plan = await change({ kind: "shift", traffic: { kind: "weights", weights: { v1: 20, v2: 80 } } });
      expect(plan.steps.map((s) => `${s.action} ${s.object.kind}`)).toEqual(["patch HTTPRoute"]);
      const v2 = share(sendMany(10_000), "v2");
      expect(v2).toBeGreaterThanOrEqual(0.78);
      expect(v2).toBeLessThanOrEqual(0.82);
      await change({ kind: "takeOver", version: "v2" });
      expect(job.state).toBe("taken-over");
      expect(sendMany(500)).toEqual({ v2: 500 });
      expect((await world.desk.status(job.id)).configured).toEqual({ kind: "serve", version: "v2" });
    });

    it("offline keeping v2 restores the hand-written route byte for byte and removes what the job made", async () => {
      const plan = await change({ kind: "takeOffline", keep: "v2" });
      expect(plan.steps.map((s) => `${s.action} ${s.object.kind} ${s.object.name}`)).toEqual([
        "patch HTTPRoute reviews-route",
        "delete Service reviews-v1",
        "delete Service reviews-v2",
        "delete Deployment reviews-v1",
      ]);
      expect(job.state).toBe("offline");
      expect(asWritten(await world.cluster.get<Route>(ROUTE))).toBe(before);
      for (const name of ["reviews-v1", "reviews-v2"]) {
        expect(
          await world.cluster.get({ apiVersion: "v1", kind: "Service", namespace: NS, name }),
        ).toBeUndefined();
      }
      // A real API server removes the deleted Deployment's pods through its garbage collector, a while after the
      // delete (seconds on a loaded machine): traffic is checked once v1's pods are gone.
      await expect
        .poll(
          async () =>
            (await world.mesh.refresh()).pods.filter(
              (p) => p.labels.app === "reviews" && p.labels.version === "v1",
            ).length,
          { timeout: 60_000 },
        )
        .toBe(0);
      expect(sendMany(500)).toEqual({ v2: 500 });
    });

    it("a v3 job sends only requests matching header, cookie, query parameter, path and OS to v3", async () => {
      job = await world.desk.createJob({ ...reviewsCanary("v3"), router: "gateway-api" }, "U1");
      expect(job.stableVersion).toBe("v2");
      job = await world.desk.waitDeployed(job.id);
      const plan = await change({
        kind: "shift",
        traffic: {
          kind: "match",
          to: "v3",
          rules: [
            { kind: "header", name: "end-user", match: "exact", value: "jason" },
            { kind: "cookie", name: "group", match: "exact", value: "beta" },
            { kind: "query", name: "tier", match: "exact", value: "gold" },
            { kind: "uri", match: "prefix", value: "/reviews" },
            { kind: "os", systems: ["android"] },
          ],
        },
      });
      expect(plan.notes).toContain(
        "Gateway API has no cookie match: the cookie condition is a RegularExpression on the Cookie header.",
      );
      expect((await world.cluster.get<Route>(ROUTE))?.spec).toEqual(
        loadFixture("gateway-api/hand-written-match-v3.yaml"),
      );
      const matching = {
        "end-user": "jason",
        cookie: "session=1; group=beta",
        "user-agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8)",
      };
      const send = (headers: Record<string, string>, uri = "/reviews/0?tier=gold") =>
        sendMany(300, { headers, uri });
      expect(send(matching)).toEqual({ v3: 300 });
      expect(send({ ...matching, "end-user": "mary" })).toEqual({ v2: 300 });
      expect(send({ ...matching, cookie: "group=alpha" })).toEqual({ v2: 300 });
      expect(send(matching, "/reviews/0?tier=silver")).toEqual({ v2: 300 });
      expect(send(matching, "/reviewsx?tier=gold")).toEqual({ v2: 300 });
      expect(send(matching, "/health")).toEqual({ v2: 300 });
      expect(send({ ...matching, "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" })).toEqual({
        v2: 300,
      });
      expect((await world.desk.status(job.id)).configured).toMatchObject({ kind: "match", to: "v3" });
    });
  });
}
