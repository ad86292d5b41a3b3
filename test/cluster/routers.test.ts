// Pure pieces of the cluster layer: merge patches, restoring found objects, the router factory.
import { describe, expect, it } from "vitest";
import { ClusterClient, mergePatchOf, routerFor } from "../../src/cluster/index.ts";
import { restoredRule, restoredService } from "../../src/cluster/routers/restore.ts";
import type { RouterKind } from "../../src/release/index.ts";
import { startKubeServer } from "../harness/kube/index.ts";

describe("mergePatchOf", () => {
  it.each([
    { before: { a: 1 }, after: { a: 1 }, patch: undefined },
    { before: { a: 1, b: 2 }, after: { a: 1 }, patch: { b: null } },
    { before: { a: { b: 1, c: 2 } }, after: { a: { b: 1, c: 3 } }, patch: { a: { c: 3 } } },
    { before: { list: [1, 2] }, after: { list: [2] }, patch: { list: [2] } },
    { before: {}, after: { gateways: ["mesh"] }, patch: { gateways: ["mesh"] } },
  ])("$before → $after", ({ before, after, patch }) => {
    expect(mergePatchOf(before, after)).toEqual(patch);
  });
});

describe("restoring what a job found", () => {
  const found = {
    hosts: ["reviews"],
    http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }] }],
  };

  it("routes the found VirtualService's traffic for the removed version to the kept one", () => {
    expect(restoredService(found, "v1", "v2")).toEqual({
      hosts: ["reviews"],
      http: [{ route: [{ destination: { host: "reviews", subset: "v2" } }] }],
    });
    expect(found.http[0]?.route[0]?.destination.subset).toBe("v1");
  });

  it("drops the removed version's subset, adds the kept one's, and keeps the others", () => {
    const rule = {
      host: "reviews",
      subsets: [{ name: "v1" }, { name: "v3" }],
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
    };
    expect(restoredRule(rule, "v1", { name: "v2", labels: { version: "v2" } })).toEqual({
      host: "reviews",
      subsets: [{ name: "v3" }, { name: "v2", labels: { version: "v2" } }],
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
    });
  });
});

describe("routerFor", () => {
  it("builds each known router and refuses an unknown kind", async () => {
    const kube = await startKubeServer({ crds: [] });
    try {
      const client = new ClusterClient(kube.kubeConfig());
      expect(routerFor("istio", { kube: client }).kind).toBe("istio");
      expect(routerFor("replicas", { kube: client }).kind).toBe("replicas");
      expect(routerFor("kubesphere", { kube: client, flavour: "3.3" }).kind).toBe("kubesphere");
      expect(() => routerFor("kubesphere", { kube: client })).toThrow(/does not serve KubeSphere's Strategy/);
      const features = { mirrorPercent: true, mirrorFraction: true };
      expect(routerFor("gateway-api", { kube: client, gatewayApi: features }).kind).toBe("gateway-api");
      expect(() => routerFor("gateway-api", { kube: client })).toThrow(
        /does not serve Gateway API's HTTPRoute/,
      );
      expect(() => routerFor("linkerd" as RouterKind, { kube: client })).toThrow(
        "There is no traffic router called linkerd.",
      );
    } finally {
      await kube.close();
    }
  });
});
