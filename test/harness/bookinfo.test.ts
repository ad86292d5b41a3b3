import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BookinfoLoadError, bookinfoManifests, loadBookinfo } from "./bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "./kube/index.ts";
import { productpageToReviews } from "./mesh/bookinfo-traffic.ts";

describe("bookinfoManifests", () => {
  it("holds the four apps as a KubeSphere composed app, reviews in three versions by default", () => {
    const objects = bookinfoManifests("shop");
    const deployments = objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
    expect(deployments).toEqual([
      "productpage-v1",
      "details-v1",
      "ratings-v1",
      "reviews-v1",
      "reviews-v2",
      "reviews-v3",
    ]);
    expect(objects.filter((o) => o.kind === "Service").map((o) => o.metadata.name)).toEqual([
      "productpage",
      "details",
      "ratings",
      "reviews",
    ]);
    for (const o of objects.filter((x) => x.kind !== "ServiceAccount")) {
      expect(o.metadata.namespace).toBe("shop");
      expect(o.metadata.labels).toMatchObject({
        "app.kubernetes.io/name": "bookinfo",
        "app.kubernetes.io/version": "v1",
      });
      expect((o.metadata as { annotations?: object }).annotations).toEqual({
        "servicemesh.kubesphere.io/enabled": "true",
      });
    }
  });

  it("keeps only the chosen reviews versions, with their replicas, and adds the DestinationRule on request", () => {
    const objects = bookinfoManifests("shop", {
      reviewsVersions: ["v2"],
      reviewsReplicas: { v2: 3 },
      withDestinationRule: true,
    });
    const reviews = objects.filter((o) => o.kind === "Deployment" && o.metadata.labels?.app === "reviews");
    expect(
      reviews.map((o) => [o.metadata.name, (o as { spec?: { replicas?: number } }).spec?.replicas]),
    ).toEqual([["reviews-v2", 3]]);
    expect(objects.at(-1)).toMatchObject({
      kind: "DestinationRule",
      metadata: { name: "reviews", namespace: "shop" },
    });
  });
});

describe("productpageToReviews", () => {
  it("mixes users, devices, canary cookies and beta paths, and replays identically", () => {
    const requests = Array.from({ length: 40 }, (_, i) => productpageToReviews("bookinfo", i));
    expect(requests.filter((r) => r.headers?.["end-user"] === "jason").length).toBe(5);
    expect(requests.filter((r) => r.headers?.cookie?.includes("canary=always")).length).toBe(4);
    expect(requests.filter((r) => r.uri?.startsWith("/beta/")).length).toBe(2);
    expect(requests.filter((r) => r.headers?.["user-agent"]?.includes("Android")).length).toBeGreaterThan(0);
    expect(productpageToReviews("bookinfo", 17)).toEqual(productpageToReviews("bookinfo", 17));
  });
});

describe("loadBookinfo", () => {
  let kube: KubeTestServer;
  beforeAll(async () => {
    kube = await startKubeServer({ crds: ["istio", "kubesphere"], podReadyDelayMs: 5 });
  });
  afterAll(async () => {
    await kube.close();
  });

  it("creates the namespace, objects and DestinationRule, and returns once every pod is ready", async () => {
    const kc = kube.kubeConfig();
    const loaded = await loadBookinfo(kc, "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
    expect(loaded.deployments).toEqual(["productpage-v1", "details-v1", "ratings-v1", "reviews-v1"]);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "bookinfo" });
    expect(
      pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
    ).toHaveLength(4);
    const rule = await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace: "bookinfo",
      plural: "destinationrules",
      name: "reviews",
    });
    expect((rule as { spec: { subsets: unknown[] } }).spec.subsets).toHaveLength(3);
  });

  it("can be loaded twice into the same namespace, adding versions", async () => {
    const kc = kube.kubeConfig();
    await loadBookinfo(kc, "bookinfo", { reviewsVersions: ["v1", "v2"] });
    const list = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "bookinfo" });
    expect(list.items.map((d) => d.metadata?.name).sort()).toContain("reviews-v2");
  });

  it("fails with the names of Deployments whose pods never become ready", async () => {
    kube.markImageBad("docker.io/istio/examples-bookinfo-reviews-v3:1.20.3");
    const load = loadBookinfo(kube.kubeConfig(), "broken", { reviewsVersions: ["v3"], readyTimeoutMs: 400 });
    await expect(load).rejects.toBeInstanceOf(BookinfoLoadError);
    await expect(load).rejects.toThrow(/not ready in broken after 400 ms: reviews-v3/);
  });

  it("names the object when the API refuses it", async () => {
    kube.faults.add({ verb: "create", resource: "services", kind: "status", status: 403 });
    const load = loadBookinfo(kube.kubeConfig(), "denied");
    await expect(load).rejects.toThrow(/Creating Service denied\/productpage failed/);
  });
});
