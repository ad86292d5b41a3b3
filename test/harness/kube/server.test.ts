// Test-server-only features: faults, bad images, users and their rules, request recording, kubectl.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, failure } from "../../conformance/kube-cases.ts";
import { type KubeTestServer, startKubeServer } from "./index.ts";

const run = promisify(execFile);

describe("kube test server", () => {
  let server: KubeTestServer;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  beforeAll(async () => {
    server = await startKubeServer({
      podReadyDelayMs: 10,
      progressDeadlineMs: 300,
      users: {
        "graydesk-token": {
          name: "graydesk",
          rules: [
            { verbs: ["get", "list", "watch"], apiGroups: ["apps"], resources: ["deployments"] },
            {
              verbs: ["patch"],
              apiGroups: ["apps"],
              resources: ["deployments/scale"],
              namespaces: ["bookinfo"],
            },
          ],
        },
      },
    });
    core = server.kubeConfig().makeApiClient(CoreV1Api);
    apps = server.kubeConfig().makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: "bookinfo" } } });
  });
  afterAll(() => server.close());

  it("answers 401 without a token", async () => {
    const res = await fetch(`${server.url}/api/v1/namespaces`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("answers 403 beyond a user's rules, worded as kube words it", async () => {
    const limited = server.kubeConfig("graydesk-token").makeApiClient(AppsV1Api);
    await expect(limited.listNamespacedDeployment({ namespace: "bookinfo" })).resolves.toBeTruthy();
    const s = await failure(
      limited.deleteNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo" }),
    );
    expect(s).toMatchObject({
      code: 403,
      reason: "Forbidden",
      message:
        'deployments.apps "reviews-v2" is forbidden: User "graydesk" cannot delete resource "deployments" in API group "apps" in the namespace "bookinfo"',
    });
    const scale = await failure(
      limited.replaceNamespacedDeploymentScale({
        name: "x",
        namespace: "default",
        body: { spec: { replicas: 1 } },
      }),
    );
    expect(scale.message).toBe(
      'deployments.apps "x" is forbidden: User "graydesk" cannot update resource "deployments/scale" in API group "apps" in the namespace "default"',
    );
    server.setUser("graydesk-token", { name: "graydesk", rules: "cluster-admin" });
    await expect(limited.listNamespacedDeployment({ namespace: "default" })).resolves.toBeTruthy();
  });

  it("injects error statuses with Retry-After, then recovers", async () => {
    server.faults.add({
      verb: "list",
      resource: "pods",
      kind: "status",
      status: 429,
      retryAfterSeconds: 3,
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/api/v1/pods`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("3");
      expect(await res.json()).toMatchObject({ kind: "Status", code: 429, reason: "TooManyRequests" });
    }
    await expect(core.listPodForAllNamespaces()).resolves.toBeTruthy();
  });

  it("injects latency, connection resets and hangs", async () => {
    server.faults.add({
      verb: "get",
      resource: "namespaces",
      name: "default",
      kind: "latency",
      latencyMs: 150,
    });
    const start = Date.now();
    await core.readNamespace({ name: "default" });
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);

    server.faults.add({ verb: "get", resource: "namespaces", kind: "reset" });
    await expect(core.readNamespace({ name: "default" })).rejects.toThrow();

    server.faults.add({ verb: "get", resource: "namespaces", kind: "hang" });
    const hung = fetch(`${server.url}/api/v1/namespaces/default`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    server.faults.clear();
    await expect(core.readNamespace({ name: "default" })).resolves.toBeTruthy();
  });

  it("never readies pods of a bad image and reports ProgressDeadlineExceeded", async () => {
    server.markImageBad("docker.io/istio/reviews:broken");
    await apps.createNamespacedDeployment({
      namespace: "bookinfo",
      body: {
        metadata: { name: "reviews-broken" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "broken" } },
          template: {
            metadata: { labels: { app: "broken" } },
            spec: { containers: [{ name: "reviews", image: "docker.io/istio/reviews:broken" }] },
          },
        },
      },
    });
    const d = await eventually(
      () => apps.readNamespacedDeployment({ name: "reviews-broken", namespace: "bookinfo" }),
      (x) => x.status?.conditions?.some((c) => c.reason === "ProgressDeadlineExceeded") === true,
    );
    expect(d.status?.readyReplicas ?? 0).toBe(0);
    const pods = await core.listNamespacedPod({ namespace: "bookinfo", labelSelector: "app=broken" });
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe("ImagePullBackOff");
  });

  it("records requests for tests that count API calls", async () => {
    server.resetRequests();
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.listNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace: "bookinfo",
      plural: "virtualservices",
    });
    expect(server.requests).toEqual([
      expect.objectContaining({
        verb: "list",
        resource: "virtualservices",
        namespace: "bookinfo",
        status: 200,
      }),
    ]);
  });

  it("hands out a plain-HTTP KubeConfig for speed", async () => {
    const fast = server.kubeConfig(undefined, { plainHttp: true });
    expect(fast.getCurrentCluster()?.server).toBe(server.url);
    const ns = await fast.makeApiClient(CoreV1Api).readNamespace({ name: "default" });
    expect(ns.metadata?.name).toBe("default");
  });

  it("serves a cluster without a mesh", async () => {
    const bare = await startKubeServer({ crds: [] });
    try {
      const res = await fetch(`${bare.url}/apis`, {
        headers: { authorization: `Bearer ${bare.adminToken}` },
      });
      const groups = ((await res.json()) as { groups: Array<{ name: string }> }).groups.map((g) => g.name);
      expect(groups).not.toContain("networking.istio.io");
      expect(groups).toContain("apps");
    } finally {
      await bare.close();
    }
  });

  it("answers the real kubectl", async () => {
    const env = { ...process.env, KUBECONFIG: server.kubeconfigPath };
    const ns = await run("kubectl", ["get", "ns", "-o", "name"], { env });
    expect(ns.stdout).toContain("namespace/bookinfo");
    const resources = await run(
      "kubectl",
      ["api-resources", "--api-group=networking.istio.io", "-o", "name"],
      { env },
    );
    expect(resources.stdout.split("\n")).toEqual(
      expect.arrayContaining(["virtualservices.networking.istio.io", "destinationrules.networking.istio.io"]),
    );
    const missing = await run("kubectl", ["-n", "bookinfo", "get", "vs", "nope"], { env }).catch(
      (e: { stderr: string }) => e,
    );
    expect((missing as { stderr: string }).stderr).toContain(
      'virtualservices.networking.istio.io "nope" not found',
    );
  });
});
