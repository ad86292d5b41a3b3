// Discovery against the Kubernetes API test server: apps, versions, mesh governance, routers, gateways,
// and which routing APIs the cluster serves; one list call per kind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterClient, Discovery, gatewayFeaturesOf, readCapabilities } from "../../src/cluster/index.ts";
import { apiCalls, createFixture } from "../desk/world.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";

const NS = "bookinfo";

describe("discovery with Istio and Bookinfo", () => {
  let kube: KubeTestServer;
  let discovery: Discovery;
  beforeAll(async () => {
    kube = await startKubeServer({ podReadyDelayMs: 5 });
    const kc = kube.kubeConfig();
    await loadBookinfo(kc, NS, { reviewsVersions: ["v1", "v2"], reviewsReplicas: { v2: 2 } });
    await createFixture(kc, "discovery-extras.yaml", NS);
    discovery = new Discovery(new ClusterClient(kc));
  });
  afterAll(() => kube.close());

  it("finds the composed app and its services", async () => {
    const apps = await discovery.apps(NS);
    expect(apps.find((a) => a.name === "bookinfo")).toEqual({
      name: "bookinfo",
      template: false,
      services: ["details", "productpage", "ratings", "reviews"],
    });
    // Outside KubeSphere, a service with an app label and no grouping is its own app.
    expect(apps.find((a) => a.name === "dns")).toEqual({ name: "dns", template: false, services: ["dns"] });
    expect((await discovery.namespaces()).includes(NS)).toBe(true);
  });

  it("lists each version of a service with replicas, readiness and images, in one list call per kind", async () => {
    kube.resetRequests();
    const services = await discovery.services(NS);
    const calls = apiCalls(kube);
    console.log(
      `api requests: discovery of ${services.length} services = ${calls.length} (${calls.join(", ")})`,
    );
    expect(calls.length).toBeLessThanOrEqual(7);
    // The namespace's injection label says every service is in the mesh: no pod is looked at for a sidecar.
    expect(calls).not.toContain("list pods");
    const reviews = services.find((s) => s.name === "reviews");
    expect(reviews).toMatchObject({
      app: "bookinfo",
      governed: true,
      routers: ["istio", "replicas"],
      ports: [{ name: "http", port: 9080, protocol: "TCP" }],
      gateways: [],
    });
    expect(reviews?.versions.map(({ described: _, ...version }) => version)).toEqual([
      {
        version: "v1",
        deployment: "reviews-v1",
        replicas: 1,
        readyReplicas: 1,
        images: ["docker.io/istio/examples-bookinfo-reviews-v1:1.20.3"],
        containers: [{ name: "reviews", image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3" }],
      },
      {
        version: "v2",
        deployment: "reviews-v2",
        replicas: 2,
        readyReplicas: 2,
        images: ["docker.io/istio/examples-bookinfo-reviews-v2:1.20.3"],
        containers: [{ name: "reviews", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3" }],
      },
    ]);
    // Every container with its settings, for "Describe the containers".
    expect(reviews?.versions[0]?.described).toEqual([
      expect.objectContaining({
        name: "reviews",
        type: "work",
        image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
      }),
    ]);
  });

  it("offers only replicas for a UDP-only service", async () => {
    const dns = (await discovery.services(NS)).find((s) => s.name === "dns");
    expect(dns?.routers).toEqual(["replicas"]);
  });

  it("names the ingress gateways whose routes reach a service", async () => {
    const productpage = (await discovery.services(NS, "bookinfo")).find((s) => s.name === "productpage");
    expect(productpage?.gateways).toEqual([
      { kind: "istio", name: "bookinfo-gateway", namespace: NS, hosts: ["bookinfo.example.com"] },
    ]);
  });

  it("reads capabilities once", async () => {
    kube.resetRequests();
    await discovery.services(NS);
    await discovery.services(NS);
    expect(apiCalls(kube).filter((c) => c.includes("customresourcedefinitions"))).toEqual([]);
  });
});

describe("mesh governance without a mesh namespace", () => {
  let kube: KubeTestServer;
  let client: ClusterClient;
  beforeAll(async () => {
    kube = await startKubeServer({ podReadyDelayMs: 5 });
    client = new ClusterClient(kube.kubeConfig());
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "plain" } });
    for (const [name, annotations] of [
      ["meshed", { "sidecar.istio.io/status": '{"containers":["istio-proxy"]}' }],
      ["bare", {}],
    ] as const) {
      await client.create({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: "plain", labels: { app: name } },
        spec: { selector: { app: name }, ports: [{ name: "http", port: 80 }] },
      });
      await client.create({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `${name}-v1`, namespace: "plain" },
        spec: {
          selector: { matchLabels: { app: name, version: "v1" } },
          template: {
            metadata: { labels: { app: name, version: "v1" }, annotations },
            spec: { containers: [{ name, image: "nginx:1.27" }] },
          },
        },
      } as never);
    }
  });
  afterAll(() => kube.close());

  it("counts pods with Istio's sidecar status as governed, others not", async () => {
    const services = await new Discovery(client).services("plain");
    expect(services.map((s) => [s.name, s.governed, s.routers])).toEqual([
      ["bare", false, ["replicas"]],
      ["meshed", true, ["istio", "replicas"]],
    ]);
  });
});

describe("capabilities", () => {
  it.each([
    {
      crds: [] as ("istio" | "kubesphere" | "gateway-api")[],
      expected: { istio: false, istioGateways: false },
    },
    {
      crds: ["istio" as const, "gateway-api" as const],
      expected: {
        istio: true,
        istioGateways: true,
        gatewayApi: { mirrorPercent: true, mirrorFraction: true },
      },
    },
    { crds: ["istio" as const], expected: { istio: true, istioGateways: true } },
    {
      crds: ["kubesphere" as const],
      version: "3.4" as const,
      expected: { istio: false, istioGateways: false, kubesphere: "3.4" },
    },
    {
      crds: ["istio" as const, "kubesphere" as const],
      version: "3.3" as const,
      expected: { istio: true, istioGateways: true, kubesphere: "3.3" },
    },
  ])("CRDs $crds (KubeSphere $version) → $expected", async ({ crds, version, expected }) => {
    const kube = await startKubeServer({ crds, ...(version ? { kubesphereVersion: version } : {}) });
    try {
      expect(await readCapabilities(new ClusterClient(kube.kubeConfig()))).toEqual(expected);
    } finally {
      await kube.close();
    }
  });

  it("reads RequestMirror's percent and fraction from the served v1 schema, and needs v1 served", () => {
    const crd = (served: boolean, mirror: Record<string, unknown>) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "httproutes.gateway.networking.k8s.io" },
      spec: {
        versions: [
          {
            name: "v1",
            served,
            schema: {
              openAPIV3Schema: {
                properties: {
                  spec: {
                    properties: {
                      rules: {
                        items: {
                          properties: {
                            filters: { items: { properties: { requestMirror: { properties: mirror } } } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const backendRef = { type: "object" };
    expect(gatewayFeaturesOf(crd(true, { backendRef }))).toEqual({
      mirrorPercent: false,
      mirrorFraction: false,
    });
    expect(gatewayFeaturesOf(crd(true, { backendRef, fraction: {} }))).toEqual({
      mirrorPercent: false,
      mirrorFraction: true,
    });
    expect(gatewayFeaturesOf(crd(false, { backendRef, percent: {} }))).toBeUndefined();
  });

  it("a user who may not list CRDs gets the replica router only, having asked instead of being refused", async () => {
    const kube = await startKubeServer({ users: { "reader-token": { name: "reader", rules: [] } } });
    try {
      kube.resetRequests();
      expect(await readCapabilities(new ClusterClient(kube.kubeConfig("reader-token")))).toEqual({
        istio: false,
        istioGateways: false,
      });
      const calls = kube.requests.filter((r) => r.resource);
      expect(calls.map((r) => `${r.verb} ${r.resource} ${r.status}`)).toEqual([
        "create selfsubjectaccessreviews 201",
      ]);
    } finally {
      await kube.close();
    }
  });
});
