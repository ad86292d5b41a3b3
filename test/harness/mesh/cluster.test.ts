// The simulator against the Kubernetes API test server: everything read through client-node over HTTP.
import { readFileSync } from "node:fs";
import { AppsV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadBookinfo } from "../bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../kube/index.ts";
import { MeshReadError } from "./cluster-reader.ts";
import { MeshSimulator } from "./simulator.ts";
import { share } from "./traffic-counts.ts";
import type { MeshRequest } from "./types.ts";

const GROUP = "networking.istio.io";
const toReviews = (namespace: string): MeshRequest => ({ service: "reviews", namespace, uri: "/reviews/0" });

function fixture(path: string): { apiVersion: string; metadata: { name: string } } {
  return parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), "utf8"));
}

async function putVirtualService(
  kc: KubeConfig,
  namespace: string,
  path: string,
  version = "v1",
): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const body = { ...fixture(`mesh/${path}.yaml`), apiVersion: `${GROUP}/${version}` };
  await custom
    .deleteNamespacedCustomObject({
      group: GROUP,
      version,
      namespace,
      plural: "virtualservices",
      name: "reviews",
    })
    .catch(() => undefined);
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version,
    namespace,
    plural: "virtualservices",
    body,
  });
}

describe("MeshSimulator on the Kubernetes API test server", () => {
  let kube: KubeTestServer;
  let kc: KubeConfig;

  beforeAll(async () => {
    kube = await startKubeServer({ crds: ["istio", "kubesphere"], podReadyDelayMs: 5 });
    kc = kube.kubeConfig();
    await loadBookinfo(kc, "bookinfo", {
      reviewsVersions: ["v1", "v2"],
      reviewsReplicas: { v1: 1, v2: 4 },
      withDestinationRule: true,
    });
  });
  afterAll(async () => {
    await kube.close();
  });

  it("splits by ready pod count without a VirtualService: 1 v1 pod and 4 v2 pods give about 80 % v2", async () => {
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 21 });
    await sim.refresh();
    expect(sim.snapshot.pods.filter((p) => p.labels.app === "reviews")).toHaveLength(5);
    const counts = sim.sendMany(10_000, toReviews("bookinfo"));
    expect(share(counts.byVersion, "v2")).toBeGreaterThan(0.78);
    expect(share(counts.byVersion, "v2")).toBeLessThan(0.82);
    const pod = sim.snapshot.pods.find((p) => p.labels.version === "v2");
    expect(pod).toMatchObject({
      workload: "reviews-v2",
      serviceAccount: "bookinfo-reviews",
      namespace: "bookinfo",
    });
  });

  it.each(["v1", "v1beta1", "v1alpha3"])(
    "follows an 80/20 VirtualService created as %s: v2 gets 20 ± 2 percent",
    async (version) => {
      await putVirtualService(kc, "bookinfo", "reviews-80-20", version);
      const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 8 });
      await sim.refresh();
      const counts = sim.sendMany(10_000, toReviews("bookinfo"));
      expect(counts.total).toBe(10_000);
      expect(share(counts.byVersion, "v2")).toBeGreaterThanOrEqual(0.18);
      expect(share(counts.byVersion, "v2")).toBeLessThanOrEqual(0.22);
    },
  );

  it.each([
    ["reviews-header-v2", { "end-user": "jason" }, { "end-user": "maria" }, "/reviews/0", "/reviews/0"],
    [
      "reviews-cookie-v2",
      { cookie: "a=1; canary=always" },
      { cookie: "canary=alwaysnot" },
      "/reviews/0",
      "/reviews/0",
    ],
    ["reviews-uri-v2", {}, {}, "/beta/reviews/0", "/reviews/0"],
    [
      "reviews-user-agent-v2",
      { "user-agent": "Dalvik/2.1.0 (Linux; U; Android 13)" },
      { "user-agent": "curl/8.5.0" },
      "/",
      "/",
    ],
  ])("%s routes only matching requests to v2", async (vs, matching, other, matchingUri, otherUri) => {
    await putVirtualService(kc, "bookinfo", vs);
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 4 });
    await sim.refresh();
    const hit = sim.sendMany(400, { ...toReviews("bookinfo"), headers: matching, uri: matchingUri });
    const miss = sim.sendMany(400, { ...toReviews("bookinfo"), headers: other, uri: otherUri });
    expect(hit.byVersion).toEqual({ v2: 400 });
    expect(miss.byVersion).toEqual({ v1: 400 });
  });

  it("mirrors about 50 % to v2 while v1 serves everything", async () => {
    await putVirtualService(kc, "bookinfo", "reviews-mirror-50");
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 12 });
    await sim.refresh();
    const counts = sim.sendMany(4_000, toReviews("bookinfo"));
    expect(counts.byVersion).toEqual({ v1: 4_000 });
    expect((counts.mirrored.v2 ?? 0) / 4_000).toBeGreaterThan(0.46);
    expect((counts.mirrored.v2 ?? 0) / 4_000).toBeLessThan(0.54);
  });

  it("answers 503 no healthy upstream once the routed version has no ready pods", async () => {
    await putVirtualService(kc, "bookinfo", "reviews-all-v3");
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 12 });
    await sim.refresh();
    const counts = sim.sendMany(100, toReviews("bookinfo"));
    expect(counts).toMatchObject({ noHealthyUpstream: 100, byStatus: { "503": 100 } });
  });

  it("sees a scale-down on the next refresh", async () => {
    await putVirtualService(kc, "bookinfo", "reviews-80-20");
    const apps = kc.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo" });
    if (deployment.spec) deployment.spec.replicas = 0;
    await apps.replaceNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo", body: deployment });
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 12 });
    await expect
      .poll(async () => (await sim.refresh()).pods.filter((p) => p.labels.version === "v2").length, {
        timeout: 10_000,
      })
      .toBe(0);
    const counts = sim.sendMany(1_000, toReviews("bookinfo"));
    expect(counts.byVersion.v1).toBeGreaterThan(700);
    expect(counts.noHealthyUpstream).toBe(1_000 - (counts.byVersion.v1 ?? 0));
  });

  it("reads only the namespaces it is given", async () => {
    await loadBookinfo(kc, "starter", { reviewsVersions: ["v1"] });
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["starter"], seed: 1 });
    await sim.refresh();
    expect(new Set(sim.snapshot.pods.map((p) => p.namespace))).toEqual(new Set(["starter"]));
    expect(sim.snapshot.virtualServices).toEqual([]);
    expect(sim.sendMany(50, toReviews("starter")).byVersion).toEqual({ v1: 50 });
    const everywhere = new MeshSimulator({ kubeConfig: kc, seed: 1 });
    await everywhere.refresh();
    expect(everywhere.snapshot.virtualServices.map((v) => v.metadata.namespace)).toContain("bookinfo");
  });

  it("surfaces an API failure as a coded MeshReadError", async () => {
    kube.faults.add({ verb: "list", resource: "pods", kind: "status", status: 500 });
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["bookinfo"], seed: 1 });
    const error = await sim.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeshReadError);
    expect(error).toMatchObject({ code: "mesh_read_failed", message: expect.stringMatching(/Pods/) });
  });
});

describe("MeshSimulator on a cluster without Istio", () => {
  let kube: KubeTestServer;
  afterAll(async () => {
    await kube.close();
  });

  it("balances by replicas when the VirtualService API does not exist", async () => {
    kube = await startKubeServer({ crds: [], podReadyDelayMs: 5 });
    const kc = kube.kubeConfig();
    await loadBookinfo(kc, "plain", { reviewsVersions: ["v1", "v2"], reviewsReplicas: { v1: 3, v2: 1 } });
    const sim = new MeshSimulator({ kubeConfig: kc, namespaces: ["plain"], seed: 30 });
    await sim.refresh();
    expect(sim.snapshot.virtualServices).toEqual([]);
    const counts = sim.sendMany(8_000, toReviews("plain"));
    expect(share(counts.byVersion, "v2")).toBeGreaterThan(0.23);
    expect(share(counts.byVersion, "v2")).toBeLessThan(0.27);
  });
});
