// The KubeSphere virtualservice controller stand-in, on the store alone: what it writes for each case.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeSphereVirtualServices } from "./kubesphere-controller.ts";
import { type KubeObject, Store } from "./store.ts";

const NS = "bookinfo";
const APP = { app: "reviews", "app.kubernetes.io/name": "bookinfo", "app.kubernetes.io/version": "v1" };
let store: Store;
let controller: KubeSphereVirtualServices;

const settle = () => new Promise((resolve) => setImmediate(resolve));
const put = async (gr: string, object: KubeObject) => {
  store.put(gr, object, store.get(gr, NS, object.metadata.name ?? "") ? "MODIFIED" : "ADDED");
  await settle();
};
const service = (annotations: Record<string, string> = { "servicemesh.kubesphere.io/enabled": "true" }) =>
  put("/services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "reviews", namespace: NS, labels: APP, annotations },
    spec: { selector: { app: "reviews" }, ports: [{ name: "http", port: 9080, protocol: "TCP" }] },
  });
const rule = (...subsets: string[]) =>
  put("networking.istio.io/destinationrules", {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "DestinationRule",
    metadata: { name: "reviews", namespace: NS },
    spec: { host: "reviews", subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
  });
const strategy = (
  spec: Record<string, unknown>,
  name = "reviews-canary",
  labels: Record<string, string> = APP,
) =>
  put("servicemesh.kubesphere.io/strategies", {
    apiVersion: "servicemesh.kubesphere.io/v1alpha2",
    kind: "Strategy",
    metadata: { name, namespace: NS, labels },
    spec: { type: "Canary", principal: "v1", strategyPolicy: "Immediately", ...spec },
  });
const weights = (v1: number, v2: number) => ({
  template: {
    spec: {
      hosts: ["reviews"],
      http: [
        {
          route: [
            { destination: { host: "reviews", subset: "v1" }, weight: v1 },
            { destination: { host: "reviews", subset: "v2" }, weight: v2 },
          ],
        },
      ],
    },
  },
});
const routes = () =>
  (store.get("networking.istio.io/virtualservices", NS, "reviews")?.spec as { http: unknown[] } | undefined)
    ?.http;

beforeEach(() => {
  store = new Store();
  controller = new KubeSphereVirtualServices(store);
});
afterEach(() => controller.stop());

describe("KubeSphere's virtualservice controller, stood in", () => {
  it("sends every port to the first subset while there is no Strategy, labelled like the Service", async () => {
    await service();
    expect(routes()).toBeUndefined(); // no DestinationRule yet: nothing
    await rule("v1", "v2");
    const vs = store.get("networking.istio.io/virtualservices", NS, "reviews");
    expect(vs?.metadata.labels).toEqual(APP);
    expect(vs?.spec).toEqual({
      hosts: ["reviews"],
      http: [
        {
          name: "http",
          match: [{ port: 9080 }],
          route: [{ destination: { host: "reviews", subset: "v1", port: { number: 9080 } }, weight: 100 }],
        },
      ],
      tcp: [],
    });
  });

  it("writes the Strategy's routes bound to each port, 3.4's snake_case as Istio's camelCase", async () => {
    await service();
    await rule("v1", "v2");
    await strategy({
      template: {
        spec: {
          hosts: ["reviews"],
          http: [
            {
              match: [{ headers: { x_canary: { exact: "on" } } }],
              route: [{ destination: { host: "reviews", subset: "v2" } }],
            },
            {
              route: [{ destination: { host: "reviews", subset: "v1" }, weight: 100 }],
              mirror: { host: "reviews", subset: "v2" },
              mirror_percentage: { value: 30 },
            },
          ],
        },
      },
    });
    expect(routes()).toEqual([
      {
        match: [{ headers: { x_canary: { exact: "on" } }, port: 9080 }],
        route: [{ destination: { host: "reviews", subset: "v2", port: { number: 9080 } } }],
      },
      {
        match: [{ port: 9080 }],
        route: [{ destination: { host: "reviews", subset: "v1", port: { number: 9080 } }, weight: 100 }],
        mirror: { host: "reviews", subset: "v2", port: { number: 9080 } },
        mirrorPercentage: { value: 30 },
      },
    ]);
  });

  it("sends everything to the governor once a version took over", async () => {
    await service();
    await rule("v1", "v2");
    await strategy({ ...weights(80, 20), governor: "v2" });
    expect(routes()).toEqual([
      {
        route: [{ destination: { host: "reviews", subset: "v2", port: { number: 9080 } }, weight: 100 }],
        match: [{ port: 9080 }],
      },
    ]);
  });

  it("ignores a paused Strategy, and waits for every subset with WaitForWorkloadReady", async () => {
    await service();
    await rule("v1");
    await strategy({ ...weights(50, 50), strategyPolicy: "Paused" });
    expect(JSON.stringify(routes())).not.toContain('"v2"');
    await strategy({ ...weights(50, 50), strategyPolicy: "WaitForWorkloadReady" });
    expect(JSON.stringify(routes())).not.toContain('"v2"');
    await rule("v1", "v2");
    expect(JSON.stringify(routes())).toContain('"weight":50');
  });

  it("does not wake for a Strategy without all three app labels, and writes nothing for two Strategies", async () => {
    await service();
    await rule("v1", "v2");
    const { "app.kubernetes.io/version": _version, ...twoLabels } = APP;
    await strategy(weights(50, 50), "reviews-canary", twoLabels);
    expect(JSON.stringify(routes())).not.toContain('"weight":50');
    await strategy(weights(70, 30), "reviews-other");
    expect(JSON.stringify(routes())).not.toContain('"weight":70');
  });

  it("leaves Services outside the mesh alone", async () => {
    await service({});
    await rule("v1", "v2");
    expect(routes()).toBeUndefined();
  });
});
