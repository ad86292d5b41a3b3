// The desk's read cache against the Kubernetes API test server: rarely changing kinds are read once per
// namespace for a while, everything else (and everything through `fresh`) every time; writes forget.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClusterClient,
  KnownObjects,
  type KubeObject,
  REMEMBERED_OBJECTS,
  ReadCache,
} from "../../src/cluster/index.ts";
import { apiCalls, NS } from "../desk/world.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";

const service = { apiVersion: "v1", kind: "Service", namespace: NS, name: "reviews" };
const gateway = (name: string): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "Gateway",
  metadata: { name, namespace: NS },
  spec: {
    selector: { istio: "ingressgateway" },
    servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
  },
});

describe("read cache", () => {
  let kube: KubeTestServer;
  let client: ClusterClient;
  let now = 0;
  const clock = () => now;
  beforeAll(async () => {
    kube = await startKubeServer({ podReadyDelayMs: 5 });
    const kc = kube.kubeConfig();
    await loadBookinfo(kc, NS, { reviewsVersions: ["v1"] });
    client = new ClusterClient(kc);
  });
  afterAll(() => kube.close());

  it("reads a Service, the Services and the Gateways of a namespace once within the time to live", async () => {
    const cache = new ReadCache(client, { ttlMs: 1_000, now: clock });
    kube.resetRequests();
    for (let i = 0; i < 3; i++) {
      expect((await cache.shared.get<KubeObject>(service))?.metadata.name).toBe("reviews");
      await cache.shared.list("v1", "Service", NS);
      await cache.shared.list("networking.istio.io/v1", "Gateway", NS);
    }
    expect(apiCalls(kube)).toEqual(["get services/reviews", "list services", "list gateways"]);
  });

  it("finds a Service by name in its namespace's kept list, until the list ages or a Service is written", async () => {
    now = 0;
    const cache = new ReadCache(client, { ttlMs: 1_000, now: clock });
    kube.resetRequests();
    await cache.shared.list("v1", "Service", NS);
    const found = await cache.shared.get<KubeObject>(service);
    expect(found).toMatchObject({ apiVersion: "v1", kind: "Service", metadata: { name: "reviews" } });
    expect(await cache.shared.get({ ...service, name: "no-such-service" })).toBeUndefined();
    expect(apiCalls(kube)).toEqual(["list services"]);
    // Older than the time to live: read by name again.
    now += 1_001;
    await cache.shared.get(service);
    expect(apiCalls(kube)).toEqual(["list services", "get services/reviews"]);
    // A write of a Service forgets the list: the next read by name asks the API server.
    await cache.shared.list("v1", "Service", NS);
    await cache.shared
      .mergePatch(service, { metadata: { labels: { touched: "yes" } } })
      .then(() => cache.shared.get(service));
    expect(apiCalls(kube).filter((c) => c === "get services/reviews")).toHaveLength(2);
  });

  it("reads Deployments every time, and anything at all through fresh", async () => {
    const cache = new ReadCache(client, { ttlMs: 1_000, now: clock });
    kube.resetRequests();
    await cache.shared.list("apps/v1", "Deployment", NS);
    await cache.shared.list("apps/v1", "Deployment", NS);
    await cache.fresh.get(service);
    await cache.fresh.get(service);
    expect(apiCalls(kube)).toEqual([
      "list deployments",
      "list deployments",
      "get services/reviews",
      "get services/reviews",
    ]);
  });

  it("reads again once the time to live has passed", async () => {
    const cache = new ReadCache(client, { ttlMs: 1_000, now: clock });
    kube.resetRequests();
    await cache.shared.get(service);
    now += 999;
    await cache.shared.get(service);
    now += 1;
    await cache.shared.get(service);
    expect(apiCalls(kube)).toEqual(["get services/reviews", "get services/reviews"]);
  });

  it("forgets a namespace's reads when Graydesk writes one of those kinds there, not on a dry run", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    const before = await cache.shared.list<KubeObject>("networking.istio.io/v1", "Gateway", NS);
    await cache.fresh.create(gateway("dry"), { dryRun: true });
    expect(await cache.shared.list("networking.istio.io/v1", "Gateway", NS)).toBe(before);
    await cache.fresh.create(gateway("public"));
    const after = await cache.shared.list<KubeObject>("networking.istio.io/v1", "Gateway", NS);
    expect(after.items.map((g) => g.metadata.name)).toContain("public");
    expect(after.items.map((g) => g.metadata.name)).not.toContain("dry");
    await cache.shared.delete({
      ...gateway("public").metadata,
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
    });
    const gone = await cache.shared.list<KubeObject>("networking.istio.io/v1", "Gateway", NS);
    expect(gone.items.map((g) => g.metadata.name)).not.toContain("public");
  });

  it("tells listeners of every write, with its namespace and kind, and keeps reads other kinds wrote past", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    const heard: [string | undefined, string][] = [];
    cache.onWrite((namespace, kind) => heard.push([namespace, kind]));
    await cache.shared.get(service);
    await cache.fresh.mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" },
      { metadata: { labels: { touched: "yes" } } },
    );
    await cache.fresh.mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" },
      { metadata: { labels: { touched: "again" } } },
      { dryRun: true },
    );
    kube.resetRequests();
    await cache.shared.get(service);
    expect(apiCalls(kube)).toEqual([]);
    expect(heard).toEqual([[NS, "Deployment"]]);
  });

  it("does not keep a failed read: the next one asks again and is kept", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    kube.faults.add({ verb: "list", resource: "services", kind: "status", status: 503 });
    kube.resetRequests();
    await expect(cache.shared.list("v1", "Service", NS)).rejects.toThrow();
    const { items } = await cache.shared.list<KubeObject>("v1", "Service", NS);
    await cache.shared.list("v1", "Service", NS);
    expect(items.map((s) => s.metadata.name)).toContain("reviews");
    expect(apiCalls(kube)).toEqual(["list services", "list services"]);
  });

  it("knows a namespace's last whole Deployment list, with Graydesk's own writes and reads laid over, until it ages", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    const known = () => cache.known.known<{ items: KubeObject[] }>("apps/v1", "Deployment", NS, 1_000);
    const v1 = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" };
    const labelOf = () =>
      known()?.items.find((d) => d.metadata.name === "reviews-v1")?.metadata.labels?.touched;
    expect(known()).toBeUndefined();
    await cache.shared.list("apps/v1", "Deployment", NS, "app=reviews");
    expect(known()).toBeUndefined();
    const listed = await cache.fresh.list("apps/v1", "Deployment", NS);
    expect(known()).toBe(listed);
    // A write of another kind, or a dry run, says nothing about Deployments.
    await cache.fresh.create(gateway("elsewhere"));
    await cache.fresh.mergePatch(v1, { metadata: { labels: { touched: "dry" } } }, { dryRun: true });
    expect(known()).toBe(listed);
    // Graydesk's own write, and a read by name (a wait for readiness), are laid over the list.
    await cache.fresh.mergePatch(v1, { metadata: { labels: { touched: "known" } } });
    expect(labelOf()).toBe("known");
    await client.mergePatch(v1, { metadata: { labels: { touched: "by-hand" } } });
    expect(labelOf()).toBe("known");
    await cache.fresh.get(v1);
    expect(labelOf()).toBe("by-hand");
    expect(listed.items.length).toBe(known()?.items.length);
    // A write whose outcome is unknown forgets the list.
    kube.faults.add({ verb: "patch", resource: "deployments", kind: "status", status: 503 });
    await expect(cache.fresh.mergePatch(v1, { metadata: { labels: { touched: "lost" } } })).rejects.toThrow();
    expect(known()).toBeUndefined();
    await cache.shared.list("apps/v1", "Deployment", NS);
    expect(known()).toBeDefined();
    now += 1_000;
    expect(known()).toBeUndefined();
  });

  it("does not remember a Deployment list answered while Graydesk wrote a Deployment there", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    const listing = cache.shared.list("apps/v1", "Deployment", NS);
    const writing = cache.fresh.mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" },
      { metadata: { labels: { touched: "meanwhile" } } },
    );
    await Promise.all([listing, writing]);
    expect(cache.known.known("apps/v1", "Deployment", NS, 60_000)).toBeUndefined();
  });

  it("remembers the routing objects as Graydesk's writes and reads by name answered them, not a dry run's", async () => {
    const cache = new ReadCache(client, { ttlMs: 60_000, now: clock });
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "known" };
    const body = {
      apiVersion: vs.apiVersion,
      kind: vs.kind,
      metadata: { name: vs.name, namespace: NS },
      spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] },
    };
    await cache.fresh.create(body, { dryRun: true });
    expect(cache.objects.get(vs)).toBeUndefined();
    const created = await cache.fresh.create<KubeObject>(body);
    expect(cache.objects.get(vs)?.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(cache.objects.get(vs)?.metadata.managedFields).toBeUndefined();
    await client.mergePatch(vs, { metadata: { labels: { edited: "by-hand" } } });
    const read = await cache.shared.get<KubeObject>(vs);
    expect(cache.objects.get(vs)?.metadata.resourceVersion).toBe(read?.metadata.resourceVersion);
    kube.faults.add({ verb: "patch", resource: "virtualservices", kind: "status", status: 503 });
    await expect(cache.fresh.mergePatch(vs, { metadata: { labels: { lost: "yes" } } })).rejects.toThrow();
    expect(cache.objects.get(vs)).toBeUndefined();
    await cache.fresh.get(vs);
    expect(cache.objects.get(vs)).toBeDefined();
    await cache.fresh.delete(vs);
    expect(cache.objects.get(vs)).toBeUndefined();
  });

  it("remembers a bounded number of routing objects, the least recently answered going first", () => {
    const objects = new KnownObjects(REMEMBERED_OBJECTS, 2);
    const ref = (name: string) => ({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      namespace: NS,
      name,
    });
    const answer = (name: string) => ({ metadata: { name, resourceVersion: "1" } });
    for (const name of ["a", "b", "a", "c"]) objects.answered(ref(name), answer(name));
    expect(["a", "b", "c"].map((name) => objects.get(ref(name)) !== undefined)).toEqual([true, false, true]);
  });
});
